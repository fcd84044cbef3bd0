// Conversation sessions, one per user key, in DATA_DIR/sessions.json (lowdb).
//
// Reads come from memory. Writes are batched: a change schedules one file write after
// `writeIntervalMs`, so there is at most one write per interval however many messages arrive;
// `flush()` writes now. The file is rewritten through lowdb's DataFile (steno: temp file + rename),
// so a crash leaves the previous or the next version, never a torn file.

import type { Adapter, Low } from 'lowdb';
import type { Logger } from '../log.ts';
import { openJsonDb } from './json-file.ts';

export const SESSIONS_FILE = 'sessions.json';

/** What the file holds. Keys are user keys (HMAC), never raw ids. */
export interface SessionsDocument {
  version: 1;
  sessions: Record<string, StoredSession>;
}

export interface StoredSession {
  /** Epoch milliseconds of the last `set`. */
  updatedAt: number;
  value: object;
}

export interface SessionStore<T extends object> {
  /** The live session, or undefined when none or idle longer than the TTL. Does not refresh it. */
  get(userId: string): T | undefined;
  /** Stores the session (replacing any) and marks it active now. */
  set(userId: string, value: T): void;
  delete(userId: string): void;
  /** Number of sessions held in memory (expired ones may linger until the next sweep). */
  readonly size: number;
  /** Writes pending changes now. */
  flush(): Promise<void>;
  /** Flushes and stops the timers. Later changes stay in memory only. */
  close(): Promise<void>;
}

export interface SessionOptions {
  logger: Logger;
  /** Raw user id → user key. */
  userKey: (userId: string) => string;
  /** Idle time after which a session is gone. Default 30 minutes. */
  ttlMs?: number;
  /** Sessions kept in memory at most; the least recently set are evicted. Default 50,000. */
  maxSessions?: number;
  /** Minimum time between two file writes. Default 1000 ms. */
  writeIntervalMs?: number;
  /** How often expired sessions are swept from memory and file. Default 60 s. */
  sweepIntervalMs?: number;
  /** Clock, epoch milliseconds. */
  now?: () => number;
  /** Replaces the lowdb file adapter (tests use it to count writes). */
  adapter?: Adapter<SessionsDocument>;
}

export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_SESSIONS = 50_000;

function emptyDocument(): SessionsDocument {
  return { version: 1, sessions: {} };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateDocument(data: unknown): SessionsDocument | null {
  if (!isObject(data) || !isObject(data.sessions)) return null;
  return { version: 1, sessions: data.sessions as Record<string, StoredSession> };
}

function isStoredSession(value: unknown): value is StoredSession {
  return isObject(value) && typeof value.updatedAt === 'number' && Number.isFinite(value.updatedAt) && isObject(value.value);
}

class LowSessionStore<T extends object> implements SessionStore<T> {
  /** Insertion order = order of last `set`: the first entry is the oldest. */
  readonly #map = new Map<string, StoredSession>();
  readonly #db: Low<SessionsDocument>;
  readonly #logger: Logger;
  readonly #userKey: (userId: string) => string;
  readonly #ttl: number;
  readonly #max: number;
  readonly #interval: number;
  readonly #now: () => number;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(db: Low<SessionsDocument>, options: SessionOptions) {
    this.#db = db;
    this.#logger = options.logger;
    this.#userKey = options.userKey;
    this.#ttl = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#max = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
    this.#interval = Math.max(0, options.writeIntervalMs ?? 1000);
    this.#now = options.now ?? Date.now;
    this.#load(db.data);
    const sweep = options.sweepIntervalMs ?? 60_000;
    this.#sweeper = setInterval(() => this.sweep(), sweep);
    this.#sweeper.unref();
  }

  #load(doc: SessionsDocument): void {
    const now = this.#now();
    const live: [string, StoredSession][] = [];
    let invalid = 0;
    for (const [key, stored] of Object.entries(doc.sessions)) {
      if (!isStoredSession(stored)) invalid++;
      else if (now - stored.updatedAt < this.#ttl) live.push([key, { updatedAt: stored.updatedAt, value: stored.value }]);
    }
    if (invalid > 0) this.#logger.warn({ invalid }, 'store: dropped malformed sessions');
    live.sort((a, b) => a[1].updatedAt - b[1].updatedAt);
    for (const [key, stored] of live.slice(-this.#max)) this.#map.set(key, stored);
    if (this.#map.size !== Object.keys(doc.sessions).length) this.#changed();
  }

  get size(): number {
    return this.#map.size;
  }

  get(userId: string): T | undefined {
    const key = this.#userKey(userId);
    const stored = this.#map.get(key);
    if (stored === undefined) return undefined;
    if (this.#now() - stored.updatedAt >= this.#ttl) {
      this.#map.delete(key);
      this.#changed();
      return undefined;
    }
    return stored.value as T;
  }

  set(userId: string, value: T): void {
    const key = this.#userKey(userId);
    this.#map.delete(key); // re-insert at the end: most recent
    this.#map.set(key, { updatedAt: this.#now(), value });
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
    this.#changed();
  }

  delete(userId: string): void {
    if (this.#map.delete(this.#userKey(userId))) this.#changed();
  }

  /** Drops expired sessions from memory (and, with the next write, from the file). */
  sweep(): void {
    const cutoff = this.#now() - this.#ttl;
    let dropped = 0;
    for (const [key, stored] of this.#map) {
      if (stored.updatedAt <= cutoff) {
        this.#map.delete(key);
        dropped++;
      }
    }
    if (dropped > 0) this.#changed();
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#interval);
    this.#timer.unref();
  }

  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  async #write(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const sessions: Record<string, StoredSession> = {};
    const cutoff = this.#now() - this.#ttl;
    for (const [key, stored] of this.#map) if (stored.updatedAt > cutoff) sessions[key] = stored;
    this.#db.data = { version: 1, sessions };
    try {
      await this.#db.write();
    } catch (err) {
      this.#logger.error({ err }, 'store: writing sessions failed; will retry');
      this.#changed();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await this.flush();
  }
}

/** Opens DATA_DIR/sessions.json (or `file`). A corrupt file is moved aside; never throws for it. */
export async function openSessions<T extends object>(file: string, options: SessionOptions): Promise<SessionStore<T>> {
  const db = await openJsonDb<SessionsDocument>(file, {
    logger: options.logger,
    defaults: emptyDocument,
    validate: validateDocument,
    adapter: options.adapter,
  });
  return new LowSessionStore<T>(db, options);
}
