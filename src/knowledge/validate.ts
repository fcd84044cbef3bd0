// Checks a parsed annual report against the report's own arithmetic (勾稽关系):
//   for every column of section 三: 一 + 二 = 三（七）总计 + 四;
//   （七）总计 = the sum of the outcome rows （一）…（六） (sub-rows summed);
//   总计 column = 自然人 + the organisation columns, row by row;
//   section 四: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结 for each item.
// Returns warnings with the place and the numbers involved; never throws. Findings about the
// layout (a row whose cells do not fit the header) are the parser's, in report.findings, and are
// not repeated here.
import type { Finding, ParsedReport, ReportStat } from './types.ts';

const TOTAL = /^(?:总计|合计)$/;
const TOP = (n: string): RegExp => new RegExp(`^${n}、`);
const OUTCOMES = ['一', '二', '三', '四', '五', '六'];
const REQUEST_ROW = /^(?:[一二三四]、|（[一二三四五六七八九十]）|\d{1,2}[.．、])/;

const differs = (a: number, b: number): boolean => Math.abs(a - b) > 1e-9;
const fmt = (n: number): string => String(Math.round(n * 1e6) / 1e6);

interface Table {
  section: string;
  /** item → column → figure (the first one printed, when a cell appears twice). */
  cells: Map<string, Map<string, ReportStat>>;
  items: string[];
  columns: string[];
}

function collect(stats: ReportStat[], keep: (s: ReportStat) => boolean): Table {
  const cells = new Map<string, Map<string, ReportStat>>();
  const items: string[] = [];
  const columns: string[] = [];
  let section = '';
  for (const s of stats) {
    if (!keep(s)) continue;
    section ||= s.section;
    let row = cells.get(s.item);
    if (!row) {
      row = new Map();
      cells.set(s.item, row);
      items.push(s.item);
    }
    if (!row.has(s.column)) row.set(s.column, s);
    if (!columns.includes(s.column)) columns.push(s.column);
  }
  return { section, cells, items, columns };
}

interface Sum {
  value: number;
  complete: boolean;
  parts: string[];
  lines: number[];
}

export function validateReport(report: ParsedReport, document: string): Finding[] {
  const findings: Finding[] = [];
  try {
    check(report, document, findings);
  } catch (e) {
    findings.push({ level: 'error', document, location: '全文', message: `核对勾稽关系时出现内部错误（${String(e).slice(0, 120)}），核对未完成` });
  }
  return findings;
}

function check(report: ParsedReport, document: string, findings: Finding[]): void {
  const stats = Array.isArray(report?.stats) ? report.stats.filter((s) => s && typeof s.value === 'number') : [];
  const warn = (line: number | undefined, place: string, message: string): void => {
    findings.push({ level: 'warning', document, location: `${line ? `第 ${line} 行` : '表格'}（${place}）`, message });
  };

  // ---- Section 三 ----
  const t3 = collect(stats, (s) => s.kind === 'table' && s.article === null && s.column !== '' && REQUEST_ROW.test(s.item));
  const get = (item: string | undefined, column: string): ReportStat | undefined =>
    item === undefined ? undefined : t3.cells.get(item)?.get(column);
  const find = (re: RegExp): string | undefined => t3.items.find((i) => re.test(i));
  const rowNew = find(TOP('一'));
  const rowCarried = find(TOP('二'));
  const rowTotal = find(/^（七）/);
  const rowNext = find(TOP('四'));
  const place = (item: string, column: string): string => `${t3.section}：${item} / ${column}`;

  const outcomeSum = (column: string): Sum => {
    const sum: Sum = { value: 0, complete: true, parts: [], lines: [] };
    for (const n of OUTCOMES) {
      const label = t3.items.find((i) => i.startsWith(`（${n}）`));
      const children = t3.items.filter((i) => {
        const any = t3.cells.get(i)?.values().next().value;
        return any?.group !== null && any?.group !== undefined && any.group.startsWith(`（${n}）`);
      });
      const rows = children.length > 0 ? children : label ? [label] : [];
      if (rows.length === 0) {
        sum.complete = false;
        continue;
      }
      for (const item of rows) {
        const s = get(item, column);
        if (!s) {
          sum.complete = false;
          continue;
        }
        sum.value += s.value;
        sum.lines.push(s.line);
        if (s.value !== 0) sum.parts.push(`${item} ${fmt(s.value)}`);
      }
    }
    return sum;
  };

  for (const column of t3.columns) {
    // 一 + 二 = （七）总计 + 四.
    const a = get(rowNew, column);
    const b = get(rowCarried, column);
    const t = get(rowTotal, column);
    const d = get(rowNext, column);
    if (a && b && t && d && differs(a.value + b.value, t.value + d.value)) {
      warn(t.line, `${t3.section}：${column} 列`,
        `“${column}”列不符合勾稽关系（第一项加第二项之和等于第三项加第四项之和）：` +
        `一、本年新收 ${fmt(a.value)} + 二、上年结转 ${fmt(b.value)} = ${fmt(a.value + b.value)}，` +
        `而（七）总计 ${fmt(t.value)} + 四、结转下年度 ${fmt(d.value)} = ${fmt(t.value + d.value)}` +
        `（第 ${a.line}、${b.line}、${t.line}、${d.line} 行）`);
    }
    // （七）总计 = the sum of the outcomes.
    if (t && rowTotal) {
      const sum = outcomeSum(column);
      const parts = sum.parts.length > 0 ? `（其中${sum.parts.join('、')}）` : '';
      if (sum.complete && differs(sum.value, t.value)) {
        warn(t.line, place(rowTotal, column), `${rowTotal} / ${column} 为 ${fmt(t.value)}，但办理结果各项之和为 ${fmt(sum.value)}${parts}`);
      } else if (!sum.complete && sum.value > t.value + 1e-9) {
        warn(t.line, place(rowTotal, column),
          `${rowTotal} / ${column} 为 ${fmt(t.value)}，但已读到的办理结果各项之和已达 ${fmt(sum.value)}${parts}（另有部分格未能读取）`);
      }
    }
  }

  // 总计 column = the applicant columns.
  const totalColumn = t3.columns.find((c) => TOTAL.test(c));
  const applicants = t3.columns.filter((c) => !TOTAL.test(c));
  if (totalColumn && applicants.length > 0) {
    for (const item of t3.items) {
      const total = get(item, totalColumn);
      if (!total) continue;
      let value = 0;
      let complete = true;
      const parts: string[] = [];
      for (const c of applicants) {
        const s = get(item, c);
        if (!s) {
          complete = false;
          continue;
        }
        value += s.value;
        if (s.value !== 0) parts.push(`${c} ${fmt(s.value)}`);
      }
      const detail = parts.length > 0 ? `（其中${parts.join('、')}）` : '';
      if (complete && differs(value, total.value)) {
        warn(total.line, place(item, totalColumn), `“${item}”的${totalColumn}为 ${fmt(total.value)}，但各申请人列之和为 ${fmt(value)}${detail}`);
      } else if (!complete && value > total.value + 1e-9) {
        warn(total.line, place(item, totalColumn), `“${item}”的${totalColumn}为 ${fmt(total.value)}，但已读到的各申请人列之和已达 ${fmt(value)}${detail}（另有部分格未能读取）`);
      }
    }
  }

  // ---- Section 四 ----
  const t4 = collect(stats, (s) => s.kind === 'table' && s.article === null && /^行政(?:复议|诉讼)/.test(s.item));
  for (const item of t4.items) {
    const row = t4.cells.get(item);
    if (!row) continue;
    const total = [...row.entries()].find(([c]) => TOTAL.test(c));
    if (!total) continue;
    const others = [...row.entries()].filter(([c]) => !TOTAL.test(c));
    if (others.length < 4) continue;
    const value = others.reduce((acc, [, s]) => acc + s.value, 0);
    if (differs(value, total[1].value)) {
      warn(total[1].line, `${t4.section}：${item} / ${total[0]}`,
        `“${item}”的${total[0]}为 ${fmt(total[1].value)}，但${others.map(([c, s]) => `${c} ${fmt(s.value)}`).join('、')}之和为 ${fmt(value)}`);
    }
  }
}
