import { LRUCache } from 'lru-cache';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { Tokenizer } from '../language/tokenizer.ts';
import { bodyNames } from '../language/body-names.ts';
import { emptyLexicon, type Lexicon } from '../language/lexicon.ts';
import { Homophones } from '../language/homophones.ts';
import { yearInChina } from '../language/normalise.ts';
import { buildEntries, type Entry } from './entries.ts';
import { SearchIndex, type Hit } from './search.ts';
import { ASKING, read, type Reading } from './read.ts';
import { Conversation, type Session } from './conversation.ts';
import { Ranker, CONTACT_TITLE, type Lean } from './ranking.ts';
import { Grounding } from './ground.ts';
import { bandOf, decide, DEFAULT_THRESHOLDS, type Band, type Decision, type Thresholds } from './decide.ts';
import { StatisticComposer } from './statistics.ts';
import { basisText, fit, guideText, passageText, referencesIn, shorten, MAX_REPLY, type Composed } from './compose.ts';
import { Replies } from './replies.ts';
import type { Answer, Intent } from './types.ts';

export type { Session } from './conversation.ts';
export { DEFAULT_THRESHOLDS, type Thresholds } from './decide.ts';

/**
 * Questions remembered with their reading and ranking. Residents ask the same few questions over
 * and over (and menu clicks are identical), so most messages skip tokenising and searching.
 */
export const READING_CACHE = 4_000;
/** Longer messages are read afresh each time: they are rarely repeated word for word. */
const CACHED_INPUT_LENGTH = 200;
/** "1" after different suggestions answers different entries: each reading keeps a few. */
const CONTENTS_PER_READING = 32;
/** A piece of a message this short leans on the one before it ("要带啥"). */
const SHORT_PART = 8;
/** The longest piece of a message read as a question of its own. */
const MAX_PART_LENGTH = 30;
/** A message asking more than this many things is answered on its first ones. */
const MAX_PARTS = 3;

export interface EngineOptions {
  /** Questions whose reading is kept (default READING_CACHE); 0 reads every message afresh. */
  readingCache?: number;
  /** Composed answers kept by what they depend on (default COMPOSED_CACHE); 0 composes each afresh. */
  composedCache?: number;
}

/**
 * Answers kept once composed, by the entry and what of the question they depend on (the years,
 * the columns asked, the comparison): different questions about the same row share them.
 */
export const COMPOSED_CACHE = 2_000;

/** One message read, with what was worked out from it: kept whole when the reading is cached. */
interface Kept {
  r: Reading;
  /** r.terms with typo corrections added. */
  terms: string[];
  /** The mistyped phrases those corrections came from, as typed. */
  typos: string[];
  ranked: Map<string, readonly Hit[]>;
  /** Decisions by the session frame they depend on (the entry and years answered before). */
  decisions: Map<string, Decision>;
  /**
   * The message's questions, read, when it asks more than one (null when it asks one): each with
   * its last piece alone, tried when the words around the question lead it astray.
   */
  parts: Array<{ whole: Kept; last: Kept | null }> | null | undefined;
  kept: boolean;
}

interface Content {
  c: Composed;
  intent: Intent;
}

/** `make()` kept in `map` under `key`, up to CONTENTS_PER_READING keys. */
function remember<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (map.has(key)) return map.get(key)!;
  const value = make();
  if (map.size < CONTENTS_PER_READING) map.set(key, value);
  return value;
}

/** Names the year a relative word (去年) was read as, ahead of the answer. */
function yearNote(r: Reading): string {
  return r.relative.map((x) => `（“${x.word}”按 ${x.year} 年理解）`).join('');
}

export interface Reply {
  answer: Answer;
  session: Session;
  /** The longer text behind a shortened answer, offered on "详细". */
  more?: string;
}

/** How one message was read and decided: what hit testing and `ask --explain` show. */
export interface Explained {
  terms: string[];
  hits: Array<{ id: string; question: string; score: number }>;
  /** The band the reply came from (a rule that declines puts it in the fallback band). */
  band: Band;
  /** The band the best score alone falls in, before any rule. */
  scoreBand: Band;
  /** Why the reply is what it is: the score against the thresholds, or the rule that decided. */
  reason: string;
  action: Decision['action'] | 'multi';
  answer: Answer;
}

// A part of a message asks something when it has a question word; other parts are its context.
/** How a topic's title says that the guide does not hold what it is about. */
const UNKNOWN_TOPIC = /没有掌握|未掌握|不掌握|没有收录|未收录/;

const ASKS = /[?？吗嗎呢么麼]|多少|几|幾|怎|咋|啥|什么|甚麼|哪|如何|是否|能不能|可不可以|要不要|行不行|中不中|有没有|谁|多久|多长|不$|没$/;

/**
 * Turns one message plus the resident's session into a reply and the next session. Knows nothing
 * of channels or storage. The message goes read → conversation → search → ground → decide →
 * compose, one module each; this class wires them and keeps what repeated messages share.
 */
export class Engine {
  readonly tokenizer: Tokenizer;
  readonly index: SearchIndex;
  readonly years: number[];
  private readonly entries = new Map<string, Entry>();
  private readonly lexicon: Lexicon;
  private readonly ranker: Ranker;
  private readonly conversation: Conversation;
  private readonly grounding: Grounding;
  private readonly statistics: StatisticComposer;
  private readonly replies: Replies;
  /**
   * Keyed by this year and the raw input: a reading depends on nothing else (relative years such
   * as 去年 resolve against the year), and a new knowledge base makes a new engine and cache.
   */
  private readonly readings: LRUCache<string, Kept> | null;
  private readonly composed: LRUCache<string, { content: Content | null }> | null;
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
    const composed = options.composedCache ?? COMPOSED_CACHE;
    this.composed = composed > 0 ? new LRUCache({ max: composed }) : null;
    this.lexicon = kb.lexicon ?? emptyLexicon();
    const bodies = bodyNames([kb.contacts.body, ...kb.reports.map((r) => r.body)]);
    // The lexicon's names are kept whole by jieba too ("常住人口", "营业执照").
    const phrases = [...this.lexicon.absent.map(([w]) => w), ...this.lexicon.otherMatters, ...this.lexicon.documents];
    this.tokenizer = new Tokenizer(kb.words, kb.synonyms, bodies, phrases.filter((w) => w.length >= 3));
    const entries = buildEntries(kb, this.tokenizer);
    for (const e of entries) this.entries.set(e.id, e);
    this.index = new SearchIndex(
      entries,
      (t) => this.tokenizer.isWeak(t),
      (w) => this.tokenizer.cut(w).map((p) => this.tokenizer.canonical(p)),
      kb.synonyms,
    );
    this.years = [...new Set(kb.reports.map((r) => r.year))].sort((a, b) => a - b);
    this.statistics = new StatisticComposer(kb, this.tokenizer, this.years, this.lexicon.primary);
    const contradicted = new Set(entries.filter((e) => this.statistics.contradicted(e)).map((e) => e.id));
    const homophones = new Homophones(() => [
      ...[...this.index.vocabulary].map((t) => [t, t] as const),
      ...[...kb.synonyms].filter(([, term]) => this.index.has(term)),
    ]);
    this.ranker = new Ranker(this.index, this.tokenizer, entries, thresholds, contradicted, homophones, this.lexicon.units.map(([w]) => w));
    this.conversation = new Conversation(this.tokenizer, this.index, this.lexicon, this.entries, (c) => this.statistics.columnTerms(c));
    this.grounding = new Grounding(this.tokenizer, this.index, this.lexicon, bodies, entries, this.years);
    this.replies = new Replies(kb.contacts, this.years);
  }

  entry(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  respond(input: string, previous: Session | undefined): Reply {
    return this.run(input, previous).reply;
  }

  /** Answers one entry directly (a menu click names a guide topic by its id). */
  respondTo(id: string, previous: Session | undefined): Reply | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    return this.answerEntry(entry, 1, this.read(''), { ...previous }, [], null, []);
  }

  /**
   * How a message is read, ranked and decided, with the reply it gets: for hit testing by staff.
   * The band and reason are those of the reply itself, never worked out a second way.
   */
  explain(input: string, previous?: Session): Explained {
    const k = this.read(input);
    const { reply, decision, parts } = this.run(input, previous);
    const lean = this.conversation.lean(k.r, previous);
    const ranked = this.ranked(k, lean);
    const top = ranked[0]?.score ?? 0;
    return {
      terms: [...k.terms],
      hits: ranked.map((h) => ({ id: h.entry.id, question: h.entry.question, score: Math.round(h.score * 1000) / 1000 })),
      band: parts ? 'answer' : decision.band,
      scoreBand: bandOf(top, this.thresholds),
      reason: parts ? `一条消息问了 ${parts.length} 件事：${parts.map((d, i) => `（${i + 1}）${d.reason}`).join('；')}` : decision.reason,
      action: parts ? 'multi' : decision.action,
      answer: reply.answer,
    };
  }

  helpText(): string {
    return this.replies.help();
  }

  greeting(): string {
    return this.replies.greeting();
  }

  private run(input: string, previous: Session | undefined): { reply: Reply; decision: Decision; parts?: Decision[] } {
    const k = this.read(input);
    const decision = this.decision(k, previous);
    const single = () => ({ reply: this.compose(decision, k, previous), decision });
    if (decision.action === 'social' || decision.action === 'option') return single();
    const parts = this.partsOf(k);
    if (!parts) return single();
    // Each question of the message in turn, each continuing from the one before.
    let session = previous;
    const replies: Reply[] = [];
    const decisions: Decision[] = [];
    // A part that matched nothing says nothing; one about a named other matter is answered too.
    const usable = (d: Decision) =>
      d.action !== 'social' && d.action !== 'option' && d.action !== 'suggest' && !(d.action === 'decline' && (d.decline.kind === 'no-match' || (d.decline.kind === 'out-of-scope' && !d.decline.subject)));
    let offTopic = false;
    for (const { whole, last } of parts) {
      // "结婚登记在哪办 要带啥": a short question after one about another matter is about it too.
      if (offTopic && whole.r.text.replace(/[\p{P}\p{S}]/gu, '').length <= SHORT_PART) continue;
      let part = whole;
      let d = this.decision(whole, session);
      if (!usable(d) && last) {
        part = last;
        d = this.decision(last, session);
      }
      offTopic = d.action === 'decline' && d.decline.kind === 'out-of-scope';
      if (!usable(d)) continue;
      if (d.action === 'answer' && decisions.some((x) => x.action === 'answer' && x.entry === d.entry)) continue;
      const reply = this.compose(d, part, session);
      replies.push(reply);
      decisions.push(d);
      session = reply.session;
    }
    if (replies.length < 2 || !replies.some((r) => r.answer.answered)) return single();
    return { reply: this.combine(replies), decision, parts: decisions };
  }

  /** One reply answering each question of a message, in the order asked, within one message. */
  private combine(replies: Reply[]): Reply {
    const room = Math.floor((MAX_REPLY - replies.length * 5) / replies.length);
    const text = replies.map((r, i) => `（${i + 1}）${shorten(r.answer.reply, room)}`).join('\n');
    const last = replies.at(-1)!;
    const answer: Answer = {
      ...last.answer,
      reply: text.slice(0, MAX_REPLY),
      answered: replies.some((r) => r.answer.answered),
      confidence: Math.min(...replies.map((r) => r.answer.confidence)),
      sources: [...new Map(replies.flatMap((r) => r.answer.sources).map((s) => [`${s.document}|${s.section ?? ''}`, s])).values()],
    };
    delete answer.detail;
    const related = [...new Set(replies.flatMap((r) => r.answer.related ?? []))];
    if (related.length) answer.related = related;
    else delete answer.related;
    return { answer, session: { ...last.session, detail: undefined } };
  }

  /** The questions of a message that asks more than one, each read; null when it asks one. */
  private partsOf(k: Kept): Array<{ whole: Kept; last: Kept | null }> | null {
    if (k.parts !== undefined) return k.parts;
    // Pieces without a question word are the context of the question after them.
    const groups: Array<{ text: string; last: string; pieces: number }> = [];
    let pending = '';
    let pieces = 0;
    for (const p of k.r.parts) {
      pending += pending ? ` ${p}` : p;
      pieces++;
      if (ASKING.test(p.replace(/几[千百十]|好几/g, ''))) {
        groups.push({ text: pending, last: p, pieces });
        pending = '';
        pieces = 0;
      }
    }
    if (pending && groups.length) groups[groups.length - 1]!.text += ` ${pending}`;
    // A question told with a long story before it is read by its question piece alone: the story
    // is read once, with the whole message.
    const parts =
      groups.length >= 2
        ? groups.slice(0, MAX_PARTS).map((g) =>
            g.text.length > MAX_PART_LENGTH ? { whole: this.read(g.last), last: null } : { whole: this.read(g.text), last: g.pieces > 1 ? this.read(g.last) : null },
          )
        : null;
    k.parts = parts;
    return parts;
  }

  /** The decision for a reading and the session frame, kept with the reading. */
  private decision(k: Kept, previous: Session | undefined): Decision {
    const make = () =>
      decide(k.r, previous, {
        conversation: this.conversation,
        ranker: this.ranker,
        grounding: this.grounding,
        thresholds: this.thresholds,
        entry: (id) => this.entries.get(id),
        ranked: (lean) => this.ranked(k, lean),
        terms: k.terms,
        typos: k.typos,
      });
    // Only the entry and years of the last answer change a decision (a number picks from the
    // suggestions offered, which are not kept: picking is cheap).
    if (k.r.option !== null && previous?.suggestions?.length) return make();
    const key = `${previous?.entry ?? ''}|${(previous?.years ?? []).join(',')}`;
    return remember(k.decisions, key, () => (k.kept ? freezeDecision(make()) : make()));
  }

  private ranked(k: Kept, lean: Lean | null): readonly Hit[] {
    const key = lean ? `${lean.kind}|${lean.section ?? ''}|${lean.entry}` : '';
    let hits = k.ranked.get(key);
    if (!hits) {
      hits = this.ranker.rank(k.terms, k.r, lean);
      if (k.kept) for (const h of hits) Object.freeze(h);
      if (k.kept) Object.freeze(hits);
      k.ranked.set(key, hits);
    }
    return hits;
  }

  /**
   * The message's reading, from the cache when it was asked before this year. Kept readings are
   * frozen: a caller that tried to change one would throw rather than corrupt later answers.
   */
  private read(input: string): Kept {
    const today = this.today();
    const key = this.readings && input.length <= CACHED_INPUT_LENGTH ? `${yearInChina(today)}\u0000${input}` : null;
    const cached = key === null ? undefined : this.readings!.get(key);
    if (cached) {
      this.readingStats.kept++;
      return cached;
    }
    this.readingStats.read++;
    const r = read(input, this.tokenizer, this.lexicon, today);
    const fixed = this.ranker.correctTypos(r);
    const k: Kept = { r, terms: fixed.terms, typos: fixed.windows, ranked: new Map(), decisions: new Map(), parts: undefined, kept: key !== null };
    if (key !== null) {
      deepFreeze(r);
      Object.freeze(k.terms);
      Object.freeze(k.typos);
      this.readings!.set(key, k);
    }
    return k;
  }

  private compose(d: Decision, k: Kept, previous: Session | undefined): Reply {
    const session: Session = { ...previous };
    delete session.suggestions;
    switch (d.action) {
      case 'social': {
        if (d.social === 'detail') {
          const more = this.detailText(previous);
          if (more) return this.reply({ ...fit(more.text, ''), sources: more.sources, answered: true }, more.intent, 1, { ...session, detail: undefined }, previous?.detail?.entry);
          // Nothing more than what was said: it is said again, whole, rather than nothing.
          const last = previous?.entry ? this.entries.get(previous.entry) : undefined;
          if (last) {
            const again = this.answerEntry(last, 1, this.read(''), session, [], null, []);
            if (again.answer.answered) return { ...again, answer: { ...again.answer, reply: shorten(`（这一条就这些内容）\n${again.answer.reply}`, MAX_REPLY) } };
          }
        }
        if (d.social === 'coverage') {
          // Which reports are held is itself an answer from the knowledge base.
          const sources = this.kb.reports.map((x) => ({ document: x.document, title: x.title, year: x.year }));
          return this.reply({ reply: this.replies.coverage(this.kb.reports), sources, answered: true }, 'help', 1, session);
        }
        return this.reply({ reply: this.replies.social(d.social), sources: [], answered: false }, SOCIAL_INTENT[d.social], 1, session);
      }
      case 'option':
        if (d.picked) return this.answerEntry(d.picked, 1, k, session, [], null, []);
        return this.reply({ reply: `请回复 1 到 ${d.offered} 之间的序号，或直接输入您的问题。`, sources: [], answered: false }, 'clarify', 1, { ...session, suggestions: previous?.suggestions });
      case 'answer':
        return this.answerEntry(d.entry, d.score, k, session, d.also, d.followUp?.how === 'basis' ? 'basis' : null, d.followUp?.how === 'slots' ? d.followUp.columns : []);
      case 'suggest': {
        const lines = d.hits.map((h, i) => `${i + 1}. ${h.entry.question}`).join('\n');
        const reply = `没有找到完全对应的答案。您是不是想问：\n${lines}\n请回复序号，或换个说法再问。${this.replies.wayOn() ? `\n都不是的话，${this.replies.wayOn()}` : ''}`;
        return this.reply({ reply, sources: [], answered: false }, 'clarify', d.score, { ...session, suggestions: d.hits.map((h) => h.entry.id) });
      }
      case 'decline': {
        const intent: Intent = d.decline.kind === 'out-of-scope' || (d.decline.kind === 'no-match' && d.decline.outOfScope) ? 'out-of-scope' : d.decline.kind === 'no-match' ? 'unknown' : 'statistic';
        // A decline about a row keeps the row as the frame: "那2019年呢" still follows on.
        const next = d.entry && intent === 'statistic' ? { ...session, entry: d.entry.id, detail: undefined } : session;
        return this.reply({ reply: this.replies.decline(d.decline, yearNote(k.r)), sources: [], answered: false }, intent, d.score, next, d.entry?.id);
      }
    }
  }

  private answerEntry(entry: Entry, score: number, k: Kept, session: Session, also: Entry[], aspect: 'basis' | null, focus: readonly string[] = []): Reply {
    const r = k.r;
    const years = r.years.length ? r.years : (session.years ?? []);
    const next: Session = { ...session, entry: entry.id, detail: undefined };
    if (aspect === 'basis' && entry.kind === 'guide') return this.reply(basisText(entry.topic), 'guide', score, next, entry.id);
    const recipe = { entry: entry.id, years: r.years, terms: [...r.terms, ...focus], compare: r.compare };
    const content = this.content(entry, k, years, also, focus);
    if (!content) {
      const row = entry.kind === 'guide' ? entry.topic.title : entry.question.replace(/[？?（].*$/, '').replace(/有多少$|多少$/, '');
      const reply = this.replies.decline({ kind: 'missing-year', year: years[0]!, row }, yearNote(r));
      return this.reply({ reply, sources: [], answered: false }, 'statistic', 0.5, { ...next, detail: undefined }, entry.id);
    }
    const { c, intent } = content;
    // A year carries over to the next question only once a figure has been answered from it.
    const carried = intent === 'statistic' ? { years: r.years.length ? r.years : session.years } : {};
    return this.reply(c, intent, score, { ...next, detail: c.more ? recipe : undefined, ...carried }, entry.id, c.more);
  }

  /**
   * The text answering `entry` for the years asked, or null when none of them is recorded. Pure in
   * its arguments and the reading, so a kept reading keeps it for the next time the question comes.
   */
  private content(entry: Entry, k: Kept, years: number[], also: Entry[], focus: readonly string[]): Content | null {
    const r = focus.length ? { ...k.r, terms: [...k.r.terms, ...focus] } : k.r;
    if (!this.composed) return this.composeContent(entry, r, years, also);
    const key = this.composedKey(entry, r, years, also);
    const kept = this.composed.get(key);
    if (kept) return kept.content;
    const content = this.composeContent(entry, r, years, also);
    // The sources themselves are the knowledge base's records: frozen here is only what is ours.
    if (content) {
      Object.freeze(content);
      Object.freeze(content.c);
      Object.freeze(content.c.sources);
    }
    this.composed.set(key, { content });
    return content;
  }

  /** What a composed answer depends on: the entries, the years, and what the question asks of them. */
  private composedKey(entry: Entry, r: Reading, years: number[], also: Entry[]): string {
    const base = `${entry.kind === 'guide' ? entry.id : [entry, ...also].map((e) => e.id).join(',')}\u0000${years.join(',')}\u0000${yearNote(r)}`;
    switch (entry.kind) {
      case 'guide':
        return base;
      case 'passage':
        // The sentences shown are those holding the question's words.
        return `${base}\u0000${r.terms.join('|')}`;
      default:
        return `${base}\u0000${this.statistics.askedColumns([entry, ...also], r)}\u0000${r.compare ?? ''}\u0000${r.unit === '元' ? '元' : ''}`;
    }
  }

  private composeContent(entry: Entry, r: Pick<Reading, 'terms' | 'compare' | 'relative' | 'cues' | 'unit'>, years: number[], also: Entry[]): Content | null {
    switch (entry.kind) {
      case 'guide': {
        const c = guideText(entry.topic, false);
        // A topic whose title says the guide does not hold the detail ("邮箱…（本指南没有掌握）")
        // tells the resident so and where to look: it does not answer the question.
        return { c: UNKNOWN_TOPIC.test(entry.topic.title) ? { ...c, answered: false } : c, intent: CONTACT_TITLE.test(entry.topic.title) ? 'contact' : 'guide' };
      }
      case 'passage': {
        const year = years[0];
        const list = year ? entry.passages.filter((p) => p.year === year) : [...entry.passages].sort((a, b) => b.year - a.year);
        if (list.length === 0) return null;
        const c = passageText(list, r.terms, entry.points);
        return { c: { ...c, reply: yearNote(r as Reading) + c.reply }, intent: 'narrative' };
      }
      default: {
        const c = this.statistics.compose([entry, ...also], years, r, yearNote(r as Reading));
        return c ? { c, intent: 'statistic' } : null;
      }
    }
  }

  /** The longer text of the last answer, rebuilt from the session's recipe. */
  private detailText(previous: Session | undefined): { text: string; sources: Answer['sources']; intent: Intent } | null {
    const recipe = previous?.detail;
    const entry = recipe ? this.entries.get(recipe.entry) : undefined;
    if (!recipe || !entry) return null;
    const base = this.read('');
    const r: Reading = { ...base.r, years: recipe.years, terms: recipe.terms, compare: recipe.compare };
    const k: Kept = { ...base, r, kept: false };
    const again = this.answerEntry(entry, 1, k, { ...previous }, [], null, []);
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

const SOCIAL_INTENT: Record<Exclude<Decision & { action: 'social' }, never>['social'], Intent> = {
  greeting: 'greeting',
  thanks: 'thanks',
  ack: 'thanks',
  bye: 'thanks',
  identity: 'help',
  human: 'help',
  help: 'help',
  useful: 'feedback',
  useless: 'feedback',
  detail: 'help',
  coverage: 'help',
  empty: 'help',
};

/** A kept decision is shared by every later asking of the question: frozen, entries aside. */
function freezeDecision(d: Decision): Decision {
  if (d.action === 'answer') Object.freeze(d.also);
  return Object.freeze(d);
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
