// Shared shapes of the knowledge base. Every record carries where it came from, because the bot
// must be able to name the source of anything it says.

export type Level = 'error' | 'warning' | 'info';

/** A problem found while reading or checking a document. Never thrown: collected and reported. */
export interface Finding {
  level: Level;
  /** File name relative to the knowledge directory (or the path given to `kb parse`). */
  document: string;
  /** Human-readable place: "第 42 行", "三、…（七）总计 / 自然人", … */
  location: string;
  message: string;
}

/** One figure as printed in a report, table cell or narrative sentence. */
export interface ReportStat {
  /** Section heading as printed, white space removed, e.g. "二、主动公开政府信息情况". */
  section: string;
  /** Article of 第二十条 for section 二 tables, e.g. "第二十条第（六）项"; null elsewhere. */
  article: string | null;
  /**
   * Row label as printed, white space removed ("行政处罚", "（一）予以公开", "1.属于国家秘密").
   * For narrative figures: the clause that says what is counted ("政府门户网站共发布信息").
   */
  item: string;
  /** Parent row for sub-rows in section 三 ("（三）不予公开" for "1.属于国家秘密"); null otherwise. */
  group: string | null;
  /** Column label as printed, white space removed ("处理决定数量", "自然人", "结果维持"); "" for narrative. */
  column: string;
  /** The number; negative for decreases in 本年增/减. */
  value: number;
  /** Unit printed after the number ("万元", "条", "次", "人次"), or null. */
  unit: string | null;
  /** The cell or phrase exactly as it appeared ("33.99 万元", "100 多"). */
  raw: string;
  /** True when the source qualifies the number (100 多 = "more than 100"). */
  approximate?: boolean;
  kind: 'table' | 'narrative';
  /** 1-based line in the source text where the figure was read. */
  line: number;
}

/** A narrative passage under its heading. */
export interface ReportPassage {
  section: string;
  /** Sub-heading such as "（一）健全组织机制。", or "" when the text sits directly under the section. */
  heading: string;
  text: string;
  line: number;
}

export interface ParsedReport {
  year: number | null;
  body: string | null;
  /** Which national format the tables follow, judged from the headers found. */
  format: '2019' | '2021' | 'unknown';
  stats: ReportStat[];
  passages: ReportPassage[];
  findings: Finding[];
}

export interface Source {
  /** File under the knowledge directory, e.g. "reports/2019-某某县人民政府.txt" or "guide.md". */
  document: string;
  /** Human title: "某某县人民政府2019年政府信息公开工作年度报告". */
  title: string;
  section?: string;
  year?: number;
  /** Legal basis where the fact is a rule: "《条例》第三十三条". */
  basis?: string;
}

/** A topic of the disclosure guide: a procedure, a rule, a contact. */
export interface GuideTopic {
  id: string;
  title: string;
  /** Ways residents ask for it; used for matching. */
  questions: string[];
  /** Short answer that fits one message (numbered steps for procedures). */
  summary: string;
  /** Longer text offered on "详细"; may be empty. */
  detail: string;
  /** Legal basis or document, e.g. "《条例》第二十九条". */
  basis: string;
  source: Source;
}

/** Facts the bot needs outside any topic: the body, its portal, where to ask further. */
export interface Contacts {
  body: string;
  portal: string;
  phone: string;
  /** Free text naming where the contact facts come from, shown with them. */
  note: string;
}

export interface Statistic extends ReportStat {
  body: string;
  year: number;
  source: Source;
}

export interface Passage extends ReportPassage {
  body: string;
  year: number;
  source: Source;
}

export interface ReportDocument {
  document: string;
  title: string;
  body: string;
  year: number;
}
