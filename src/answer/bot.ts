import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Store, StoreLimits } from '../store/data-dir.ts';
import { embeddedBackend, type StateBackend } from '../store/backend.ts';
import { parseSession } from '../store/session-shape.ts';
import type { Logger } from '../log.ts';
import { LRUCache } from 'lru-cache';
import { yearInChina } from '../language/normalise.ts';
import { Engine, type EngineOptions, type Reply, type Session } from './engine.ts';
import type { Limiter } from './rate-limit.ts';
import type { Answer, AskContext, Bot } from './types.ts';
import { titleOf } from './compose.ts';

export interface BotOptions {
  knowledgeDir: string;
  dataDir: string;
  logger: Logger;
  salt?: string | undefined;
  /** Clock for sessions, logs and relative years (今年/去年). */
  now?: () => number;
  /** Messages per user per minute; false for staff tools (the CLI). Default 20. */
  rateLimit?: number | false;
  /** Questions whose reading the engine keeps (see Engine); 0 reads every message afresh. */
  readingCache?: number;
  /**
   * Replies kept by the question and the session they were made from (REPLY_CACHE by default; 0
   * when `readingCache` is 0, so that every message is then answered afresh).
   */
  replyCache?: number;
  /** Bounds of the sessions and the question log (config.ts: STORE_* and LOG_* variables). */
  store?: StoreLimits | undefined;
  /** Where sessions, the log and the per-user limit live: the embedded files (default) or Redis. */
  backend?: StateBackend | undefined;
  /** The base of knowledgeDir when the caller is already reading it (main.ts: on another thread). */
  knowledge?: Promise<KnowledgeBase> | undefined;
}

/**
 * Replies kept whole. The engine's reply is a function of the message, the session it continues
 * and the year (relative years such as 去年 resolve against it), nothing else: the same question
 * after the same answer gets the same reply. Residents ask the same few questions, after the same
 * few answers (menu clicks, a first question with no session, the usual follow-ups), and for those
 * the engine would compose the same text again: about a third of what a message cost the webhook.
 */
export const REPLY_CACHE = 2_000;
/** China Standard Time, which yearInChina reads the year in: UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;
/** Longer messages are answered afresh: they are rarely repeated word for word (as Engine's readings). */
const KEPT_INPUT_LENGTH = 200;

export interface RunningBot extends Bot {
  readonly engine: Engine;
  /** Replies the bot answered from its kept replies and those the engine made (bench, tests). */
  readonly replyStats: { kept: number; made: number };
  readonly store: Store<Session>;
  /** Swaps in a knowledge base; the old one keeps serving if this one is not usable. */
  use(kb: KnowledgeBase): void;
  close(): Promise<void>;
}

/** The core wired to a knowledge base and a store: what every channel talks to. */
export async function createBot(options: BotOptions): Promise<RunningBot> {
  const now = options.now ?? Date.now;
  const kb = await (options.knowledge ?? import('../knowledge/knowledge-base.ts').then((m) => m.loadKnowledge(options.knowledgeDir)));
  for (const f of kb.findings) {
    if (f.level === 'error') options.logger.error({ document: f.document, location: f.location }, f.message);
  }
  const backend = options.backend ?? embeddedBackend(now);
  const store = await backend.openStore<Session>(options.dataDir, { ...options.store, logger: options.logger, salt: options.salt, now, validateSession: parseSession });
  const today = () => new Date(now());
  const limiter = options.rateLimit === false ? null : backend.limiter('user', options.rateLimit ?? 20, 60_000);
  const engineOptions: EngineOptions = options.readingCache === undefined ? {} : { readingCache: options.readingCache };
  const engine = (base: KnowledgeBase) => new Engine(base, today, undefined, engineOptions);
  const kept = options.replyCache ?? (options.readingCache === 0 ? 0 : REPLY_CACHE);
  const replies = kept > 0 ? new LRUCache<string, Reply>({ max: kept }) : null;
  return new CoreBot(engine(kb), engine, store, options.logger, limiter, replies, today);
}

class CoreBot implements RunningBot {
  constructor(
    private current: Engine,
    private readonly engineFor: (kb: KnowledgeBase) => Engine,
    readonly store: Store<Session>,
    private readonly logger: Logger,
    private readonly limiter: Limiter | null,
    /** Kept replies, by year, session and message (see REPLY_CACHE); null: none kept. */
    private readonly replies: LRUCache<string, Reply> | null,
    private readonly today: () => Date,
  ) {}

  readonly replyStats = { kept: 0, made: 0 };
  /** The JSON of each kept session (frozen, so it stays true), while anyone holds the session. */
  private readonly sessionText = new WeakMap<Session, string>();
  /** This year in China and the epoch ms it runs from and until (see year()). */
  private thisYear = { year: 0, from: 0, until: 0 };

  /** yearInChina(today()), worked out again only when the clock leaves the year. */
  private year(): number {
    const t = this.today().getTime();
    const y = this.thisYear;
    if (t >= y.from && t < y.until) return y.year;
    const year = yearInChina(new Date(t));
    this.thisYear = { year, from: Date.UTC(year, 0, 1) - CHINA_OFFSET_MS, until: Date.UTC(year + 1, 0, 1) - CHINA_OFFSET_MS };
    return year;
  }

  get title(): string {
    return titleOf(this.current.kb.contacts.body);
  }

  get engine(): Engine {
    return this.current;
  }

  use(kb: KnowledgeBase): void {
    this.current = this.engineFor(kb);
    // Replies of the old knowledge base must not outlive it.
    this.replies?.clear();
  }

  /**
   * engine.respond, or the reply it made for the same message after the same session this year.
   * The kept reply is frozen and shared: each caller gets its own copy of the answer (answer()
   * changes a feedback's reply), and the session, frozen, is the next message's `previous`.
   */
  private respond(input: string, previous: Session | undefined): Reply {
    const replies = this.replies;
    if (replies === null || input.length > KEPT_INPUT_LENGTH) return this.current.respond(input, previous);
    const key = `${this.year()}\u0000${previous === undefined ? '' : (this.sessionText.get(previous) ?? JSON.stringify(previous))}\u0000${input}`;
    let kept = replies.get(key);
    if (kept === undefined) {
      this.replyStats.made++;
      const reply = this.current.respond(input, previous);
      // The session as the shared store would give it back (JSON), so that nothing it holds is the
      // engine's own; its text is the key part of the sender's next message.
      const text = JSON.stringify(reply.session);
      const session = deepFreeze(JSON.parse(text) as Session);
      this.sessionText.set(session, text);
      kept = { answer: frozenAnswer(reply.answer), session };
      replies.set(key, kept);
      return { answer: { ...kept.answer }, session: kept.session };
    }
    this.replyStats.kept++;
    return { answer: { ...kept.answer }, session: kept.session };
  }

  async answer(text: string, user: string, context: AskContext = {}): Promise<Answer> {
    const channel = context.channel ?? 'unknown';
    // Both asked before either is awaited: a shared store answers them in one round trip.
    const hit = this.limiter?.hit(user) ?? 0;
    const stored = this.store.sessions.get(user);
    const wait = typeof hit === 'number' ? hit : await hit;
    if (this.limiter && wait > 0) {
      // Refused politely and logged, never dropped in silence.
      const answer: Answer = { reply: `您发送得太快了，请 ${wait} 秒后再问。每人每分钟最多 ${this.limiter.max} 条。`, answered: false, intent: 'rate-limited', confidence: 1, sources: [] };
      this.store.log.append({ channel, userId: user, question: text, intent: answer.intent, entry: null, confidence: 1, answered: false });
      return answer;
    }
    // A shared store answers after a round trip; the embedded one at once, costing no extra turn.
    const { answer, session } = this.respond(String(text ?? ''), stored instanceof Promise ? await stored : stored);
    if (answer.intent === 'feedback') {
      const recorded = this.store.log.feedback(user, /没|无|不/.test(text) ? 'useless' : 'useful');
      if (!recorded) answer.reply = '还没有可以评价的回答。请先提问，我回答后再回复“有用”或“没用”。';
    } else {
      this.store.log.append({
        channel,
        userId: user,
        question: text,
        intent: answer.intent,
        entry: answer.entry ?? null,
        confidence: answer.confidence,
        answered: answer.answered,
      });
    }
    // Awaited when shared, so that the resident's next message finds it on whichever instance.
    const write = this.store.sessions.set(user, session);
    if (write) await write;
    return answer;
  }

  welcome(): string {
    return `感谢关注！我是${titleOf(this.current.kb.contacts.body)}助手，可以回答年度报告里的数字、怎样申请信息公开、期限、收费、救济途径和联系方式。\n${this.current.helpText()}`;
  }

  async menu(key: string, user: string, context: AskContext = {}): Promise<Answer> {
    // A menu key names a guide topic ("apply"); any other key is taken as a question.
    const stored = this.store.sessions.get(user);
    const reply = this.current.respondTo(`guide:${key}`, stored instanceof Promise ? await stored : stored);
    if (!reply) return this.answer(key, user, context);
    const { answer, session } = reply;
    this.store.log.append({ channel: context.channel ?? 'unknown', userId: user, question: `[菜单] ${key}`, intent: answer.intent, entry: answer.entry ?? null, confidence: answer.confidence, answered: answer.answered });
    const write = this.store.sessions.set(user, session);
    if (write) await write;
    return answer;
  }

  unsupported(kind: string): string {
    void kind;
    return '目前只能看懂文字问题。请直接输入您想了解的内容，例如“怎么申请政府信息公开？”。';
  }

  async close(): Promise<void> {
    await this.store.close();
    this.logger.debug('bot closed');
  }
}


/** A frozen copy of the answer and its lists (the engine's own are left as they are; the sources in them are the knowledge base's objects). */
function frozenAnswer(answer: Answer): Answer {
  const kept: Answer = { ...answer, sources: Object.freeze([...answer.sources]) as Answer['sources'] };
  if (answer.options) kept.options = Object.freeze([...answer.options]) as string[];
  if (answer.related) kept.related = Object.freeze([...answer.related]) as string[];
  return Object.freeze(kept);
}

/** Freezes `value` and everything it holds: a kept session that someone tried to change would throw. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
