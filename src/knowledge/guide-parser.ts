// Parser for the county's disclosure guide (knowledge/guide.md), the file a county clerk edits.
//
// The format (documented for the clerk in the HTML comment at the top of knowledge/guide.md):
//
//   ---                                  front matter, YAML, between two lines of "---"
//   机关: 某某县人民政府                    required: the body the guide belongs to
//   指南名称: 某某县政府信息公开指南          optional: the guide's title (default 机关 + "信息公开指南"
//                                         when 机关 ends in 政府, else 机关 + "政府信息公开指南")
//   门户网站: http://www.example.gov.cn/     required
//   咨询电话: 0000-0000000                  required
//   联系说明: …，来源：…，以官网公布为准       required: where the contact facts come from
//   ---
//   <!-- comments: ignored anywhere, may span lines -->
//   # a level-1 title may appear before the first topic and is ignored
//
//   ## 标题 {#topic-id}                     a topic; the id is letters, digits, "-" or "_"
//   问法：问法一；问法二；问法三              ways residents ask, separated by "；" or ";";
//                                         several 问法 lines are allowed and add up
//   依据：《条例》第二十九条                  the legal basis or document; several lines are joined with "；"
//
//   short answer (the summary) …
//
//   ### 详细                               optional: everything after it is the detail
//   longer text …
//
// The parser is pure and never throws: every problem becomes a Finding with a Chinese message
// naming the line (行号 are 1-based lines of the original text).

import { parseDocument } from 'yaml';
import type { Contacts, Finding, GuideTopic, Level, Source } from './types.ts';

export interface ParsedGuide {
  /** Null when the front matter is missing, malformed, or lacks a required field. */
  contacts: Contacts | null;
  topics: GuideTopic[];
  findings: Finding[];
}

/** Front-matter keys as the clerk writes them, mapped to the Contacts fields. */
export const GUIDE_FRONT_MATTER_FIELDS = {
  body: '机关',
  portal: '门户网站',
  phone: '咨询电话',
  note: '联系说明',
} as const satisfies Record<keyof Contacts, string>;

/** Optional front-matter key for the guide's title. */
export const GUIDE_TITLE_FIELD = '指南名称';

/** Above this many characters a summary is reported as a warning: it no longer fits one message. */
export const SUMMARY_MAX_CHARS = 600;
/** The length a summary should stay under; longer ones get an info finding. */
export const SUMMARY_TARGET_CHARS = 350;

const QUESTION_SEPARATOR = /[；;]/;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TOPIC_HEADING = /^##(?!#)\s*(.*)$/;
const DETAIL_HEADING = /^###(?!#)\s*详细/;
const QUESTIONS_LINE = /^\s*问法\s*[：:]\s*(.*)$/;
const BASIS_LINE = /^\s*依据\s*[：:]\s*(.*)$/;
const FRONT_MATTER_FENCE = /^---\s*$/;

interface RawTopic {
  line: number;
  heading: string;
  title: string;
  explicitId: string | null;
  questionLines: string[];
  hasQuestionsLine: boolean;
  basisParts: string[];
  summaryLines: string[];
  detailLines: string[];
  inDetail: boolean;
}

interface FrontMatter {
  values: Record<string, unknown>;
  /** 1-based line of each key, for messages. */
  keyLines: Map<string, number>;
  startLine: number;
}

export function parseGuide(text: string, document: string): ParsedGuide {
  const doc = typeof document === 'string' ? document : String(document);
  const findings: Finding[] = [];
  const report = (level: Level, location: string, message: string): void => {
    findings.push({ level, document: doc, location, message });
  };
  try {
    return parse(typeof text === 'string' ? text : '', doc, findings, report);
  } catch (err) {
    // Defensive only: parse() is written not to throw.
    report('error', '全文', `指南无法读取：${err instanceof Error ? err.message : String(err)}`);
    return { contacts: null, topics: [], findings };
  }
}

function parse(
  input: string,
  document: string,
  findings: Finding[],
  report: (level: Level, location: string, message: string) => void,
): ParsedGuide {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');

  // ---- front matter -------------------------------------------------------------------------
  let bodyStart = 0;
  let frontMatter: FrontMatter | null = null;
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first >= 0 && FRONT_MATTER_FENCE.test(lines[first] ?? '')) {
    let close = -1;
    for (let i = first + 1; i < lines.length; i++) {
      if (FRONT_MATTER_FENCE.test(lines[i] ?? '')) {
        close = i;
        break;
      }
    }
    if (close < 0) {
      report(
        'error',
        line(first + 1),
        '开头信息区只有开始的“---”，没有结束的“---”；机关、门户网站、咨询电话、联系说明都读不到',
      );
      bodyStart = first + 1;
    } else {
      frontMatter = readFrontMatter(lines.slice(first + 1, close), first + 2, report);
      bodyStart = close + 1;
    }
  } else {
    report(
      'error',
      line(first >= 0 ? first + 1 : 1),
      '缺少开头信息区：文件第一行应当是“---”，下面写机关、门户网站、咨询电话、联系说明，再以“---”结束',
    );
  }

  const values = frontMatter?.values ?? {};
  let contacts: Contacts | null = null;
  if (frontMatter) {
    const read: Partial<Record<keyof Contacts, string>> = {};
    let complete = true;
    for (const [field, key] of Object.entries(GUIDE_FRONT_MATTER_FIELDS) as [keyof Contacts, string][]) {
      const value = scalarText(values[key]);
      const where = line(frontMatter.keyLines.get(key) ?? frontMatter.startLine);
      if (value === undefined) {
        complete = false;
        report('error', where, `开头信息区的“${key}”应当是一行文字`);
      } else if (value === '') {
        complete = false;
        report('error', line(frontMatter.startLine), `开头信息区缺少“${key}”`);
      } else {
        read[field] = value;
      }
    }
    const portal = read.portal;
    if (portal !== undefined && !/^https?:\/\/\S+$/.test(portal)) {
      report('warning', line(frontMatter.keyLines.get(GUIDE_FRONT_MATTER_FIELDS.portal) ?? frontMatter.startLine),
        `“${GUIDE_FRONT_MATTER_FIELDS.portal}”应当是以 http:// 或 https:// 开头的网址：${clip(portal)}`);
    }
    const known = new Set<string>([...Object.values(GUIDE_FRONT_MATTER_FIELDS), GUIDE_TITLE_FIELD]);
    for (const key of Object.keys(values)) {
      if (!known.has(key)) {
        report('warning', line(frontMatter.keyLines.get(key) ?? frontMatter.startLine),
          `开头信息区的“${clip(key)}”不认识，会被忽略`);
      }
    }
    if (complete && read.body && read.portal && read.phone && read.note) {
      contacts = { body: read.body, portal: read.portal, phone: read.phone, note: read.note };
    }
  }

  const bodyName = scalarText(values[GUIDE_FRONT_MATTER_FIELDS.body]) ?? '';
  const givenTitle = scalarText(values[GUIDE_TITLE_FIELD]);
  if (frontMatter && values[GUIDE_TITLE_FIELD] !== undefined && givenTitle === undefined) {
    report('warning', line(frontMatter.keyLines.get(GUIDE_TITLE_FIELD) ?? frontMatter.startLine),
      `开头信息区的“${GUIDE_TITLE_FIELD}”应当是一行文字，已改用机关名称`);
  }
  const guideTitle = givenTitle
    ? givenTitle
    : bodyName === ''
      ? '政府信息公开指南'
      : bodyName.endsWith('政府')
        ? `${bodyName}信息公开指南`
        : `${bodyName}政府信息公开指南`;

  // ---- comments -----------------------------------------------------------------------------
  // Replace each closed comment by its newlines so that line numbers stay right.
  const rest = lines.slice(bodyStart).join('\n');
  const uncommented = rest.replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, ''));
  const bodyLines = uncommented.split('\n');
  const unclosed = uncommented.indexOf('<!--');
  if (unclosed >= 0) {
    const at = bodyStart + uncommented.slice(0, unclosed).split('\n').length;
    report('error', line(at), '注释“<!--”没有用“-->”结束，后面的文字会被当成正文');
  }

  // ---- topics -------------------------------------------------------------------------------
  const raws: RawTopic[] = [];
  let current: RawTopic | null = null;
  let preambleReported = false;
  for (let k = 0; k < bodyLines.length; k++) {
    const text = bodyLines[k] ?? '';
    const lineNo = bodyStart + k + 1;
    const heading = TOPIC_HEADING.exec(text);
    if (heading) {
      const raw = (heading[1] ?? '').trim();
      const idMatch = /\{#([^}]*)\}\s*$/.exec(raw);
      current = {
        line: lineNo,
        heading: raw,
        title: (idMatch ? raw.slice(0, idMatch.index) : raw).trim(),
        explicitId: idMatch ? (idMatch[1] ?? '').trim() : null,
        questionLines: [],
        hasQuestionsLine: false,
        basisParts: [],
        summaryLines: [],
        detailLines: [],
        inDetail: false,
      };
      raws.push(current);
      continue;
    }
    if (!current) {
      if (text.trim() !== '' && !/^#(?!#)/.test(text) && !preambleReported) {
        preambleReported = true;
        report('warning', line(lineNo), '第一个主题（“## 标题”）之前的文字不会被机器人使用；说明请写在 <!-- --> 注释里');
      }
      continue;
    }
    if (current.inDetail) {
      if (DETAIL_HEADING.test(text)) {
        report('warning', line(lineNo), `主题“${clip(current.title)}”有两个“### 详细”，第二个当作正文`);
      }
      current.detailLines.push(text);
      continue;
    }
    if (DETAIL_HEADING.test(text)) {
      current.inDetail = true;
      continue;
    }
    const q = QUESTIONS_LINE.exec(text);
    if (q) {
      current.hasQuestionsLine = true;
      current.questionLines.push(q[1] ?? '');
      continue;
    }
    const b = BASIS_LINE.exec(text);
    if (b) {
      const part = (b[1] ?? '').trim();
      if (part !== '') current.basisParts.push(part);
      else report('warning', line(lineNo), `主题“${clip(current.title)}”的“依据：”后面是空的`);
      continue;
    }
    current.summaryLines.push(text);
  }

  const topics: GuideTopic[] = [];
  const seen = new Map<string, number>();
  raws.forEach((raw, index) => {
    const label = raw.title || raw.heading || `第 ${index + 1} 个主题`;
    let id: string;
    if (raw.explicitId === null) {
      id = `topic-${index + 1}`;
      report('warning', line(raw.line), `主题“${clip(label)}”没有编号（标题末尾写 {#英文编号}），暂用“${id}”`);
    } else if (!ID_PATTERN.test(raw.explicitId)) {
      id = `topic-${index + 1}`;
      report('warning', line(raw.line),
        `主题“${clip(label)}”的编号“${clip(raw.explicitId)}”不合格式（只能用英文字母、数字、“-”“_”），暂用“${id}”`);
    } else {
      id = raw.explicitId;
    }

    const title = raw.title || id;
    if (raw.title === '') report('warning', line(raw.line), `第 ${index + 1} 个主题没有标题，暂用编号“${id}”`);

    const summary = tidy(raw.summaryLines);
    const detail = tidy(raw.detailLines);
    if (summary === '') {
      report('error', line(raw.line), `主题“${clip(title)}”没有正文（“问法”“依据”下面、“### 详细”上面的回答），这个主题不会被使用`);
      return;
    }

    const firstLine = seen.get(id);
    if (firstLine !== undefined) {
      let n = 2;
      while (seen.has(`${id}-${n}`)) n++;
      const renamed = `${id}-${n}`;
      report('error', line(raw.line), `编号“${id}”重复（第 ${firstLine} 行已经用过），这个主题暂改为“${renamed}”，请改成不同的编号`);
      id = renamed;
    }
    seen.set(id, raw.line);

    const questions: string[] = [];
    for (const q of [title, ...raw.questionLines.flatMap((l) => l.split(QUESTION_SEPARATOR))]) {
      const t = q.trim();
      if (t !== '' && !questions.includes(t)) questions.push(t);
    }
    if (!raw.hasQuestionsLine || questions.length === 1) {
      report('warning', line(raw.line), `主题“${clip(title)}”没有“问法：”（或问法是空的），只能按标题找到它`);
    }

    const basis = raw.basisParts.join('；');
    if (basis === '') report('warning', line(raw.line), `主题“${clip(title)}”没有“依据：”一行`);

    const length = [...summary].length;
    if (length > SUMMARY_MAX_CHARS) {
      report('warning', line(raw.line),
        `主题“${clip(title)}”的简短回答有 ${length} 字，超过 ${SUMMARY_MAX_CHARS} 字，一条消息放不下；请把多余内容移到“### 详细”下面`);
    } else if (length > SUMMARY_TARGET_CHARS) {
      report('info', line(raw.line), `主题“${clip(title)}”的简短回答有 ${length} 字，建议不超过 ${SUMMARY_TARGET_CHARS} 字`);
    }

    const source: Source = { document, title: guideTitle, section: title };
    if (basis !== '') source.basis = basis;
    topics.push({ id, title, questions, summary, detail, basis, source });
  });

  if (raws.length === 0) report('error', '全文', '没有找到任何主题（以“## 标题 {#编号}”开头的段落）');

  return { contacts, topics, findings };
}

function readFrontMatter(
  yamlLines: string[],
  firstLineNo: number,
  report: (level: Level, location: string, message: string) => void,
): FrontMatter | null {
  const source = yamlLines.join('\n');
  const keyLines = new Map<string, number>();
  yamlLines.forEach((l, i) => {
    const m = /^\s*["']?([^:：#"']+?)["']?\s*:/.exec(l);
    if (m?.[1] && !keyLines.has(m[1])) keyLines.set(m[1], firstLineNo + i);
  });
  let parsed: unknown;
  try {
    const doc = parseDocument(source, { prettyErrors: false });
    const error = doc.errors[0];
    if (error) {
      const offset = typeof error.pos?.[0] === 'number' ? error.pos[0] : 0;
      const at = firstLineNo + source.slice(0, offset).split('\n').length - 1;
      report('error', line(at), `开头信息区格式不对（每行写“名称: 内容”）：${clip(error.message.split('\n')[0] ?? '', 80)}`);
      return null;
    }
    parsed = doc.toJS({ maxAliasCount: 20 });
  } catch (err) {
    report('error', line(firstLineNo - 1), `开头信息区读不懂：${clip(err instanceof Error ? err.message : String(err), 80)}`);
    return null;
  }
  if (parsed === null || parsed === undefined) {
    report('error', line(firstLineNo - 1), '开头信息区是空的：应当写机关、门户网站、咨询电话、联系说明');
    return { values: {}, keyLines, startLine: firstLineNo - 1 };
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof Map) {
    report('error', line(firstLineNo - 1), '开头信息区格式不对：应当每行写“名称: 内容”');
    return null;
  }
  return { values: { ...(parsed as Record<string, unknown>) }, keyLines, startLine: firstLineNo - 1 };
}

/** A front-matter value as text: "" when absent, undefined when it is not a scalar. */
function scalarText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Trim trailing spaces, drop leading/trailing blank lines, keep at most one blank line in a row. */
function tidy(lines: string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    const t = l.replace(/\s+$/, '');
    if (t === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(t);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

function line(n: number): string {
  return `第 ${n} 行`;
}

function clip(s: string, max = 30): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : s;
}
