// Adding a resident's wording to the knowledge files, as one insertion into the file's bytes:
// a way of asking to a guide topic's 问法 line, or a colloquial word to a line of synonyms.txt.
//
// An edit is an insertion (a byte offset and the text put there), so that the file around it stays
// byte for byte as the clerk wrote it, and undoing it gives back exactly the old file. Each plan is
// checked by reading the new text with the knowledge base's own parser: the wording must come out
// where it was meant to, and nothing may read worse than before.
//
// Pure functions over bytes; problems are EditProblems naming the value and where.
import { parseGuide } from '../knowledge/guide-parser.ts';
import { parseSynonyms } from '../language/synonyms.ts';

export const GUIDE_FILE = 'guide.md';
export const SYNONYMS_FILE = 'synonyms.txt';
/** A way of asking, or a word, longer than this is a question to shorten, not a wording to add. */
export const MAX_WORDING_CHARS = 60;

export type EditRequest =
  | { kind: 'question'; topic: string; wording: string }
  | { kind: 'synonym'; canonical: string; wording: string };

export interface Insertion {
  /** Byte offset in the old file. */
  offset: number;
  /** UTF-8 text inserted there. */
  inserted: string;
}

export interface Plan extends Insertion {
  file: typeof GUIDE_FILE | typeof SYNONYMS_FILE;
  /** What the edit does, for staff: 在“申请要收费吗”的问法里加上“办这个要掏钱吗”. */
  description: string;
  /** The topic id or the standard word. */
  target: string;
  /** The topic's title or the standard word. */
  targetLabel: string;
  wording: string;
  after: Buffer;
}

/** A refused edit: `status` is the HTTP status the admin API answers with. */
export class EditProblem extends Error {
  constructor(readonly status: 400 | 404 | 409 | 422 | 500 | 503, message: string) {
    super(message);
    this.name = 'EditProblem';
  }
}

// ignoreBOM keeps a byte order mark in the text, so that offsets in the text match the bytes.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(bytes: Buffer, file: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EditProblem(422, `${file} 不是 UTF-8 编码的文本，不能在这里修改；请在服务器上另存为 UTF-8`);
  }
}

export function applyInsertion(bytes: Buffer, { offset, inserted }: Insertion): Buffer {
  return Buffer.concat([bytes.subarray(0, offset), Buffer.from(inserted, 'utf8'), bytes.subarray(offset)]);
}

/** The file before the insertion, or null when `bytes` no longer holds it where it was put. */
export function revertInsertion(bytes: Buffer, { offset, inserted }: Insertion): Buffer | null {
  const piece = Buffer.from(inserted, 'utf8');
  if (!bytes.subarray(offset, offset + piece.length).equals(piece)) return null;
  return Buffer.concat([bytes.subarray(0, offset), bytes.subarray(offset + piece.length)]);
}

function cleanWording(raw: unknown, forbidden: RegExp, what: string): string {
  const wording = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
  if (wording === '') throw new EditProblem(400, `请填写要加的${what}。`);
  if ([...wording].length > MAX_WORDING_CHARS) {
    throw new EditProblem(400, `要加的${what}有 ${[...wording].length} 个字，超过 ${MAX_WORDING_CHARS} 个字；请只留下群众说法里关键的部分。`);
  }
  const bad = forbidden.exec(wording);
  if (bad) throw new EditProblem(400, `要加的${what}“${wording}”里不能有“${bad[0]}”。`);
  return wording;
}

const errorCount = (findings: { level: string }[]) => findings.filter((f) => f.level === 'error').length;
const otherCount = (findings: { level: string }[]) => findings.filter((f) => f.level !== 'error').length;

interface Line {
  start: number;
  /** End of the line's text, before its line break. */
  end: number;
  text: string;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  const pattern = /[^\r\n]*(\r\n|\r|\n|$)/g;
  for (let m = pattern.exec(text); m && m[0] !== ''; m = pattern.exec(text)) {
    const body = m[0].slice(0, m[0].length - m[1]!.length);
    lines.push({ start: m.index, end: m.index + body.length, text: body });
  }
  return lines;
}

const lineBreakOf = (text: string) => (/\r\n/.test(text) ? '\r\n' : '\n');
const byteOffset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index), 'utf8');
/** Where to append on a line: after its last non-blank character. */
const contentEnd = (text: string, from: number, to: number) => from + text.slice(from, to).replace(/\s+$/, '').length;

const TOPIC_HEADING = /^##(?!#)\s*(.*?)\s*\{#([^}]*)\}\s*$/;
const DETAIL_HEADING = /^###(?!#)\s*详细/;
const QUESTIONS_LINE = /^\s*问法\s*[：:]/;

/** Adds `wording` to the 问法 of guide topic `topicId`. */
export function planQuestion(before: Buffer, topicId: string, rawWording: unknown): Plan {
  const wording = cleanWording(rawWording, /[；;]|<!--|-->|[\r\n]/, '问法');
  const text = decode(before, GUIDE_FILE);
  const old = parseGuide(text, GUIDE_FILE);
  const topic = old.topics.find((t) => t.id === topicId);
  if (!topic) throw new EditProblem(404, `指南里没有编号为“${topicId}”的主题。`);
  if (topic.questions.includes(wording)) throw new EditProblem(409, `“${wording}”已经是“${topic.title}”的问法了。`);

  // Comments are blanked out (same length, so offsets hold) before looking for the topic's lines.
  const visible = text.replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\r\n]/g, ' '));
  const lines = linesOf(visible);
  const isFence = (l: Line) => /^\uFEFF?---\s*$/.test(l.text);
  const fence = lines.findIndex((l) => l.text.replace(/^\uFEFF/, '').trim() !== '');
  let from = 0;
  if (fence >= 0 && isFence(lines[fence]!)) {
    const close = lines.findIndex((l, i) => i > fence && isFence(l));
    from = close >= 0 ? close + 1 : fence + 1;
  }
  const heading = lines.findIndex((l, i) => i >= from && TOPIC_HEADING.exec(l.text)?.[2]?.trim() === topicId);
  if (heading < 0) throw new EditProblem(404, `指南里没有编号为“${topicId}”的主题。`);
  let last = -1;
  for (let i = heading + 1; i < lines.length; i++) {
    const t = lines[i]!.text;
    if (/^##(?!#)/.test(t) || DETAIL_HEADING.test(t)) break;
    if (QUESTIONS_LINE.test(t)) last = i;
  }

  let at: number;
  let inserted: string;
  if (last >= 0) {
    const line = lines[last]!;
    at = contentEnd(text, line.start, line.end);
    inserted = /[：:；;]\s*$/.test(text.slice(line.start, at)) ? wording : `；${wording}`;
  } else {
    // A topic without 问法 gets the line right under its heading.
    const line = lines[heading]!;
    at = line.end;
    inserted = `${lineBreakOf(text)}问法：${wording}`;
  }
  const plan = { offset: byteOffset(text, at), inserted };
  const after = applyInsertion(before, plan);
  const now = parseGuide(after.toString('utf8'), GUIDE_FILE);
  const changed = now.topics.find((t) => t.id === topicId);
  if (!changed?.questions.includes(wording) || errorCount(now.findings) > errorCount(old.findings) || otherCount(now.findings) > otherCount(old.findings)) {
    throw new EditProblem(422, `在“${topic.title}”里加上“${wording}”后，指南读出来不对，没有保存；请在服务器上检查 ${GUIDE_FILE} 这个主题的写法。`);
  }
  return { ...plan, file: GUIDE_FILE, after, target: topicId, targetLabel: topic.title, wording, description: `在指南主题“${topic.title}”的问法里加上“${wording}”` };
}

/** Adds `wording` as another way of saying the standard word `canonical` in synonyms.txt. */
export function planSynonym(before: Buffer, rawCanonical: unknown, rawWording: unknown): Plan {
  const forbidden = /[|｜=＝#]|[\r\n]/;
  const canonical = cleanWording(rawCanonical, forbidden, '标准词').normalize('NFKC');
  const wording = cleanWording(rawWording, forbidden, '说法').normalize('NFKC');
  if (wording === canonical) throw new EditProblem(400, `说法和标准词都是“${wording}”，不用加。`);
  const text = decode(before, SYNONYMS_FILE);
  const old = parseSynonyms(text, SYNONYMS_FILE);
  const existing = old.table.get(wording);
  if (existing === canonical) throw new EditProblem(409, `“${wording}”已经是“${canonical}”的同义词了。`);
  if (existing) throw new EditProblem(409, `“${wording}”已经是“${existing}”的同义词；一个说法只能属于一个标准词。`);

  const lines = linesOf(text);
  const target = lines.find((l) => {
    const m = /^([^=＝#]+)[=＝]/.exec(l.text.replace(/#.*/, ''));
    return m !== null && m[1]!.normalize('NFKC').trim() === canonical;
  });
  let at: number;
  let inserted: string;
  if (target) {
    const comment = target.text.indexOf('#');
    at = contentEnd(text, target.start, comment >= 0 ? target.start + comment : target.end);
    inserted = /[=＝|｜]\s*$/.test(text.slice(target.start, at)) ? ` ${wording}` : ` | ${wording}`;
  } else {
    at = text.length;
    const needsBreak = text !== '' && !/[\r\n]$/.test(text);
    inserted = `${needsBreak ? lineBreakOf(text) : ''}${canonical} = ${wording}${lineBreakOf(text)}`;
  }
  const plan = { offset: byteOffset(text, at), inserted };
  const after = applyInsertion(before, plan);
  const now = parseSynonyms(after.toString('utf8'), SYNONYMS_FILE);
  if (now.table.get(wording) !== canonical || now.findings.length > old.findings.length) {
    throw new EditProblem(422, `把“${wording}”加为“${canonical}”的同义词后，同义词表读出来不对，没有保存；请在服务器上检查 ${SYNONYMS_FILE}。`);
  }
  return { ...plan, file: SYNONYMS_FILE, after, target: canonical, targetLabel: canonical, wording, description: `把“${wording}”加为“${canonical}”的同义词` };
}

/** The file a request from the admin page edits (its other fields unchecked). */
export function fileOf(request: unknown): Plan['file'] {
  const kind = (request as { kind?: unknown } | null)?.kind;
  if (kind === 'question') return GUIDE_FILE;
  if (kind === 'synonym') return SYNONYMS_FILE;
  throw new EditProblem(400, '修改的种类（kind）应当是 question（加问法）或 synonym（加同义词）。');
}

/** The plan for a request from the admin page, against `before`, the bytes of `fileOf(request)`. */
export function planEdit(request: unknown, before: Buffer): Plan {
  const r = request as Record<string, unknown>;
  if (fileOf(request) === SYNONYMS_FILE) return planSynonym(before, r.canonical, r.wording);
  if (typeof r.topic !== 'string' || r.topic.trim() === '') throw new EditProblem(400, '请选择要加问法的指南主题。');
  return planQuestion(before, r.topic.trim(), r.wording);
}
