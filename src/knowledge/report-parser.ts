// Parser for the yearly 政府信息公开工作年度报告 of a government body, in the national formats of
// 2019 and 2021, from text in any of the layouts seen in published reports (tab-separated,
// "|"-separated, one cell per line). Pure: text in, ParsedReport out, never throws. What it
// cannot read becomes a Finding with the line it is on.
import type { Finding, ParsedReport, ReportStat } from './types.ts';
import {
  ARTICLE, ROW_MARKER, TABLE_NOTE,
  canonLabel, chineseNumber, isPageNumber, lineShape, nfkc, splitLines, squash, stripGlosses, stripMarkdown, type LineShape,
} from './report-text.ts';
import { type Row } from './report-rows.ts';
import { regionRows, type RegionLine } from './report-cells.ts';
import { isArticleCell, parseArticleTable, type TableContext } from './report-active.ts';
import { parseRequestTable, parseReviewTable } from './report-tables.ts';
import { formatsInText, labelKey, withoutNotes } from './report-labels.ts';
import { sourceLines } from './report-stream.ts';
import { ParagraphBuilder, narrativeFigures, readTitle, subHeading } from './report-narrative.ts';

export { canonLabel } from './report-text.ts';

type TableKind = 'active' | 'requests' | 'review';

interface SectionHeading {
  num: number;
  title: string;
}

// Words that identify sections 二, 三, 四 of the national format (and 一, 五, 六 when a heading
// has no separator after its number, "一 总体情况").
const SECTION_WORDS: Record<number, RegExp> = {
  1: /总体|概述|概况|主要做法|主要工作|基本情况|工作情况/,
  2: /主动公开/,
  3: /申请/,
  4: /复议|诉讼/,
  5: /问题|改进/,
  6: /其他|需要报告/,
};

// The national format's section titles, for headings printed without their number.
const UNNUMBERED: Array<[number, RegExp]> = [
  [1, /^(?:政府信息公开(?:工作)?)?总体情况$/],
  [2, /^(?:行政机关)?主动公开政府信息(?:的)?情况$/],
  [3, /^(?:行政机关)?收到和处理政府信息公开申请(?:的)?情况$/],
  [4, /^因?政府信息公开(?:工作)?(?:被申请)?行政复议[、和及]?(?:提起)?行政诉讼(?:的)?情况$/],
  [5, /^(?:政府信息公开工作)?存在的主要问题及改进情况$/],
  [6, /^其他需要报告的事项$/],
];

/** "### 一、主要做法", "## **六、其他需要报告的事项**", "四 政府信息公开行政复议…" — numbered past `current`. */
export function sectionHeading(raw: string, current: number): SectionHeading | null {
  if (raw.includes('\t') || /[|｜]/.test(raw)) return null;
  if (raw.length > 200) return null;
  const text = nfkc(stripMarkdown(raw)).trim();
  const m = /^第?([一二三四五六七八九十]{1,2})(部分)?\s*([、.:]|\s)?\s*(\S.*)$/.exec(text);
  if (!m) {
    // A standard section title printed without its number ("主动公开政府信息情况").
    const key = labelKey(text);
    const hit = UNNUMBERED.find(([, re]) => re.test(key));
    return hit && hit[0] > current ? { num: hit[0], title: stripMarkdown(raw).replace(/\s+/g, '') } : null;
  }
  const num = chineseNumber(m[1] ?? '');
  if (num === null || num <= current || num > 10) return null;
  const title = labelKey(m[4] ?? '');
  if (title.length < 2 || title.length > 30 || /。./.test(title)) return null;
  const words = SECTION_WORDS[num];
  const separated = m[3] !== undefined || m[2] !== undefined;
  if (words && (num >= 2 && num <= 4 || !separated) && !words.test(title)) return null;
  if (!words && !separated) return null;
  // As printed, white space and markdown removed.
  return { num, title: stripMarkdown(raw).replace(/\s+/g, '') };
}

/** A line of running text rather than a table cell. */
function isNarrative(raw: string): boolean {
  if (raw.includes('\t') || /[|｜]/.test(raw)) return false;
  const s = squash(raw);
  if (TABLE_NOTE.test(labelKey(s))) return false;
  // A row label with a long note in brackets ("规范性文件（行政机关制定…）") is a cell.
  const bare = withoutNotes(canonLabel(s));
  // A line of a paragraph wrapped by a PDF (40-50 characters, commas) is running text too.
  return /。/.test(bare) || bare.length >= 60 || bare.length >= 24 && /[，,；;]/.test(bare);
}

/** Which table a row starts, judged by its cells. */
function starterOf(row: Row, sectionNum: number): TableKind | 'header' | null {
  for (const cell of row.cells) {
    if (cell.kind !== 'text') continue;
    if (isArticleCell(cell)) return 'active';
    const s = labelKey(cell.text);
    if (TABLE_NOTE.test(s) || s === '申请人情况' || /^一、本年新收/.test(s) && sectionNum !== 3) return 'requests';
    if (s === '行政复议') return 'review';
    if (s === '信息内容' && sectionNum === 2) return 'header';
    return null;
  }
  return null;
}

/** Whether a line may open a table: a line the parser would not take for running text. */
function opensTable(raw: string, no: number): boolean {
  const shape = lineShape(raw, no);
  if (shape.mode === 'skip') return false;
  return shape.cells.some((c) => {
    if (c.kind !== 'text') return false;
    const s = labelKey(c.text);
    return ARTICLE.test(s) || TABLE_NOTE.test(s) || s === '申请人情况' || s === '行政复议';
  });
}

const SECTION_TABLE: Record<number, TableKind> = { 2: 'active', 3: 'requests', 4: 'review' };
const TABLE_SECTION: Record<TableKind, [number, string]> = {
  active: [2, '二、主动公开政府信息情况'],
  requests: [3, '三、收到和处理政府信息公开申请情况'],
  review: [4, '四、政府信息公开行政复议、行政诉讼情况'],
};

function parseTables(lines: RegionLine[], sectionNum: number, ctx: TableContext): void {
  interface Segment { kind: TableKind | null; rows: Row[]; header: boolean }
  const segments: Segment[] = [];
  for (const row of regionRows(lines)) {
    const starter = starterOf(row, sectionNum);
    const current = segments[segments.length - 1];
    if (starter === 'header') {
      // "信息内容" opens a table of its own unless it follows that table's "第二十条第（X）项".
      if (current && current.kind === 'active' && !current.header) {
        current.header = true;
        current.rows.push(row);
      } else {
        segments.push({ kind: 'active', rows: [row], header: true });
      }
      continue;
    }
    if (!current || starter === 'active' || (starter !== null && current.kind !== starter)) {
      const header = row.cells.some((c) => c.kind === 'text' && labelKey(c.text) === '信息内容');
      segments.push({ kind: starter ?? SECTION_TABLE[sectionNum] ?? null, rows: [row], header });
    } else {
      current.rows.push(row);
    }
  }
  segments.forEach((seg, i) => {
    const rows = seg.rows;
    if (rows.length === 0) return;
    const segCtx: TableContext = { ...ctx, endsText: ctx.endsText && i === segments.length - 1 };
    // A table under another section's heading, or under none (the heading was not printed):
    // its figures belong to the section the table is, named as the national format names it.
    const own = seg.kind === null ? undefined : TABLE_SECTION[seg.kind];
    if (own && own[0] !== sectionNum) {
      segCtx.section = own[1];
      ctx.findings.push({
        level: 'info', document: ctx.document, location: `第 ${rows[0]?.line ?? 0} 行（${ctx.section || '文首'}）`,
        message: `这个表格前没有它所属部分的标题，表中数字按“${own[1]}”记录`,
      });
    }
    if (seg.kind === 'active') parseArticleTable(rows, segCtx);
    else if (seg.kind === 'requests') parseRequestTable(rows, segCtx);
    else if (seg.kind === 'review') parseReviewTable(rows, segCtx);
    else if (rows.some((r) => r.cells.some((c) => c.kind === 'number'))) {
      ctx.findings.push({
        level: 'warning', document: ctx.document, location: `第 ${rows[0]?.line ?? 0} 行（${ctx.section || '文首'}）`,
        message: '这部分表格没有“第二十条第（X）项”等可识别的表头，其中的数字未记录',
      });
    }
  });
}

/** The body in a file name like "2020-某某县人民政府.txt" or "某某局2021年度报告.pdf". */
function fromFileName(document: string): { body: string | null } {
  const base = (document.split(/[\\/]/).pop() ?? '').replace(/\.[a-z0-9]{1,5}$/i, '');
  const rest = base.replace(/(?:19|20)\d{2}年?度?/g, ' ').replace(/政府信息公开.*$|工作年度报告.*$|年度报告.*$/, '').replace(/[-_\s]+/g, ' ').trim();
  const body = /^[\u4e00-\u9fff]{2,40}$/.test(rest) ? rest : null;
  return { body };
}

function detectFormat(stats: ReportStat[]): ParsedReport['format'] {
  let y2019 = 0;
  let y2021 = 0;
  for (const s of stats) {
    if (s.kind !== 'table') continue;
    const column = labelKey(withoutNotes(s.column));
    if (s.article) {
      if (/^(?:本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|本年增\/减|处理决定数量|采购项目数量|采购总金额)$/.test(column)) y2019++;
      if (/^(?:本年制发件数|本年废止件数|现行有效件数|本年处理决定数量)$|^本年收费金额/.test(column)) y2021++;
    } else if (s.group && /^（六）/.test(s.group)) y2021++;
  }
  if (y2019 > y2021) return '2019';
  if (y2021 > y2019) return '2021';
  return 'unknown';
}

function parseInto(source: string, document: string, out: ParsedReport): void {
  const finding = (level: Finding['level'], location: string, message: string): void => {
    out.findings.push({ level, document, location, message });
  };
  const { text, removed } = stripGlosses(source);
  if (removed > 0) finding('info', '全文', `文本中夹有 ${removed} 处拼音注音（如“項(xiàng)”，转载网站所加），读取时已略去`);
  const src = splitLines(text);
  // Tables flattened into one line are cut into one line per cell (report-stream.ts).
  const lines = sourceLines(src);

  // Running heads: a title-like line printed again on every page of a PDF.
  const counts = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  src.forEach((raw, idx) => {
    if (raw.length > 120) return;
    const s = squash(raw);
    if (s.length < 8 || s.length > 80 || !/报告|報告/.test(s)) return;
    counts.set(s, (counts.get(s) ?? 0) + 1);
    if (!firstSeen.has(s)) firstSeen.set(s, idx + 1);
  });
  const runningHeads = new Set([...counts].filter(([, n]) => n >= 2).map(([s]) => s));

  // Title lines: the short lines above the first section heading or paragraph.
  let i = 0;
  const titleLines: { raw: string; line: number }[] = [];
  for (; i < lines.length; i++) {
    const raw = lines[i]?.raw ?? '';
    if (squash(raw) === '') continue;
    if (sectionHeading(raw, 0) || isNarrative(raw) || opensTable(raw, 0) || titleLines.length >= 15) break;
    titleLines.push({ raw, line: lines[i]?.line ?? i + 1 });
  }
  const opening: { raw: string; line: number }[] = [];
  for (let j = i; j < lines.length && opening.length < 20; j++) {
    const raw = lines[j]?.raw ?? '';
    if (squash(raw) !== '') opening.push({ raw, line: lines[j]?.line ?? j + 1 });
  }
  const title = readTitle(titleLines, opening);
  out.year = title.year;
  out.body = title.body;
  // A clerk names files "2020-某某县人民政府.txt"; reports often say only "我局". The body may come
  // from the name, the year never: a text that states no year is not read as a report.
  const named = fromFileName(document);
  if (out.year !== null && out.body === null && named.body !== null) {
    out.body = named.body;
    finding('info', '文首', `正文没有写明发布报告的机关，按文件名取“${named.body}”`);
  }
  if (out.year === null) finding('warning', '文首', '未能从标题或正文开头读出报告年度（如“2019 年政府信息公开工作年度报告”）');
  if (out.body === null) finding('warning', title.line ? `第 ${title.line} 行` : '文首', '未能从标题读出发布报告的机关名称');

  // Which formats' column words the report uses: a table printed without header may be read
  // by a format's standard columns only when the report uses that format (report-active.ts).
  const formats = formatsInText(src);

  // Sections, each with its text and its tables.
  let section: SectionHeading = { num: 0, title: '' };
  let builder = new ParagraphBuilder('');
  let tableLines: RegionLine[] = [];
  let inTable = false;
  const closeSection = (endsText = false): void => {
    const ctx: TableContext = { section: section.title, document, stats: out.stats, findings: out.findings, endsText, report: { year: out.year, formats } };
    try {
      parseTables(tableLines, section.num, ctx);
    } catch (e) {
      finding('error', `${section.title || '文首'}`, `读取本节表格时出现内部错误（${String(e).slice(0, 80)}），本节表格未读取`);
    }
    for (const p of builder.paragraphs) {
      try {
        out.stats.push(...narrativeFigures(p));
      } catch (e) {
        finding('error', `第 ${p.segments[0]?.line ?? 0} 行`, `读取本段数字时出现内部错误（${String(e).slice(0, 80)}）`);
      }
    }
    out.passages.push(...builder.passages());
  };

  for (; i < lines.length; i++) {
    const raw = (lines[i]?.raw ?? '').replace(/\f/g, '');
    const no = lines[i]?.line ?? i + 1;
    const heading = sectionHeading(raw, section.num);
    if (heading) {
      closeSection();
      section = heading;
      builder = new ParagraphBuilder(heading.title);
      tableLines = [];
      inTable = false;
      continue;
    }
    if (squash(raw) === '') {
      builder.blank();
      // Empty lines and lines of spaces are cells or gaps between cells in a table.
      if (inTable) tableLines.push({ raw, line: no });
      continue;
    }
    // A page number or running head between two parts of a paragraph or a table ("— 4 —",
    // "第 3 页", the report's title again at the top of each page).
    if (isPageNumber(squash(raw)) || runningHeads.has(squash(raw)) && no !== firstSeen.get(squash(raw))) {
      if (inTable) tableLines.push({ raw: '', line: no, pageBreak: true });
      continue;
    }
    const tableSection = section.num >= 2 && section.num <= 4;
    let isTable: boolean;
    if (isNarrative(raw)) {
      isTable = false;
    } else if (inTable) {
      isTable = true;
    } else {
      if (opensTable(raw, no)) isTable = true;
      else if (tableSection) isTable = subHeading(raw) === null || ROW_MARKER.test(squash(raw)) && tableLines.length > 0;
      else isTable = false;
    }
    if (isTable) {
      inTable = true;
      tableLines.push({ raw, line: no });
      builder.interrupt();
    } else {
      inTable = false;
      builder.add(raw, no);
    }
  }
  closeSection(inTable);

  out.format = detectFormat(out.stats);
  const tables = out.stats.filter((s) => s.kind === 'table');
  if (!tables.some((s) => s.article)) finding('warning', '全文', '未读到第二十条各项（主动公开）表格中的数字');
  if (!tables.some((s) => !s.article && s.column !== '' && ROW_MARKER.test(s.item))) {
    finding('warning', '全文', '未读到“收到和处理政府信息公开申请情况”表格中的数字');
  }
  if (!tables.some((s) => /^行政(?:复议|诉讼)/.test(s.item))) finding('warning', '全文', '未读到行政复议、行政诉讼表格中的数字');
}

/** Read a report. Never throws: anything it cannot read is a Finding. */
export function parseReport(text: string, document: string): ParsedReport {
  const out: ParsedReport = { year: null, body: null, format: 'unknown', stats: [], passages: [], findings: [] };
  const doc = typeof document === 'string' ? document : String(document);
  try {
    parseInto(typeof text === 'string' ? text : String(text ?? ''), doc, out);
  } catch (e) {
    out.findings.push({ level: 'error', document: doc, location: '全文', message: `解析时出现内部错误（${String(e).slice(0, 120)}），已读出的部分保留` });
  }
  return out;
}
