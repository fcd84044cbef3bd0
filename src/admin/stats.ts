// What the question log says about the bot over a period: volume by day and channel, intents,
// answered and unanswered, the questions asked most, the unanswered ones grouped by meaning,
// answers given with little confidence, residents' verdicts and how often each entry answered.
//
// Pure: the same records and options give the same report. Days are calendar days at a fixed
// UTC offset (China keeps +08:00 all year), so a question at 23:30 Beijing time counts that day.
import { clusterKeys, normaliseQuestion, similarityKeyer, SIMILARITY_THRESHOLD } from './grouping.ts';
import type { FeedbackEntry, QuestionEntry } from '../store/question-log.ts';

export interface StatsOptions {
  /** End of the period (epoch ms or Date). Default: the newest record, so that the result stays pure. */
  now?: number | Date | undefined;
  /** Calendar days in the period, ending with the day of `now`. Default 30. */
  days?: number | undefined;
  /** Offset of the local day from UTC in minutes. Default 480 (Beijing). */
  utcOffsetMinutes?: number | undefined;
  /** Rows kept in each list. Default 20. */
  limit?: number | undefined;
  /** Answers below this confidence are listed as uncertain. Default 0.6. */
  lowConfidence?: number | undefined;
  /** For grouping unanswered questions: the knowledge base's synonyms and words to ignore. */
  synonyms?: ReadonlyMap<string, string> | undefined;
  ignored?: Iterable<string> | undefined;
  threshold?: number | undefined;
  /**
   * Distinct unanswered wordings grouped at most, the most recently asked first (default 3,000).
   * Grouping grows faster than linearly with the wordings: a flood of junk questions made it run
   * for minutes; past the bound the oldest wordings are counted but not grouped.
   */
  maxGrouped?: number | undefined;
}

export const DEFAULT_MAX_GROUPED = 3_000;

export interface DayVolume {
  /** YYYY-MM-DD, local. */
  day: string;
  total: number;
  answered: number;
  unanswered: number;
  /** Greetings, thanks, requests for help, messages refused for coming too fast: not questions. */
  social: number;
  /** Channel → messages that day. */
  channels: Record<string, number>;
}

export interface UnansweredGroup {
  /** The most frequent wording, as first typed. */
  label: string;
  count: number;
  /** Distinct wordings in the group. */
  wordings: number;
  /** Other wordings, most frequent first (at most 5). */
  examples: string[];
  lastTime: string;
}

export interface Stats {
  period: { from: string; to: string; days: number; utcOffsetMinutes: number };
  totals: { messages: number; answered: number; unanswered: number; social: number; users: number; answerRate: number };
  daily: DayVolume[];
  channels: Array<{ channel: string; label: string; count: number }>;
  intents: Array<{ intent: string; label: string; count: number }>;
  topQuestions: Array<{ question: string; count: number; answered: number }>;
  unansweredGroups: UnansweredGroup[];
  /** Distinct unanswered wordings in the period, and how many of them (the newest) were grouped. */
  grouping: { wordings: number; grouped: number };
  lowConfidence: Array<{ question: string; entry: string; count: number; confidence: number; lastTime: string }>;
  feedback: {
    useful: number;
    useless: number;
    uselessQuestions: Array<{ question: string; entry: string | null; count: number; lastTime: string }>;
  };
  hits: Array<{ entry: string; count: number; useful: number; useless: number }>;
}

export const INTENT_LABELS: Readonly<Record<string, string>> = {
  statistic: '年报数字',
  guide: '办事指南',
  contact: '联系方式',
  narrative: '报告内容',
  clarify: '您是不是想问',
  'out-of-scope': '超出范围',
  unknown: '没找到答案',
  greeting: '问候',
  thanks: '感谢',
  help: '求助',
  feedback: '评价',
  'rate-limited': '发送过快',
};

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  wechat: '公众号',
  wechaty: '微信',
  web: '网页',
  cli: '命令行',
  unknown: '未知',
};

/**
 * Replies to greetings, thanks, requests for help and messages refused for coming too fast answer
 * nothing, and miss nothing in the knowledge base either.
 */
const SOCIAL = new Set(['greeting', 'thanks', 'help', 'feedback', 'rate-limited']);
const DAY_MS = 24 * 60 * 60 * 1000;

/** A reply to "您是不是想问" ("2") only means something next to the question before it. */
const isOptionPick = (normalised: string) => /^\d{1,2}$/.test(normalised);

export function computeStats(questions: readonly QuestionEntry[], feedback: readonly FeedbackEntry[], options: StatsOptions = {}): Stats {
  const end = options.now !== undefined ? +options.now : newest(questions, feedback);
  const stats = new StatsAccumulator({ ...options, now: end }, new Set(feedback.map((f) => f.answer)));
  for (const q of questions) stats.question(q);
  for (const f of feedback) stats.feedback(f);
  return stats.finish();
}

/**
 * The report built record by record, so that a reader of the log (the stats worker) holds the
 * tallies and not every record. `judged`: the ids of the answers the feedback judges, the only
 * questions whose entry must be remembered. Questions may come in any order; feedback is kept
 * until `finish` (it is rare, and needs every question's entry first).
 */
export class StatsAccumulator {
  readonly #offset: number;
  readonly #days: number;
  readonly #limit: number;
  readonly #floor: number;
  readonly #options: StatsOptions;
  readonly #judged: ReadonlySet<string>;
  readonly #dayList: string[];
  readonly #from: string;
  readonly #to: string;
  readonly #daily: Map<string, DayVolume>;
  readonly #channels = new Map<string, number>();
  readonly #intents = new Map<string, number>();
  readonly #users = new Set<string>();
  readonly #top = new Tally<{ answered: number }>();
  readonly #unanswered = new Tally<Record<string, never>>();
  readonly #uncertain = new Tally<{ entry: string; confidence: number }>();
  readonly #hits = new Map<string, { entry: string; count: number; useful: number; useless: number }>();
  readonly #totals = { messages: 0, answered: 0, unanswered: 0, social: 0 };
  readonly #entryOf = new Map<string, string | null>();
  readonly #feedback: FeedbackEntry[] = [];

  constructor(options: StatsOptions & { now: number | Date }, judged: ReadonlySet<string>) {
    this.#options = options;
    this.#judged = judged;
    this.#offset = (options.utcOffsetMinutes ?? 480) * 60_000;
    this.#days = Math.max(1, Math.floor(options.days ?? 30));
    this.#limit = Math.max(1, options.limit ?? 20);
    this.#floor = options.lowConfidence ?? 0.6;
    const end = +options.now;
    this.#dayList = Array.from({ length: this.#days }, (_, i) => this.#localDay(end - (this.#days - 1 - i) * DAY_MS));
    this.#from = this.#dayList[0]!;
    this.#to = this.#dayList.at(-1)!;
    this.#daily = new Map(this.#dayList.map((day) => [day, { day, total: 0, answered: 0, unanswered: 0, social: 0, channels: {} }]));
  }

  #localDay(ms: number): string {
    return new Date(ms + this.#offset).toISOString().slice(0, 10);
  }

  /** The record's local day when it is in the period, else undefined. */
  #dayOf(time: string): string | undefined {
    const day = this.#localDay(Date.parse(time));
    return day >= this.#from && day <= this.#to ? day : undefined;
  }

  question(q: QuestionEntry): void {
    if (this.#judged.has(q.id)) this.#entryOf.set(q.id, q.entry);
    const dayKey = this.#dayOf(q.time);
    if (dayKey === undefined) return;
    const social = SOCIAL.has(q.intent);
    const kind = q.answered ? 'answered' : social ? 'social' : 'unanswered';
    const day = this.#daily.get(dayKey)!;
    day.total++;
    day[kind]++;
    day.channels[q.channel] = (day.channels[q.channel] ?? 0) + 1;
    this.#totals.messages++;
    this.#totals[kind]++;
    bump(this.#channels, q.channel);
    bump(this.#intents, q.intent);
    this.#users.add(q.user);
    if (q.answered && q.entry) {
      const hit = this.#hits.get(q.entry) ?? { entry: q.entry, count: 0, useful: 0, useless: 0 };
      hit.count++;
      this.#hits.set(q.entry, hit);
    }
    const text = normaliseQuestion(q.question);
    if (social || text === '' || isOptionPick(text)) return;
    this.#top.add(text, q, () => ({ answered: 0 })).answered += q.answered ? 1 : 0;
    if (!q.answered) this.#unanswered.add(text, q, () => ({}));
    if (q.answered && q.confidence < this.#floor) {
      const row = this.#uncertain.add(`${q.entry ?? ''}\u0000${text}`, q, () => ({ entry: q.entry ?? '', confidence: q.confidence }));
      row.confidence = Math.min(row.confidence, q.confidence);
    }
  }

  feedback(f: FeedbackEntry): void {
    if (this.#dayOf(f.time) !== undefined) this.#feedback.push(f);
  }

  finish(): Stats {
    const verdicts = { useful: 0, useless: 0 };
    const useless = new Tally<{ entry: string | null }>();
    for (const f of this.#feedback) {
      verdicts[f.verdict]++;
      const judged = this.#entryOf.get(f.answer);
      const hit = judged ? this.#hits.get(judged) : undefined;
      if (hit) hit[f.verdict]++;
      if (f.verdict === 'useless') {
        const entry = judged ?? null;
        useless.add(`${entry ?? ''}\u0000${normaliseQuestion(f.question)}`, f, () => ({ entry }));
      }
    }
    const limit = this.#limit;
    const totals = this.#totals;
    const grouped = groupUnanswered(this.#unanswered, this.#options);
    return {
      period: { from: this.#from, to: this.#to, days: this.#days, utcOffsetMinutes: this.#offset / 60_000 },
      totals: { ...totals, users: this.#users.size, answerRate: totals.messages - totals.social > 0 ? round(totals.answered / (totals.messages - totals.social)) : 0 },
      daily: [...this.#daily.values()],
      channels: ranked(this.#channels).map(([channel, count]) => ({ channel, label: CHANNEL_LABELS[channel] ?? channel, count })),
      intents: ranked(this.#intents).map(([intent, count]) => ({ intent, label: INTENT_LABELS[intent] ?? intent, count })),
      topQuestions: this.#top.rows().slice(0, limit).map((r) => ({ question: r.text, count: r.count, answered: r.extra.answered })),
      unansweredGroups: grouped.groups.slice(0, limit),
      grouping: { wordings: grouped.wordings, grouped: grouped.grouped },
      lowConfidence: this.#uncertain
        .rows()
        .sort((a, b) => b.count - a.count || a.extra.confidence - b.extra.confidence || compare(a.key, b.key))
        .slice(0, limit)
        .map((r) => ({ question: r.text, entry: r.extra.entry, count: r.count, confidence: r.extra.confidence, lastTime: r.lastTime })),
      feedback: {
        ...verdicts,
        uselessQuestions: useless.rows().slice(0, limit).map((r) => ({ question: r.text, entry: r.extra.entry, count: r.count, lastTime: r.lastTime })),
      },
      hits: [...this.#hits.values()].sort((a, b) => b.count - a.count || compare(a.entry, b.entry)),
    };
  }
}

function groupUnanswered(tally: Tally<Record<string, never>>, options: StatsOptions): { groups: UnansweredGroup[]; wordings: number; grouped: number } {
  const all = tally.rows();
  const max = Math.max(1, options.maxGrouped ?? DEFAULT_MAX_GROUPED);
  // The newest wordings when there are too many; then most frequent first, so that each
  // cluster's first member is its label.
  const rows = all.length <= max ? all : [...all].sort((a, b) => compare(b.lastTime, a.lastTime) || compare(a.key, b.key)).slice(0, max).sort((a, b) => b.count - a.count || compare(a.key, b.key));
  const key = similarityKeyer({ synonyms: options.synonyms, ignored: options.ignored });
  const clusters = clusterKeys(rows.map((r) => key(r.key)), options.threshold ?? SIMILARITY_THRESHOLD);
  const groups = clusters
    .map((members) => {
      const group = members.map((i) => rows[i]!);
      return {
        label: group[0]!.text,
        count: group.reduce((sum, r) => sum + r.count, 0),
        wordings: group.length,
        examples: group.slice(1, 6).map((r) => r.text),
        lastTime: group.reduce((last, r) => (r.lastTime > last ? r.lastTime : last), ''),
      };
    })
    .sort((a, b) => b.count - a.count || compare(a.label, b.label));
  return { groups, wordings: all.length, grouped: rows.length };
}

interface TallyRow<T> {
  key: string;
  /** The wording as first typed (trimmed). */
  text: string;
  count: number;
  lastTime: string;
  extra: T;
}

/** Counts records under a key, keeping the first wording and the latest time. */
class Tally<T> {
  private readonly map = new Map<string, TallyRow<T>>();

  add(key: string, record: { question: string; time: string }, init: () => T): T {
    let row = this.map.get(key);
    if (!row) {
      row = { key, text: record.question.trim().replace(/\s+/g, ' '), count: 0, lastTime: record.time, extra: init() };
      this.map.set(key, row);
    }
    row.count++;
    if (record.time > row.lastTime) row.lastTime = record.time;
    return row.extra;
  }

  /** Most frequent first; ties by key, so the order does not depend on the input's. */
  rows(): TallyRow<T>[] {
    return [...this.map.values()].sort((a, b) => b.count - a.count || compare(a.key, b.key));
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function ranked(map: Map<string, number>): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function newest(questions: readonly QuestionEntry[], feedback: readonly FeedbackEntry[]): number {
  let latest = 0;
  for (const r of [...questions, ...feedback]) latest = Math.max(latest, Date.parse(r.time) || 0);
  return latest;
}

/** `Stats` with the knowledge entries named as residents are offered them ("怎样申请政府信息公开"). */
export type LabelledStats = Omit<Stats, 'hits' | 'lowConfidence' | 'feedback'> & {
  hits: Array<Stats['hits'][number] & { label: string | null }>;
  lowConfidence: Array<Stats['lowConfidence'][number] & { entryLabel: string | null }>;
  feedback: Omit<Stats['feedback'], 'uselessQuestions'> & {
    uselessQuestions: Array<Stats['feedback']['uselessQuestions'][number] & { entryLabel: string | null }>;
  };
};

/** Adds entry names; `label` answers null for entries the current knowledge base no longer has. */
export function labelEntries(stats: Stats, label: (entry: string) => string | null | undefined): LabelledStats {
  const name = (entry: string | null) => (entry ? (label(entry) ?? null) : null);
  return {
    ...stats,
    hits: stats.hits.map((h) => ({ ...h, label: name(h.entry) })),
    lowConfidence: stats.lowConfidence.map((r) => ({ ...r, entryLabel: name(r.entry) })),
    feedback: { ...stats.feedback, uselessQuestions: stats.feedback.uselessQuestions.map((r) => ({ ...r, entryLabel: name(r.entry) })) },
  };
}
