import { LRUCache } from 'lru-cache';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { Tokenizer } from '../language/tokenizer.ts';
import { bodyNames } from '../language/body-names.ts';
import { yearInChina } from '../language/normalise.ts';
import { buildEntries, type Entry } from './entries.ts';
import { SearchIndex, type Hit } from './search.ts';
import { understand, type Understanding } from './understand.ts';
import { StatisticComposer } from './statistics.ts';
import { fallbackText, fit, guideText, passageText, referencesIn, type Composed } from './compose.ts';
import type { Answer, Intent } from './types.ts';

/** What the engine remembers between two messages of one resident. */
export interface Session {
  entry?: string;
  years?: number[];
  /**
   * How to rebuild the longer text offered on "详细". The text itself is not kept: sessions are
   * written to disk, and a recipe is a few bytes where the text is up to a kilobyte.
   */
  detail?: { entry: string; years: number[]; terms: string[]; compare: Understanding['compare'] };
  suggestions?: string[];
  answer?: string;
  updatedAt?: number;
}

export interface Thresholds {
  /** At or above: answer. */
  answer: number;
  /** At or above (and below `answer`): offer "您是不是想问". Below: fall back. */
  suggest: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { answer: 0.5, suggest: 0.3 };

/**
 * Questions remembered with their reading and ranking. Residents ask the same few questions over
 * and over (and menu clicks are identical), so most messages skip tokenising and searching.
 */
export const READING_CACHE = 4_000;
/** Longer messages are read afresh each time: they are rarely repeated word for word. */
const CACHED_INPUT_LENGTH = 200;
/** "1" after different suggestions answers different entries: each reading keeps a few. */
const CONTENTS_PER_READING = 32;

export interface EngineOptions {
  /** Questions whose reading is kept (default READING_CACHE); 0 reads every message afresh. */
  readingCache?: number;
}

/** How one question reads and what it matches, independent of any session. */
interface Reading {
  u: Understanding;
  /** u.terms with typo corrections added. */
  terms: string[];
  /** Ranked hits by the kind an elliptical follow-up leans towards ("" for none). */
  ranked: Map<string, readonly Hit[]>;
  /** Composed answers by entry, tied entries and years (see Engine.content). */
  content: Map<string, Content | null>;
  /** slotFollowUp by the entry answered before. */
  followUps: Map<string, Entry | null>;
  /** foreignSubject by the hit that would answer. */
  foreign: Map<Hit | undefined, string | null>;
  /** Kept in the cache (and so frozen), or read for this message only. */
  kept: boolean;
}

/** `make()` kept in `map` under `key`, up to CONTENTS_PER_READING keys. */
function remember<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (map.has(key)) return map.get(key)!;
  const value = make();
  if (map.size < CONTENTS_PER_READING) map.set(key, value);
  return value;
}

interface Content {
  c: Composed;
  intent: Intent;
}

/** Names the year a relative word (去年) was read as, ahead of the answer. */
function yearNote(u: Understanding): string {
  return u.relative.map((r) => `（“${r.word}”按 ${r.year} 年理解）`).join('');
}

export interface Reply {
  answer: Answer;
  session: Session;
  /** The longer text behind a shortened answer, offered on "详细". */
  more?: string;
}

const CONTACT_TITLE = /联系|电话|地址|网址|网站|门户/;

/**
 * Turns one message plus the resident's session into a reply and the next session. Knows nothing
 * of channels or storage.
 */
export class Engine {
  readonly tokenizer: Tokenizer;
  readonly index: SearchIndex;
  private readonly entries = new Map<string, Entry>();
  private readonly order = new Map<string, number>();
  readonly years: number[];
  private readonly statistics: StatisticComposer;
  /**
   * Keyed by this year and the raw input: a reading depends on nothing else (relative years such
   * as 去年 resolve against the year), and a new knowledge base makes a new engine and cache.
   */
  private readonly readings: LRUCache<string, Reading> | null;
  /** Messages read afresh and messages whose reading was kept, for the benchmarks. */
  readonly readingStats = { read: 0, kept: 0 };

  constructor(
    readonly kb: KnowledgeBase,
    private readonly today: () => Date = () => new Date(),
    readonly thresholds: Thresholds = DEFAULT_THRESHOLDS,
    options: EngineOptions = {},
  ) {
    const cached = options.readingCache ?? READING_CACHE;
    this.readings = cached > 0 ? new LRUCache({ max: cached }) : null;
    this.tokenizer = new Tokenizer(kb.words, kb.synonyms, bodyNames([kb.contacts.body, ...kb.reports.map((r) => r.body)]));
    const entries = buildEntries(kb, this.tokenizer);
    entries.forEach((e, i) => {
      this.entries.set(e.id, e);
      this.order.set(e.id, i);
    });
    this.index = new SearchIndex(
      entries,
      (t) => this.tokenizer.isWeak(t),
      (w) => this.tokenizer.cut(w).map((p) => this.tokenizer.canonical(p)),
    );
    this.years = [...new Set(kb.reports.map((r) => r.year))].sort((a, b) => a - b);
    this.statistics = new StatisticComposer(kb, this.tokenizer, this.years);
  }

  entry(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  respond(input: string, previous: Session | undefined): Reply {
    const reading = this.read(input);
    const u = reading.u;
    const session: Session = { ...previous };
    delete session.suggestions;

    if (u.social === 'detail') {
      const more = this.detailText(previous);
      if (more) return this.reply({ ...fit(more.text, ''), sources: more.sources, answered: true }, more.intent, 1, { ...session, detail: undefined }, previous?.detail?.entry);
      return this.social('help', '没有更多内容了。您可以直接输入新的问题。', session);
    }
    if (u.option !== null && previous?.suggestions?.length) {
      const id = previous.suggestions[u.option - 1];
      const entry = id ? this.entries.get(id) : undefined;
      if (entry) return this.answerEntry(entry, 1, u, session, [], reading);
      return this.social('clarify', `请回复 1 到 ${previous.suggestions.length} 之间的序号，或直接输入您的问题。`, { ...session, suggestions: previous.suggestions });
    }
    if (u.social === 'empty') return this.social('help', `请输入您想了解的问题。\n${this.helpText()}`, session);
    if (u.social === 'greeting') return this.social('greeting', `您好！我是${this.kb.contacts.body}政府信息公开问答助手。\n${this.helpText()}`, session);
    if (u.social === 'thanks') return this.social('thanks', '不客气！还有其他问题可以随时问我。', session);
    if (u.social === 'help') return this.social('help', this.helpText(), session);
    if (u.social === 'useful' || u.social === 'useless') {
      return this.social('feedback', u.social === 'useful' ? '感谢您的反馈！' : '感谢反馈，我们会改进这个回答。您也可以换个说法再问一次。', session);
    }

    const terms = reading.terms;
    // Both depend on the session only through the entry answered before (or the top hit).
    const followUp = remember(reading.followUps, previous?.entry ?? '', () => this.slotFollowUp(u, terms, previous));
    if (followUp) return this.answerEntry(followUp, 1, u, session, [], reading);

    const hits = this.ranked(reading, this.ellipticalKind(u, previous));
    const top = this.withYear(hits, u.years.length ? u.years : (previous?.years ?? []));
    const foreign = remember(reading.foreign, top, () => this.foreignSubject(u, terms, top));
    if (foreign) {
      // The resident's own words are quoted back, so they are kept short.
      const quoted = foreign.length > 12 ? `${foreign.slice(0, 12)}…` : foreign;
      const intro = `抱歉，“${quoted}”不在我能回答的范围内，我只回答政府信息公开方面的问题。如果您想申请公开与“${quoted}”有关的政府信息，可以问我“怎么申请政府信息公开”。`;
      return this.reply({ ...fit(fallbackText(this.kb.contacts, intro), ''), sources: [], answered: false }, 'out-of-scope', top?.score ?? 0, session);
    }
    if (top && top.score >= this.thresholds.answer) return this.answerEntry(top.entry, top.score, u, session, top === hits[0] ? this.ties(hits) : [], reading);
    if (top && top.score >= this.thresholds.suggest) {
      const suggestions = hits.filter((h) => h.score >= this.thresholds.suggest).slice(0, 3);
      const lines = suggestions.map((h, i) => `${i + 1}. ${h.entry.question}`).join('\n');
      return this.reply(
        { reply: `您是不是想问：\n${lines}\n请回复序号，或换个说法再问。`, sources: [], answered: false },
        'clarify',
        top.score,
        { ...session, suggestions: suggestions.map((h) => h.entry.id) },
      );
    }
    const matchedNothing = terms.every((t) => !this.index.has(t));
    return this.reply(
      { reply: fallbackText(this.kb.contacts), sources: [], answered: false },
      matchedNothing ? 'out-of-scope' : 'unknown',
      top?.score ?? 0,
      session,
    );
  }

  /** Answers one entry directly (a menu click names a guide topic by its id). */
  respondTo(id: string, previous: Session | undefined): Reply | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    return this.answerEntry(entry, 1, understand('', this.tokenizer, this.today()), { ...previous });
  }

  /** How a question is read and ranked: for hit testing by staff. */
  explain(input: string): { terms: string[]; hits: Array<{ id: string; question: string; score: number }>; band: 'answer' | 'suggest' | 'fallback' } {
    const reading = this.read(input);
    const terms = [...reading.terms];
    const ranked = this.ranked(reading, null);
    const hits = ranked.map((h) => ({ id: h.entry.id, question: h.entry.question, score: Math.round(h.score * 1000) / 1000 }));
    const top = ranked[0]?.score ?? 0;
    return { terms, hits, band: top >= this.thresholds.answer ? 'answer' : top >= this.thresholds.suggest ? 'suggest' : 'fallback' };
  }

  helpText(): string {
    const year = this.years.at(-1);
    const examples = [year ? `${year}年行政处罚有多少件？` : null, '怎么申请政府信息公开？', '申请后多久答复？', '政务服务中心电话是多少？']
      .filter(Boolean)
      .map((q) => `· ${q}`)
      .join('\n');
    return `您可以问我：\n${examples}\n回答后回复“有用”或“没用”，帮助我们改进。`;
  }

  /**
   * The question's reading, from the cache when it was asked before this year. Cached readings are
   * frozen: a caller that tried to change one would throw rather than corrupt later answers.
   */
  private read(input: string): Reading {
    const today = this.today();
    const key = this.readings && input.length <= CACHED_INPUT_LENGTH ? `${yearInChina(today)}\u0000${input}` : null;
    const cached = key === null ? undefined : this.readings!.get(key);
    if (cached) {
      this.readingStats.kept++;
      return cached;
    }
    this.readingStats.read++;
    const u = understand(input, this.tokenizer, today);
    const reading: Reading = { u, terms: this.correctTypos(u), ranked: new Map(), content: new Map(), followUps: new Map(), foreign: new Map(), kept: key !== null };
    if (key !== null) {
      deepFreeze(u);
      Object.freeze(reading.terms);
      this.readings!.set(key, reading);
    }
    return reading;
  }

  private ranked(reading: Reading, kind: Entry['kind'] | null): readonly Hit[] {
    let hits = reading.ranked.get(kind ?? '');
    if (!hits) {
      hits = this.rank(reading.terms, reading.u, kind);
      if (reading.kept) deepFreeze(hits);
      reading.ranked.set(kind ?? '', hits);
    }
    return hits;
  }

  /** Replaces a mistyped phrase with the knowledge-base term it is closest to. */
  private correctTypos(u: Understanding): string[] {
    const unknown = u.terms.filter((t) => !this.index.has(t));
    if (unknown.length === 0) return u.terms;
    const terms = [...u.terms];
    const tokens = u.tokens.filter((t) => !/^[\p{P}\p{S}\s]+$/u.test(t));
    for (let i = 0; i < tokens.length; i++) {
      for (let len = 3; len >= 1; len--) {
        const window = tokens.slice(i, i + len).join('');
        if (window.length < 3 || window.length > 8) continue;
        const part = tokens.slice(i, i + len);
        if (!part.some((t) => !this.tokenizer.isStopword(t) && !this.index.has(this.tokenizer.canonical(t)))) continue;
        const fixed = this.index.correct(window);
        if (fixed && !terms.includes(fixed)) {
          terms.push(fixed);
          break;
        }
      }
    }
    return terms;
  }

  /**
   * A question whose subject the knowledge base does not know ("结婚登记在哪里办", "养老保险交多少钱")
   * matches only on what it asks about it (地址, 收费): answering the disclosure topic would
   * mislead. Returns the unknown subject, or null.
   */
  private foreignSubject(u: Understanding, terms: string[], top: Hit | undefined): string | null {
    if (!top) return null;
    const original = new Set(u.terms);
    // "马铃薯补贴怎么申请" applies for a subsidy, not for information: 申请 names this bot's subject
    // only next to 公开, 信息 or the documents asked for.
    const aboutInformation = u.terms.some((t) => /公开|信息|文件|资料|数据/.test(t));
    const subject = top.matched.some((t) => t.length > 1 && original.has(t) && !this.tokenizer.isAspect(t) && (t !== '申请' || aboutInformation));
    if (subject) return null;
    if (!u.terms.some((t) => t.length > 1 && !this.index.has(t))) return null;
    // The unknown words next to each other, as the resident wrote them ("结婚" + "登记").
    let best = '';
    let run = '';
    for (const token of [...this.tokenizer.plainCut(u.text), '。']) {
      const term = this.tokenizer.canonical(token);
      if (/^[\p{Script=Han}A-Za-z]+$/u.test(token) && !this.index.has(term) && !this.tokenizer.isStopword(term)) run += token;
      else {
        if (run.length > best.length) best = run;
        run = '';
      }
    }
    return best.length > 1 ? best : null;
  }

  /** "那2020年呢" / "比上年呢" / "自然人呢": the same row as before with other slots. */
  private slotFollowUp(u: Understanding, terms: string[], previous: Session | undefined): Entry | null {
    const entry = previous?.entry ? this.entries.get(previous.entry) : undefined;
    if (!entry || !holdsFigures(entry)) return null;
    const columnTerms = new Set(entry.stats.flatMap((s) => this.statistics.columnTerms(s.column)));
    const rest = terms.filter((t) => !columnTerms.has(t) && this.index.has(t));
    const hasSlot = u.years.length > 0 || u.compare !== null || terms.some((t) => columnTerms.has(t));
    return hasSlot && rest.length === 0 ? entry : null;
  }

  /**
   * "微博呢" after a figure asks for the same kind of thing: a short question ending in 呢 or
   * starting with 那 leans towards the kind of entry answered before.
   */
  private ellipticalKind(u: Understanding, previous: Session | undefined): Entry['kind'] | null {
    const entry = previous?.entry ? this.entries.get(previous.entry) : undefined;
    if (!entry) return null;
    const bare = u.text.replace(/[\p{P}\p{S}]/gu, '');
    return /呢$|^那/.test(bare) && bare.length <= 12 ? entry.kind : null;
  }

  private rank(terms: string[], u: Understanding, kind: Entry['kind'] | null = null): Hit[] {
    // A table row and a narrative figure are the same kind of answer to "微博呢".
    const same = (k: Entry['kind']) => kind !== null && (k === kind || (isFigures(k) && isFigures(kind)));
    const hits = this.index
      .search(terms, 12, this.thresholds.answer)
      .map((h) => ({ ...h, score: h.score + this.cueBonus(h.entry, u) + (same(h.entry.kind) ? 0.12 : 0) }));
    // "有多少申请被拒绝了" asks for a count: when a figure can answer, it goes before procedures.
    if (u.cues.quantity && !u.cues.procedure) {
      const counts = hits.filter((h) => isFigures(h.entry.kind));
      if ((counts[0]?.score ?? 0) >= this.thresholds.answer - 0.1) {
        const best = Math.max(...hits.map((h) => h.score));
        for (const h of counts) h.score = Math.max(h.score, best + 0.001 - (counts[0]!.score - h.score));
      }
    }
    // Rows the question tells apart by nothing ("有多少人申请": 本年新收 or 上年结转?) are taken in
    // the report's own order, so the table's leading row answers.
    const best = new Map<string, Hit>();
    for (const h of [...hits].sort((a, b) => this.order.get(a.entry.id)! - this.order.get(b.entry.id)!)) {
      const key = `${h.entry.kind}|${h.matched.join('/')}`;
      const first = best.get(key);
      if (!first) best.set(key, h);
      else if (isFigures(h.entry.kind) && Math.abs(first.score - h.score) < 0.1) {
        const top = Math.max(first.score, h.score);
        first.score = top;
        h.score = top - 0.001;
      }
    }
    hits.sort((a, b) => b.score - a.score || this.order.get(a.entry.id)! - this.order.get(b.entry.id)!);
    return hits;
  }

  private cueBonus(entry: Entry, u: Understanding): number {
    const { quantity, procedure, contact, narrative } = u.cues;
    switch (entry.kind) {
      case 'stat':
      case 'figure':
        return (quantity ? 0.15 : 0) + (u.years.length ? 0.04 : 0) - (procedure && !quantity ? 0.08 : 0);
      case 'guide':
        return (procedure ? 0.06 : 0) + (contact && CONTACT_TITLE.test(entry.topic.title) ? 0.1 : 0) - (quantity ? 0.1 : 0);
      case 'passage':
        return (narrative ? 0.04 : -0.04) - (quantity ? 0.1 : 0);
    }
  }

  /**
   * The same figure can be worded differently from one year's report to the next ("共组织、参加各类
   * 政务公开培训" / "共组织政务公开培训"), making two entries. When the best one lacks the year
   * asked, a nearly as good one that has it answers instead.
   */
  private withYear(hits: readonly Hit[], years: number[]): Hit | undefined {
    const top = hits[0];
    const year = years[0];
    if (!top || year === undefined || this.hasYear(top.entry, year)) return top;
    // Good enough to answer on its own, and holding every word the best one matched.
    const words = top.matched.filter((t) => t.length > 1 && !this.tokenizer.isWeak(t));
    const alike = (h: Hit) => h.entry.kind === top.entry.kind && words.every((t) => h.matched.includes(t));
    return hits.find((h) => h.score >= this.thresholds.answer && alike(h) && this.hasYear(h.entry, year)) ?? top;
  }

  private readonly entryYears = new Map<string, ReadonlySet<number>>();

  private hasYear(entry: Entry, year: number): boolean {
    if (entry.kind === 'guide') return true;
    let years = this.entryYears.get(entry.id);
    if (!years) {
      years = new Set(entry.kind === 'passage' ? entry.passages.map((p) => p.year) : entry.stats.map((s) => s.year));
      this.entryYears.set(entry.id, years);
    }
    return years.has(year);
  }

  /** Rows that match exactly as well as the best one, answered together ("行政诉讼" has two). */
  private ties(hits: readonly Hit[]): Entry[] {
    const top = hits[0]!;
    const first = top.entry;
    if (!holdsFigures(first)) return [];
    const section = first.stats[0]!.section;
    return hits
      .slice(1, 3)
      .filter((h) => h.entry.kind === first.kind && top.score - h.score < 0.005 && h.entry.stats[0]!.section === section)
      .map((h) => h.entry);
  }

  private answerEntry(entry: Entry, score: number, u: Understanding, session: Session, also: Entry[] = [], reading?: Reading): Reply {
    const years = u.years.length ? u.years : (session.years ?? []);
    const next: Session = { ...session, entry: entry.id, detail: undefined };
    const recipe = { entry: entry.id, years: u.years, terms: u.terms, compare: u.compare };
    const content = this.content(entry, u, years, also, reading);
    if (!content) return this.missingYear(years[0]!, entry, next, yearNote(u));
    const { c, intent } = content;
    // A year carries over to the next question only once a figure has been answered from it.
    const carried = intent === 'statistic' ? { years: u.years.length ? u.years : session.years } : {};
    return this.reply(c, intent, score, { ...next, detail: c.more ? recipe : undefined, ...carried }, entry.id, c.more);
  }

  /**
   * The text answering `entry` for the years asked, or null when none of them is recorded. Pure in
   * its arguments, so a cached reading keeps it for the next time the question comes.
   */
  private content(entry: Entry, u: Understanding, years: number[], also: Entry[], reading?: Reading): Content | null {
    const make = () => this.composeContent(entry, u, years, also);
    if (!reading?.kept) return make();
    const key = `${entry.id}\u0000${also.map((e) => e.id).join(',')}\u0000${years.join(',')}`;
    return remember(reading.content, key, () => {
      const content = make();
      // The sources themselves are the knowledge base's records: frozen here is only what is ours.
      if (content) {
        Object.freeze(content);
        Object.freeze(content.c);
        Object.freeze(content.c.sources);
      }
      return content;
    });
  }

  private composeContent(entry: Entry, u: Understanding, years: number[], also: Entry[]): Content | null {
    switch (entry.kind) {
      case 'guide':
        return { c: guideText(entry.topic, false), intent: CONTACT_TITLE.test(entry.topic.title) ? 'contact' : 'guide' };
      case 'passage': {
        const year = years[0];
        const list = year ? entry.passages.filter((p) => p.year === year) : [...entry.passages].sort((a, b) => b.year - a.year);
        if (list.length === 0) return null;
        const c = passageText(list, u.terms, entry.points);
        return { c: { ...c, reply: yearNote(u) + c.reply }, intent: 'narrative' };
      }
      default: {
        const c = this.statistics.compose([entry, ...also], years, u, yearNote(u));
        return c ? { c, intent: 'statistic' } : null;
      }
    }
  }

  private missingYear(year: number, entry: Entry, session: Session, note: string): Reply {
    const recorded = this.years.length ? `目前收录的年度报告：${this.years.map((y) => `${y}年`).join('、')}。` : '目前没有收录年度报告。';
    const label = entry.kind === 'guide' ? entry.topic.title : entry.question.replace(/[？?（].*$/, '').replace(/有多少$|多少$/, '');
    const reply = `${note}${year}年的“${label}”数字未收录。${recorded}\n${fallbackText(this.kb.contacts, '').trim()}`;
    return this.reply({ reply, sources: [], answered: false }, 'statistic', 0.5, { ...session, detail: undefined }, entry.id);
  }

  private social(intent: Intent, reply: string, session: Session): Reply {
    return this.reply({ reply, sources: [], answered: false }, intent, 1, session);
  }

  /** The longer text of the last answer, rebuilt from the session's recipe. */
  private detailText(previous: Session | undefined): { text: string; sources: Answer['sources']; intent: Intent } | null {
    const recipe = previous?.detail;
    const entry = recipe ? this.entries.get(recipe.entry) : undefined;
    if (!recipe || !entry) return null;
    const base = understand('', this.tokenizer, this.today());
    const again = this.answerEntry(entry, 1, { ...base, years: recipe.years, terms: recipe.terms, compare: recipe.compare }, { ...previous });
    return again.more ? { text: again.more, sources: again.answer.sources, intent: again.answer.intent } : null;
  }

  private reply(c: Composed, intent: Intent, confidence: number, session: Session, entry?: string, more?: string): Reply {
    const answer: Answer = { reply: c.reply, answered: c.answered, intent, confidence: Math.max(0, Math.min(1, Math.round(confidence * 100) / 100)), sources: c.sources };
    if (entry) answer.entry = entry;
    if (more) answer.detail = true;
    const related = c.answered ? referencesIn(c.reply) : [];
    if (related.length) answer.related = related;
    const options = session.suggestions?.map((id) => this.entries.get(id)?.question ?? '').filter(Boolean);
    if (options?.length) answer.options = options;
    return more ? { answer, session, more } : { answer, session };
  }
}

/** Freezes plain objects and arrays; entries (shared, long-lived) are left as they are. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const [key, item] of Object.entries(value)) if (key !== 'entry') deepFreeze(item);
  }
  return Object.freeze(value);
}

/** Table rows and narrative figures both answer with numbers. */
function isFigures(kind: Entry['kind']): kind is 'stat' | 'figure' {
  return kind === 'stat' || kind === 'figure';
}

function holdsFigures(entry: Entry): entry is Extract<Entry, { kind: 'stat' | 'figure' }> {
  return isFigures(entry.kind);
}
