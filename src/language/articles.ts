import { isNfkcStable } from './normalise.ts';

/**
 * Article citations ("《条例》第二十七条", "第27条", "第二十条第（六）项") as terms 第27条 and 第6项,
 * so that a lawyer's question finds the topic whose basis cites the same article, however the
 * number is written.
 */
const DIGIT: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** A number up to 999 in Chinese numerals or digits ("二十七", "四十六", "27"), or null. */
export function chineseNumber(text: string): number | null {
  if (/^\d{1,3}$/.test(text)) return Number(text);
  if (!/^[〇零一二两三四五六七八九十百]{1,6}$/.test(text)) return null;
  let total = 0;
  let current = 0;
  for (const c of text) {
    if (c === '百') {
      total += (current || 1) * 100;
      current = 0;
    } else if (c === '十') {
      total += (current || 1) * 10;
      current = 0;
    } else current = DIGIT[c] ?? 0;
  }
  return total + current;
}

const CITATION = /第([〇零一二两三四五六七八九十百\d]{1,6})(条|项)/g;

export function articleTerms(text: string): string[] {
  const out: string[] = [];
  // Most texts cite nothing: no citation without 第, which NFKC keeps as it is.
  const normal = isNfkcStable(text) ? text : text.normalize('NFKC');
  if (!normal.includes('第')) return out;
  for (const m of normal.replace(/[（(]([〇零一二三四五六七八九十\d]{1,3})[）)]/g, '$1').matchAll(CITATION)) {
    const n = chineseNumber(m[1]!);
    if (n === null || n === 0) continue;
    const term = `第${n}${m[2]}`;
    if (!out.includes(term)) out.push(term);
  }
  return out;
}
