import { LRUCache } from 'lru-cache';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { Tokenizer } from '../language/tokenizer.ts';
import { bodyNames } from '../language/body-names.ts';
import { emptyLexicon, type Lexicon } from '../language/lexicon.ts';
import { Homophones } from '../language/homophones.ts';
import { yearInChina } from '../language/normalise.ts';
import { buildEntries, type Entry } from './entries.ts';
import { SearchIndex, type Hit } from './search.ts';
import { read, type Reading } from './read.ts';
import { Conversation, type Session } from './conversation.ts';
import { Ranker, type Lean } from './ranking.ts';
import { declineReason, Grounding } from './ground.ts';
import { Scope } from './scope.ts';
import { bandOf, decide, DEFAULT_THRESHOLDS, type Band, type Decision, type Thresholds } from './decide.ts';
import { StatisticComposer } from './statistics.ts';
import { Replies } from './replies.ts';
import { ReplyComposer, type Reply } from './reply.ts';
import { combine, questionsOf, SHORT_QUESTION } from './questions.ts';
import { Aspects } from './aspect.ts';
import { holdsFigures } from './ranking.ts';
import type { Answer } from './types.ts';

export type { Session } from './conversation.ts';
export type { Reply } from './reply.ts';
export { DEFAULT_THRESHOLDS, type Thresholds } from './decide.ts';

/**
 * Questions remembered with their reading and ranking. Residents ask the same few questions over
 * and over (and menu clicks are identical), so most messages skip tokenising and searching.
 */
export const READING_CACHE = 4_000;
/** The synonym table's term for the ways to contest a reply ("投诉", "不满意", "凭什么"). */
const REMEDY = '救济';
/** The synonym table's term for a reply that never came ("两个月了还没信儿"): the remedies help too. */
const OVERDUE = '超期';
/** Saying no word came back at all ("都没个信儿", "一点音讯都没有"), not that something else was late ("逾期不补正"). */
const NO_NEWS = /没(?:个|有|什么|啥)?(?:信儿|音讯|音信|消息|动静|回音|下文)|(?:音讯|音信|消息|动静|回音)(?:都|也)?(?:没有|没)|石沉大海/;
/** How far below the topic answering the overdue topic may rank and still answer in its place. */
const OVERDUE_MARGIN = 0.2;
/** The term of an application, which a reply never came for. */
const APPLICATION = '申请';
/** Longer messages are read afresh each time: they are rarely repeated word for word. */
const CACHED_INPUT_LENGTH = 200;
/** The same words after different answers decide differently: each reading keeps a few decisions. */
const CONTENTS_PER_READING = 32;

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
  /** The year in China the message was read in. */
  year: number;
  /** r.terms with typo corrections added. */
  terms: string[];
  /** The mistyped phrases those corrections came from, as typed. */
  typos: string[];
  /** The terms searched by: `terms`, or the aspect asked of applying (see aspect.ts). */
  search: string[];
  ranked: Map<string, readonly Hit[]>;
  /**
   * Decisions by the session frame they depend on (the entry and years answered before), for a
   * kept reading; a reading made for one message is decided once and keeps none.
   */
  decisions: Map<string, Decision> | null;
  /**
   * The message's questions when it asks more than one (null when it asks one): each with its last
   * piece alone, tried when the words around the question lead it astray.
   */
  parts: Part[] | null | undefined;
  kept: boolean;
}

/**
 * One question of a message that asks several, read when it is reached (a question after one
 * about another matter may be passed over); its last piece alone is read only when the whole
 * question cannot be answered.
 */
interface Part {
  text: string;
  alone: string | null;
  whole?: Kept;
  last?: Kept;
}

/** `make()` kept in `map` under `key`, up to CONTENTS_PER_READING keys. */
function remember<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (map.has(key)) return map.get(key)!;
  const value = make();
  if (map.size < CONTENTS_PER_READING) map.set(key, value);
  return value;
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
  private readonly scope: Scope;
  private readonly statistics: StatisticComposer;
  private readonly replies: Replies;
  private readonly aspects: Aspects;
  /**
   * Keyed by the raw input, each reading with the year it was read in: a reading depends on
   * nothing else (relative years such as 去年 resolve against the year), and a new knowledge base
   * makes a new engine and cache. The input itself is the key, not a string made with the year:
   * a string built per message would be hashed afresh at every lookup, the message's own once.
   */
  private readonly readings: LRUCache<string, Kept> | null;
  private readonly composer: ReplyComposer;
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
    this.conversation = new Conversation(this.tokenizer, this.index, this.lexicon, this.entries, (c) => this.statistics.columnTerms(c), bodies);
    this.grounding = new Grounding(this.tokenizer, this.index, this.lexicon, bodies, entries, this.years);
    this.scope = new Scope(this.tokenizer, this.index, this.lexicon, entries);
    this.aspects = new Aspects(this.tokenizer, this.lexicon, (t) => this.index.has(t));
    this.replies = new Replies(kb.contacts, this.years);
    this.composer = new ReplyComposer(kb, this.entries, this.statistics, this.replies, () => this.read('').r, options.composedCache ?? COMPOSED_CACHE);
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
    return this.composer.answerEntry(entry, 1, this.read('').r, { ...previous }, [], null, []);
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
      terms: [...k.search],
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
    this.tokenizer.startMessage();
    const k = this.read(input);
    const decision = this.decision(k, previous);
    const single = () => ({ reply: this.composer.compose(decision, k.r, previous), decision });
    if (decision.action === 'social' || decision.action === 'option') return single();
    // "村务公开栏多久更新 村里的账目要公示几天": a matter named with the words of disclosure is what
    // every question of the message is about; none of them is read as disclosure.
    if (decision.action === 'decline' && decision.decline.kind === 'out-of-scope' && decision.decline.borrowed) return single();
    const parts = this.partsOf(k);
    // "行政许可处理决定数量及平均办理时长": the figure named is answered, then the detail the
    // totals are never broken into is said not to be listed.
    const held = parts ? null : this.heldBeside(k, decision);
    if (held) {
      const first = this.composer.compose(held, k.r, previous);
      const second = this.composer.compose(decision, k.r, first.session);
      return { reply: combine([first, second]), decision, parts: [held, decision] };
    }
    if (!parts) {
      const reported = this.reportedTopic(k, decision, previous);
      // The overdue topic names the ways to contest itself: it is answered alone.
      const overdue = reported ? null : this.overdueTopic(k, decision, previous);
      if (overdue) return { reply: this.composer.compose(overdue, k.r, previous), decision: overdue };
      const remedy = this.remedyFor(k, reported ?? decision);
      if (!remedy) return single();
      const first = this.composer.compose(reported ?? decision, k.r, previous);
      const second = this.composer.compose(remedy, k.r, first.session);
      return { reply: combine([first, second]), decision, parts: [decision, remedy] };
    }
    // Each question of the message in turn, each continuing from the one before.
    let session = previous;
    const replies: Reply[] = [];
    const decisions: Decision[] = [];
    // A part that matched nothing says nothing; one about a named other matter is answered too.
    const usable = (d: Decision) =>
      d.action !== 'social' && d.action !== 'option' && d.action !== 'suggest' && !(d.action === 'decline' && (d.decline.kind === 'no-match' || (d.decline.kind === 'out-of-scope' && !d.decline.subject)));
    let offTopic = false;
    for (const question of parts) {
      const whole = (question.whole ??= this.read(question.text));
      // "结婚登记在哪办 要带啥": a short question after one about another matter is about it too.
      if (offTopic && whole.r.text.replace(/[\p{P}\p{S}]/gu, '').length <= SHORT_QUESTION) continue;
      let part = whole;
      let d = this.decision(whole, session);
      if (!usable(d) && question.alone !== null) {
        part = question.last ??= this.read(question.alone);
        d = this.decision(part, session);
      }
      offTopic = d.action === 'decline' && d.decline.kind === 'out-of-scope';
      // A later question asking a count of something no row names is said to be unheld, not
      // dropped nor answered by an unnamed row ("公众号发了多少条 点赞有多少").
      if (replies.length > 0 && (d.action === 'answer' ? !d.followUp && d.also.length === 0 : !usable(d) && d.action !== 'social' && d.action !== 'option')) {
        const unheld = this.grounding.unheldPart(part.r, d.action === 'answer' ? d.entry : null);
        if (unheld) d = { action: 'decline', decline: unheld, entry: null, band: 'fallback', reason: declineReason(unheld), score: d.score };
      }
      if (!usable(d)) continue;
      // "兴隆镇的指南在哪看 他们镇收到多少申请": a figure asked in a message naming another body is
      // that body's figure, which the reports do not hold; the county's is not given in its place.
      if (d.action === 'answer' && (holdsFigures(d.entry) || (part.r.cues.quantity && !part.r.cues.time))) {
        const body = this.grounding.bodyOfMessage(k.r, part.r);
        if (body) d = { action: 'decline', decline: { kind: 'other-body', body }, entry: d.entry, band: 'fallback', reason: `${d.reason}；规则：这条消息问的是其他机关（${body}）的数字，只收录了本机关的报告`, score: d.score };
      }
      // The same answer twice says nothing more; other lines of the same topic ("要多长时间" after
      // "去哪申请" both in the application topic) do.
      if (d.action === 'answer' && d.followUp?.how !== 'within' && decisions.some((x) => x.action === 'answer' && x.entry === d.entry)) continue;
      const reply = this.composer.compose(d, part.r, session);
      replies.push(reply);
      decisions.push(d);
      session = reply.session;
    }
    if (replies.length < 2) return single();
    // Every question declined ("硝河乡在哪办公 他们公开了多少条"): each says why, not an answer the
    // whole message would get in their place.
    if (!replies.some((r) => r.answer.answered) && decisions.every((d) => d.action === 'decline')) return { reply: combine(replies), decision: decisions[0]!, parts: decisions };
    if (!replies.some((r) => r.answer.answered)) return single();
    return { reply: combine(replies), decision, parts: decisions };
  }

  /**
   * "我要的信息他们说不存在 这不是糊弄人吗", "说我是重复申请 我这次根本不一样": a resident who
   * disputes a reply (a complaint, or the reply reported) or is still waiting past the deadline
   * ("一个半月了还没信儿 几天要答复") is told what that reply or deadline is and how to contest it. The ways to contest are the topic the synonym table's 救济 names ("投诉",
   * "不满意"), added when the topic answering does not speak of them itself.
   */
  private remedyFor(k: Kept, d: Decision): Decision | null {
    const r = k.r;
    if (d.action !== 'answer' || d.entry.kind !== 'guide' || d.followUp) return null;
    if (!r.cues.reported && !r.cues.complaint && !r.terms.includes(OVERDUE)) return null;
    // The topic's own answer names the ways already ("可以投诉、举报，申请行政复议…"): its questions
    // ("…怎么办") do not count.
    if (this.tokenizer.knowledgeTerms(d.entry.topic.summary).includes(REMEDY)) return null;
    const top = this.remedies(k);
    if (!top || top.entry === d.entry || top.score < this.thresholds.answer) return null;
    return { action: 'answer', entry: top.entry, also: [], followUp: null, band: 'answer', reason: '不服答复：另附救济途径', score: top.score };
  }

  /**
   * A detail no report lists asked beside a figure the question names by its row and by a word of
   * its own the detail is not ("处理决定数量及平均办理时长"): that figure, answered on its own.
   */
  private heldBeside(k: Kept, d: Decision): Decision | null {
    const r = k.r;
    // "处理决定191个 具体是哪些": the figure the resident states is not asked again.
    if (d.action !== 'decline' || d.decline.kind !== 'unlisted' || r.cues.figureStated) return null;
    // Declined before anything was ranked (no frame): the best figure of the question.
    const entry = d.entry ?? this.ranked(k, null).find((h) => h.score >= this.thresholds.answer)?.entry;
    if (!entry || !holdsFigures(entry)) return null;
    const row = new Set(entry.keys[0] ?? []);
    if (!this.ranker.names(entry, r.terms)) return null;
    // The figure's own measure named: a column of its row ("处理决定数量"), not the detail's words.
    const detail = this.tokenizer.terms(d.decline.detail);
    // Each column read once: the row's statistics repeat its columns in every report.
    const named = entry.kind === 'stat' ? new Set(entry.stats.map((x) => x.column)) : new Set<string>();
    const columns = new Set([...named].flatMap((c) => (c ? this.tokenizer.terms(c) : [])));
    const own = r.terms.filter((t) => t.length > 1 && !row.has(t) && !detail.includes(t) && columns.has(t));
    if (own.length === 0) return null;
    if (this.grounding.figure(r, entry, [], r.years)) return null;
    return { action: 'answer', entry, also: [], followUp: null, band: 'answer', reason: `问的数字（${entry.question}）先答，细目报告没有列出`, score: d.score };
  }

  /** The guide topic on the ways to contest, as this reading ranks the synonym table's 救济. */
  private remedies(k: Kept): Hit | undefined {
    return this.rankedTerm(k, REMEDY).find((h) => h.entry.kind === 'guide');
  }

  /**
   * The hits for one term of the synonym table (救济, 超期) as this reading ranks it, kept with the
   * reading like `ranked`: a disputed reply asks for it more than once, and again at every asking.
   */
  private rankedTerm(k: Kept, term: string): readonly Hit[] {
    // No lean's key starts with a NUL.
    const key = `\u0000${term}`;
    let hits = k.ranked.get(key);
    if (!hits) {
      hits = this.ranker.rank([term], k.r, null);
      if (k.kept) for (const h of hits) Object.freeze(h);
      if (k.kept) Object.freeze(hits);
      k.ranked.set(key, hits);
    }
    return hits;
  }

  /**
   * "凭什么不给我公开 说是过程性信息 我不服": a reply reported and disputed, answered by the ways to
   * contest alone, says nothing of what the reply means. The guide topic whose title names the
   * reply reported (过程性信息) goes first; remedyFor then adds the ways to contest.
   */
  private reportedTopic(k: Kept, d: Decision, previous: Session | undefined): Decision | null {
    if (d.action !== 'answer' || d.entry.kind !== 'guide' || d.followUp || !k.r.cues.reported) return null;
    const remedies = this.remedies(k);
    if (!remedies || remedies.entry !== d.entry) return null;
    const own = new Set(d.entry.keys[0] ?? []);
    const named = this.ranked(k, this.conversation.lean(k.r, previous)).find(
      (h) => h.entry.kind === 'guide' && h.entry !== d.entry && h.score >= this.thresholds.answer && (h.entry.keys[0] ?? []).some((w) => w.length >= 3 && !own.has(w) && k.r.terms.includes(w)),
    );
    if (!named) return null;
    return { action: 'answer', entry: named.entry, also: [], followUp: null, band: 'answer', reason: `${d.reason}；规则：不服所说的答复（“${named.entry.question}”），先说这种答复，再附救济途径`, score: named.score };
  }

  /**
   * "俺上个月交的申请 到现在都没个信儿 也没人给打电话 这咋弄嘛": an application whose reply never
   * came (the synonym table's 超期) is answered by the topic on a reply past its deadline, which the
   * other words of the complaint ("打电话") may have ranked below a topic about applying.
   */
  private overdueTopic(k: Kept, d: Decision, previous: Session | undefined): Decision | null {
    const r = k.r;
    if (d.action !== 'answer' || d.entry.kind !== 'guide' || d.followUp || !r.terms.includes(OVERDUE) || !r.terms.includes(APPLICATION) || !NO_NEWS.test(r.text)) return null;
    // A time limit asked ("到底几天要答复") is answered by the topic on it, the ways to contest after it.
    if (r.cues.time || this.index.holds(d.entry.id, OVERDUE)) return null;
    const top = this.rankedTerm(k, OVERDUE).find((h) => h.entry.kind === 'guide');
    if (!top || top.entry === d.entry || top.score < this.thresholds.answer) return null;
    // Only a near second of the message's own ranking: a topic far ahead answers what was asked
    // ("逾期不补正会怎样" is about 补正, not about a reply past its deadline).
    const own = this.ranked(k, this.conversation.lean(r, previous)).find((h) => h.entry === top.entry);
    if (!own || own.score < d.score - OVERDUE_MARGIN) return null;
    return { action: 'answer', entry: top.entry, also: [], followUp: null, band: 'answer', reason: `${d.reason}；规则：申请过了期限还没有答复，先答超期怎么办`, score: own.score };
  }

  /** The questions of a message that asks more than one, each read; null when it asks one. */
  private partsOf(k: Kept): Part[] | null {
    if (k.parts === undefined) {
      const questions = questionsOf(k.r.parts);
      k.parts = questions ? questions.map((q): Part => ({ text: q.text, alone: q.alone })) : null;
    }
    return k.parts ?? null;
  }

  /** The decision for a reading and the session frame, kept with the reading. */
  private decision(k: Kept, previous: Session | undefined): Decision {
    const make = () =>
      decide(k.r, previous, {
        conversation: this.conversation,
        ranker: this.ranker,
        grounding: this.grounding,
        scope: this.scope,
        thresholds: this.thresholds,
        entry: (id) => this.entries.get(id),
        ranked: (lean) => this.ranked(k, lean),
        terms: k.terms,
        typos: k.typos,
      });
    // Only the entry, years, decline kind and answered entry of the last answer change a decision (a number picks from the
    // suggestions offered, which are not kept: picking is cheap).
    if (k.decisions === null || (k.r.option !== null && previous?.suggestions?.length)) return make();
    const key = `${previous?.entry ?? ''}|${(previous?.also ?? []).join(',')}|${(previous?.years ?? []).join(',')}|${previous?.declined ?? ''}|${previous?.before ?? ''}|${previous?.answer ?? ''}`;
    return remember(k.decisions, key, () => freezeDecision(make()));
  }

  private ranked(k: Kept, lean: Lean | null): readonly Hit[] {
    const key = lean ? `${lean.kind}|${lean.section ?? ''}|${lean.entry}` : '';
    let hits = k.ranked.get(key);
    if (!hits) {
      const search = lean?.kind === 'guide' && k.search === k.terms ? (this.aspects.bare(k.terms) ?? k.search) : k.search;
      hits = this.ranker.rank(search, k.r, lean);
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
    const year = yearInChina(today);
    const key = this.readings && input.length <= CACHED_INPUT_LENGTH ? input : null;
    const cached = key === null ? undefined : this.readings!.get(key);
    // A reading of another year is read again (and replaces it): 去年 now means another year.
    if (cached && cached.year === year) {
      this.readingStats.kept++;
      return cached;
    }
    this.readingStats.read++;
    const r = read(input, this.tokenizer, this.lexicon, today);
    const fixed = this.ranker.correctTypos(r);
    const search = this.aspects.focus(r, fixed.terms) ?? fixed.terms;
    const k: Kept = { r, year, terms: fixed.terms, typos: fixed.windows, search, ranked: new Map(), decisions: key === null ? null : new Map(), parts: undefined, kept: key !== null };
    if (key !== null) {
      deepFreeze(r);
      Object.freeze(k.terms);
      Object.freeze(k.search);
      Object.freeze(k.typos);
      this.readings!.set(key, k);
    }
    return k;
  }

}

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
