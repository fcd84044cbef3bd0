// The one connection to Redis a process shares (REDIS_URL), and whether Redis is answering.
//
// Redis is a dependency of every message once it is set, and it may go away: an answer must never
// wait for it to come back. So commands are never queued while the connection is down (they fail
// at once and the caller falls back to local state), a command that hangs fails after
// `commandTimeoutMs`, and the client reconnects in the background. The first failure is logged
// once, the recovery once; `/healthz` shows the state (see server.ts).
//
// Commands issued in the same turn of the event loop go out as one pipeline (ioredis'
// auto-pipelining), so the round trips of many messages in flight share one write.
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';

export interface RedisStatus {
  ok: boolean;
  /** ISO 8601: since when Redis has not been answering (absent while it answers). */
  since?: string;
  /** What the last failure said (never the URL: it may hold a password). */
  message?: string;
}

export interface RedisLinkOptions {
  logger: Logger;
  /** Key prefix before every account's namespace. Default "gongkai". */
  prefix?: string | undefined;
  /** A command not answered by then fails (and the caller falls back). Default 500 ms. */
  commandTimeoutMs?: number | undefined;
  /** How long `connect` waits for the first connection before starting degraded. Default 2,000 ms. */
  connectTimeoutMs?: number | undefined;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

export class RedisLink {
  readonly client: Redis;
  readonly url: string;
  readonly prefix: string;
  readonly #logger: Logger;
  #down: { since: number; message: string } | undefined;
  /** Round trips sent (commands and pipelines), for the bench. */
  commands = 0;
  #closed = false;
  #probing: NodeJS.Timeout | undefined;
  readonly #onRecover = new Set<() => void>();

  constructor(url: string, options: RedisLinkOptions) {
    this.url = url;
    this.prefix = options.prefix ?? 'gongkai';
    this.#logger = options.logger;
    const redisOptions: RedisOptions = {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // Back off to one attempt a second: a Redis that comes back is found within a second.
      retryStrategy: (times) => Math.min(50 * times, 1000),
      lazyConnect: true,
    };
    this.client = new Redis(url, redisOptions);
    this.client.on('ready', () => this.#up());
    this.client.on('error', (err: Error) => this.failed(err));
    this.client.on('close', () => this.failed(new Error('connection closed')));
  }

  /** Key of `name` in `namespace`: "<prefix>:<namespace>:<name>". */
  key(namespace: string, name: string): string {
    return `${this.prefix}:${namespace}:${name}`;
  }

  /** Connects, waiting up to the connect timeout; resolves either way (down ⇒ degraded start). */
  async connect(): Promise<void> {
    try {
      await this.client.connect();
    } catch (err) {
      this.failed(err);
    }
  }

  get up(): boolean {
    return this.#down === undefined && this.client.status === 'ready';
  }

  /** A command failed or the connection dropped: logged once until Redis answers again. */
  failed(err: unknown): void {
    if (this.#closed) return;
    const message = err instanceof Error ? err.message : String(err);
    if (this.#down !== undefined) return;
    this.#down = { since: Date.now(), message };
    this.#probe();
    this.#logger.error(
      { redis: redactUrl(this.url), err: { message } },
      'Redis 无法访问：继续回答，会话和限流暂用本机状态 / Redis unreachable: answering on, sessions and limits use local state until it returns',
    );
  }

  /**
   * While down, a PING a second: a connection that stayed open while Redis stopped answering
   * (a command timed out) never reconnects, so nothing else would notice it is back.
   */
  #probe(): void {
    if (this.#probing !== undefined) return;
    this.#probing = setInterval(() => {
      if (this.#down === undefined || this.#closed) {
        clearInterval(this.#probing);
        this.#probing = undefined;
        return;
      }
      if (this.client.status !== 'ready') return; // reconnecting: 'ready' will say when it is back
      this.client.ping().then(() => this.#up(), () => undefined);
    }, 1000);
    this.#probing.unref();
  }

  #up(): void {
    if (this.#down === undefined) return;
    const downMs = Date.now() - this.#down.since;
    this.#down = undefined;
    this.#logger.warn({ redis: redactUrl(this.url), downMs }, 'Redis 恢复 / Redis is answering again: shared state resumes');
    for (const listener of this.#onRecover) listener();
  }

  /** Called each time Redis answers again after being down. */
  onRecover(listener: () => void): void {
    this.#onRecover.add(listener);
  }

  status(): RedisStatus {
    if (this.up) return { ok: true };
    const down = this.#down ?? { since: Date.now(), message: `connection ${this.client.status}` };
    return { ok: false, since: new Date(down.since).toISOString(), message: down.message };
  }

  /**
   * `run()` when Redis is up, else `fallback()`; a failing `run` marks Redis down and falls back
   * too. Never rejects because of Redis.
   */
  async attempt<T>(run: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    if (!this.up) return fallback();
    this.commands++;
    try {
      return await run();
    } catch (err) {
      this.failed(err);
      return fallback();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#probing !== undefined) clearInterval(this.#probing);
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/**
 * The salt for user keys when several instances share Redis: all of them must hash a user to the
 * same key, or a follow-up on another instance finds no session. DATA_SALT wins when set;
 * otherwise the first instance stores its salt under "<prefix>:<namespace>:salt" (SET NX: the
 * salt already in its DATA_DIR, or a new one) and every instance uses what is stored there.
 * Undefined when Redis cannot be asked: the caller keeps the local salt and says so.
 */
export async function sharedSalt(link: RedisLink, namespace: string, local: () => Promise<string>): Promise<string | undefined> {
  if (!link.up) return undefined;
  try {
    const key = link.key(namespace, 'salt');
    const existing = await link.client.get(key);
    if (existing) return existing;
    const candidate = (await local().catch(() => undefined)) ?? randomBytes(32).toString('hex');
    await link.client.set(key, candidate, 'NX');
    return (await link.client.get(key)) ?? candidate;
  } catch (err) {
    link.failed(err);
    return undefined;
  }
}
