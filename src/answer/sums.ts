import type { Statistic } from '../knowledge/types.ts';
import type { Entry } from './entries.ts';

/**
 * "网站、微信公众号、微博三个加起来一共发了多少条": several figures asked as one total. The report
 * prints each; their sum is arithmetic on what it prints, so it is given with its parts, and only
 * when every part is one figure of the same year in the same unit (never 条 added to 次).
 */

/**
 * "个人占多大比例": a column against the row's 总计, both printed; "全部" when it is the whole.
 * Null when the row has no 总计, the total is 0, or no column but the total is asked.
 */
export function shareLine(entry: Entry, year: number, columns: ReadonlySet<string>): string | null {
  if (entry.kind !== 'stat' && entry.kind !== 'figure') return null;
  const row = entry.stats.filter((s) => s.year === year);
  const total = row.find((s) => s.column === TOTAL);
  if (!total || total.value <= 0) return null;
  const parts = row.filter((s) => s.column !== TOTAL && columns.has(s.column));
  if (parts.length === 0) return null;
  const said = parts.map((s) => {
    const share = Math.round((s.value / total.value) * 1000) / 10;
    return `${s.column} ${s.value}，占总计 ${total.value} 的 ${share}%${s.value === total.value ? '（全部）' : ''}`;
  });
  return `比例：${said.join('；')}（按报告数字计算）`;
}

/**
 * "予以公开的占比是多少", "公开率": an outcome row of the applications table (（一）予以公开, a
 * row under （三）不予公开) has no 总计 of its own to be a share of; it is a share of what the
 * table counts as received, its first row (一、本年新收…). The base is the table's row numbered
 * 一、 in the same section and year; the share is said to be computed, with both figures.
 */
export function baseRowOf(entry: Entry, entries: Iterable<Entry>): Entry | null {
  if (entry.kind !== 'stat') return null;
  const own = entry.stats[0]!;
  if (!/^[（(]|^\d+[.．、]/.test(own.item)) return null;
  for (const e of entries) {
    if (e.kind === 'stat' && e !== entry && e.stats[0]!.section === own.section && /^一[、.．]/.test(e.stats[0]!.item)) return e;
  }
  return null;
}

/** "比例：（一）予以公开 10，占一、本年新收…总计 10 的 100%（全部）（按报告数字计算：10 ÷ 10）", or null. */
export function rowShareLine(entry: Entry, base: Entry, year: number): string | null {
  if (entry.kind !== 'stat' || base.kind !== 'stat') return null;
  const part = entry.stats.find((s) => s.year === year && s.column === TOTAL);
  const whole = base.stats.find((s) => s.year === year && s.column === TOTAL);
  if (!part || !whole || whole.value <= 0 || part.approximate || whole.approximate || part.value > whole.value) return null;
  const share = Math.round((part.value / whole.value) * 1000) / 10;
  const label = (s: Statistic) => s.item.replace(/^[一二三四五六七八九十]+[、.．]\s*/, '');
  return `比例：${part.item} ${part.value}，占“${label(whole)}”${whole.value} 的 ${share}%${part.value === whole.value ? '（全部）' : ''}（按报告数字计算：${part.value} ÷ ${whole.value}）`;
}

/** "平均每个多少", "平均一个项目花多少钱": an average asked. */
export const AVERAGE = /平均/;

/**
 * "平均每个项目多少钱" of a row holding one amount and one count of the same year (政府集中采购:
 * 采购总金额 33.99 万元, 采购项目数量 20): the amount divided by the count, said to be computed,
 * since the report prints no average. Null for any other row (an average of what the report does
 * not hold, "平均办理时长", stays unheld).
 */
export function averageLine(entry: Entry, year: number | undefined): string | null {
  if (entry.kind !== 'stat' && entry.kind !== 'figure') return null;
  const at = year ?? Math.max(...entry.stats.map((s) => s.year));
  const row = entry.stats.filter((s) => s.year === at && !/增\/?减|增减|上一年/.test(s.column));
  const money = row.filter((s) => s.unit === '万元' || s.unit === '元');
  const counts = row.filter((s) => s.unit === null && s.column !== TOTAL);
  if (money.length !== 1 || counts.length !== 1) return null;
  const [amount, count] = [money[0]!, counts[0]!];
  if (amount.approximate || count.approximate || !(count.value > 0)) return null;
  const yuan = amount.unit === '万元' ? amount.value * 10000 : amount.value;
  const each = Math.round((yuan / count.value) * 100) / 100;
  const wan = Math.round((yuan / count.value / 100)) / 100;
  const said = amount.unit === '万元' ? `约 ${wan.toFixed(2)} 万元（${each} 元）` : `约 ${each} 元`;
  return `平均：${amount.column} ${amount.value} ${amount.unit} ÷ ${count.column} ${count.value} = 每个${said}（按报告数字计算，报告本身没有列出平均数）`;
}

/** The term the lexicon gives "加起来", "一共是", "合计". */
const TOTAL = '总计';

/** True when the question asks these rows for one total they do not print themselves. */
export function asksSum(entries: readonly Entry[], terms: readonly string[]): boolean {
  if (entries.length < 2 || !terms.includes(TOTAL)) return false;
  return entries.every((e) => (e.kind === 'figure' || e.kind === 'stat') && !e.stats.some((s) => s.column === TOTAL));
}

/** "合计：120 + 30 + 8 = 158 条（按报告所列各项相加）", or null when the parts do not add up. */
export function sumLine(entries: readonly Entry[], year: number): string | null {
  const parts: Statistic[] = [];
  for (const e of entries) {
    if (e.kind !== 'figure' && e.kind !== 'stat') return null;
    const figures = e.stats.filter((s) => s.year === year && !/增\/?减|增减|上一年/.test(s.column));
    if (figures.length !== 1 || figures[0]!.approximate) return null;
    parts.push(figures[0]!);
  }
  const unit = parts[0]!.unit ?? '';
  if (parts.some((p) => (p.unit ?? '') !== unit)) return null;
  const total = Math.round(parts.reduce((sum, p) => sum + p.value, 0) * 100) / 100;
  return `合计：${parts.map((p) => p.value).join(' + ')} = ${total}${unit ? ` ${unit}` : ''}（按报告所列各项相加）`;
}
