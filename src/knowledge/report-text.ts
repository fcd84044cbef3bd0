// Text handling for annual reports: normalisation, labels, cells and numbers.
// Everything here is total (never throws) because the parser runs on arbitrary input.

/** NFKC: full-width digits and punctuation become ASCII, U+3000 becomes a space. */
export function nfkc(s: string): string {
  try {
    return s.normalize('NFKC');
  } catch {
    return s;
  }
}

/** Lines as an editor counts them (line N of the result is line N+1 of the file). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

const INVISIBLE = /[\s\u200b-\u200d\u2060\ufeff]+/g;

// A pinyin gloss after a character, as some mirror sites insert them ("項(xiàng)", "數(shù)量"): a
// bracketed syllable with a tone mark right after a Chinese character. Not part of any label.
const GLOSS = /([\u3400-\u9fff])[(（]([a-zü]{0,6}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]{0,6})[)）]/g;

/** The text without pinyin glosses, and how many were removed. */
export function stripGlosses(text: string): { text: string; removed: number } {
  let removed = 0;
  const out = text.replace(GLOSS, (_m, ch: string) => {
    removed++;
    return ch;
  });
  return { text: out, removed };
}

/** Remove markdown emphasis and heading marks, keep the words. */
export function stripMarkdown(s: string): string {
  let t = s.replace(/^ {0,3}#{1,6}/, '').replace(/^ {0,3}> ?/, '');
  // A closing run of #'s ("## 标题 ##"); trimmed by hand, a regex over trailing spaces is quadratic.
  const end = t.trimEnd();
  let cut = end.length;
  while (cut > 0 && end[cut - 1] === '#') cut--;
  if (cut < end.length && cut > 0 && /\s/.test(end[cut - 1] ?? '')) t = end.slice(0, cut);
  return t.replace(/\*\*|__/g, '').replace(/<(https?:\/\/[^>\s]{1,2000})>/g, '$1');
}

/**
 * A label as the knowledge base stores it: NFKC, no white space, no markdown, and the
 * brackets and separators in their full-width form so "(三)" and "（三）" agree.
 */
export function canonLabel(s: string): string {
  return nfkc(stripMarkdown(s))
    .replace(INVISIBLE, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）')
    .replace(/,/g, '，')
    .replace(/:/g, '：')
    .replace(/;/g, '；');
}

/** Text of a line for matching: NFKC, markdown removed, no white space (brackets half-width). */
export function squash(s: string): string {
  return nfkc(stripMarkdown(s)).replace(INVISIBLE, '');
}

const CN_DIGIT: Record<string, string> = {
  '〇': '0', '零': '0', '一': '1', '二': '2', '三': '3', '四': '4',
  '五': '5', '六': '6', '七': '7', '八': '8', '九': '9',
};

/** "二〇一九年" → "2019年"; other text unchanged. */
export function chineseYearDigits(s: string): string {
  return s.replace(/([〇零一二三四五六七八九]{4})(?=年)/g, (m) =>
    [...m].map((c) => CN_DIGIT[c] ?? c).join(''),
  );
}

const SECTION_NUM: Record<string, number> = {
  一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10,
};

/** Value of a small Chinese numeral ("三" → 3, "十一" → 11), or null. */
export function chineseNumber(s: string): number | null {
  if (s.length === 0 || s.length > 3) return null;
  if (s.length === 1) return SECTION_NUM[s] ?? null;
  if (s.startsWith('十')) {
    const unit = SECTION_NUM[s.slice(1)];
    return unit !== undefined && unit < 10 ? 10 + unit : null;
  }
  const tens = SECTION_NUM[s[0] ?? ''];
  if (tens === undefined || tens >= 10 || s[1] !== '十') return null;
  if (s.length === 2) return tens * 10;
  const unit = SECTION_NUM[s[2] ?? ''];
  return unit !== undefined && unit < 10 ? tens * 10 + unit : null;
}

// ---------------------------------------------------------------------------------------------
// Row labels and markers (tested on squashed text: NFKC, no white space).

/** "一、…", "（一）…", "1.…": the numbering that starts a row label of the section 三 table. */
export const ROW_MARKER = /^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d))/;
export const TOP_ROW = /^[一二三四五六七八九十]{1,3}[、.．]/;
export const PAREN_ROW = /^[(（][一二三四五六七八九十]{1,3}[)）]/;
export const SUB_ROW = /^\d{1,2}[.．、](?!\d)/;
/** "第二十条第（五）项" at the start of a cell; also printed "第二十条（五）项" (tested without spaces). */
export const ARTICLE = /^第[一二三四五六七八九十百零〇\d]{1,4}条第?[(（][一二三四五六七八九十\d]{1,3}[)）]项/;

/** An article heading in its standard form: "第二十条（六）项" → "第二十条第（六）项". */
export function canonArticle(s: string): string {
  return canonLabel(s).replace(/条(?=（)/, '条第');
}
/** The bracketed note over the label column of the section 三 table. */
export const TABLE_NOTE = /勾稽|本列数据/;

export function hasUnclosedBracket(s: string): boolean {
  const open = (s.match(/[(（]/g) ?? []).length;
  const close = (s.match(/[)）]/g) ?? []).length;
  return open > close;
}

/** Lines that are only a page number: "- 3 -", "— 12 —", "第 3 页", "第3页 共8页", "3/8". */
export function isPageNumber(squashed: string): boolean {
  return /^(?:[-—–－‐]+\d{1,4}[-—–－‐]+|第\d{1,4}页(?:[,，]?共\d{1,4}页)?|\d{1,4}\/\d{1,4})$/.test(squashed);
}

// ---------------------------------------------------------------------------------------------
// Cells and numbers.

/**
 * run: digits printed with no separator between cells ("0000000" for seven 0s, the "000" of
 * "规章000"); split into cells only once the number of columns is known (report-runs.ts).
 */
export type CellKind = 'blank' | 'na' | 'number' | 'bad' | 'text' | 'run';

export interface NumberValue {
  value: number;
  unit: string | null;
  approximate: boolean;
}

export interface Cell {
  /** NFKC, trimmed. */
  text: string;
  /** As printed, trimmed. */
  raw: string;
  line: number;
  kind: CellKind;
  num?: NumberValue;
}

const NA = /^(?:[-—–―─－‐_/／\\.。·…]+|无|不适用|空)$/;
const NUMBER =
  /^(约|近|超过|逾|大约)? ?([+\-−]?) ?(\d{1,3}(?:[ ,]\d{3})+|\d+)(\.\d+)? ?(多|余|以上|左右)? ?(.*)$/;
const UNIT = /^[\u4e00-\u9fff%‰a-zA-Z]{1,8}$/;

/** Read a figure as printed: "80 639", "-14", "33.99 万元", "100 多"; null when not a number. */
export function parseNumber(text: string): NumberValue | null {
  let t = nfkc(text).replace(INVISIBLE, ' ').trim();
  // Signs as printed in 本年增/减: "--253", "减4" and "减少4" are decreases, "增3" an increase.
  t = t.replace(/^(?:--|−−|减少|減少|减|減)\s*(?=\d)/, '-').replace(/^(?:增加|新增|增)\s*(?=\d)/, '+');
  const m = NUMBER.exec(t);
  if (!m) return null;
  const [, before, sign, int, frac, after, rest] = m;
  const unitText = (rest ?? '').trim();
  if (unitText !== '' && !UNIT.test(unitText)) return null;
  const digits = (int ?? '').replace(/[ ,]/g, '') + (frac ?? '');
  const value = Number(digits);
  if (!Number.isFinite(value)) return null;
  return {
    value: sign === '-' || sign === '−' ? -value : value,
    unit: unitText === '' ? null : unitText,
    approximate: before !== undefined || after !== undefined,
  };
}

export function makeCell(raw: string, line: number): Cell {
  const trimmed = raw.trim();
  const text = nfkc(trimmed).trim();
  const squashed = text.replace(INVISIBLE, '');
  if (squashed === '') return { text: '', raw: trimmed, line, kind: 'blank' };
  if (NA.test(squashed)) return { text, raw: trimmed, line, kind: 'na' };
  // A sign with its number missing ("增" under 本年增/减): a figure that cannot be read, not a label.
  if (/^(?:增加?|减少?|減少?|\+)$/.test(squashed)) return { text, raw: trimmed, line, kind: 'bad' };
  // A number never starts with 0: "0000000" is seven cells run together.
  if (/^0\d{1,63}$/.test(squashed)) return { text: squashed, raw: trimmed, line, kind: 'run' };
  if (ROW_MARKER.test(squashed) || ARTICLE.test(squashed)) return { text, raw: trimmed, line, kind: 'text' };
  // A figure with a note in brackets: "-164（因机构改革，事项划转）".
  const noted = /^([^（(]{1,40}?)\s*[（(][^）)]*[）)]?$/.exec(text);
  const num = parseNumber(text) ?? (noted && /\d/.test(noted[1] ?? '') ? parseNumber(noted[1] ?? '') : null);
  if (num) return { text, raw: trimmed, line, kind: 'number', num };
  if (/^(?:[+\-−]{1,2}|减|增|減)?\d/.test(squashed)) return { text, raw: trimmed, line, kind: 'bad' };
  return { text, raw: trimmed, line, kind: 'text' };
}

export type LineShape =
  | { mode: 'skip' }
  | { mode: 'row'; cells: Cell[] }
  | { mode: 'cell'; cells: Cell[] };

const MD_SEPARATOR = /^\s*[|｜]?\s*:?-{3,}:?\s*(?:[|｜]\s*:?-{3,}:?\s*)*[|｜]?\s*$/;

/**
 * How a line of a table region splits into cells. Tabs and pipes give a row with its cells;
 * a line without separators is one cell of a table flattened to one cell per line.
 */
export function lineShape(raw: string, line: number): LineShape {
  const clean = raw.replace(/\f/g, '');
  const squashed = nfkc(clean).replace(INVISIBLE, '');
  if (squashed === '' || isPageNumber(squashed)) return { mode: 'skip' };
  if (clean.length <= 4000 && clean.includes('---') && MD_SEPARATOR.test(clean)) return { mode: 'skip' };
  if (clean.includes('\t')) {
    return { mode: 'row', cells: clean.split('\t').map((c) => makeCell(c, line)) };
  }
  if (/[|｜]/.test(clean)) {
    if (/^[\s|｜]+$/.test(clean)) {
      // "|" alone is one empty cell of a one-cell-per-line table; "||", "|||" pad merged cells.
      const pipes = (clean.match(/[|｜]/g) ?? []).length;
      return pipes === 1 ? { mode: 'cell', cells: [makeCell('', line)] } : { mode: 'skip' };
    }
    const parts = clean.split(/[|｜]/);
    if (/^\s*[|｜]/.test(clean)) parts.shift();
    if (/[|｜]\s*$/.test(clean)) parts.pop();
    const cells = parts.map((c) => makeCell(c, line));
    return cells.length >= 2 ? { mode: 'row', cells } : { mode: 'cell', cells };
  }
  // A line of numbers only ("0 0 0 0 0"), unless it is one spaced number ("80 639").
  const t = nfkc(clean).trim();
  if (t.length <= 4000 && /^[+\-−]?\d[\d.]*(?:\s+[+\-−]?\d[\d.]*){1,}$/.test(t) && parseNumber(t) === null) {
    return { mode: 'row', cells: t.split(/\s+/).map((c) => makeCell(c, line)) };
  }
  return { mode: 'cell', cells: [makeCell(clean, line)] };
}
