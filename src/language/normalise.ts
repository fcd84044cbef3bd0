import * as OpenCC from 'opencc-js';

// Hong Kong and Taiwan variants both reach the account; 'hk' covers the common 臺/台, 裏/里 forms.
const converter = OpenCC.Converter({ from: 'hk', to: 'cn' });

type Dictionary = string | readonly (readonly string[])[];

/**
 * The dictionaries that converter applies, in the order it applies them (opencc-js's preset for
 * hk → cn: compatibility ideographs normalised, then Hong Kong variants, then traditional →
 * simplified phrases and characters).
 */
function converterDictionaries(): Dictionary[] {
  const config = (OpenCC.Locale.configs as unknown as Record<string, { normalizationChain?: Dictionary[][]; conversionChain: readonly Dictionary[][] }>)['hk2s'];
  if (!config) throw new Error('opencc-js has no hk2s preset: the characters it converts are unknown');
  return [...(config.normalizationChain ?? []), ...config.conversionChain].flat();
}

/**
 * For every entry of the conversion that changes something, one character of its source text. A
 * text holding none of them contains no entry that changes anything, so converting it would give
 * it back unchanged: most questions are written in simplified characters and skip opencc, which
 * costs more than jieba's cut. Any character of an entry would do; the one chosen is one that a
 * single-character entry converts (a traditional character, "麼" of "么麼"), else the first that
 * the entry changes, so that common simplified characters ("么") rarely send a text to opencc.
 */
export function changingCharacters(dictionaries: readonly Dictionary[]): Set<number> {
  const pairs = dictionaries.flatMap((dict) => (typeof dict === 'string' ? dict.split('|').map((line) => line.split(' ')) : dict));
  const converted = new Set<string>();
  for (const [from = '', to = ''] of pairs) if (from !== to && [...from].length === 1) converted.add(from);
  const out = new Set<number>();
  for (const [from = '', to = ''] of pairs) {
    if (from === to || !from) continue;
    const a = [...from];
    const b = [...to];
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const marker = a.find((c) => converted.has(c)) ?? a[i < a.length ? i : 0]!;
    out.add(marker.codePointAt(0)!);
  }
  return out;
}

const CHANGING = changingCharacters(converterDictionaries());
/** The same, as one flag per character of the Basic Multilingual Plane: a lookup per character. */
const CHANGING_BMP = new Uint8Array(0x10000);
for (const c of CHANGING) if (c < 0x10000) CHANGING_BMP[c] = 1;

/** True when converting the text would change it (see changingCharacters). */
export function needsConverting(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (CHANGING_BMP[c]) return true;
    if (c >= 0xd800 && c < 0xdc00) {
      const code = text.codePointAt(i)!;
      if (CHANGING.has(code)) return true;
      // A pair is one character; a lone high surrogate is one unit.
      if (code > 0xffff) i++;
    }
  }
  return false;
}

/** Traditional and variant characters in simplified form: opencc's hk → cn, run only when it would change something. */
export function toSimplified(text: string): string {
  return needsConverting(text) ? converter(text) : text;
}

const DIGITS: Record<string, string> = {
  〇: '0', 零: '0', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9',
};

/** A relative year word resolved against today's date, so the reply can say which year it used. */
export interface RelativeYear {
  word: string;
  year: number;
}

export interface Normalised {
  /** NFKC, simplified, without white space, years as four digits. */
  text: string;
  relative: RelativeYear[];
}

const RELATIVE: Array<[string, number, RegExp]> = (
  [
    ['大前年', -3],
    ['前年', -2],
    ['去年', -1],
    ['今年', 0],
    ['本年度', 0],
  ] as const
  // "比去年" asks for the change from the year before, read from the words themselves; "比今年"
  // names the current year as the other side of a comparison ("去年比今年多了多少"), so it is
  // rewritten like any other mention of it.
).map(([word, offset]) => [word, offset, new RegExp(offset === 0 ? word : `(?<![比较和与跟同])${word}`, 'g')]);

// Anything outside this range is not a report year a resident means ("1300年" is a figure typo).
const MIN_YEAR = 1990;

/** Beijing time has no daylight saving: the offset is fixed. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/**
 * The calendar year in China at `date`. 今年 and 去年 are the resident's, whatever time zone the
 * server runs in: on a UTC machine the first eight hours of 1 January would otherwise still be
 * last year.
 */
export function yearInChina(date: Date): number {
  const t = date.getTime();
  if (t >= known.from && t < known.to) return known.year;
  const year = new Date(t + CHINA_OFFSET_MS).getUTCFullYear();
  // Every message asks it, two or three times: the last year's bounds answer without a Date
  // (Date.UTC reads the years 0-99 as 1900-1999: only four-digit years are kept).
  if (year >= 1000 && year < 10000) known = { year, from: Date.UTC(year, 0, 1) - CHINA_OFFSET_MS, to: Date.UTC(year + 1, 0, 1) - CHINA_OFFSET_MS };
  return year;
}

/** The year yearInChina last gave, from and to the instants (ms) it begins and ends. */
let known = { year: 0, from: 0, to: 0 };

/**
 * Puts a question into one canonical written form before anything else looks at it. The question
 * may be typed in full width, traditional characters, with 二〇一九年 or 19年 for a year.
 */
export function normalise(input: string, today: Date = new Date()): Normalised {
  let text = isNfkcStable(input) ? input : input.normalize('NFKC');
  text = toSimplified(text);
  // Voice input and hurried typing separate clauses with spaces ("在哪 我打个车过去"): between
  // two characters of a word-writing script a space is read as a pause, other white space goes.
  // (Each rewrite below is tried only when the text holds what it rewrites: most questions hold
  // no space, comma between digits or year.)
  if (WHITE_SPACE.test(text)) text = text.replace(/(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])/g, '，').replace(/\s+/g, '');
  if (text.includes(',')) text = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');

  const thisYear = yearInChina(today);
  if (text.includes('年')) {
    // 二〇一九年 / 二零一九年 / 一九年
    text = text.replace(/([〇零一二三四五六七八九]{2,4})(?=年)/g, (m) => [...m].map((c) => DIGITS[c] ?? c).join(''));
    // 19年 → 2019 (a two-digit year in the future is taken as the last century's)
    if (hasDigit(text)) text = text.replace(/(?<!\d)(\d{2})(?=年(?!度?\d))/g, (m) => {
      const yy = Number(m);
      const full = 2000 + yy <= thisYear + 1 ? 2000 + yy : 1900 + yy;
      return String(full);
    });
  }

  const relative: RelativeYear[] = [];
  for (const [word, offset, pattern] of RELATIVE) {
    if (!text.includes(word)) continue;
    const year = thisYear + offset;
    // 本年度 inside a row label ("本年度办理结果") is not a question about the current year.
    if (word === '本年度' && /本年度(办理|报告)/.test(text)) continue;
    // "比去年" asks for a comparison, which understanding reads from the words themselves.
    pattern.lastIndex = 0;
    if (!pattern.test(text)) continue;
    relative.push({ word, year });
    text = text.replace(pattern, `${year}年`);
  }
  if (text.includes('年年')) text = text.replace(/年年/g, '年');
  return { text, relative };
}

const WHITE_SPACE = /\s/;

/**
 * True when NFKC would give the text back unchanged, known without running it: ASCII, CJK
 * ideographs and the punctuation residents type around them (、。《》「」『』【】‘’“”—·) are each
 * their own normal form, combine with nothing, and are what most questions are made of. Anything
 * else (full-width forms, compatibility ideographs, combining marks) is normalised.
 */
export function isNfkcStable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf)) continue;
    if ((c >= 0x3001 && c <= 0x3002) || (c >= 0x3008 && c <= 0x3011) || (c >= 0x2018 && c <= 0x201d) || c === 0x2014 || c === 0xb7) continue;
    return false;
  }
  return true;
}

/** Four-digit years mentioned in a normalised text, in order of appearance, without repeats. */
export function yearsIn(text: string): number[] {
  const years: number[] = [];
  // matchAll copies its expression for every text: most questions hold no digit.
  if (!hasDigit(text)) return years;
  for (const m of text.matchAll(/(?<!\d)(\d{4})(?=年|$|[^\d])/g)) {
    const y = Number(m[1]);
    if (y >= MIN_YEAR && y <= 2100 && !years.includes(y)) years.push(y);
  }
  return years;
}

/** Reads a Chinese or Arabic small number ("二", "第2个", "3") used to pick a numbered option. */
export function optionNumber(text: string): number | null {
  const m = /^(?:第|选|选择)?([0-9]{1,2}|[一二三四五六七八九十])(?:个|条|项|号)?[。.!！]?$/.exec(text);
  if (!m) return null;
  const s = m[1]!;
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '十') return 10;
  return Number(DIGITS[s]);
}

const MARK = /^[\p{P}\p{S}]$/u;

/**
 * The text without the punctuation and symbols it ends with: `text.replace(/[\p{P}\p{S}]+$/u, '')`,
 * walked back from the end instead of tried at every place of the text.
 */
export function withoutTrailingMarks(text: string): string {
  let end = text.length;
  while (end > 0) {
    const last = text.charCodeAt(end - 1);
    // A symbol outside the Basic Multilingual Plane ("😀") is a pair of code units.
    const pair = last >= 0xdc00 && last < 0xe000 && end >= 2 && text.charCodeAt(end - 2) >= 0xd800 && text.charCodeAt(end - 2) < 0xdc00;
    const from = pair ? end - 2 : end - 1;
    if (!MARK.test(text.slice(from, end))) break;
    end = from;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** True when the text holds an ASCII digit (what `\d` matches without the u flag's help). */
export function hasDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}
