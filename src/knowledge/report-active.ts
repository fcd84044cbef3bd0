// Section 二 of a report: one small table per article of 第二十条 ("第二十条第（一）项", then the
// header "信息内容 | 本年新制作数量 | …", then one row per kind of information). Every figure is
// placed by its header: the columns are read from the header cells, checked against the national
// formats (a header cut short, repeated or unknown is no column), and a row whose cells cannot be
// fitted to the columns without guessing records nothing and says so.
import type { Finding, ReportStat } from './types.ts';
import { ARTICLE, canonArticle, type Cell } from './report-text.ts';
import { agreeing, runReadings } from './report-runs.ts';
import { fitCells, mergeFragments, squashCell, type Row } from './report-rows.ts';
import {
  articleOfRows, formatColumns, headerFormat, isCutColumn, isHeaderWord, isKnownColumn, labelKey, withoutNotes, type Format,
} from './report-labels.ts';

export interface TableContext {
  section: string;
  document: string;
  stats: ReportStat[];
  findings: Finding[];
  /** True when the table is the last thing in the text: its last row may be cut off. */
  endsText?: boolean;
  /** The report's year and the formats whose column words it uses, to place a table without header. */
  report?: { year: number | null; formats: Format[] };
}

export function warn(ctx: TableContext, line: number, message: string, level: Finding['level'] = 'warning'): void {
  ctx.findings.push({ level, document: ctx.document, location: `第 ${line} 行（${ctx.section || '表格'}）`, message });
}

function unitFromColumn(column: string): string | null {
  const m = /单位[：:]([^）)]{1,6})[）)]?|[（(](万元|元)[，,）)]/.exec(column);
  return m?.[1] ?? m?.[2] ?? null;
}

export function record(
  ctx: TableContext, article: string | null, item: string, group: string | null,
  column: string, cell: Cell, value: number, unit: string | null, line: number,
): void {
  const s: ReportStat = { section: ctx.section, article, item, group, column, value, unit, raw: cell.raw, kind: 'table', line };
  if (cell.num?.approximate) s.approximate = true;
  ctx.stats.push(s);
}

/** "第二十条第（五）项", or a marker cut short ("第二十条第"): the cell that opens a table. */
const CUT_ARTICLE = /^第[一二三四五六七八九十百零〇\d]{1,4}条(?:第[(（]?[一二三四五六七八九十\d]{0,3})?$/;

export function isArticleCell(c: Cell): boolean {
  if (c.kind !== 'text') return false;
  const s = labelKey(c.text);
  return ARTICLE.test(s) || CUT_ARTICLE.test(s);
}

const isFigure = (c: Cell): boolean => c.kind === 'number' || c.kind === 'na' || c.kind === 'bad' || c.kind === 'run';

function lastTextIndex(cells: Cell[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i]?.kind === 'text') return i;
  return -1;
}

interface DataRow {
  label: string | null;
  values: Cell[];
  line: number;
}

/** One table of section 二. */
export function parseArticleTable(rows: Row[], ctx: TableContext): void {
  const cells = rows.flatMap((r) => r.cells);
  const mi = cells.findIndex((c) => c.kind !== 'blank');
  const markerCell = cells[mi];
  if (!markerCell) return;
  const full = ARTICLE.exec(labelKey(markerCell.text));
  let article: string | null = full ? canonArticle(full[0]) : null;
  const bodyRows: Row[] = [];
  let skipped = false;
  for (const r of rows) {
    if (!skipped) {
      const at = r.cells.indexOf(markerCell);
      if (at >= 0) {
        skipped = true;
        const opened = isArticleCell(markerCell) ? r.cells.slice(at + 1) : r.cells;
        bodyRows.push({ ...r, cells: opened });
        continue;
      }
    }
    bodyRows.push(r);
  }

  // Header: every text before the first row that carries a figure, less that row's label.
  const header: string[] = [];
  const data: DataRow[] = [];
  let inHeader = true;
  for (const r of bodyRows) {
    const lt = lastTextIndex(r.cells);
    const after = r.cells.slice(lt + 1);
    const texts = r.cells.slice(0, lt + 1).filter((c) => c.kind === 'text').map(squashCell);
    // Empty cells after a row label (not after a column name) make a data row of blanks.
    const lastText = texts[texts.length - 1];
    const labelled = lastText !== undefined && !isHeaderWord(lastText) && !isCutColumn(lastText);
    const hasFigure = after.some(isFigure) || (after.length > 0 && (!inHeader || labelled));
    if (inHeader && !hasFigure) {
      header.push(...texts);
      continue;
    }
    let label: string | null = texts.join('');
    if (inHeader) {
      // The row label is the last text of the first data row, unless it is a column itself
      // (the label cell was left empty: "  " in the print).
      const last = texts[texts.length - 1];
      if (last !== undefined && !isKnownColumn(last) && !isCutColumn(last)) {
        header.push(...texts.slice(0, -1));
        label = last;
      } else {
        header.push(...texts);
        label = null;
      }
      inHeader = false;
    }
    data.push({ label: label === '' ? null : label, values: after, line: r.line });
  }
  let columns = mergeFragments(header.filter((t) => labelKey(t) !== '信息内容'), null).map((c) => withoutNotes(c, true));
  const where = article ?? '第二十条表格';
  if (data.length === 0) return;
  if (article === null) {
    article = articleOfRows(data.map((d) => d.label ?? ''));
    if (article === null) {
      warn(ctx, data[0]?.line ?? 0, `第二十条的一个表格缺少“第二十条第（X）项”标题，行名也无法确定是哪一项，表中数字未记录`);
      return;
    }
    warn(ctx, data[0]?.line ?? 0, `表格的“第二十条第（X）项”标题缺失或不完整，按行名（${data.map((d) => d.label).filter(Boolean).join('、')}）认定为${article}`, 'info');
  }
  let readable: boolean[];
  if (columns.length === 0) {
    const assumed = assumedColumns(article, data, ctx);
    if (assumed === null) {
      warn(ctx, data[0]?.line ?? 0, `${where}缺少表头（“信息内容”及各列名称），无法确定是哪一年格式的列，表中数字未记录`);
      return;
    }
    columns = assumed.columns;
    readable = columns.map(() => true);
    warn(ctx, data[0]?.line ?? 0, `${article}缺少表头；按各行的格数${assumed.why}，认定为 ${assumed.format} 年格式，按其标准列（${columns.join('、')}）读取`, 'info');
  } else {
    // Which columns are columns: cut short, repeated or unknown ones are not, unless the
    // header as a whole is a format's and an odd one is an abbreviation of its column there.
    const keys = columns.map((c) => labelKey(withoutNotes(c)));
    const unique = (j: number): boolean => keys.indexOf(keys[j] as string) === j && keys.lastIndexOf(keys[j] as string) === j;
    const fit = headerFormat(columns, article);
    readable = columns.map((c, j) => unique(j) && (isKnownColumn(c) || fit?.abbreviated[j] === true));
    const odd = columns.filter((_, j) => readable[j] && fit?.abbreviated[j] === true);
    if (odd.length > 0) {
      warn(ctx, data[0]?.line ?? 0, `${article}的表头“${odd.join('”“')}”是 ${fit?.format} 年格式该位置的列（${(formatColumns(fit?.format ?? '2021', article) ?? []).join('、')}）的简写，按所印表头记录`, 'info');
    }
    const bad = columns.filter((_, j) => !readable[j]);
    if (bad.length > 0) {
      warn(ctx, data[0]?.line ?? 0, `${article}的表头“${bad.join('”“')}”不完整、重复或不是该表的列，其下的数字未记录`);
    }
  }

  const k = columns.length;
  const blanks: string[] = [];
  data.forEach((row, index) => {
    let values = row.values;
    while (values.length > k && values[values.length - 1]?.kind === 'blank') values = values.slice(0, -1);
    if (row.label === null) {
      if (values.some(isFigure)) warn(ctx, row.line, `${article}表格中有一行缺少行名（${values.map((c) => c.raw || '空').join('、')}），未记录`);
      return;
    }
    const item = withoutNotes(row.label);
    const printed = values.map((c) => c.raw || '空').join('、');
    let agreed: (Cell | undefined)[] | null = null;
    if (values.some((c) => c.kind === 'run')) {
      // Cells run together: split into k cells where that can be done one way only.
      const readings = runReadings(values, k);
      if (readings === null || readings.length === 0) {
        warn(ctx, row.line, `${article}“${item}”一行的数字连在一起（${printed}），${readings === null ? '拆法太多' : '无法拆成表头的 ' + k + ' 列'}，未记录`);
        return;
      }
      if (readings.length === 1) {
        values = readings[0] as Cell[];
        warn(ctx, row.line, `${article}“${item}”一行的数字连在一起（${printed}），按表头 ${k} 列只有一种拆法：${values.map((c) => c.text).join('、')}`, 'info');
      } else {
        agreed = columns.map((_, j) => agreeing(readings.map((r) => r[j])));
      }
    }
    const cut = ctx.endsText && index === data.length - 1 && values.length < k;
    const fitted: (Cell | null | undefined)[] = agreed ?? (values.length === k ? values.slice()
      : values.length > k ? fitCells(values, k, true, false)
      : cut ? [...values, ...new Array<undefined>(k - values.length).fill(undefined)]
      : new Array<undefined>(k).fill(undefined));
    if (agreed === null && values.length < k && !cut) {
      warn(ctx, row.line, `${article}“${item}”一行有 ${values.length} 个数据格，表头有 ${k} 列（${columns.join('、')}），无法确定各数字所属的列，未记录`);
      return;
    }
    const unsure: string[] = [];
    fitted.forEach((cell, j) => {
      const column = columns[j] as string;
      if (cell === undefined) {
        if (!cut || j < values.length) unsure.push(column);
        return;
      }
      if (!readable[j]) {
        if (cell && isFigure(cell)) unsure.push(column);
        return;
      }
      if (cell === null || cell.kind === 'blank') {
        record(ctx, article, item, null, column, cell ?? { text: '', raw: '', line: row.line, kind: 'blank' }, 0, null, row.line);
        blanks.push(`${item}/${column}`);
        return;
      }
      // "——", "/", "_": printed as not applicable, no figure.
      if (cell.kind === 'na') return;
      if (cell.kind !== 'number' || !cell.num) {
        warn(ctx, cell.line, `${article}“${item}” / ${column} 的内容“${cell.raw}”不是数字，未记录`);
        return;
      }
      record(ctx, article, item, null, column, cell, cell.num.value, cell.num.unit ?? unitFromColumn(column), cell.line);
    });
    if (unsure.length > 0) {
      warn(ctx, row.line, `${article}“${item}”一行的 ${unsure.join('、')} 列无法确定读数（${printed}），未记录`);
    }
  });
  if (blanks.length > 0) warn(ctx, data[0]?.line ?? 0, `${article}中空白的格按 0 计：${[...new Set(blanks)].join('、')}`, 'info');
}

/**
 * The standard columns of a table printed without its header, when its format is certain: the
 * article's table has that many columns in one format only (（五）, （六）, （八）: 3, 3, 2 in
 * 2019 and 1 in 2021), or for （一）, whose tables have three columns in both, the row 行政规范性
 * 文件 (2021) or 规范性文件 (2019) says which. The format must also be one the report's year
 * allows (2019 up to the 2021 reports, 2021 from them) and one whose column words the report
 * uses when it uses any. Every row with figures must have exactly that many cells.
 */
function assumedColumns(article: string, data: DataRow[], ctx: TableContext): { format: Format; columns: string[]; why: string } | null {
  const counts = new Set(data.filter((d) => d.values.some(isFigure)).map((d) => {
    let n = d.values.length;
    while (n > 0 && d.values[n - 1]?.kind === 'blank') n--;
    return n;
  }));
  if (counts.size !== 1 || data.some((d) => d.values.some((c) => c.kind === 'run'))) return null;
  const n = [...counts][0] as number;
  const year = ctx.report?.year ?? null;
  const seen = ctx.report?.formats ?? [];
  const labels = data.map((d) => labelKey(withoutNotes(d.label ?? '')));
  const byRows: Format | null = labels.some((l) => /^行政规范性(?:文件|档案)$/.test(l)) ? '2021'
    : labels.some((l) => /^规范性(?:文件|档案)$/.test(l)) ? '2019' : null;
  const fits = (['2019', '2021'] as const).filter((f) => {
    if ((formatColumns(f, article) ?? []).length !== n) return false;
    if (year !== null && (f === '2019' ? year > 2021 : year < 2021)) return false;
    if (seen.length > 0 && !seen.includes(f)) return false;
    return n !== 3 || !/（一）/.test(article) || byRows === f;
  });
  if (fits.length !== 1) return null;
  const format = fits[0] as Format;
  const why = /（一）/.test(article) ? `（${n} 格）和行名` : `（${n} 格）`;
  return { format, columns: formatColumns(format, article) ?? [], why };
}
