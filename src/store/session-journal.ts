// The files that keep conversation sessions across restarts, written without ever rewriting every
// session on the request path:
//
//   sessions.json        a snapshot: {"version":2,"journal":N,"sessions":{key:{updatedAt,value}}}
//   sessions.<n>.journal one JSON line per change since then, for n ≥ N:
//                        {"k":key,"t":updatedAt,"v":value} (set) or {"k":key,"d":1} (delete)
//
// Each line holds a session's whole new state, so replaying a line twice, or a line older than the
// snapshot, changes nothing: a torn last line (kill -9 mid-append) is skipped and a retried append
// cannot duplicate anything. Compaction starts a new journal N+1 first, then writes the snapshot of
// that moment in pieces (the event loop runs between them) under a temporary name, renames it into
// place and only then deletes the journals before N+1. A crash at any point leaves a snapshot and
// the journals that complete it. Version 1 files (the whole document rewritten each second) read
// as a snapshot with journal 0.
import { appendFile, readdir, readFile, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { StorageHealth } from './health.ts';
import { moveAside, writeFileAtomic } from './json-file.ts';

export const SESSIONS_FILE = 'sessions.json';
const JOURNAL = /^sessions\.(\d{1,15})\.journal$/;
export const journalFile = (n: number): string => `sessions.${n}.journal`;

export interface StoredSession {
  /** Epoch milliseconds of the last `set`. */
  updatedAt: number;
  value: object;
}

/** What sessions.json holds. Keys are user keys (HMAC), never raw ids. */
export interface SessionsDocument {
  version: 1 | 2;
  /** The first journal not yet folded into this snapshot (absent in version 1: 0). */
  journal?: number;
  sessions: Record<string, StoredSession>;
}

export interface SessionFilesOptions {
  logger: Logger;
  /** Checks a stored session's value; null drops it (with a warning). */
  validate: (value: unknown) => object | null;
  health?: StorageHealth | undefined;
}

/** Sessions per piece of a snapshot or an append: some 30 kilobytes of JSON, well under a millisecond. */
const PIECE = 250;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SessionFiles {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #validate: (value: unknown) => object | null;
  readonly #health: StorageHealth | undefined;
  /** The journal appended to now. */
  #current = 0;
  /** Bytes of the current journal known to be whole lines (a failed append is cut back to it). */
  #size = 0;
  #appending: Promise<void> = Promise.resolve();
  #compacting: Promise<void> | undefined;
  /** Lines in the journals not yet folded into the snapshot (the caller's compaction rule). */
  journalLines = 0;
  /** The longest the event loop was held by one piece of an append or a snapshot, in ms. */
  longestPieceMs = 0;

  constructor(dir: string, options: SessionFilesOptions) {
    this.#dir = dir;
    this.#logger = options.logger;
    this.#validate = options.validate;
    this.#health = options.health;
  }

  /** The snapshot with its journals replayed; damaged parts are dropped with a warning. Never throws for a bad file. */
  async load(): Promise<Map<string, StoredSession>> {
    const sessions = new Map<string, StoredSession>();
    let invalid = 0;
    const accept = (key: string, updatedAt: unknown, raw: unknown): void => {
      const value = typeof updatedAt === 'number' && Number.isFinite(updatedAt) ? this.#validate(raw) : null;
      if (value === null) {
        invalid++;
        sessions.delete(key);
      } else sessions.set(key, { updatedAt: updatedAt as number, value });
    };

    let first = 0;
    const snapshot = await this.#readSnapshot();
    if (snapshot) {
      first = snapshot.journal ?? 0;
      for (const [key, stored] of Object.entries(snapshot.sessions as Record<string, unknown>)) {
        if (isObject(stored)) accept(key, stored.updatedAt, stored.value);
        else invalid++;
      }
    }
    const journals = (await readdir(this.#dir).catch(() => [] as string[]))
      .map((name) => Number(JOURNAL.exec(name)?.[1] ?? NaN))
      .filter((n) => Number.isSafeInteger(n))
      .sort((a, b) => a - b);
    let damaged = 0;
    for (const n of journals) {
      if (n < first) {
        // Folded into the snapshot already; left behind by a crash before its deletion.
        await unlink(path.join(this.#dir, journalFile(n))).catch(() => undefined);
        continue;
      }
      const lines = (await readFile(path.join(this.#dir, journalFile(n)), 'utf8').catch(() => '')).split('\n');
      for (const line of lines) {
        if (line === '') continue;
        let change: unknown;
        try {
          change = JSON.parse(line);
        } catch {
          damaged++;
          continue;
        }
        if (!isObject(change) || typeof change.k !== 'string') damaged++;
        else if (change.d === 1) sessions.delete(change.k);
        else accept(change.k, change.t, change.v);
      }
    }
    if (invalid > 0) this.#logger.warn({ file: SESSIONS_FILE, invalid }, 'store: dropped sessions whose fields have the wrong type');
    // A torn last line is the expected trace of a kill -9 during an append: not worth a warning each.
    if (damaged > 1) this.#logger.warn({ file: SESSIONS_FILE, lines: damaged }, 'store: skipped unreadable session journal lines');
    this.#current = Math.max(first, journals.at(-1) ?? 0) + 1;
    this.#size = 0;
    this.journalLines = 0;
    return sessions;
  }

  async #readSnapshot(): Promise<SessionsDocument | null> {
    const file = path.join(this.#dir, SESSIONS_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      await moveAside(file, this.#logger, (err as Error).message);
      return null;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      await moveAside(file, this.#logger, (err as Error).message);
      return null;
    }
    const journal = isObject(doc) ? doc.journal : undefined;
    if (!isObject(doc) || !isObject(doc.sessions) || (journal !== undefined && !(Number.isSafeInteger(journal) && (journal as number) >= 0))) {
      await moveAside(file, this.#logger, 'unexpected document shape');
      return null;
    }
    return { version: 2, journal: journal as number | undefined, sessions: doc.sessions as Record<string, StoredSession> };
  }

  /**
   * Appends the changes (null = deleted) to the current journal, a piece at a time. Rejects when
   * the write failed; what was written of a failed piece is cut off again when possible.
   */
  append(changes: ReadonlyArray<readonly [string, StoredSession | null]>): Promise<void> {
    const run = this.#appending.then(() => this.#append(changes));
    this.#appending = run.catch(() => undefined);
    return run;
  }

  async #append(changes: ReadonlyArray<readonly [string, StoredSession | null]>): Promise<void> {
    const name = journalFile(this.#current);
    const file = path.join(this.#dir, name);
    for (let i = 0; i < changes.length; i += PIECE) {
      if (i > 0) await yieldToLoop();
      const started = performance.now();
      let text = '';
      for (const [key, stored] of changes.slice(i, i + PIECE)) {
        text += stored === null ? `${JSON.stringify({ k: key, d: 1 })}\n` : `${JSON.stringify({ k: key, t: stored.updatedAt, v: stored.value })}\n`;
      }
      this.#piece(started);
      const before = this.#size;
      try {
        await appendFile(file, text, { encoding: 'utf8', mode: 0o600 });
      } catch (err) {
        this.#health?.failed(name, err);
        // A partial line left at the end would glue itself to the next one.
        await truncate(file, before).catch(() => undefined);
        throw err;
      }
      this.#size += Buffer.byteLength(text, 'utf8');
      this.journalLines += Math.min(PIECE, changes.length - i);
    }
    this.#health?.succeeded(name);
  }

  /**
   * Folds the journals into a new snapshot of `entries` (the sessions as they are now). Appends go
   * to the next journal from this call on; the snapshot is written over many turns of the loop.
   * One compaction at a time: a call while one runs waits for it and returns.
   */
  compact(entries: ReadonlyArray<readonly [string, StoredSession]>): Promise<void> {
    if (this.#compacting) return this.#compacting;
    const next = this.#current + 1;
    this.#current = next;
    this.#size = 0;
    const folded = this.journalLines;
    this.journalLines = 0;
    const run = (async () => {
      try {
        await writeFileAtomic(path.join(this.#dir, SESSIONS_FILE), snapshotPieces(entries, next, (started) => this.#piece(started)));
        this.#health?.succeeded(SESSIONS_FILE);
      } catch (err) {
        this.#health?.failed(SESSIONS_FILE, err);
        // The journals stay; the next compaction folds them in.
        this.journalLines += folded;
        throw err;
      }
      await this.#appending;
      const names = await readdir(this.#dir).catch(() => [] as string[]);
      for (const name of names) {
        const n = Number(JOURNAL.exec(name)?.[1] ?? NaN);
        if (Number.isSafeInteger(n) && n < next) await unlink(path.join(this.#dir, name)).catch(() => undefined);
      }
    })().finally(() => {
      this.#compacting = undefined;
    });
    this.#compacting = run;
    return run;
  }

  #piece(started: number): void {
    this.longestPieceMs = Math.max(this.longestPieceMs, performance.now() - started);
  }
}

/** The snapshot as pieces of text, each produced only when the writer asks for it. */
async function* snapshotPieces(entries: ReadonlyArray<readonly [string, StoredSession]>, journal: number, timed: (started: number) => void): AsyncGenerator<string> {
  yield `{"version":2,"journal":${journal},"sessions":{`;
  for (let i = 0; i < entries.length; i += PIECE) {
    if (i > 0) await yieldToLoop();
    const started = performance.now();
    let piece = '';
    for (let j = i; j < Math.min(entries.length, i + PIECE); j++) {
      const [key, stored] = entries[j]!;
      piece += `${j > 0 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify({ updatedAt: stored.updatedAt, value: stored.value })}`;
    }
    timed(started);
    yield piece;
  }
  yield '}}';
}
