// normalise as it was before its fast paths (commit 2fb1e0d): NFKC and opencc on every text, every
// rewrite tried. The reference test/language/normalise.test.ts compares the optimised one with.
// Not used by the bot.
import * as OpenCC from 'opencc-js';

// Hong Kong and Taiwan variants both reach the account; 'hk' covers the common 臺/台, 裏/里 forms.
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

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

const RELATIVE: Array<[string, number]> = [
  ['大前年', -3],
  ['前年', -2],
  ['去年', -1],
  ['今年', 0],
  ['本年度', 0],
];

// Anything outside this range is not a report year a resident means ("1300年" is a figure typo).
const MIN_YEAR = 1990;

/** Beijing time has no daylight saving: the offset is fixed. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/**
 * The calendar year in China at `date`. 今年 and 去年 are the resident's, whatever time zone the
 * server runs in: on a UTC machine the first eight hours of 1 January would otherwise still be
 * last year.
 */
function yearInChina(date: Date): number {
  return new Date(date.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/**
 * Puts a question into one canonical written form before anything else looks at it. The question
 * may be typed in full width, traditional characters, with 二〇一九年 or 19年 for a year.
 */
export function referenceNormalise(input: string, today: Date = new Date()): Normalised {
  let text = input.normalize('NFKC');
  // opencc costs more than jieba itself; pure ASCII and digits never need it.
  if (/[^\x00-\x7f]/.test(text)) text = toSimplified(text);
  // Voice input and hurried typing separate clauses with spaces ("在哪 我打个车过去"): between
  // two characters of a word-writing script a space is read as a pause, other white space goes.
  text = text.replace(/(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])/g, '，').replace(/\s+/g, '');
  text = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');

  // 二〇一九年 / 二零一九年 / 一九年
  text = text.replace(/([〇零一二三四五六七八九]{2,4})(?=年)/g, (m) => [...m].map((c) => DIGITS[c] ?? c).join(''));
  const thisYear = yearInChina(today);
  // 19年 → 2019 (a two-digit year in the future is taken as the last century's)
  text = text.replace(/(?<!\d)(\d{2})(?=年(?!度?\d))/g, (m) => {
    const yy = Number(m);
    const full = 2000 + yy <= thisYear + 1 ? 2000 + yy : 1900 + yy;
    return String(full);
  });

  const relative: RelativeYear[] = [];
  for (const [word, offset] of RELATIVE) {
    if (!text.includes(word)) continue;
    const year = thisYear + offset;
    // 本年度 inside a row label ("本年度办理结果") is not a question about the current year.
    if (word === '本年度' && /本年度(办理|报告)/.test(text)) continue;
    // "比去年" asks for a comparison, which understanding reads from the words themselves.
    const pattern = new RegExp(offset === 0 ? word : `(?<![比较和与跟同])${word}`, 'g');
    if (!pattern.test(text)) continue;
    relative.push({ word, year });
    text = text.replace(pattern, `${year}年`);
  }
  text = text.replace(/年年/g, '年');
  return { text, relative };
}
