import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Store, StoreLimits } from '../store/data-dir.ts';
import { embeddedBackend, type StateBackend } from '../store/backend.ts';
import { parseSession } from '../store/session-shape.ts';
import type { Logger } from '../log.ts';
import { Engine, type EngineOptions, type Session } from './engine.ts';
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
  /** Bounds of the sessions and the question log (config.ts: STORE_* and LOG_* variables). */
  store?: StoreLimits | undefined;
  /** Where sessions, the log and the per-user limit live: the embedded files (default) or Redis. */
  backend?: StateBackend | undefined;
  /** The base of knowledgeDir when the caller is already reading it (main.ts: on another thread). */
  knowledge?: Promise<KnowledgeBase> | undefined;
}

export interface RunningBot extends Bot {
  readonly engine: Engine;
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
  return new CoreBot(engine(kb), engine, store, options.logger, limiter);
}

class CoreBot implements RunningBot {
  constructor(
    private current: Engine,
    private readonly engineFor: (kb: KnowledgeBase) => Engine,
    readonly store: Store<Session>,
    private readonly logger: Logger,
    private readonly limiter: Limiter | null,
  ) {}

  get title(): string {
    return titleOf(this.current.kb.contacts.body);
  }

  get engine(): Engine {
    return this.current;
  }

  use(kb: KnowledgeBase): void {
    this.current = this.engineFor(kb);
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
    const { answer, session } = this.current.respond(String(text ?? ''), stored instanceof Promise ? await stored : stored);
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

