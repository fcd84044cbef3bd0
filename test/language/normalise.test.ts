import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as OpenCC from 'opencc-js';
import { isNfkcStable, needsConverting, normalise, optionNumber, toSimplified, withoutTrailingMarks, yearInChina, yearsIn } from '../../src/language/normalise.ts';
import { referenceNormalise } from './helpers/normalise-reference.ts';

const today = new Date('2026-11-27T12:00:00+08:00');

describe('normalise', () => {
  it('turns full width into half width and drops white space', () => {
    expect(normalise('２０１９年行政处罚　有多少？', today).text).toBe('2019年行政处罚，有多少?');
    expect(normalise('2019 年行政处罚 ', today).text).toBe('2019年行政处罚');
  });

  it('reads a space between two words as a pause, as voice input means it', () => {
    expect(normalise('在哪 我打个车过去', today).text).toBe('在哪，我打个车过去');
    expect(normalise('行 多谢', today).text).toBe('行，多谢');
  });

  it('turns traditional characters into simplified ones', () => {
    expect(normalise('行政處罰有多少件', today).text).toBe('行政处罚有多少件');
    expect(normalise('怎麼申請政府信息公開', today).text).toBe('怎么申请政府信息公开');
  });

  it('writes Chinese and two-digit years as four digits', () => {
    expect(normalise('二〇一九年行政处罚', today).text).toBe('2019年行政处罚');
    expect(normalise('二零二零年', today).text).toBe('2020年');
    expect(normalise('19年行政处罚', today).text).toBe('2019年行政处罚');
    expect(normalise('一九年的数据', today).text).toBe('2019年的数据');
  });

  it('leaves figures and four-digit years alone', () => {
    expect(normalise('2019年处罚1271件', today).text).toBe('2019年处罚1271件');
    expect(normalise('80,639件', today).text).toBe('80639件');
  });

  it('resolves relative years against today and says which it used', () => {
    const n = normalise('去年行政处罚有多少', today);
    expect(n.text).toBe('2025年行政处罚有多少');
    expect(n.relative).toEqual([{ word: '去年', year: 2025 }]);
    expect(normalise('今年呢', today).relative).toEqual([{ word: '今年', year: 2026 }]);
    expect(normalise('前年', today).relative).toEqual([{ word: '前年', year: 2024 }]);
  });

  it('counts the year in Beijing time, whatever the server\'s time zone', () => {
    // 1 January 00:30 in China is still 31 December in UTC (and in the test machine's zone).
    const newYear = new Date('2021-12-31T16:30:00Z');
    expect(normalise('今年呢', newYear).relative).toEqual([{ word: '今年', year: 2022 }]);
    expect(normalise('去年呢', new Date('2021-12-31T15:30:00Z')).relative).toEqual([{ word: '去年', year: 2020 }]);
  });

  it('keeps "比去年" as a comparison, not a year', () => {
    const n = normalise('行政处罚比去年多吗', today);
    expect(n.text).toBe('行政处罚比去年多吗');
    expect(n.relative).toEqual([]);
  });

  it('reads "比今年" as the current year, the other side of a comparison', () => {
    // Kept as words, 今年 was lost and "去年比今年多了多少" became last year against the year before.
    const n = normalise('去年点击量比今年多了多少', today);
    expect(n.text).toBe('2025年点击量比2026年多了多少');
    expect(n.relative).toEqual([{ word: '去年', year: 2025 }, { word: '今年', year: 2026 }]);
  });

  it('never throws and always returns a string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => typeof normalise(s, today).text === 'string'), { numRuns: 300 });
  });
});

describe('yearsIn', () => {
  it('finds report years, not figures', () => {
    expect(yearsIn('2020年比2019年多了多少')).toEqual([2020, 2019]);
    expect(yearsIn('行政处罚1271件')).toEqual([]);
    expect(yearsIn('80639')).toEqual([]);
  });
});

describe('optionNumber', () => {
  it('reads a picked option', () => {
    expect(optionNumber('2')).toBe(2);
    expect(optionNumber('第二个')).toBe(2);
    expect(optionNumber('三')).toBe(3);
    expect(optionNumber('2019')).toBeNull();
    expect(optionNumber('行政处罚')).toBeNull();
  });
});

describe('toSimplified', () => {
  // opencc runs only on texts holding a character some entry of its dictionaries changes; any
  // other text must be one opencc gives back unchanged.
  const opencc = OpenCC.Converter({ from: 'hk', to: 'cn' });
  const config = (OpenCC.Locale.configs as unknown as Record<string, { normalizationChain?: unknown[][]; conversionChain: readonly unknown[][] }>)['hk2s']!;
  const dictionaries = [...(config.normalizationChain ?? []), ...config.conversionChain].flat() as Array<string | string[][]>;
  const pairs = dictionaries.flatMap((d) => (typeof d === 'string' ? d.split('|').map((l) => l.split(' ')) : d));
  const sources = [...new Set(pairs.map(([from]) => from!).filter(Boolean))];
  const simplified = [...'政府信息公开申请行政处罚许可多少件年度报告怎么办理收费期限西吉县复议诉讼不予一以答意回明找反打重批'];

  it('gives what opencc gives for every entry of its dictionaries, alone and inside simplified text', () => {
    for (const from of sources) {
      for (const text of [from, `申请${from}`, `${from}答复`, `一${from}不`]) expect(toSimplified(text)).toBe(opencc(text));
    }
  });

  it('skips opencc only where opencc would change nothing', () => {
    const piece = fc.oneof(fc.constantFrom(...sources), fc.constantFrom(...simplified), fc.string({ maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('');
        if (!needsConverting(text)) expect(opencc(text)).toBe(text);
        expect(toSimplified(text)).toBe(opencc(text));
      }),
      { numRuns: 3000 },
    );
    // Questions in simplified characters do skip it: the point of the check.
    expect(needsConverting('2019年行政处罚有多少件？')).toBe(false);
    expect(needsConverting('政务大厅在哪儿，怎么走')).toBe(false);
    expect(needsConverting('行政許可處理決定數量')).toBe(true);
  });
});

describe('normalise against the reference without fast paths', () => {
  it('gives the same text and relative years for any mix of what residents type', () => {
    const piece = fc.oneof(
      fc.constantFrom('2019年', '19年', '二〇一九年', '一九年', '去年', '比去年', '前年', '大前年', '今年', '本年度', '本年度办理结果', '年年', '1,234', '12,3456', '，', ',', '。', '？', '?', ' ', '　', '\t', '\n'),
      fc.constantFrom('行政處罰', '申請', '政府信息公开', '多少', '２０１９', 'ＧＤＰ', '…', '“三到位”', '《条例》', '﹐', 'é', 'e\u0301', '가', '\u1100\u1161', '豈', '㍻', 'Ⅻ', '𠀀', '\ud83d'),
      fc.string({ maxLength: 3 }),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    );
    const days = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), days, (pieces, day) => {
        const text = pieces.join('');
        expect(normalise(text, day)).toEqual(referenceNormalise(text, day));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isNfkcStable', () => {
  it('holds only for texts NFKC gives back unchanged', () => {
    // Every single BMP character it accepts, then any text of them next to others.
    const accepted: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const s = String.fromCharCode(c);
      if (isNfkcStable(s)) {
        expect(s.normalize('NFKC')).toBe(s);
        accepted.push(s);
      }
    }
    expect(accepted.length).toBeGreaterThan(27000);
    const char = fc.oneof(fc.constantFrom(...accepted), fc.string({ unit: 'grapheme', maxLength: 1 }), fc.constantFrom('\u0301', '\u3099', '\u1161', '\u0dcf', 'ｱ', '，'));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 12 }), (chars) => {
        const text = chars.join('');
        if (isNfkcStable(text)) expect(text.normalize('NFKC')).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('withoutTrailingMarks', () => {
  it('drops what the regular expression of trailing punctuation and symbols drops, astral symbols and lone surrogates too', () => {
    const regex = (text: string) => text.replace(/[\p{P}\p{S}]+$/u, '');
    expect(withoutTrailingMarks('网址是多少？！')).toBe('网址是多少');
    expect(withoutTrailingMarks('谢谢👍😀')).toBe('谢谢');
    expect(withoutTrailingMarks('？？')).toBe('');
    expect(withoutTrailingMarks('在哪\ud83d')).toBe('在哪\ud83d');
    const char = fc.oneof(fc.constantFrom('问', '。', '？', '!', '😀', '👍', '\ud83d', '\ude00', ' ', '1', '+', '～', '、', '“'), fc.string({ unit: 'binary', maxLength: 1 }));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 10 }), (chars) => {
        const text = chars.join('');
        expect(withoutTrailingMarks(text)).toBe(regex(text));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('yearInChina', () => {
  // The year's bounds are kept between calls: each call must still give what the Date itself says,
  // on either side of a new year in Beijing and after a call for another year.
  const reference = (d: Date) => new Date(d.getTime() + 8 * 3600 * 1000).getUTCFullYear();
  it('is the calendar year in Beijing, whatever was asked before', () => {
    const newYear = Date.UTC(2026, 0, 1) - 8 * 3600 * 1000;
    const instants = fc.oneof(fc.integer({ min: newYear - 5000, max: newYear + 5000 }), fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(newYear - 1, newYear, new Date(0).setUTCFullYear(50, 5, 1), Date.UTC(1950, 5, 1)));
    fc.assert(
      fc.property(fc.array(instants, { minLength: 1, maxLength: 6 }), (ts) => {
        for (const t of ts) expect(yearInChina(new Date(t))).toBe(reference(new Date(t)));
      }),
      { numRuns: 1000 },
    );
  });
});
