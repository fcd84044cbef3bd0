// Conversation sessions in Redis, shared by every instance: a follow-up that lands on another
// instance than the question before it finds the same session.
//
//   <prefix>:<namespace>:s:<user key>   {"u": updatedAt, "v": session}, with the session's idle
//                                       TTL (30 minutes) as the key's expiry (SET … PX)
//
// A write is not waited for: it is written to the shared connection at once (not held for the
// next auto-pipeline, which goes out only after the event loop's pending I/O), so it leaves before
// the reply that answers the message does. Redis runs one connection's commands in order, so the
// resident's next message on this instance reads it; on another instance the next message comes
// after the resident had the reply, i.e. after this write reached Redis.
//
// Every session is also kept in this process's memory (bounded, same TTL). While Redis does not
// answer, reads and writes use that copy alone, so a resident who stays on this instance keeps the
// conversation; when Redis answers again, whichever copy was changed last wins.
import { Command } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.ts';
import type { RedisLink } from './redis-link.ts';
import type { Prefetch } from './redis-prefetch.ts';
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_TTL_MS, type SessionStore } from './sessions.ts';
import type { StoredSession } from './session-journal.ts';

export interface RedisSessionOptions<T extends object> {
  link: RedisLink;
  namespace: string;
  logger: Logger;
  userKey: (userId: string) => string;
  ttlMs?: number | undefined;
  /** Sessions kept in this process's memory at most. Default 50,000. */
  maxSessions?: number | undefined;
  /** Checks a session read back from Redis (another version, another program): null drops it. */
  validate?: ((value: unknown) => T | null) | undefined;
  now?: () => number;
  /** Where a WeChat message's claim leaves the session it read (redis-prefetch.ts). */
  prefetch?: Prefetch | undefined;
}

export class RedisSessionStore<T extends object> implements SessionStore<T> {
  readonly #link: RedisLink;
  readonly #namespace: string;
  readonly #logger: Logger;
  readonly #userKey: (userId: string) => string;
  readonly #ttl: number;
  readonly #validate: (value: unknown) => T | null;
  readonly #now: () => number;
  readonly #local: LRUCache<string, StoredSession>;
  readonly #prefetch: Prefetch | undefined;
  #warnedInvalid = false;

  constructor(options: RedisSessionOptions<T>) {
    this.#link = options.link;
    this.#namespace = options.namespace;
    this.#logger = options.logger;
    this.#userKey = options.userKey;
    this.#ttl = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#validate = options.validate ?? ((v) => (typeof v === 'object' && v !== null ? (v as T) : null));
    this.#now = options.now ?? Date.now;
    this.#local = new LRUCache({ max: Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS) });
    this.#prefetch = options.prefetch;
    if (this.#prefetch) this.#prefetch.sessionKeyOf = (userId) => this.#key(this.#userKey(userId));
  }

  #key(userKey: string): string {
    return this.#link.key(this.#namespace, `s:${userKey}`);
  }

  get size(): number {
    return this.#local.size;
  }

  #live(stored: StoredSession | undefined): StoredSession | undefined {
    return stored !== undefined && this.#now() - stored.updatedAt < this.#ttl ? stored : undefined;
  }

  get(userId: string): T | undefined | Promise<T | undefined> {
    const key = this.#userKey(userId);
    const local = this.#live(this.#local.get(key));
    const prefetched = this.#prefetch?.takeSession(userId);
    if (prefetched !== undefined) return this.#newest(local, prefetched);
    return this.#link.attempt(() => this.#link.client.get(this.#key(key)), () => null).then((text) => this.#newest(local, text));
  }

  /** This process's copy or the one in Redis (`text`), whichever was written last. */
  #newest(local: StoredSession | undefined, text: string | null): T | undefined {
    // Most reads find the session this process wrote last: its copy here is the same session, so
    // the text is not parsed into a second one (which cost a parse per message and, kept as the
    // session, a copy of what the copy here shares with the engine's kept readings).
    if (local !== undefined && text !== null && updatedAtOf(text) === local.updatedAt) return local.value as T;
    const shared = this.#parse(text);
    const newest = shared !== undefined && (local === undefined || shared.updatedAt >= local.updatedAt) ? shared : local;
    return newest?.value as T | undefined;
  }

  #parse(text: string | null): StoredSession | undefined {
    if (text === null) return undefined;
    try {
      const stored = JSON.parse(text) as { u?: unknown; v?: unknown };
      const value = this.#validate(stored.v);
      if (typeof stored.u === 'number' && value !== null) return this.#live({ updatedAt: stored.u, value });
    } catch {
      // fall through: dropped like a session with a wrong field
    }
    if (!this.#warnedInvalid) {
      this.#warnedInvalid = true;
      this.#logger.warn({ namespace: this.#namespace }, 'store: a session in Redis had the wrong shape and was dropped');
    }
    return undefined;
  }

  set(userId: string, value: T): void {
    const key = this.#userKey(userId);
    const stored: StoredSession = { updatedAt: this.#now(), value };
    this.#local.set(key, stored);
    if (!this.#link.up) return; // this copy alone until Redis answers again
    const args = [this.#key(key), JSON.stringify({ u: stored.updatedAt, v: value }), 'PX', String(this.#ttl)];
    // A WeChat message's session goes out with its reply, in one write (redis-replies.ts).
    if (this.#prefetch?.deferWrite(userId, args)) return;
    this.#link.commands++;
    // sendCommand rather than client.set: auto-pipelining would hold it until after the reply.
    const command = new Command('set', args);
    void this.#link.client.sendCommand(command);
    command.promise.then(undefined, (err: unknown) => this.#link.failed(err));
  }

  async delete(userId: string): Promise<void> {
    const key = this.#userKey(userId);
    this.#local.delete(key);
    await this.#link.attempt(() => this.#link.client.del(this.#key(key)), () => undefined);
  }

  async flush(): Promise<void> {
    // Every write goes out as it is made.
  }

  async close(): Promise<void> {
    this.#local.clear();
  }
}

/** The "u" (updatedAt) of a stored session's text as set() writes it, without parsing the rest; NaN otherwise. */
export function updatedAtOf(text: string): number {
  if (!text.startsWith('{"u":')) return Number.NaN;
  const end = text.indexOf(',', 5);
  return end < 0 ? Number.NaN : Number(text.slice(5, end));
}
