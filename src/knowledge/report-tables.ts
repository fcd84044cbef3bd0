// The three kinds of table in an annual report: section 二 (one small table per article of
// 第二十条), section 三 (applications, one large table) and section 四 (review and litigation,
// one row). Columns come from the header rows found; cells that cannot be placed without
// guessing are not recorded, and a Finding says so.
import {
  PAREN_ROW, ROW_MARKER, SUB_ROW, TABLE_NOTE, TOP_ROW, hasUnclosedBracket, type Cell,
} from './report-text.ts';
import { record, warn, type TableContext } from './report-active.ts';
import { labelKey, withoutNotes } from './report-labels.ts';
import { fitCells, mergeFragments, squashCell, type Row } from './report-rows.ts';

function lastTextIndex(cells: Cell[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i]?.kind === 'text') return i;
  return -1;
}

function trimTrailingBlanks(cells: Cell[]): Cell[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]?.kind === 'blank') end--;
  return cells.slice(0, end);
}

const stat = record;

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
    .filter((t) => !TABLE_NOTE.test(labelKey(t)) && !GROUP3.test(labelKey(t)));
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
  const total = columns.findIndex((c) => TOTAL.test(labelKey(c)));
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
  parsed.forEach((r, index) => {
    for (const label of r.labels) {
      if (TOP_ROW.test(label)) paren = null;
      else if (PAREN_ROW.test(label)) paren = label;
    }
    const printed = r.labels[r.labels.length - 1] ?? '';
    // Notes in brackets ("（区分处理的，只计这一情形…）") are not part of the row's name.
    const item = withoutNotes(printed);
    const group = SUB_ROW.test(item) && paren !== null ? withoutNotes(paren) : null;
    const recognised = ROW_MARKER.test(item);
    if (!recognised) warn(ctx, r.line, `申请情况表格中的行名“${item}”不是该表的行（缺少“一、”“（一）”“1.”等编号）`, 'info');
    const values = r.values;
    const n = values.length;
    const next = parsed[index + 1]?.labels[0] ?? '';
    if (n === 0 || values.every((c) => c.kind === 'blank') && isParentOnly(item, next)) return;
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
  });
}

/** A row of empty cells that only heads its sub-rows: "三、本年度办理结果", "（三）不予公开" + "1.…". */
function isParentOnly(item: string, nextLabel: string): boolean {
  return /^三、/.test(item) || PAREN_ROW.test(item) && SUB_ROW.test(nextLabel);
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
    if (SUBGROUP4.test(labelKey(g))) {
      items.push(parent ? `${parent}（${g}）` : g);
      return;
    }
    parent = g;
    if (!SUBGROUP4.test(labelKey(groups[i + 1] ?? ''))) items.push(g);
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
  ].filter((c) => c.kind === 'text').map(squashCell).filter((t) => !TABLE_NOTE.test(labelKey(t)));
  const values = trimTrailingBlanks(dataRow.cells.slice(lt + 1));
  for (const extra of rows.slice(dataIndex + 1)) {
    if (extra.cells.some((c) => c.kind === 'number')) warn(ctx, extra.line, '行政复议、行政诉讼表格有多于一行数字，多出的行未记录');
  }
  const groups = headerTokens.filter((t) => GROUP4.test(labelKey(t)));
  const leaves = mergeFragments(headerTokens.filter((t) => !GROUP4.test(labelKey(t))), values.length);
  const blocks: string[][] = [[]];
  for (const leaf of leaves) {
    (blocks[blocks.length - 1] as string[]).push(leaf);
    if (TOTAL.test(labelKey(leaf))) blocks.push([]);
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
