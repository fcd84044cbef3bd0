import type { Tokenizer } from '../language/tokenizer.ts';
import { factsOf, holdsYear, type Entry } from './entries.ts';
import type { Reading } from './read.ts';
import type { SearchIndex, Hit } from './search.ts';
import type { Thresholds } from './decide.ts';
import { articleTerms } from '../language/articles.ts';
import { readCues } from '../language/cues.ts';
import type { Homophones } from '../language/homophones.ts';

/**
 * What leaning on the last answer adds: the same kind of entry ("微博呢" after a figure; a table
 * row and a narrative figure are the same kind of answer), the same table, and for a topic the
 * topic itself (a figure's follow-ups are slots, read in conversation.ts).
 */
function leanBonus(e: Entry, lean: Lean | null): number {
  if (lean === null) return 0;
  let bonus = e.kind === lean.kind || (isFigures(e.kind) && isFigures(lean.kind)) ? 0.12 : 0;
  if (lean.section != null && sectionOf(e) === lean.section) bonus += 0.04;
  if (e.id === lean.entry && !isFigures(e.kind)) bonus += 0.08;
  return bonus;
}

/** A figure answers: a count or amount is asked, a change, or a figure is quoted back. */
export function asksFigure(r: Reading): boolean {
  return r.cues.quantity || r.compare !== null || r.cues.figureStated;
}

/** What an elliptical follow-up leans towards: the kind and table of the entry answered before. */
export interface Lean {
  kind: Entry['kind'];
  /** The report section of the figure answered before ("三、…"), or null. */
  section: string | null;
  /** The entry answered before: "对外公布呢" after a topic is often answered by that topic. */
  entry: string;
}

/** A count asked for in so many words: the figure answers, whatever else the question asks. */
const EXPLICIT_COUNT = /件数|多少件|几件|多少起|几起|多少宗|具体数字|具体数|具体多少/;

export const CONTACT_TITLE = /联系|电话|地址|网址|网站|门户|办公时间/;

/**
 * The same kind of entry matched by the same terms, as `${kind}|${matched.join('/')}` compares
 * them: term by term, unless a term is empty or holds the "/" that joins them.
 */
export function sameMatch(a: Pick<Hit, 'entry' | 'matched'>, b: Pick<Hit, 'entry' | 'matched'>): boolean {
  if (a.entry.kind !== b.entry.kind) return false;
  const x = a.matched;
  const y = b.matched;
  if (x.length === y.length && x.every((t, i) => t === y[i])) return true;
  // Without "/" or empty terms the joined strings differ whenever the terms do.
  if (x.every(plainTerm) && y.every(plainTerm)) return false;
  return x.join('/') === y.join('/');
}

function plainTerm(t: string): boolean {
  return t !== '' && !t.includes('/');
}

/**
 * 0 … n - 1 in the order `compare` gives them, as a stable sort would: by insertion, which for the
 * dozen hits ranked costs less than setting up the built-in sort.
 */
function sortedBy(n: number, compare: (a: number, b: number) => number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let at = i;
    while (at > 0 && compare(out[at - 1]!, i) > 0) {
      out[at] = out[at - 1]!;
      at--;
    }
    out[at] = i;
  }
  return out;
}

const ARTICLE = /^第\d+[条项]$/;

/** The articles a question cites (第16条, 第5项), among its terms. */
function citedArticles(terms: readonly string[]): readonly string[] {
  let cited: string[] | null = null;
  for (const t of terms) if (t.startsWith('第') && ARTICLE.test(t)) (cited ??= []).push(t);
  return cited ?? NONE;
}

const NONE: readonly string[] = Object.freeze([]);

/** Table rows and narrative figures both answer with numbers. */
export function isFigures(kind: Entry['kind']): kind is 'stat' | 'figure' {
  return kind === 'stat' || kind === 'figure';
}

export function holdsFigures(entry: Entry): entry is Extract<Entry, { kind: 'stat' | 'figure' }> {
  return isFigures(entry.kind);
}

/** The report section a figure entry belongs to. */
export function sectionOf(entry: Entry): string | null {
  return holdsFigures(entry) ? (entry.stats[0]!.section.slice(0, 2) ?? null) : null;
}

/** The units a figure entry's figures are counted in ("次", "人次", "万元"). */
export function unitsOf(entry: Entry): readonly string[] {
  return holdsFigures(entry) ? factsOf(entry).units : NONE;
}

/** True when an entry holds a sum of money (a 金额 column or a figure in 元). */
export function holdsMoney(entry: Entry): boolean {
  return holdsFigures(entry) && factsOf(entry).money;
}

/**
 * Orders the index's candidates for one reading: the question's cues (a count wants a figure, a
 * procedure a guide topic), the unit asked, quoted phrases, the report's own order for rows the
 * question does not tell apart, and the lean of a follow-up.
 */
export class Ranker {
  private readonly order = new Map<string, number>();
  private readonly entryById = new Map<string, Entry>();
  /** The raw text of passages and topics, for phrases a resident quotes. */
  private readonly texts = new Map<string, string>();
  /** The rows of each group of a table ("（三）不予公开"), in the report's order. */
  private readonly groups = new Map<string, Entry[]>();
  /** The articles each topic's basis cites (第16条). */
  private readonly articles = new Map<string, string[]>();
  /** Topics asked about time: half or more of their ways of asking ask how long ("多久答复"). */
  private readonly timeTopics = new Set<string>();
  private readonly keyWordSets = new WeakMap<Entry, ReadonlySet<string>>();

  constructor(
    private readonly index: SearchIndex,
    private readonly tokenizer: Tokenizer,
    entries: readonly Entry[],
    private readonly thresholds: Thresholds,
    /** Entries holding a figure the report contradicts itself on (validator findings). */
    private readonly contradicted: ReadonlySet<string> = new Set(),
    private readonly homophones: Homophones | null = null,
    /** Phrases of asking, never mistyped terms ("换算成元", "多少人次"): the lexicon's unit words. */
    private readonly asking: readonly string[] = [],
  ) {
    entries.forEach((e, i) => {
      this.order.set(e.id, i);
      this.entryById.set(e.id, e);
      const group = holdsFigures(e) ? e.stats[0]!.group : null;
      if (group) this.groups.set(group, [...(this.groups.get(group) ?? []), e]);
      if (e.kind === 'passage') this.texts.set(e.id, e.passages.map((p) => `${p.heading}${p.text}`).join(''));
      if (e.kind === 'guide') {
        this.texts.set(e.id, `${e.topic.title}${e.topic.summary}${e.topic.detail}`);
        // Articles and their items ("第二十条第（五）项" rests on 第20条 and 第5项).
        this.articles.set(e.id, articleTerms(e.topic.basis).filter((t) => t.endsWith('条') || t.endsWith('项')));
        const asks = e.topic.questions;
        if (asks.length && asks.filter((q) => readCues(q).time).length * 2 >= asks.length) this.timeTopics.add(e.id);
      }
    });
  }

  /**
   * "报告是不是瞎填的 收了10件 总计怎么是0": whether the report's figures agree, asked of the
   * report's figures without naming a row that disagrees: the rows it contradicts itself on, the
   * best ranked first, else in the report's order. Empty when the figures agree throughout.
   */
  contradictions(hits: readonly Hit[]): Entry[] {
    const ranked = hits.filter((h) => this.contradicted.has(h.entry.id)).map((h) => h.entry);
    const rest = [...this.order.keys()].filter((id) => this.contradicted.has(id) && !ranked.some((e) => e.id === id));
    return [...ranked, ...rest.map((id) => this.entryById.get(id)!)];
  }

  /** True when the terms hold every word of the entry's name ("行政处罚", not "部分" of "部分公开"). */
  names(entry: Entry, terms: readonly string[]): boolean {
    const name = entry.keys[0] ?? [];
    return name.length > 0 && name.every((w) => terms.includes(w) || this.tokenizer.isStopword(w));
  }

  /** True when the entry holds the term. */
  holds(entry: Entry, term: string): boolean {
    return this.index.holds(entry.id, term);
  }

  /** True when some entry holds the term. */
  knows(term: string): boolean {
    return this.index.has(term);
  }

  /**
   * "没公开的有几个": the rows of one group ("（三）不予公开" has eight) tie when the question names
   * the group and none of its rows; they are answered together, every row of the group.
   */
  wholeGroup(hits: readonly Hit[], top: Hit): Entry[] | null {
    const group = holdsFigures(top.entry) ? top.entry.stats[0]!.group : null;
    if (!group) return null;
    const tied = hits.filter((h) => top.score - h.score < 0.005 && holdsFigures(h.entry) && h.entry.stats[0]!.group === group);
    if (tied.length < 2) return null;
    return (this.groups.get(group) ?? []).filter((e) => e !== top.entry);
  }

  /**
   * Adds, for a mistyped phrase, the knowledge-base term it is closest to ("行政墙制" → 行政强制);
   * `windows` are the phrases as typed.
   */
  correctTypos(r: Reading): { terms: string[]; windows: string[] } {
    const windows: string[] = [];
    const terms = [...r.terms];
    if (r.terms.every((t) => this.index.has(t))) return { terms, windows };
    // Only words jieba made up itself (tag x) and the knowledge base does not hold are taken for
    // mistyped: "徐可有" of "行政徐可有多少", "采够", "申清". A real word the documents do not use
    // ("长时间", "打车") is the resident's own word, not a typo.
    const text = r.text;
    const tried = new Set<string>();
    let at = 0;
    for (const word of r.words) {
      const start = at;
      at += word.length;
      if (!/^[\p{Script=Han}]{2,}$/u.test(word) || this.tokenizer.known(word) || this.index.has(this.tokenizer.canonical(word)) || this.tokenizer.isStopword(word)) continue;
      // A real word the documents do not use may still be a term heard wrong, inside a longer
      // stretch that sounds like one ("政务服务中兴" → 政务服务中心).
      if (!this.tokenizer.madeUp(word)) {
        // Two characters: a piece of a longer term heard wrong; a longer real word is itself.
        const heard = word.length === 2 ? this.homophones?.near(text, start, start + word.length, 4) : null;
        if (heard && !terms.includes(heard.term)) {
          terms.push(heard.term);
          windows.push(heard.window);
        }
        continue;
      }
      // Nor a piece of how the question asks ("成元" of "换算成元").
      if (this.asking.some((a) => a.includes(word) && text.includes(a))) continue;
      // A word written by its sound first ("采够" → 采购), then one mistyped by a character.
      const heard = this.homophones?.near(text, start, start + word.length);
      if (heard && !terms.includes(heard.term)) {
        terms.push(heard.term);
        windows.push(heard.window);
        continue;
      }
      // The mistyped term is the word with at most two characters around it ("行政" + "徐可").
      let found = false;
      const cover = Math.max(2, word.length - 1);
      for (let len = Math.min(6, word.length + 2); len >= 3 && !found; len--) {
        for (let from = Math.max(0, start - len + cover); from <= start + word.length - cover && !found; from++) {
          if (Math.min(start + word.length, from + len) - Math.max(start, from) < cover) continue;
          const window = text.slice(from, from + len);
          if (window.length !== len || !/^[\p{Script=Han}]+$/u.test(window) || tried.has(window)) continue;
          tried.add(window);
          const fixed = this.index.correct(window);
          if (fixed && !terms.includes(fixed)) {
            terms.push(fixed);
            windows.push(window);
            found = true;
          }
        }
      }
    }
    return { terms, windows };
  }

  rank(terms: readonly string[], r: Reading, lean: Lean | null = null): Hit[] {
    // A table row and a narrative figure are the same kind of answer to "微博呢".
    // A follow-up's lean can lift an entry from far down ("网站呢" after a figure: the figure
    // of the portal scores below a dozen passages that mention the portal): take more of them.
    // The hits are the index's own, made for this search: their scores are set in place.
    const hits = this.index.search(terms, lean ? 32 : 12, this.thresholds.answer);
    const cited = citedArticles(r.terms);
    for (const h of hits) h.score = h.score + this.cueBonus(h.entry, r, cited) + leanBonus(h.entry, lean) + this.quoteBonus(h.entry, r);
    // "有多少申请被拒绝了" asks for a count: when a figure can answer, it goes before procedures.
    // A procedure's words ("是否存在…") give way when the count itself is asked for ("请给出具体件数").
    if ((asksFigure(r) || (r.cues.money && hits.some((h) => holdsMoney(h.entry)))) && (!r.cues.procedure || EXPLICIT_COUNT.test(r.text))) {
      // The best figure after the cues (the unit asked among them), not the first the index found:
      // "培训了几次" lifts the 4 次, not the 100 人次 that matched the words a little better.
      const lead = hits.reduce<Hit | undefined>((a, h) => (isFigures(h.entry.kind) && (!a || h.score > a.score) ? h : a), undefined);
      if (lead && lead.score >= this.thresholds.answer - 0.1) {
        let top = -Infinity;
        for (const h of hits) top = Math.max(top, h.score);
        lead.score = Math.max(lead.score, top + 0.001);
      }
    }
    // Rows the question tells apart by nothing ("有多少人申请": 本年新收 or 上年结转?) are taken in
    // the report's own order, so the table's leading row answers.
    // The first hit of each kind and matched terms, found by comparing with the few kept (no
    // key string built and hashed per hit).
    const best: Hit[] = [];
    // Each hit's place in the report's order, looked up once for both sorts (the hits are of
    // distinct entries: either order is total).
    const order = hits.map((h) => this.order.get(h.entry.id)!);
    for (const i of sortedBy(hits.length, (a, b) => order[a]! - order[b]!)) {
      const h = hits[i]!;
      const first = best.find((f) => sameMatch(f, h));
      if (!first) best.push(h);
      // The unit asked tells rows apart too ("培训了几次": 4 次, not 100 人次).
      else if (isFigures(h.entry.kind) && Math.abs(first.score - h.score) < 0.1 && this.unitBonus(first.entry, r) === this.unitBonus(h.entry, r)) {
        const top = Math.max(first.score, h.score);
        first.score = top;
        h.score = top - 0.001;
      }
    }
    return sortedBy(hits.length, (a, b) => hits[b]!.score - hits[a]!.score || order[a]! - order[b]!).map((i) => hits[i]!);
  }

  private cueBonus(entry: Entry, r: Reading, cited: readonly string[]): number {
    const { quantity, procedure, contact, narrative, money, basis } = r.cues;
    switch (entry.kind) {
      case 'stat':
      case 'figure': {
        const figures = asksFigure(r);
        // "总计和予以公开是不是矛盾": the rows the report disagrees with itself on. A message that
        // asks for no figure at all ("说我是重复申请不给处理") is rarely answered by one, nor is one
        // asking a time limit without a count ("复议有没有时间限制").
        return (r.cues.consistency && this.contradicted.has(entry.id) ? 0.25 : 0) + (figures ? 0.15 : 0) + (r.years.length ? 0.04 : 0) - ((procedure || r.cues.time) && !figures ? 0.08 : 0) - (!figures && !r.years.length && !r.cues.consistency ? 0.06 : 0) + this.unitBonus(entry, r) + (money && holdsMoney(entry) ? 0.1 : 0) - (r.cues.reported && !figures ? 0.25 : 0);
      }
      case 'guide':
        return (procedure ? 0.06 : 0) + (contact && CONTACT_TITLE.test(entry.topic.title) ? 0.1 : 0) - (quantity ? 0.1 : 0) + (basis ? 0.04 : 0) + (r.cues.time && this.timeTopics.has(entry.id) ? (r.cues.urgent ? 0.2 : 0.05) : 0) + this.citationBonus(entry, cited);
      case 'passage':
        // "主要做法有哪几条": the passage that lists the parts answers, not one of them.
        // A complaint ("态度太差", "凭什么") is answered by the ways to contest, not by the report's narrative.
        return (narrative ? 0.04 : -0.04) - (quantity ? 0.1 : 0) - (r.cues.complaint ? 0.3 : 0) + (r.cues.list && entry.points.length > 0 ? 0.1 : 0) - this.otherHalfAsked(entry, r);
    }
  }

  /**
   * "这块有什么问题" asks the problems, not the plan: a passage speaking of one half of its section's
   * title gives way when the question names only the other half.
   */
  private otherHalfAsked(entry: Extract<Entry, { kind: 'passage' }>, r: Reading): number {
    const other = entry.otherHalf;
    if (!other?.length || !other.some((w) => r.terms.includes(w))) return 0;
    return entry.keys[1]!.some((w) => r.terms.includes(w)) ? 0 : 0.15;
  }

  /** "培训了几次" and "培训了多少人次" ask for different figures of the same sentence. */
  private unitBonus(entry: Entry, r: Reading): number {
    if (!r.unit || r.unit === '金额') return 0;
    const units = unitsOf(entry);
    if (units.length === 0) return 0;
    return units.includes(r.unit) ? 0.08 : -0.08;
  }

  /**
   * "《条例》第十六条所称过程性信息" cites the article a topic rests on: the fewer other articles
   * (and items) the topic rests on, and the fewer cited that it does not, the more the citation
   * names it.
   */
  private citationBonus(entry: Extract<Entry, { kind: 'guide' }>, cited: readonly string[]): number {
    if (cited.length === 0) return 0;
    const own = this.articles.get(entry.id) ?? [];
    if (own.length === 0) return 0;
    // Against what is cited too: "第二十条第（五）项" names the topic resting on both, more than
    // the one resting on 第二十条 alone.
    const held = cited.filter((t) => own.includes(t)).length;
    // Cited exactly as the topic rests on it ("第二十条第（五）项" for the topic on that item).
    const exact = held === own.length && held === cited.length ? 0.12 : 0;
    // "第五十一条规定了什么": the topic whose basis cites the article first rests on it; the others
    // (a time limit citing it for the remedy at its end) only mention it.
    const primary = cited.length === 1 && own[0] === cited[0] ? 0.15 : 0;
    return (0.12 * held) / Math.max(own.length, cited.length) + exact + primary;
  }

  /**
   * How a guide topic rests on the articles a question cites: 'own' when it rests on exactly
   * them or on the one cited first of all its basis, 'mentions' when its basis cites some of
   * them, null when none (or the question cites none).
   */
  restsOn(entry: Entry, r: Reading): 'own' | 'mentions' | null {
    const cited = r.terms.filter((t) => /^第\d+[条项]$/.test(t));
    if (cited.length === 0 || entry.kind !== 'guide') return null;
    const own = this.articles.get(entry.id) ?? [];
    if ((cited.length === 1 && own[0] === cited[0]) || (own.length === cited.length && cited.every((t) => own.includes(t)))) return 'own';
    return cited.some((t) => own.includes(t)) ? 'mentions' : null;
  }

  private quoteBonus(entry: Entry, r: Reading): number {
    if (r.quoted.length === 0) return 0;
    const text = this.texts.get(entry.id);
    return text && r.quoted.some((q) => text.includes(q)) ? 0.2 : 0;
  }

  /**
   * The same figure can be worded differently from one year's report to the next ("共组织、参加各类
   * 政务公开培训" / "共组织政务公开培训"), making two entries. When the best one lacks the year
   * asked, a nearly as good one that has it answers instead.
   */
  withYear(hits: readonly Hit[], years: readonly number[]): Hit | undefined {
    const top = hits[0];
    const year = years[0];
    if (!top || year === undefined || this.hasYear(top.entry, year)) return top;
    // Good enough to answer on its own, and holding every word the best one matched.
    const words = top.matched.filter((t) => t.length > 1 && !this.tokenizer.isWeak(t));
    const alike = (h: Hit) => h.entry.kind === top.entry.kind && words.every((t) => h.matched.includes(t));
    return hits.find((h) => h.score >= this.thresholds.answer && alike(h) && this.hasYear(h.entry, year)) ?? top;
  }

  hasYear(entry: Entry, year: number): boolean {
    return holdsYear(entry, year);
  }

  /**
   * The other figures a question asks for together with the best one: rows that match exactly as
   * well ("行政诉讼" has two), and, when the question asks for several things ("网站、微信、微博
   * 分别发了多少条", "规章和规范性文件各几件"), the rows naming the words the best one leaves out.
   */
  also(hits: readonly Hit[], top: Hit, r: Reading): Entry[] {
    const first = top.entry;
    if (!holdsFigures(first)) return [];
    const group = this.wholeGroup(hits, top);
    if (group) return group;
    const section = first.stats[0]!.section;
    const out = hits
      .filter((h) => h !== top)
      .slice(0, 2)
      .filter((h) => h.entry.kind === first.kind && top.score - h.score < 0.005 && holdsFigures(h.entry) && h.entry.stats[0]!.section === section)
      .map((h) => h.entry);
    // "网站 公众号 微博 都发了多少条": figures of the report's text, each named by a word of its
    // own, are asked together even without 分别 or 各.
    if (!r.cues.plural && !(first.kind === 'figure' && r.cues.quantity)) return out;
    const covered = new Set(this.naming(top));
    for (const { hit: h, naming } of this.byNaming(hits)) {
      if (h === top || out.includes(h.entry) || out.length >= 3) continue;
      // Rows of the same kind: "三个加起来" names no table row ("（七）总计") among channel figures.
      if (!holdsFigures(h.entry) || h.entry.kind !== first.kind || h.score < this.thresholds.suggest) continue;
      const own = naming.filter((t) => !covered.has(t));
      if (own.length === 0) continue;
      out.push(h.entry);
      for (const t of own) covered.add(t);
    }
    return out;
  }

  /** The words of the question that name a hit's entry. */
  private naming(h: Hit): string[] {
    const own = this.keyWords(h.entry);
    return h.matched.filter((t) => t.length > 1 && !this.tokenizer.isWeak(t) && own.has(t));
  }

  /** The words of an entry's keys and their parts, gathered once per entry (a topic has dozens of keys). */
  private keyWords(entry: Entry): ReadonlySet<string> {
    let words = this.keyWordSets.get(entry);
    if (!words) {
      words = new Set([...entry.keys.flat(), ...(entry.parts ?? [])]);
      this.keyWordSets.set(entry, words);
    }
    return words;
  }

  /**
   * Hits naming more of the question first ("网站发布" before "网站浏览量" for "网站发了多少条"), then
   * by score, each with its naming words (worked out once per hit, not per comparison).
   */
  private byNaming(hits: readonly Hit[]): Array<{ hit: Hit; naming: string[] }> {
    return hits.map((hit) => ({ hit, naming: this.naming(hit) })).sort((a, b) => b.naming.length - a.naming.length || b.hit.score - a.hit.score);
  }

  /**
   * "官网、公众号和微博发布信息数量分别是多少" when a topic scored first: a count asked of several
   * figures of the report's text, each named by a word of its own, is answered by them all.
   */
  several(hits: readonly Hit[], r: Reading): Entry[] | null {
    // "官网…分别是多少": a count, though 官网 reads as a contact too.
    if (!(r.cues.quantity || (r.cues.plural && /多少|几/.test(r.text))) || r.cues.money) return null;
    const covered = new Set<string>();
    const out: Entry[] = [];
    for (const { hit: h, naming } of this.byNaming(hits)) {
      if (h.entry.kind !== 'figure' || h.score < this.thresholds.suggest || out.length >= 3) continue;
      const own = naming.filter((t) => !covered.has(t));
      if (own.length === 0) continue;
      out.push(h.entry);
      for (const t of own) covered.add(t);
    }
    return out.length >= 2 ? out : null;
  }
}
