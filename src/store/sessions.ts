// Conversation sessions, one per user key: kept in memory, persisted through SessionFiles (a
// snapshot and an append-only journal, see session-journal.ts).
//
// Reads come from memory. Writes are batched: a change marks the session, and every
// `writeIntervalMs` the sessions marked since are appended to the journal - only those, so the
// cost per second follows the traffic, not the number of sessions kept. When the journal holds
// more lines than twice the sessions kept (and at least COMPACT_MIN_LINES), it is folded into a new
// snapshot in the background. `flush()` appends now; `close()` also compacts, so a stopped server
// leaves a single sessions.json.

import type { Logger } from '../log.ts';
import type { StorageHealth } from './health.ts';
import { SessionFiles, SESSIONS_FILE, type SessionsDocument, type StoredSession } from './session-journal.ts';
import { OldestKey } from './oldest-key.ts';
import { anyObject } from './session-shape.ts';

export { SESSIONS_FILE, type SessionsDocument, type StoredSession };

/**
 * The sessions' contract: what the embedded files implement here (at once) and the shared store
 * (redis-sessions.ts) after a round trip. Callers await a promise only when they get one, so the
 * embedded store costs no extra turn of the event loop.
 */
export interface SessionStore<T extends object> {
  /** The live session, or undefined when none or idle longer than the TTL. Does not refresh it. */
  get(userId: string): T | undefined | Promise<T | undefined>;
  /** Stores the session (replacing any) and marks it active now. */
  set(userId: string, value: T): void | Promise<void>;
  delete(userId: string): void | Promise<void>;
  /** Number of sessions held in memory (expired ones may linger until the next sweep). */
  readonly size: number;
  /** Writes pending changes now. */
  flush(): Promise<void>;
  /** Flushes and stops the timers. Later changes stay in memory only. */
  close(): Promise<void>;
}

export interface SessionOptions<T extends object = object> {
  logger: Logger;
  /** Raw user id → user key. */
  userKey: (userId: string) => string;
  /** Idle time after which a session is gone. Default 30 minutes. */
  ttlMs?: number | undefined;
  /** Sessions kept in memory at most; the least recently set are evicted. Default 50,000. */
  maxSessions?: number | undefined;
  /** Minimum time between two journal appends. Default 1000 ms. */
  writeIntervalMs?: number | undefined;
  /** How often expired sessions are swept from memory. Default 60 s. */
  sweepIntervalMs?: number | undefined;
  /** Checks a session read back from disk, field by field; null drops it with a warning. Default: any object. */
  validate?: ((value: unknown) => T | null) | undefined;
  health?: StorageHealth | undefined;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_SESSIONS = 50_000;
/** Below this many journal lines a compaction is not worth its snapshot. */
export const COMPACT_MIN_LINES = 5_000;

class JournalSessionStore<T extends object> implements SessionStore<T> {
  /** Insertion order = order of last `set`: the first entry is the oldest. */
  readonly #map: Map<string, StoredSession>;
  readonly #oldest: OldestKey<string>;
  readonly #files: SessionFiles;
  readonly #logger: Logger;
  readonly #userKey: (userId: string) => string;
  readonly #ttl: number;
  readonly #max: number;
  readonly #interval: number;
  readonly #now: () => number;
  /** Keys changed since the last append (set or deleted). */
  #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  /** Snapshots written since open (observability and the bench). */
  compactions = 0;

  /** The longest the event loop was held by one piece of the store's writes, in ms. */
  get longestWriteMs(): number {
    return this.#files.longestPieceMs;
  }

  constructor(files: SessionFiles, loaded: Map<string, StoredSession>, options: SessionOptions<T>) {
    this.#files = files;
    this.#logger = options.logger;
    this.#userKey = options.userKey;
    this.#ttl = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
    this.#max = Math.max(1, options.maxSessions ?? DEFAULT_MAX_SESSIONS);
    this.#interval = Math.max(0, options.writeIntervalMs ?? 1000);
    this.#now = options.now ?? Date.now;
    const cutoff = this.#now() - this.#ttl;
    const live = [...loaded].filter(([, stored]) => stored.updatedAt > cutoff).sort((a, b) => a[1].updatedAt - b[1].updatedAt);
    this.#map = new Map(live.slice(-this.#max));
    this.#oldest = new OldestKey(this.#map);
    const sweep = options.sweepIntervalMs ?? 60_000;
    this.#sweeper = setInterval(() => this.sweep(), sweep);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#map.size;
  }

  get(userId: string): T | undefined {
    const key = this.#userKey(userId);
    const stored = this.#map.get(key);
    if (stored === undefined) return undefined;
    if (this.#now() - stored.updatedAt >= this.#ttl) {
      // Expired sessions need no journal line: a reader drops them by their time.
      this.#map.delete(key);
      return undefined;
    }
    return stored.value as T;
  }

  set(userId: string, value: T): void {
    const key = this.#userKey(userId);
    this.#map.delete(key); // re-insert at the end: most recent
    this.#map.set(key, { updatedAt: this.#now(), value });
    this.#oldest.added();
    while (this.#map.size > this.#max) {
      const oldest = this.#oldest.next()!;
      this.#map.delete(oldest);
      this.#changed(oldest);
    }
    this.#changed(key);
  }

  delete(userId: string): void {
    const key = this.#userKey(userId);
    if (this.#map.delete(key)) this.#changed(key);
  }

  /** Drops expired sessions from memory (the next snapshot leaves them out). */
  sweep(): void {
    const cutoff = this.#now() - this.#ttl;
    // Oldest first: stop at the first live one.
    for (const [key, stored] of this.#map) {
      if (stored.updatedAt > cutoff) break;
      this.#map.delete(key);
    }
  }

  #changed(key: string): void {
    this.#dirty.add(key);
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
    if (this.#dirty.size > 0) {
      const keys = this.#dirty;
      this.#dirty = new Set();
      const changes = [...keys].map((key) => [key, this.#map.get(key) ?? null] as const);
      try {
        await this.#files.append(changes);
      } catch (err) {
        this.#logger.debug({ err }, 'store: appending to the session journal failed; will retry');
        // Changed again meanwhile or not, each key's state now is what the retry writes.
        for (const key of keys) this.#changed(key);
        return;
      }
    }
    if (this.#files.journalLines > Math.max(COMPACT_MIN_LINES, 2 * this.#map.size)) void this.compact();
  }

  /** Folds the journal into a new snapshot of the live sessions (in the background of the loop). */
  compact(): Promise<void> {
    const cutoff = this.#now() - this.#ttl;
    const live: Array<readonly [string, StoredSession]> = [];
    for (const entry of this.#map) if (entry[1].updatedAt > cutoff) live.push(entry);
    this.compactions++;
    return this.#files.compact(live).catch((err: unknown) => {
      this.#logger.debug({ err }, 'store: compacting the session journal failed; the journal is kept');
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await this.flush();
    await this.compact();
  }
}

/**
 * Opens the sessions kept in `dir` (DATA_DIR): sessions.json and its journals. A corrupt snapshot
 * is moved aside, damaged journal lines and sessions with wrong fields are dropped with a warning;
 * never throws for a bad file. The files are compacted at once, so each start begins with one
 * snapshot of only live sessions.
 */
export async function openSessions<T extends object>(dir: string, options: SessionOptions<T>): Promise<SessionStore<T>> {
  const validate = (options.validate ?? anyObject) as (value: unknown) => object | null;
  const files = new SessionFiles(dir, { logger: options.logger, validate, health: options.health });
  const loaded = await files.load();
  const store = new JournalSessionStore<T>(files, loaded, options);
  await store.compact();
  return store;
}
