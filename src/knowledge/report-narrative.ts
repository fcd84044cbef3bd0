// Narrative parts of an annual report: the title (year and body), passages under their
// headings, and the figures stated in sentences ("共发布信息 1000 条").
import type { ReportPassage, ReportStat } from './types.ts';
import { canonLabel, chineseYearDigits, nfkc, squash, stripMarkdown } from './report-text.ts';
import { simplified } from './report-labels.ts';

// ---------------------------------------------------------------------------------------------
// Title.

const REPORT_TITLE = /^(.*?)((?:19|20)\d{2})年度?(.*(?:报告|年报).*)$/;
const PUNCT = /[，,。；;：:！!？?《》〈〉“”"'（）()【】[\]、|]/;

/** A body's name: short, no punctuation, no digits ("某某县人民政府", "区统计局"). */
function looksLikeBody(s: string): boolean {
  // No Latin letters either: a mirror puts its host name before the body ("puroview.com东城街道").
  return s.length >= 2 && s.length <= 40 && !PUNCT.test(s) && !/[\dA-Za-z]/.test(s) && !/报告$/.test(s);
}

const OPENING_YEAR = /^((?:19|20)\d{2})年度?(?:[,，]|(?=[我本全在]))/;

// The report saying what it is: "现公布某某局2023年政府信息公开工作年度报告", "现将我局2020年度政府
// 信息公开情况报告如下", "由某某局办公室编制的2024年度…", "向社会公布2021年本级…年度报告".
const STATEMENT = /(?:公布|发布|(?:现|特|向社会)公开|编制|现将|特将|现就)的?((?:(?!报告|年度)[^，,。；;：:《》]){0,30}?)((?:19|20)\d{2})年度?(?:本级|本单位|本机关|本部门)?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:情况)?(?:年度)?(?:工作)?(?:报告|年报)/g;
// The period the figures cover: "统计期限为2023年1月1日…", "数据统计时限为…", "所列统计数据时间范围为…".
const PERIOD = /(?:统计|数据)[^。；;\d]{0,12}?(?:期限|时限|时段|时间范围|期间|区间)[^。；;\d]{0,6}?((?:19|20)\d{2})年0?1月0?1日/g;
/** "我局", "本镇": the report speaking of itself, not a name. */
const SELF = /^(?:我|本|该)/;

/**
 * The first match of a statement that is the report's own: not inside the title of a document
 * it cites ("根据《关于做好2020年政府信息公开年度报告编制和发布工作的通知》", whose year may differ).
 */
function ownStatement(re: RegExp, t: string): RegExpExecArray | null {
  re.lastIndex = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    let depth = 0;
    for (let i = 0; i < m.index; i++) {
      const ch = t[i];
      if (ch === '《') depth++;
      else if (ch === '》' && depth > 0) depth--;
    }
    if (depth === 0) return m;
  }
  return null;
}
// The body as the subject of the opening sentence: a name ending in a kind of office, not
// "我局" / "全镇" / "在…".
// The body as the subject of the opening sentence: a name ending in a kind of office, not
// "我局" / "全镇" / "在…". The shortest name with a strong ending (局, 人民政府, …) wins over one
// with a weak ending (乡, 镇): "区城乡建设局", "中村乡人民政府".
const OPENING_BODY_STRONG = /^(?![我本全在各今该])([\u4e00-\u9fff]{2,24}?(?:人民政府|办事处|委员会|管委会|局|委|办公室|中心|厅|署|辦事處|委員會))(?=[\u4e00-\u9fff])/;
const OPENING_BODY_WEAK = /^(?![我本全在各今该])([\u4e00-\u9fff]{1,12}?(?:街道|镇|乡|鎮|鄉|办|院|所|站|队|馆))(?=[\u4e00-\u9fff])/;
const OPENING_BODY = { exec: (t: string) => OPENING_BODY_STRONG.exec(t) ?? OPENING_BODY_WEAK.exec(t) };

/** "2022年某某委员会信息公开年报": the body before 信息公开 (a trailing 政府 belongs to 政府信息公开). */
function bodyBefore(rest: string): string | null {
  const m = /^(.{2,40}?)信息公开/.exec(rest);
  if (!m) return null;
  let name = m[1] ?? '';
  if (name.endsWith('政府') && !name.endsWith('人民政府')) name = name.slice(0, -2);
  return looksLikeBody(name) && !SELF.test(name) ? name : null;
}

export interface Title {
  year: number | null;
  body: string | null;
  /** 1-based line of the title, or null. */
  line: number | null;
}

/**
 * Year and body from the lines above the first section: "XX2020年政府信息公开工作年度报告" on one
 * line, or the body on the line above "2019 年政府信息公开工作年度报告". Falls back to
 * "现公布XX2023年…报告" and "统计期限为2024年1月1日…" in the opening text.
 */
export function readTitle(titleLines: { raw: string; line: number }[], opening: { raw: string; line: number }[]): Title {
  // Matched in simplified characters ("…年度報告"); names are cut from the print where the two align.
  const candidates = titleLines.map((l) => {
    const text = chineseYearDigits(squash(l.raw.slice(0, 300)));
    return { text, key: simplified(text), line: l.line };
  });
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (!c) continue;
    const m = REPORT_TITLE.exec(c.key);
    if (!m || !/信息公开|年度报告|工作报告/.test(m[3] ?? '')) continue;
    const printed = (found: string, at: number): string => (c.key.length === c.text.length ? c.text.slice(at, at + found.length) : found);
    const year = Number(m[2]);
    let body: string | null = null;
    // "某某局关于2021年度…报告": the body is what comes before 关于.
    const prefix = printed(m[1] ?? '', 0).replace(/^(?:关于|關於)/, '').replace(/(?:关于|關於)$/, '');
    const named = bodyBefore(m[3] ?? '');
    if (looksLikeBody(prefix)) body = prefix;
    else if (prefix === '' && named !== null) body = printed(named, m[0].length - (m[3] ?? '').length);
    else if (prefix === '') {
      for (let j = i - 1; j >= 0; j--) {
        const above = candidates[j]?.text ?? '';
        if (above === '') continue;
        if (looksLikeBody(above)) body = above;
        break;
      }
    }
    return { year, body, line: c.line };
  }
  let year: number | null = null;
  let body: string | null = null;
  let line: number | null = null;
  let leadYear: number | null = null;
  let leadBody: string | null = null;
  let leadLine: number | null = null;
  // The title lines too: a short "统计期限自2024年1月1日起至…止" line is no paragraph.
  for (const l of [...titleLines, ...opening]) {
    const printed = chineseYearDigits(squash(l.raw.slice(0, 2000)));
    // Matched in simplified characters; a body is cut from the print where the two align.
    const t = simplified(printed);
    const cut = (m: RegExpExecArray, group: number): string => {
      const found = m[group] ?? '';
      if (t.length !== printed.length) return found;
      const at = m.index + m[0].indexOf(found);
      return printed.slice(at, at + found.length);
    };
    const pub = ownStatement(STATEMENT, t);
    if (pub && year === null) {
      year = Number(pub[2]);
      const named = cut(pub, 1);
      if (looksLikeBody(named) && !SELF.test(named)) body = named;
      line = l.line;
    }
    const period = ownStatement(PERIOD, t);
    if (period && year === null) {
      year = Number(period[1]);
      line = l.line;
    }
    // A paragraph that opens with the year: "2019年，我局按照…", "2022年，某某市自然资源局…".
    const lead = OPENING_YEAR.exec(t);
    if (lead && (leadYear === null || Number(lead[1]) === leadYear)) {
      if (leadYear === null) {
        leadYear = Number(lead[1]);
        leadLine = l.line;
      }
      const named: RegExpExecArray | null = leadBody === null ? OPENING_BODY.exec(printed.slice(lead[0].length)) : null;
      if (named && looksLikeBody(named[1] ?? '')) leadBody = named[1] ?? null;
    }
  }
  if (year === null && leadYear !== null) {
    year = leadYear;
    line = leadLine;
  }
  if (body === null && year === leadYear) body = leadBody;
  // A title without the year: "某某街道办事处政府信息公开工作年度报告".
  if (body === null && year !== null) {
    for (const c of candidates) {
      const m = /^(.{2,40}?)(?:政府信息公开)?(?:工作)?年度报告$/.exec(c.key);
      if (m && looksLikeBody(m[1] ?? '')) {
        body = c.key.length === c.text.length ? c.text.slice(0, (m[1] ?? '').length) : m[1] ?? null;
        break;
      }
    }
  }
  return { year, body, line };
}

// ---------------------------------------------------------------------------------------------
// Passages.

const SENTENCE_END = /[。！？!?；;：:…”’）)」』]$/;
const CJK_EDGE = /[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/;

/** A standalone sub-heading: "（一）主动公开情况", "**（二）强化制度保障。**", "### 工作要点". */
export function subHeading(raw: string): string | null {
  const trimmed = raw.trim();
  const md = /^#{1,6}\s/.test(trimmed);
  const bold = /^\*\*[^*]+\*\*$/.test(trimmed) || /^__[^_]+__$/.test(trimmed);
  const text = stripMarkdown(trimmed).trim();
  if (text === '' || text.length > 40) return null;
  if (md || bold) return text;
  const s = squash(text);
  if (/^[(（][一二三四五六七八九十]{1,3}[)）]/.test(s) && !/[。；;，,]./.test(s)) return text;
  return null;
}

interface Segment {
  text: string;
  line: number;
}

/** A paragraph: its text pieces with the line each came from (for figures' line numbers). */
export interface Paragraph {
  section: string;
  heading: string;
  segments: Segment[];
}

/** The paragraph's text, lines joined (no space between Chinese characters), and where each line starts. */
export function joinSegments(p: Paragraph): { text: string; starts: { at: number; line: number }[] } {
  // Pieces joined once at the end: appending to a growing string and reading its last character
  // flattens the string every time, which made long paragraphs quadratic.
  const pieces: string[] = [];
  const starts: { at: number; line: number }[] = [];
  let length = 0;
  let last = '';
  for (const s of p.segments) {
    if (s.text === '') {
      starts.push({ at: length, line: s.line });
      continue;
    }
    if (length > 0 && !CJK_EDGE.test(last) && !CJK_EDGE.test(s.text[0] ?? '')) {
      pieces.push(' ');
      length += 1;
    }
    starts.push({ at: length, line: s.line });
    pieces.push(s.text);
    length += s.text.length;
    last = s.text[s.text.length - 1] ?? '';
  }
  return { text: pieces.join(''), starts };
}

export function paragraphText(p: Paragraph): string {
  return joinSegments(p).text;
}

/** Builds paragraphs from the text lines of one section, joining lines split by a page break. */
export class ParagraphBuilder {
  readonly paragraphs: Paragraph[] = [];
  private current: Paragraph | null = null;
  private heading = '';
  private gap = false;

  constructor(private readonly section: string) {}

  /** A blank line: ends the paragraph unless the next line continues an unfinished sentence. */
  blank(): void {
    this.gap = true;
  }

  /** Something that is not text (a table): ends the paragraph for good. */
  interrupt(): void {
    this.current = null;
    this.gap = false;
  }

  add(raw: string, line: number): void {
    const head = subHeading(raw);
    if (head !== null) {
      this.heading = head;
      this.current = null;
      this.gap = false;
      return;
    }
    let text = raw.trim();
    let heading: string | null = null;
    const lead = /^(?:\*\*([^*]{1,60})\*\*|__([^_]{1,60})__)\s*(.+)$/.exec(text);
    if (lead) {
      heading = stripMarkdown(lead[1] ?? lead[2] ?? '').trim();
      text = lead[3] ?? '';
    }
    text = stripMarkdown(text).trim();
    if (text === '') return;
    const cur = this.current;
    const lastSeg = cur?.segments[cur.segments.length - 1];
    const unfinished = lastSeg !== undefined && !SENTENCE_END.test(lastSeg.text);
    if (cur && heading === null && (!this.gap || unfinished)) {
      cur.segments.push({ text, line });
    } else {
      this.current = { section: this.section, heading: heading ?? this.heading, segments: [{ text, line }] };
      this.paragraphs.push(this.current);
      if (heading === null) this.current.heading = this.heading;
    }
    this.gap = false;
  }

  passages(): ReportPassage[] {
    return this.paragraphs.map((p) => ({
      section: p.section,
      heading: p.heading,
      text: paragraphText(p),
      line: p.segments[0]?.line ?? 0,
    }));
  }
}

// ---------------------------------------------------------------------------------------------
// Figures in sentences: a number followed by a counting unit.

const UNITS = '万人次|人次|万元|亿元|元|万条|万次|条|次|件|个|项|人|家|篇|期|场|户|份|批|起|名|所|台|套|封|册|本|部|张';
const FIGURE = new RegExp(
  `(约|近|超过|逾)?\\s{0,3}(\\d{1,12}(?:[ ,]\\d{3}){0,4}(?:\\.\\d{1,6})?)\\s{0,3}(多|余)?\\s{0,3}(${UNITS})(?!工作日|月|小时|分钟|年|日|号)`,
  'g',
);
const CLAUSE_END = /[，,。；;：:！!？?\n]/;
const LEADING_SUBJECT = /^(?:我|本)(?:县|市|区|州|盟|旗|省|镇|乡|街道|局|委|办|厅|院|署|部|单位|机关|部门|中心)/;
const TRAILING_LINK = /(?:达到|达|为|约|近|超过|共计|合计|累计|共)$/;
const MEASURE_ONLY = /^[\u4e00-\u9fff]{1,4}[量数]$/;
const SUBJECT = /^(.{2,}?)(?:共|累计|全年|发布|公开|推送|更新|刊登|转载|开展|组织|办理|受理|接收|收到|接待)/;

interface Mapped {
  text: string;
  /** For each character of text (by UTF-16 index), the index in the original string. */
  map: number[];
}

/** NFKC character by character so that a match in the normalised text maps back to the print. */
function normaliseMapped(s: string): Mapped {
  let text = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of s) {
    const n = nfkc(ch);
    for (let k = 0; k < n.length; k++) map.push(i);
    text += n;
    i += ch.length;
  }
  map.push(s.length);
  return { text, map };
}

function cleanItem(s: string): string {
  let t = canonLabel(s).replace(/^[（(【\[“"'‘、—–\-·]+/, '').replace(/^(?:其中|含|包括|以及|并|另)/, '');
  t = t.replace(LEADING_SUBJECT, '');
  return t.replace(TRAILING_LINK, '');
}

/** Figures stated in a paragraph, each with the clause that says what is counted. */
export function narrativeFigures(p: Paragraph): ReportStat[] {
  const stats: ReportStat[] = [];
  const { text: original, starts } = joinSegments(p);
  // Binary search: a paragraph of many lines with many figures would otherwise be quadratic.
  const lineAt = (idx: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid]?.at ?? 0) <= idx) lo = mid;
      else hi = mid - 1;
    }
    return starts[lo]?.line ?? 0;
  };
  const { text, map } = normaliseMapped(original);
  // Clause and sentence number of every position, to tell runs of figures apart.
  const clauseNo: number[] = [];
  const sentenceNo: number[] = [];
  let clause = 0;
  let sentence = 0;
  for (let i = 0; i < text.length; i++) {
    clauseNo.push(clause);
    sentenceNo.push(sentence);
    const ch = text[i] ?? '';
    if (CLAUSE_END.test(ch)) clause++;
    if (/[。！!？?\n]/.test(ch)) sentence++;
  }
  let runSubject: string | null = null;
  let prevClause = -2;
  let prevSentence = -1;
  let prevEnd = 0;
  FIGURE.lastIndex = 0;
  for (let m = FIGURE.exec(text); m; m = FIGURE.exec(text)) {
    const numText = m[2] ?? '';
    const unit = m[4] ?? '';
    const start = m.index + (m[0].length - m[0].trimStart().length);
    const numStart = text.indexOf(numText, m.index);
    const unitStart = text.indexOf(unit, numStart + numText.length);
    const end = m.index + m[0].length;
    const prevChar = text[start - 1] ?? '';
    // Not a figure: part of a longer code or number, or an ordinal ("第3次").
    if (/[\d.\w/-]/.test(prevChar) || prevChar === '第') continue;
    const value = Number(numText.replace(/[ ,]/g, ''));
    if (!Number.isFinite(value)) continue;
    // The clause: from the last clause break, or from the previous figure in the same clause.
    let from = start;
    while (from > prevEnd && !CLAUSE_END.test(text[from - 1] ?? '')) from--;
    let item = cleanItem(text.slice(from, start));
    // Figures in consecutive clauses of one sentence form a run; a clause that names only a
    // measure ("浏览量达") takes the subject of the run's first clause ("政府门户网站").
    const c = clauseNo[start] ?? 0;
    const sn = sentenceNo[start] ?? 0;
    if (sn !== prevSentence || c > prevClause + 1) runSubject = null;
    if (MEASURE_ONLY.test(item) && runSubject) item = runSubject + item;
    else if (runSubject === null) runSubject = SUBJECT.exec(item)?.[1] ?? null;
    prevClause = c;
    prevSentence = sn;
    prevEnd = end;
    if (item === '') continue;
    const rawStart = map[start] ?? 0;
    const rawEnd = map[unitStart] ?? original.length;
    const s: ReportStat = {
      section: p.section, article: null, item, group: null, column: '', value,
      unit, raw: original.slice(rawStart, rawEnd).trim(), kind: 'narrative', line: lineAt(map[numStart] ?? 0),
    };
    if (m[1] !== undefined || m[3] !== undefined) s.approximate = true;
    stats.push(s);
  }
  return stats;
}
