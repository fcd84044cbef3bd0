// The three kinds of table in an annual report: section 二 (one small table per article of
// 第二十条), section 三 (applications, one large table) and section 四 (review and litigation,
// one row). Columns come from the header rows found; cells that cannot be placed without
// guessing are not recorded, and a Finding says so.
import type { Finding, ReportStat } from './types.ts';
import {
  ARTICLE, PAREN_ROW, ROW_MARKER, SUB_ROW, TABLE_NOTE, TOP_ROW,
  canonLabel, hasUnclosedBracket, type Cell, type LineShape,
} from './report-text.ts';

export interface TableContext {
  section: string;
  document: string;
  stats: ReportStat[];
  findings: Finding[];
}

/** A table row: from a line with separators (explicit) or rebuilt from one-cell-per-line text. */
export interface Row {
  cells: Cell[];
  explicit: boolean;
  line: number;
}

const squashCell = (c: Cell): string => canonLabel(c.text);

/** Cells that begin a new row even before any figure has been seen. */
function startsRow(c: Cell): boolean {
  if (c.kind !== 'text') return false;
  const s = squashCell(c);
  return ROW_MARKER.test(s) || ARTICLE.test(s) || TABLE_NOTE.test(s) || s === '信息内容';
}

/** Rebuild rows: explicit lines stay rows; loose cells join the row until a new label starts one. */
export function groupRows(lines: { shape: LineShape; line: number }[]): Row[] {
  const rows: Row[] = [];
  let loose: Row | null = null;
  const flush = (): void => {
    if (loose && loose.cells.length > 0) rows.push(loose);
    loose = null;
  };
  for (const { shape, line } of lines) {
    if (shape.mode === 'skip') continue;
    if (shape.mode === 'row') {
      flush();
      rows.push({ cells: shape.cells, explicit: true, line });
      continue;
    }
    for (const cell of shape.cells) {
      const current: Row | null = loose;
      if (current && cell.kind === 'text') {
        const hasValues = current.cells.some((c) => c.kind !== 'text');
        if (hasValues || startsRow(cell)) flush();
      }
      if (!loose) loose = { cells: [], explicit: false, line };
      (loose as Row).cells.push(cell);
    }
  }
  flush();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Header cells broken across lines ("本年新" + "制作数量") are joined where the join is a column
// of the national formats; the words below only decide joins, never which columns exist.
const KNOWN_COLUMNS = new Set([
  '本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '处理决定数量',
  '采购项目数量', '采购总金额', '本年制发件数', '本年废止件数', '现行有效件数', '本年处理决定数量',
  '本年收费金额（单位：万元）', '自然人', '商业企业', '科研机构', '社会组织', '社会公益组织',
  '法律服务机构', '其他', '总计', '结果维持', '结果纠正', '其他结果', '尚未审结',
  '未经复议直接起诉', '复议后起诉', '行政复议', '行政诉讼', '申请人情况', '法人或其他组织', '信息内容',
]);

export function mergeFragments(frags: string[], target: number | null): string[] {
  const out: string[] = [];
  for (let i = 0; i < frags.length; ) {
    let taken = 1;
    for (let j = Math.min(frags.length, i + 4); j > i + 1; j--) {
      if (KNOWN_COLUMNS.has(frags.slice(i, j).join(''))) {
        taken = j - i;
        break;
      }
    }
    out.push(frags.slice(i, i + taken).join(''));
    i += taken;
  }
  // Still too many: join the shortest unknown neighbours (a cell broken where no word is known).
  while (target !== null && target > 0 && out.length > target) {
    let best = -1;
    for (let i = 0; i + 1 < out.length; i++) {
      const a = out[i] ?? '';
      const b = out[i + 1] ?? '';
      if (KNOWN_COLUMNS.has(a) && KNOWN_COLUMNS.has(b)) continue;
      if (best < 0 || a.length + b.length < (out[best] ?? '').length + (out[best + 1] ?? '').length) best = i;
    }
    if (best < 0) break;
    out.splice(best, 2, (out[best] ?? '') + (out[best + 1] ?? ''));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fitting a row's cells to the header's columns.

function cellKey(c: Cell | null, blankIsZero: boolean): string {
  if (!c || c.kind === 'blank') return blankIsZero ? 'n:0:' : 'blank';
  if (c.kind === 'number' && c.num) return `n:${c.num.value}:${c.num.unit ?? ''}`;
  return `${c.kind}:${c.text}`;
}

/**
 * Which cell belongs to each of k columns when a row has n cells. n = k: one to one. n > k:
 * n−k cells are surplus; text exports add empty cells, not numbers, so when the row has at least
 * n−k empty cells only empty cells are taken as surplus, otherwise any cell may be. n < k (only
 * when `anchored`): cells were lost from the interior, so the first cell is the first column,
 * the last cell the last column and lost cells were empty. A column is returned only when every
 * way of placing the cells gives it the same reading; otherwise undefined (not guessed).
 * null stands for an empty cell that was lost.
 */
export function fitCells(values: Cell[], k: number, blankIsZero: boolean, anchored: boolean): (Cell | null | undefined)[] {
  const n = values.length;
  const out: (Cell | null | undefined)[] = new Array<Cell | null | undefined>(k).fill(undefined);
  if (n === 0 || k === 0) return out;
  const agree = (cands: (Cell | null)[]): Cell | null | undefined => {
    const keys = new Set(cands.map((c) => cellKey(c, blankIsZero)));
    if (keys.size !== 1) return undefined;
    return cands.find((c) => c && c.kind !== 'blank') ?? cands.find((c) => c) ?? null;
  };
  if (n === k) return values.slice();
  if (n > k) {
    const d = n - k;
    const blanks = values.filter((c) => c.kind === 'blank').length;
    if (blanks < d) {
      for (let j = 0; j < k; j++) out[j] = agree(values.slice(j, j + d + 1));
      return out;
    }
    // Cell i, kept, lands in column i − (empty cells dropped before it); the drops before it are
    // at most the empty cells before it, and the rest must fit among the empty cells after it.
    const cands: Cell[][] = Array.from({ length: k }, () => []);
    let before = 0;
    for (let i = 0; i < n; i++) {
      const cell = values[i] as Cell;
      const after = blanks - before - (cell.kind === 'blank' ? 1 : 0);
      const lo = Math.max(0, d - after);
      const hi = Math.min(d, before);
      for (let dropped = lo; dropped <= hi; dropped++) {
        const j = i - dropped;
        if (j >= 0 && j < k) cands[j]?.push(cell);
      }
      if (cell.kind === 'blank') before++;
    }
    for (let j = 0; j < k; j++) out[j] = agree(cands[j] ?? []);
    return out;
  }
  if (!anchored) return out;
  if (n === 1) {
    out[k - 1] = values[0];
    return out;
  }
  const m = k - n;
  out[0] = values[0];
  out[k - 1] = values[n - 1];
  for (let j = 1; j < k - 1; j++) {
    const cands: (Cell | null)[] = [null];
    for (let i = Math.max(1, j - m); i <= Math.min(n - 2, j); i++) cands.push(values[i] ?? null);
    out[j] = agree(cands);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function unitFromColumn(column: string): string | null {
  const m = /单位：([^）]{1,6})）?/.exec(column);
  return m?.[1] ?? null;
}

function stat(
  ctx: TableContext, article: string | null, item: string, group: string | null,
  column: string, cell: Cell, value: number, unit: string | null, line: number,
): void {
  const s: ReportStat = {
    section: ctx.section, article, item, group, column, value, unit,
    raw: cell.raw, kind: 'table', line,
  };
  if (cell.num?.approximate) s.approximate = true;
  ctx.stats.push(s);
}

function warn(ctx: TableContext, line: number, message: string, level: Finding['level'] = 'warning'): void {
  ctx.findings.push({ level, document: ctx.document, location: `第 ${line} 行（${ctx.section || '表格'}）`, message });
}

/** Record a cell of a section 二 table; empty and "——" cells carry no figure. */
function recordArticleCell(ctx: TableContext, article: string, item: string, column: string | undefined, cell: Cell): void {
  if (cell.kind === 'blank' || cell.kind === 'na') return;
  if (cell.kind !== 'number' || !cell.num) {
    warn(ctx, cell.line, `${article}“${item}”一行有无法读取的数值“${cell.raw}”，未记录`);
    return;
  }
  if (!column) {
    warn(ctx, cell.line, `${article}“${item}”一行的数值“${cell.raw}”没有对应的表头列，未记录`);
    return;
  }
  const unit = cell.num.unit ?? unitFromColumn(column);
  stat(ctx, article, item, null, column, cell, cell.num.value, unit, cell.line);
}

function lastTextIndex(cells: Cell[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i]?.kind === 'text') return i;
  return -1;
}

function trimTrailingBlanks(cells: Cell[]): Cell[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]?.kind === 'blank') end--;
  return cells.slice(0, end);
}

/** One table of section 二: starts with the "第二十条第（X）项" cell. */
export function parseArticleTable(rows: Row[], ctx: TableContext): void {
  const first = rows[0];
  if (!first) return;
  const mi = first.cells.findIndex((c) => c.kind !== 'blank');
  const markerCell = first.cells[mi];
  const marker = markerCell ? ARTICLE.exec(canonLabel(markerCell.text)) : null;
  if (!marker || !markerCell) return;
  const article = canonLabel(marker[0]);
  const rest: Row[] = [{ ...first, cells: first.cells.slice(mi + 1) }, ...rows.slice(1)];

  let columns: string[] | null = null;
  let explicitHeader = false;
  const pending: string[] = [];
  for (const row of rest) {
    const cells = row.cells;
    if (cells.every((c) => c.kind === 'blank')) continue;
    const hasValues = cells.some((c) => c.kind !== 'text' && c.kind !== 'blank');
    if (columns === null) {
      if (!hasValues) {
        const texts = cells.filter((c) => c.kind === 'text').map(squashCell);
        if (row.explicit) {
          // Label column first ("信息内容", or empty); then one column per cell, by position.
          const labelFirst = cells[0]?.kind === 'blank' || squashCell(cells[0] as Cell) === '信息内容';
          columns = (labelFirst ? cells.slice(1) : cells).map(squashCell);
          explicitHeader = true;
        } else {
          pending.push(...texts.filter((t) => t !== '信息内容'));
        }
        continue;
      }
      if (row.explicit) {
        warn(ctx, row.line, `${article}表格缺少表头（“信息内容”及各列名称），本行数字未记录`);
        continue;
      }
      const lt = lastTextIndex(cells);
      const texts = cells.slice(0, lt + 1).filter((c) => c.kind === 'text').map(squashCell).filter((t) => t !== '信息内容');
      const values = trimTrailingBlanks(cells.slice(lt + 1));
      const label = texts.pop();
      columns = mergeFragments([...pending, ...texts], values.length);
      if (!label) {
        warn(ctx, row.line, `${article}表格第一行缺少行名，本行数字未记录`);
        continue;
      }
      mapLooseRow(ctx, article, label, values, columns, row.line);
      continue;
    }
    if (row.explicit && explicitHeader) {
      const q = cells.findIndex((c) => c.kind !== 'blank');
      const labelCell = cells[q];
      if (!labelCell || labelCell.kind !== 'text') {
        warn(ctx, row.line, `${article}表格中有一行缺少行名，本行数字未记录`);
        continue;
      }
      const item = squashCell(labelCell);
      cells.slice(q + 1).forEach((cell, j) => recordArticleCell(ctx, article, item, columns?.[j] || undefined, cell));
      continue;
    }
    const lt = lastTextIndex(cells);
    const label = cells.slice(0, lt + 1).filter((c) => c.kind === 'text').map(squashCell).join('');
    const values = trimTrailingBlanks(cells.slice(lt + 1));
    if (!label) {
      warn(ctx, row.line, `${article}表格中有一行缺少行名，本行数字未记录`);
      continue;
    }
    mapLooseRow(ctx, article, label, values, columns.filter((c) => c !== ''), row.line);
  }
}

function mapLooseRow(ctx: TableContext, article: string, item: string, values: Cell[], columns: string[], line: number): void {
  if (values.length === 0) return;
  if (values.length !== columns.length) {
    warn(ctx, line, `${article}“${item}”一行有 ${values.length} 个数据格，表头有 ${columns.length} 列（${columns.join('、')}），无法确定各数字所属的列，未记录`);
    return;
  }
  values.forEach((cell, j) => recordArticleCell(ctx, article, item, columns[j], cell));
}

// ---------------------------------------------------------------------------------------------
// Section 三.

const GROUP3 = /^(?:申请人情况|申请人|法人或其他组织)$/;
const TOTAL = /^(?:总计|合计)$/;

interface RequestRow {
  labels: string[];
  values: Cell[];
  line: number;
}

function modeOf(ns: number[]): number | null {
  const count = new Map<number, number>();
  let best: number | null = null;
  for (const n of ns) {
    const c = (count.get(n) ?? 0) + 1;
    count.set(n, c);
    if (best === null || c > (count.get(best) ?? 0)) best = n;
  }
  return best;
}

function joinLabelParts(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (prev !== undefined && hasUnclosedBracket(prev) && !ROW_MARKER.test(p)) out[out.length - 1] = prev + p;
    else out.push(p);
  }
  return out;
}

/** The section 三 table: applicants in columns, 一 … 四 with the outcomes of 三 in rows. */
export function parseRequestTable(rows: Row[], ctx: TableContext): void {
  const firstData = rows.findIndex((r) => {
    const t = r.cells.find((c) => c.kind === 'text');
    return t !== undefined && ROW_MARKER.test(squashCell(t));
  });
  const headerRows = firstData < 0 ? rows : rows.slice(0, firstData);
  const headerTokens = headerRows
    .flatMap((r) => r.cells.filter((c) => c.kind === 'text').map(squashCell))
    .filter((t) => !TABLE_NOTE.test(t) && !GROUP3.test(t));
  const firstLine = rows[0]?.line ?? 0;
  if (firstData < 0) {
    warn(ctx, firstLine, '申请情况表格中没有找到“一、本年新收政府信息公开申请数量”等数据行，表格未读取');
    return;
  }

  // Rows: labels (row numbering kept) and the cells after the last label.
  const parsed: RequestRow[] = [];
  for (const row of rows.slice(firstData)) {
    const lt = lastTextIndex(row.cells);
    if (lt < 0) {
      if (row.cells.some((c) => c.kind !== 'blank')) warn(ctx, row.line, '申请情况表格中有一行数字没有行名，未记录');
      continue;
    }
    const labels = joinLabelParts(row.cells.slice(0, lt + 1).filter((c) => c.kind === 'text').map(squashCell));
    const values = row.cells.slice(lt + 1);
    const prev = parsed[parsed.length - 1];
    const head = labels[0] ?? '';
    if (prev && !ROW_MARKER.test(head) && hasUnclosedBracket(prev.labels[prev.labels.length - 1] ?? '')) {
      // A row label continued on the next line or page: "…（区分处理" + "的，只计这一情形…）".
      prev.labels[prev.labels.length - 1] += labels.join('');
      const prevHas = prev.values.some((c) => c.kind !== 'blank');
      const hereHas = values.some((c) => c.kind !== 'blank');
      if (hereHas && !prevHas) {
        prev.values = values;
        prev.line = row.line;
      } else if (hereHas) {
        warn(ctx, row.line, `“${prev.labels.join(' / ')}”的续行也有数字，续行数字未记录`);
      }
      continue;
    }
    parsed.push({ labels, values, line: row.line });
  }

  const widths = parsed.filter((r) => r.values.some((c) => c.kind !== 'blank')).map((r) => r.values.length);
  const mode = modeOf(widths);
  let columns = mergeFragments(headerTokens, mode);
  const total = columns.findIndex((c) => TOTAL.test(c));
  if (total >= 0 && total !== columns.length - 1) {
    // 总计 spans the header rows at the right edge; in reading order it comes before the
    // organisation columns of the row below it.
    columns = [...columns.slice(0, total), ...columns.slice(total + 1), columns[total] as string];
  }
  if (columns.length === 0) {
    warn(ctx, firstLine, '申请情况表格没有可识别的表头（自然人、法人或其他组织、总计等），表格未读取');
    return;
  }
  if (mode !== null && mode !== columns.length) {
    warn(ctx, firstLine, `申请情况表格表头有 ${columns.length} 列（${columns.join('、')}），而多数数据行有 ${mode} 个数据格；按表头读取`, 'info');
  }

  const k = columns.length;
  let paren: string | null = null;
  for (const r of parsed) {
    for (const label of r.labels) {
      if (TOP_ROW.test(label)) paren = null;
      else if (PAREN_ROW.test(label)) paren = label;
    }
    const item = r.labels[r.labels.length - 1] ?? '';
    const group = SUB_ROW.test(item) ? paren : null;
    const recognised = ROW_MARKER.test(item);
    if (!recognised) warn(ctx, r.line, `申请情况表格中的行名“${item}”不是该表的行（缺少“一、”“（一）”“1.”等编号）`, 'info');
    const values = r.values;
    const n = values.length;
    if (n === 0 || values.every((c) => c.kind === 'blank') && r.labels.length > 0 && isParentOnly(item)) continue;
    const fitted = fitCells(values, k, recognised, true);
    const missing: string[] = [];
    const found: string[] = [];
    fitted.forEach((cell, j) => {
      const column = columns[j] as string;
      if (cell === undefined) {
        missing.push(column);
        return;
      }
      if (cell === null || cell.kind === 'blank') {
        if (!recognised) return;
        const blank: Cell = cell ?? { text: '', raw: '', line: r.line, kind: 'blank' };
        stat(ctx, null, item, group, column, blank, 0, null, r.line);
        found.push(`${column} 0`);
        return;
      }
      if (cell.kind === 'na') return;
      if (cell.kind !== 'number' || !cell.num) {
        warn(ctx, cell.line, `“${item}” / ${column} 的内容“${cell.raw}”不是数字，未记录`);
        return;
      }
      stat(ctx, null, item, group, column, cell, cell.num.value, cell.num.unit, cell.line);
      found.push(`${column} ${cell.num.value}`);
    });
    if (n !== k) {
      const first = columns[0] ?? '';
      const last = columns[k - 1] ?? '';
      const blanks = values.filter((c) => c.kind === 'blank').length;
      const rule = n > k
        ? blanks >= n - k ? `多出的 ${n - k} 格应为其中的空格` : `多出的 ${n - k} 格可能在任何位置`
        : n === 1 ? `唯一的数据格按行末计入“${last}”` : `按首格为“${first}”、末格为“${last}”读取，缺少的格按空格（0）计`;
      const how = missing.length === 0
        ? '各种可能的对齐方式读数相同，已全部记录'
        : `已记录无歧义的列（${found.join('、') || '无'}），${missing.join('、')} 列有多种可能的读数，未记录`;
      warn(ctx, r.line, `申请情况表格“${item}”一行有 ${n} 个数据格，与表头 ${k} 列（${columns.join('、')}）不符；${rule}，${how}`);
    }
  }
}

/** "三、本年度办理结果" and "（三）不予公开" carry no figures of their own in the format. */
function isParentOnly(item: string): boolean {
  return /^三、/.test(item) || /^（[三四五六]）/.test(item);
}

// ---------------------------------------------------------------------------------------------
// Section 四.

const GROUP4 = /^(?:行政复议|行政诉讼)$|起诉$/;
const SUBGROUP4 = /起诉$/;

/** Items of the review table from its group cells: 行政复议, 行政诉讼（未经复议直接起诉）, … */
function reviewItems(groups: string[]): string[] {
  const items: string[] = [];
  let parent = '';
  groups.forEach((g, i) => {
    if (SUBGROUP4.test(g)) {
      items.push(parent ? `${parent}（${g}）` : g);
      return;
    }
    parent = g;
    if (!SUBGROUP4.test(groups[i + 1] ?? '')) items.push(g);
  });
  return items;
}

/** The section 四 table: one row of figures under 行政复议 and 行政诉讼. */
export function parseReviewTable(rows: Row[], ctx: TableContext): void {
  const dataIndex = rows.findIndex((r) => r.cells.some((c) => c.kind === 'number' || c.kind === 'na' || c.kind === 'bad'));
  const firstLine = rows[0]?.line ?? 0;
  if (dataIndex < 0) {
    warn(ctx, firstLine, '行政复议、行政诉讼表格中没有数据行，表格未读取');
    return;
  }
  const dataRow = rows[dataIndex] as Row;
  const lt = lastTextIndex(dataRow.cells);
  const headerTokens = [
    ...rows.slice(0, dataIndex).flatMap((r) => r.cells),
    ...dataRow.cells.slice(0, lt + 1),
  ].filter((c) => c.kind === 'text').map(squashCell).filter((t) => !TABLE_NOTE.test(t));
  const values = trimTrailingBlanks(dataRow.cells.slice(lt + 1));
  for (const extra of rows.slice(dataIndex + 1)) {
    if (extra.cells.some((c) => c.kind === 'number')) warn(ctx, extra.line, '行政复议、行政诉讼表格有多于一行数字，多出的行未记录');
  }
  const groups = headerTokens.filter((t) => GROUP4.test(t));
  const leaves = mergeFragments(headerTokens.filter((t) => !GROUP4.test(t)), values.length);
  const blocks: string[][] = [[]];
  for (const leaf of leaves) {
    (blocks[blocks.length - 1] as string[]).push(leaf);
    if (TOTAL.test(leaf)) blocks.push([]);
  }
  if ((blocks[blocks.length - 1] as string[]).length === 0) blocks.pop();
  const items = reviewItems(groups);
  if (leaves.length === 0 || items.length !== blocks.length) {
    warn(ctx, firstLine, `行政复议、行政诉讼表格的表头无法识别（分组 ${items.join('、') || '无'}，列 ${leaves.join('、') || '无'}），表格未读取`);
    return;
  }
  const columns = blocks.flatMap((b, i) => b.map((leaf) => ({ item: items[i] as string, leaf })));
  const k = columns.length;
  const n = values.length;
  const fitted = fitCells(values, k, false, false);
  const complete = fitted.every((c) => c !== undefined);
  if (n !== k) {
    const how = complete
      ? `各种对齐方式读数相同（${describe(values)}），已记录 ${k} 个数字`
      : n < k ? '无法确定缺了哪一格，本行数字均未记录' : '不同对齐方式读数不同，本行数字均未记录';
    warn(ctx, dataRow.line, `行政复议、行政诉讼表格的数据行有 ${n} 个数值，而表头只有 ${k} 列；${how}`);
    if (!complete) return;
  }
  fitted.forEach((cell, j) => {
    const col = columns[j];
    if (!col || !cell || cell.kind === 'blank' || cell.kind === 'na') return;
    if (cell.kind !== 'number' || !cell.num) {
      warn(ctx, cell.line, `${col.item} / ${col.leaf} 的内容“${cell.raw}”不是数字，未记录`);
      return;
    }
    stat(ctx, null, col.item, null, col.leaf, cell, cell.num.value, cell.num.unit, cell.line);
  });
}

function describe(values: Cell[]): string {
  const distinct = [...new Set(values.map((c) => c.raw || '空'))];
  return distinct.length === 1 ? `均为 ${distinct[0]}` : distinct.join('、');
}
