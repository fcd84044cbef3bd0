import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Finding, Statistic } from '../knowledge/types.ts';
import type { Tokenizer } from '../language/tokenizer.ts';
import { bareLabel, type Entry } from './entries.ts';
import { figure, fit, rowText, sourceLine, wayOn, type Composed } from './compose.ts';
import type { Reading } from './read.ts';

/**
 * Composes the answer to a statistics question: the rows of the year asked (or the two years
 * compared), the change against the previous year, the report's own inconsistencies, the source.
 */
export class StatisticComposer {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly tokenizer: Tokenizer,
    /** The years of all reports, oldest first. */
    private readonly years: number[],
    /** Columns answered first when the question names none (the lexicon's 主列). */
    private readonly primary: readonly string[] = [],
  ) {}

  private readonly columnWords = new Map<string, string[]>();

  /** Words of a column label ("采购总金额"), cut once: every statistic answer looks them up. */
  columnTerms(column: string): string[] {
    let terms = this.columnWords.get(column);
    if (!terms) {
      terms = this.tokenizer.terms(column);
      this.columnWords.set(column, terms);
    }
    return terms;
  }

  /** The columns the question names of these rows (what `compose` puts first), as one string. */
  askedColumns(entries: Entry[], u: Pick<Reading, 'terms'> & Partial<Pick<Reading, 'cues'>>): string {
    const askedTerms = new Set(u.terms);
    const columns = new Set<string>();
    for (const e of entries) {
      if (e.kind !== 'stat' && e.kind !== 'figure') continue;
      for (const column of this.indexed(e.stats).columns) {
        if (columns.has(column)) continue;
        if (this.names(column, askedTerms, u.cues?.money)) columns.add(column);
      }
    }
    return [...columns].sort().join('|');
  }

  /** The question names the column ("个人", "金额"); an amount asked picks the amount column. */
  private names(column: string, askedTerms: ReadonlySet<string>, money: boolean | undefined): boolean {
    return this.columnTerms(column).some((t) => askedTerms.has(t)) || (!!money && /金额/.test(column));
  }

  /** The columns the question names of these rows, as a set (see `askedColumns`). */
  askedSet(entries: Entry[], u: Pick<Reading, 'terms'> & Partial<Pick<Reading, 'cues'>>): Set<string> {
    return new Set(this.askedColumns(entries, u).split('|').filter(Boolean));
  }

  /** The figures of one or more rows for the year(s) asked, or null when a year is not recorded. */
  compose(entries: Entry[], years: number[], u: Pick<Reading, 'terms' | 'compare'> & Partial<Pick<Reading, 'cues' | 'unit'>>, note: string): Composed | null {
    const stats = new Figures(entries.flatMap((e) => (e.kind === 'stat' || e.kind === 'figure' ? [this.indexed(e.stats)] : [])));
    const available = stats.years();
    const askedTerms = new Set(u.terms);
    // The columns the question names ("个人", "金额"); an amount asked picks the amount column.
    const asked = new Set(stats.columns().filter((c) => this.names(c, askedTerms, u.cues?.money)));
    // The figure asked comes first: the named columns, else the row's main measure.
    const first = asked.size ? asked : new Set(stats.columns().filter((c) => this.primary.includes(c)));
    const lines: string[] = [];
    let year: number;
    /** Set when the change asked for cannot be given: the reply then does not claim to answer. */
    let incomparable = '';
    if (u.compare === 'between' && years.length >= 2) {
      const [a, b] = [years[0]!, years[1]!];
      if (!available.includes(a)) return null;
      if (!available.includes(b)) return null;
      // "2020年比2019年多了多少": the first year named is the one compared.
      lines.push(...this.rows(stats, a, first).map((r) => `${a}年 ${r}`), ...this.rows(stats, b, first).map((r) => `${b}年 ${r}`), ...this.differences(stats, b, a, asked));
      year = a;
    } else {
      // "2019年和2020年各是多少" with only 2019 held: the year held is answered, the others said
      // to be 未收录 (a year read from the next report's 上一年 column counts as held).
      const held = years.filter((y) => available.includes(y) || stats.of(y + 1).some((s) => /^上一年/.test(s.column)));
      const missing = held.length ? years.filter((y) => !held.includes(y)) : [];
      if (missing.length) note = `${note}（${missing.map((y) => `${y}年`).join('、')}的报告未收录，目前收录的年度报告：${this.years.map((y) => `${y}年`).join('、')}。）\n`;
      year = held[0] ?? years[0] ?? available.at(-1)!;
      if (!available.includes(year)) return this.fromNextReport(stats, year, note);
      const unnamed = years.length === 0 && this.years.length > 0 ? `（未指明年份，按${year === this.years.at(-1) ? '最新的' : '收录的'} ${year} 年报告回答）` : '';
      lines.push(...this.rows(stats, year, first));
      if (u.compare === 'previous' && !stats.of(year).some((s) => /增\/?减|增减/.test(s.column))) {
        if (available.includes(year - 1)) lines.push(this.differences(stats, year - 1, year, asked).join('\n'));
        else incomparable = `${year - 1} 年的数字未收录，无法与上一年比较。`;
      }
      if (unnamed) lines.unshift(unnamed);
    }
    const shown = stats.all.filter((s) => s.year === year || (u.compare === 'between' && years.includes(s.year)));
    const notes = this.inconsistencies(shown);
    const warning = notes.length ? `\n注意：报告原文此处数字前后不一致，请以原文和各分项为准：${notes.join('；')}` : '';
    const heading = u.compare === 'between' && years.length >= 2 ? `${years[0]}年与${years[1]}年` : `${year}年`;
    // "换算成元" of a figure in 万元: the same figure in the unit asked, exactly.
    const converted = u.unit === '元' ? lines.map((l) => l.replace(/(\d+(?:\.\d+)?) 万元/g, (m, n: string) => `${m}（即 ${Math.round(Number(n) * 10000)} 元）`)) : lines;
    if (incomparable) {
      const body = `${note}${incomparable}\n${heading}，${shown[0]!.body}：\n${converted.join('\n')}\n${wayOn(this.kb.contacts)}`;
      return { ...fit(body, ''), sources: [], answered: false };
    }
    const body = `${note}${heading}，${shown[0]!.body}：\n${converted.join('\n')}${warning}`;
    const sources = [
      ...new Map(
        shown.map((s) => {
          const section = s.article ? `${s.source.section}·${s.article}` : s.source.section;
          return [`${s.source.document}|${section}`, { ...s.source, section }] as const;
        }),
      ).values(),
    ];
    return { ...fit(body, sourceLine(sources)), sources, answered: true };
  }

  /**
   * A year before the first report: the next year's report gives some rows' 上一年 figure
   * ("上一年项目数量"), which is that year's. Anything else of that year is not recorded (null).
   */
  private fromNextReport(stats: Figures, year: number, note: string): Composed | null {
    const next = stats.of(year + 1).filter((s) => /^上一年/.test(s.column));
    if (next.length === 0) return null;
    const lines = next.map((s) => `${bareLabel(s.item)}：${year}年的${s.column.replace(/^上一年/, '')} ${figure(s)}（见${year + 1}年报告“${s.column}”一栏）`);
    const sources = [...new Map(next.map((s) => [s.source.document, { ...s.source, section: s.article ? `${s.source.section}·${s.article}` : s.source.section }])).values()];
    const body = `${note}${year}年的报告未收录；${year + 1}年报告记有上一年（${year}年）的数字：\n${lines.join('\n')}`;
    return { ...fit(body, sourceLine(sources)), sources, answered: true };
  }

  /** True when a figure of the entry is one the report contradicts itself on. */
  contradicted(entry: Entry): boolean {
    return (entry.kind === 'stat' || entry.kind === 'figure') && this.inconsistencies(this.preferredBody(entry.stats)).length > 0;
  }

  private rows(stats: Figures, year: number, asked: Set<string>): string[] {
    const byItem = new Map<string, Statistic[]>();
    for (const s of stats.of(year)) {
      const key = `${s.group ?? ''}|${s.item}`;
      byItem.set(key, [...(byItem.get(key) ?? []), s]);
    }
    // Several rows of one group ("（三）不予公开" has eight) are one line of their totals.
    const groups = new Map<string, Statistic[][]>();
    for (const row of byItem.values()) {
      const g = row[0]!.group;
      if (g) groups.set(g, [...(groups.get(g) ?? []), row]);
    }
    const out: string[] = [];
    const done = new Set<string>();
    for (const row of byItem.values()) {
      const g = row[0]!.group;
      const members = g ? groups.get(g)! : [];
      if (g && members.length >= 3) {
        if (done.has(g)) continue;
        done.add(g);
        out.push(groupText(g, members, asked));
        continue;
      }
      out.push(row[0]!.kind === 'narrative' ? `${row[0]!.item} ${figure(row[0]!)}` : rowText(row, asked));
    }
    return out;
  }

  /** The difference between two years' figures, with both figures shown. */
  private differences(stats: Figures, from: number, to: number, asked: Set<string>): string[] {
    const out: string[] = [];
    // The first figure of the earlier year for each row and column, as a search from the start finds it.
    const before = new Map<string, Statistic>();
    for (const s of stats.of(from)) {
      const key = `${s.item}\u0000${s.column}\u0000${s.group ?? '\u0001'}`;
      if (!before.has(key)) before.set(key, s);
    }
    for (const b of stats.of(to).filter((s) => !/增\/?减|增减/.test(s.column))) {
      if (asked.size && !asked.has(b.column)) continue;
      const a = before.get(`${b.item}\u0000${b.column}\u0000${b.group ?? '\u0001'}`);
      if (!a) continue;
      const d = Math.round((b.value - a.value) * 100) / 100;
      const label = `${bareLabel(b.item)}${b.column ? `·${b.column}` : ''}`;
      out.push(`${label}：${to}年 ${figure(b)}，${from}年 ${figure(a)}，${d === 0 ? '持平' : `${to}年比${from}年${d > 0 ? '多' : '少'} ${Math.abs(d)}${b.unit ? ` ${b.unit}` : ''}`}`);
    }
    return out.length ? out : [`${from} 年与 ${to} 年没有可比的同项数字。`];
  }

  private readonly bodyStats = new WeakMap<Statistic[], Statistic[]>();
  private readonly byYear = new WeakMap<Statistic[], YearIndex>();

  /** The main body's figures of an entry, by year and with their columns, indexed once. */
  private indexed(stats: Statistic[]): YearIndex {
    let index = this.byYear.get(stats);
    if (!index) {
      const all = this.preferredBody(stats);
      const years = new Map<number, Statistic[]>();
      for (const s of all) {
        const list = years.get(s.year);
        if (list) list.push(s);
        else years.set(s.year, [s]);
      }
      index = { all, years, columns: [...new Set(all.map((s) => s.column))] };
      this.byYear.set(stats, index);
    }
    return index;
  }

  /** The main body's figures of an entry, picked once: with many reports an entry holds hundreds. */
  private preferredBody(stats: Statistic[]): Statistic[] {
    let picked = this.bodyStats.get(stats);
    if (!picked) {
      const main = this.kb.contacts.body;
      picked = stats.some((s) => s.body === main) ? stats.filter((s) => s.body === main) : stats;
      this.bodyStats.set(stats, picked);
    }
    return picked;
  }

  private readonly notes = new Map<Statistic, string[]>();

  /** Validator findings about a figure shown, so the reply says the source disagrees with itself. */
  private inconsistencies(shown: Statistic[]): string[] {
    const notes = new Set<string>();
    for (const s of shown) {
      let list = this.notes.get(s);
      if (!list) {
        list = this.kb.findings.filter((f) => f.level !== 'info' && relates(f, s)).map((f) => f.message);
        this.notes.set(s, list);
      }
      for (const n of list) notes.add(n);
    }
    // The sum-of-parts message says most plainly what disagrees; show it first.
    return [...notes].sort((a, b) => Number(b.includes('各项之和')) - Number(a.includes('各项之和'))).slice(0, 2);
  }

}

/** The rows of one group by one column each (the one asked, else 总计): "（三）不予公开：属于国家秘密 0，…". */
function groupText(group: string, rows: Statistic[][], asked: Set<string>): string {
  const column = rows[0]!.find((s) => asked.has(s.column))?.column ?? (rows[0]!.some((s) => s.column === '总计') ? '总计' : rows[0]![0]!.column);
  const cells = rows.map((row) => row.find((x) => x.column === column) ?? row[0]!);
  // Every row of the group zero: said plainly, as a zero row is (see rowText).
  if (cells.every((s) => s.value === 0)) return `${group}（${column}）：均为 0（${cells.map((s) => bareLabel(s.item)).join('、')}）`;
  return `${group}（${column}）：${cells.map((s) => `${bareLabel(s.item)} ${figure(s)}`).join('，')}`;
}

function relates(f: Finding, s: Statistic): boolean {
  if (f.document !== s.source.document) return false;
  const text = `${f.location} ${f.message}`;
  return text.includes(s.item) && (s.column === '' || text.includes(s.column)) && /不一致|之和|不等|勾稽/.test(f.message);
}

/** One entry's figures (of the main body), by year, and its columns in order of first appearance. */
interface YearIndex {
  all: Statistic[];
  years: Map<number, Statistic[]>;
  columns: string[];
}

/** The figures of the rows answered together, in the rows' order: by year without a walk over all. */
class Figures {
  constructor(private readonly rows: YearIndex[]) {}

  get all(): Statistic[] {
    return this.rows.length === 1 ? this.rows[0]!.all : this.rows.flatMap((r) => r.all);
  }

  /** The figures of one year, in the order they have among all the rows' figures. */
  of(year: number): Statistic[] {
    return this.rows.flatMap((r) => r.years.get(year) ?? []);
  }

  /** The years held, oldest first. */
  years(): number[] {
    return [...new Set(this.rows.flatMap((r) => [...r.years.keys()]))].sort((a, b) => a - b);
  }

  /** The columns, each once, in order of first appearance. */
  columns(): string[] {
    return this.rows.length === 1 ? this.rows[0]!.columns : [...new Set(this.rows.flatMap((r) => r.columns))];
  }
}
