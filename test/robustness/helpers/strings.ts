// Text a resident, a broken client or an attacker might send: every plane of unicode, lone
// surrogates, controls, bidi overrides, emoji sequences, and the bot's own vocabulary mixed in so
// that the generated strings also reach the code paths behind a match.
import fc from 'fast-check';

const codeUnit = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));

const loneSurrogate = codeUnit(0xd800, 0xdfff);
const control = fc.oneof(codeUnit(0x00, 0x1f), codeUnit(0x7f, 0x9f));
const invisible = fc.constantFrom('\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00a0', '\u3000', '\u2028', '\u2029', '\u00ad');
const bidi = fc.constantFrom('\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f');
const rtl = fc.oneof(codeUnit(0x0590, 0x05ff), codeUnit(0x0600, 0x06ff), codeUnit(0xfb50, 0xfdff));
const cjk = fc.oneof(codeUnit(0x4e00, 0x9fff), codeUnit(0x3400, 0x4dbf), codeUnit(0xf900, 0xfaff), codeUnit(0xff00, 0xffef));
const emoji = fc.constantFrom('😀', '👍🏽', '👨‍👩‍👧‍👦', '🇨🇳', '🏳️‍🌈', '❤️', '1️⃣', '🙏', '👎', '👍', '\ufe0f', '\u20e3');
const combining = codeUnit(0x0300, 0x036f);
const special = fc.constantFrom('\ufffd', '\ufffe', '\uffff', '\u0000', '\r\n', '\t', '\\', '"', "'", '<', '>', '&', '${', '%s', '$&', '$1', '(?:', '[', '*', '.*');
const astral = fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c));

/** The bot's own words: years in every spelling, row labels, follow-up words, digits. */
export const VOCABULARY = [
  '2019', '2020', '2035', '19', '二〇一九', '二零二零', '年', '年度', '去年', '今年', '前年', '大前年', '本年度',
  '行政处罚', '罚款', '行政许可', '行政复议', '起诉', '申请', '多少', '几件', '怎么', '电话', '详细', '更多',
  '比上年', '比去年', '同比', '相比', '和', '呢', '那', '您是不是想问', '有用', '没用', '你好', '谢谢', '帮助',
  '1', '2', '3', '0', '99', '第2个', '二', '１２７１', '1,271', '－', '.', '。', '？', '?', '！', '，', '、',
  '西吉县', '政府门户网站', '浏览量', '采购总金额', '自然人', '不予公开', '本年新收', '（三）', '1.', '一、',
  '臺灣', '資訊公開', '處罰', 'ｈｅｌｌｏ', 'hello', 'hi',
];

const unit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 4, arbitrary: cjk },
  { weight: 4, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: control },
  { weight: 1, arbitrary: invisible },
  { weight: 1, arbitrary: bidi },
  { weight: 1, arbitrary: rtl },
  { weight: 1, arbitrary: emoji },
  { weight: 1, arbitrary: combining },
  { weight: 1, arbitrary: special },
  { weight: 1, arbitrary: astral },
  { weight: 2, arbitrary: fc.constantFrom(' ', '\n', '　') },
);

/** Short hostile strings (up to `maxLength` pieces, a piece being a character or a word). */
export const hostileText = (maxLength = 40) => fc.string({ unit, maxLength });

/**
 * Long strings up to 5,000 UTF-16 units: a hostile piece repeated (pathological for regexes and
 * the segmenter) or many random pieces.
 */
export const longText = fc.oneof(
  fc.tuple(hostileText(8), fc.integer({ min: 1, max: 5000 })).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, 5000)),
  fc.string({ unit, minLength: 500, maxLength: 2500 }).map((s) => s.slice(0, 5000)),
);

/** Any string: mostly short, sometimes very long, including the plain arbitraries of fast-check. */
export const anyText = fc.oneof(
  { weight: 6, arbitrary: hostileText() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit(0, 0xffff), maxLength: 60 }) },
  { weight: 1, arbitrary: longText },
);
