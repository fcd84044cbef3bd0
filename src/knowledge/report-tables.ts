// The three kinds of table in an annual report: section 二 (one small table per article of
// 第二十条), section 三 (applications, one large table) and section 四 (review and litigation,
// one row). Columns come from the header rows found; cells that cannot be placed without
// guessing are not recorded, and a Finding says so.
import {
  PAREN_ROW, ROW_MARKER, SUB_ROW, TABLE_NOTE, TOP_ROW, hasUnclosedBracket, type Cell,
} from './report-text.ts';
import { record, warn, type TableContext } from './report-active.ts';
import { SECTION3_COLUMNS, labelKey, withoutNotes } from './report-labels.ts';
import { consistentPlacements, placements } from './report-sums.ts';
import { fitCells, mergeFragments, squashCell, type Row } from './report-rows.ts';
import { agreeing, runReadings } from './report-runs.ts';

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
const SECTION3 = new Set(SECTION3_COLUMNS.map((c) => labelKey(c)));

interface RequestRow {
  labels: string[];
  values: Cell[];
  line: number;
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

  const header = requestColumns(headerRows);
  if (header.columns.length === 0) {
    warn(ctx, firstLine, '申请情况表格没有可识别的表头（自然人、法人或其他组织、总计等），表格未读取');
    return;
  }
  if (header.unknown.length > 0) {
    warn(ctx, firstLine, `申请情况表格的表头“${header.unknown.join('”“')}”不是该表的列（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计），无法确定各数字所属的列，表格未读取`);
    return;
  }
  const columns = header.columns;
  const k = columns.length;
  const groups = subRowGroups(parsed);
  const ambiguous: Array<{ item: string; group: string | null; line: number; candidates: (Cell | null)[][]; undecided: number[]; warning: number }> = [];
  parsed.forEach((r, index) => {
    const printed = r.labels[r.labels.length - 1] ?? '';
    // Notes in brackets ("（区分处理的，只计这一情形…）") are not part of the row's name.
    const item = withoutNotes(printed);
    const group = groups[index] ?? null;
    if (groups[index] === undefined && SUB_ROW.test(item)) {
      warn(ctx, r.line, `申请情况表格“${item}”一行找不到所属的分组（如“（三）不予公开”），未记录`);
      return;
    }
    const recognised = ROW_MARKER.test(item);
    if (!recognised && r.values.every((c) => c.kind === 'blank')) return;
    if (!recognised) warn(ctx, r.line, `申请情况表格中的行名“${item}”不是该表的行（缺少“一、”“（一）”“1.”等编号）`, 'info');
    let values = r.values;
    // Filler after the last column (merged cells, a row's closing "|") is no cell.
    while (values.length > k && values[values.length - 1]?.kind === 'blank') values = values.slice(0, -1);
    const next = parsed[index + 1]?.labels[0] ?? '';
    if (values.length === 0 || values.every((c) => c.kind === 'blank') && isParentOnly(item, next)) return;
    let runs: Cell[][] | null = null;
    if (values.some((c) => c.kind === 'run')) {
      // Cells run together ("0000000"): split into the k columns where only one split fits.
      const readings = runReadings(values, k);
      const printed = values.map((c) => c.raw || '空').join('、');
      if (readings === null || readings.length === 0) {
        warn(ctx, r.line, `申请情况表格“${item}”一行的数字连在一起（${printed}），${readings === null ? '拆法太多' : '无法拆成表头的 ' + k + ' 列'}，未记录`);
        return;
      }
      if (readings.length === 1) {
        values = readings[0] as Cell[];
        warn(ctx, r.line, `申请情况表格“${item}”一行的数字连在一起（${printed}），按表头 ${k} 列只有一种拆法：${values.map((c) => c.text).join('、')}`, 'info');
      } else {
        runs = readings;
      }
    }
    const cut = runs === null && ctx.endsText === true && index === parsed.length - 1 && values.length < k;
    let fitted: (Cell | null | undefined)[] = runs !== null ? columns.map((_, j) => agreeing((runs as Cell[][]).map((p) => p[j])))
      : cut ? [...values, ...new Array<undefined>(k - values.length).fill(undefined)] : fitCells(values, k, recognised, true);
    // Fewer cells than columns: cells may have been lost, or printed run together ("8000008"
    // for 8,0,0,0,0,0,8). Both readings stand until the report's sums tell them apart.
    let glued: Cell[][] = [];
    // Only a row whose one figure could hold them all: cells a layout separates (tabs, pipes,
    // spaces) are cells, and "10 … 10" with blanks lost is not "1,0".
    const filled = values.filter((c) => c.kind !== 'blank');
    if (runs === null && !cut && values.length < k && filled.length === 1 && filled[0]?.kind === 'number' && /^\d{2,}$/.test(filled[0].text)) {
      const readings = runReadings(values.map((c) => (c.kind === 'number' && /^\d{2,}$/.test(c.text) ? { ...c, kind: 'run' as const } : c)), k);
      // Too many ways to run the figure together: neither reading can be told, none is taken.
      if (readings === null) fitted = fitted.map(() => undefined);
      glued = readings ?? [];
      if (glued.length > 0) fitted = fitted.map((c, j) => (c !== undefined && glued.every((g) => sameReading(g[j] ?? null, c)) ? c : undefined));
    }
    if (runs !== null && fitted.some((c) => c === undefined)) {
      ambiguous.push({ item, group, line: r.line, candidates: runs, undecided: fitted.flatMap((c, j) => (c === undefined ? [j] : [])), warning: ctx.findings.length });
      warn(ctx, r.line, `申请情况表格“${item}”一行的数字连在一起（${values.map((c) => c.raw || '空').join('、')}），有多种拆法，${fitted.flatMap((c, j) => (c === undefined ? [columns[j]] : [])).join('、')} 列未记录`);
    } else if (!cut && fitted.some((c) => c === undefined)) {
      const candidates = [...placements(values, k), ...glued].filter((p) => fitted.every((c, j) => c === undefined || sameReading(c, p[j] ?? null)));
      if (candidates.length > 1) ambiguous.push({ item, group, line: r.line, candidates, undecided: fitted.flatMap((c, j) => (c === undefined ? [j] : [])), warning: -1 });
    }
    const n = values.length;
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
    if (cut) {
      warn(ctx, r.line, `申请情况表格“${item}”一行在文本末尾被截断，只记录了前 ${n} 格`, 'info');
    } else if (runs === null && n !== k) {
      const first = columns[0] ?? '';
      const last = columns[k - 1] ?? '';
      const blanks = values.filter((c) => c.kind === 'blank').length;
      const rule = n > k
        ? blanks >= n - k ? `多出的 ${n - k} 格应为其中的空格` : `多出的 ${n - k} 格可能在任何位置`
        : glued.length > 0 ? '这些数据格可能缺了空格，也可能是几格连写的数字'
        : n === 1 ? `唯一的数据格按行末计入“${last}”` : `按首格为“${first}”、末格为“${last}”读取，缺少的格按空格（0）计`;
      const how = missing.length === 0
        ? '各种可能的对齐方式读数相同，已全部记录'
        : `已记录无歧义的列（${found.join('、') || '无'}），${missing.join('、')} 列有多种可能的读数，未记录`;
      const pending = ambiguous[ambiguous.length - 1];
      if (pending && pending.line === r.line && pending.item === item) pending.warning = ctx.findings.length;
      // Every placement reading the same (empty cells as 0) loses nothing: for reference only.
      warn(ctx, r.line, `申请情况表格“${item}”一行有 ${n} 个数据格，与表头 ${k} 列（${columns.join('、')}）不符；${rule}，${how}`, missing.length === 0 ? 'info' : 'warning');
    }
  });

  // Rows left undecided: the report's own sums may leave one placement.
  // A row placed by the sums may let another be placed: again until nothing changes.
  // The national table has some thirty rows: a region with hundreds of undecided rows is no such
  // table, and checking each against all the others would cost their square.
  const pending = new Set(ambiguous.length <= 100 ? ambiguous : []);
  for (let progress = true, round = 0; progress && pending.size > 0 && round < 5; round++) {
    progress = false;
    for (const row of pending) {
    const recorded = ctx.stats.filter((x) => x.section === ctx.section && x.kind === 'table' && x.article === null);
    const fits = consistentPlacements(row.item, columns, row.undecided, row.candidates, recorded);
    if (fits.length !== 1) continue;
    pending.delete(row);
    progress = true;
    const placed = fits[0] as (Cell | null)[];
    const read = row.undecided.map((j) => {
      const cell = placed[j] ?? null;
      const v = cell === null || cell.kind === 'blank' ? 0 : cell.num?.value ?? 0;
      stat(ctx, null, row.item, row.group, columns[j] as string, cell ?? { text: '', raw: '', line: row.line, kind: 'blank' }, v, cell?.num?.unit ?? null, row.line);
      return `${columns[j]} ${v}`;
    });
    const message = `申请情况表格“${row.item}”一行的数据格与表头 ${k} 列不符，只有一种对齐方式符合本表的勾稽关系（第一项加第二项等于第三项加第四项、办理结果之和等于总计），按此记录 ${read.join('、')}`;
    const replaced = ctx.findings[row.warning];
    if (replaced) ctx.findings[row.warning] = { ...replaced, level: 'info', message };
    else warn(ctx, row.line, message, 'info');
    }
  }
}

function sameReading(a: Cell | null, b: Cell | null): boolean {
  const v = (c: Cell | null): string => (c === null || c.kind === 'blank' ? '0' : c.num ? String(c.num.value) : c.text);
  return v(a) === v(b);
}

/**
 * The applicant columns from the header rows: fragments joined into known columns, also when
 * a header is split over two rows column by column ("商业 | 科研 | …" over "企业 | 机构 | …"),
 * 总计 moved to the end (it spans the header rows at the right edge). Columns that are not
 * the table's are returned as unknown: no figure is placed under a label that is not one.
 */
function requestColumns(headerRows: Row[]): { columns: string[]; unknown: string[] } {
  const keep = (t: string): boolean => !TABLE_NOTE.test(labelKey(t)) && !GROUP3.test(labelKey(t));
  const isColumn = (t: string): boolean => SECTION3.has(labelKey(withoutNotes(t)));
  const cells = headerRows.flatMap((r) => r.cells).filter((c) => c.kind === 'text' && keep(squashCell(c)));
  const flat = mergeFragments(cells.map(squashCell), null);
  let columns = flat;
  if (!flat.every(isColumn)) {
    // Column by column: the fragments of one printed line over those of the next.
    const byLine = new Map<number, string[]>();
    for (const c of cells) byLine.set(c.line, [...(byLine.get(c.line) ?? []), squashCell(c)]);
    const rows = [...byLine.values()];
    const zipped: string[] = [];
    for (let i = 0; i < rows.length; i++) {
      const a = rows[i] as string[];
      const b = rows[i + 1];
      if (b && b.length > 0 && b.length <= a.length && b.every((frag, j) => isColumn(`${a[j]}${frag}`))) {
        zipped.push(...a.map((frag, j) => (j < b.length ? `${frag}${b[j]}` : frag)));
        i++;
      } else {
        zipped.push(...mergeFragments(a, null));
      }
    }
    if (zipped.every(isColumn)) columns = zipped;
  }
  const total = columns.findIndex((c) => TOTAL.test(labelKey(c)));
  if (total >= 0 && total !== columns.length - 1) {
    columns = [...columns.slice(0, total), ...columns.slice(total + 1), columns[total] as string];
  }
  return { columns, unknown: columns.filter((c) => !isColumn(c)) };
}

/**
 * The group of each sub-row ("1.属于国家秘密" under "（三）不予公开"). Sub-rows come in runs
 * numbered from 1; the group's label may stand before the run (its own row, or the first cell
 * of the run's first row) or, in a PDF, inside the run, where a merged cell's text is printed
 * half-way down (and may be broken across a page: "（三）不予" … "公开"). Rows outside runs get
 * null; a sub-row whose group cannot be told gets undefined.
 */
function subRowGroups(parsed: RequestRow[]): (string | null | undefined)[] {
  const out: (string | null | undefined)[] = parsed.map(() => null);
  const itemOf = (r: RequestRow): string => withoutNotes(r.labels[r.labels.length - 1] ?? '');
  const numberOf = (item: string): number => Number(/^(\d{1,2})/.exec(item)?.[1] ?? 0);
  for (let i = 0; i < parsed.length; ) {
    const first = parsed[i] as RequestRow;
    if (!SUB_ROW.test(itemOf(first))) {
      i++;
      continue;
    }
    // The run: sub-rows numbered on from here, with label-only fragments among them.
    let j = i;
    let expect = numberOf(itemOf(first));
    const fragments: string[] = [];
    const members: number[] = [];
    while (j < parsed.length) {
      const r = parsed[j] as RequestRow;
      const item = itemOf(r);
      const others = r.labels.slice(0, -1).filter((l) => !TOP_ROW.test(l));
      if (SUB_ROW.test(item) && numberOf(item) === expect) {
        fragments.push(...others);
        members.push(j);
        expect++;
      } else if (!ROW_MARKER.test(item) && r.values.every((c) => c.kind === 'blank') || PAREN_ROW.test(item) && r.values.every((c) => c.kind === 'blank') && j > i && SUB_ROW.test(itemOf(parsed[j + 1] ?? first)) && numberOf(itemOf(parsed[j + 1] ?? first)) === expect) {
        fragments.push(...r.labels);
      } else break;
      j++;
    }
    const before = parsed[i - 1];
    const heading = before && before.values.every((c) => c.kind === 'blank') ? before.labels.filter((l) => PAREN_ROW.test(l)) : [];
    const start = fragments.findIndex((f) => PAREN_ROW.test(f));
    const label = start >= 0
      ? fragments.slice(start).filter((f, k) => k === 0 || !ROW_MARKER.test(f)).join('')
      : heading[heading.length - 1];
    for (const m of members) out[m] = label ? withoutNotes(label) : undefined;
    i = Math.max(j, i + 1);
  }
  return out;
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
  const dataIndex = rows.findIndex((r) => r.cells.some((c) => c.kind === 'number' || c.kind === 'na' || c.kind === 'bad' || c.kind === 'run'));
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
  let values = trimTrailingBlanks(dataRow.cells.slice(lt + 1));
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
  if (values.some((c) => c.kind === 'run')) {
    const readings = runReadings(values, k);
    const printed = values.map((c) => c.raw || '空').join('、');
    if (readings === null || readings.length !== 1) {
      warn(ctx, dataRow.line, `行政复议、行政诉讼表格的数字连在一起（${printed}），${readings?.length === 0 ? '无法' : '有多种方式'}拆成表头的 ${k} 列，本行数字均未记录`);
      return;
    }
    values = readings[0] as Cell[];
    warn(ctx, dataRow.line, `行政复议、行政诉讼表格的数字连在一起（${printed}），按表头 ${k} 列只有一种拆法`, 'info');
  }
  const n = values.length;
  const fitted = fitCells(values, k, false, false);
  const complete = fitted.every((c) => c !== undefined);
  if (n !== k) {
    const how = complete
      ? `各种对齐方式读数相同（${describe(values)}），已记录 ${k} 个数字`
      : n < k ? '无法确定缺了哪一格，本行数字均未记录' : '不同对齐方式读数不同，本行数字均未记录';
    warn(ctx, dataRow.line, `行政复议、行政诉讼表格的数据行有 ${n} 个数值，而表头只有 ${k} 列；${how}`, complete ? 'info' : 'warning');
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
