// A lowdb Adapter over a JSON-lines file that only ever appends.
//
// lowdb's `Low.write()` hands the adapter the whole array; this adapter appends just the records
// after the newest one it has written (or read), found by object identity. Dropping records from the
// front of the in-memory array (retention) therefore costs no file write; `rewrite()` replaces the
// file atomically (temp + rename) when the caller decides to compact it.
//
// Reading tolerates damage: a truncated last line (a crash mid-append) is skipped with a warning;
// other unparsable lines are skipped and counted in `damagedLines` so the caller can move the
// original aside before compacting.
//
// A failed append (a full disk) may have written part of its text. The file is cut back to its
// length before the append, so the retry cannot duplicate the records that did get out; when even
// that fails, records read back are de-duplicated by id (`idOf`).

import { appendFile, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import type { Logger } from '../log.ts';
import { writeFileAtomic } from './json-file.ts';

export interface JsonlOptions<T> {
  logger: Logger;
  /** Accepts a parsed line; lines failing it count as damaged. */
  validate: (value: unknown) => value is T;
  /** A record's unique id, if it has one: a second record with the same id is skipped on read. */
  idOf?: ((record: T) => string | undefined) | undefined;
}

export class JsonlFile<T extends object> implements Adapter<T[]> {
  readonly file: string;
  readonly #logger: Logger;
  readonly #validate: (value: unknown) => value is T;
  readonly #idOf: ((record: T) => string | undefined) | undefined;
  /** Bytes of the file that hold whole lines, as far as this process wrote or read them. */
  #size = 0;
  /**
   * The newest record known to be in the file (read from it or appended to it). One reference,
   * not a set of all: a WeakSet of a hundred thousand records made every garbage collection and
   * every append slower.
   */
  #newestOnDisk: T | undefined;
  /** False when the file ends without a newline (truncated line): the next append starts one. */
  #endsWithNewline = true;
  /** Serialises appends and rewrites so they never interleave. */
  #queue: Promise<void> = Promise.resolve();
  /** Lines in the file, valid or not (for the caller's compaction rule). */
  lines = 0;
  /** Unparsable or invalid lines found by the last `read()`, not counting a truncated last line. */
  damagedLines = 0;
  /** Records skipped by the last `read()` because a record with their id came before. */
  duplicateLines = 0;
  /** True when the last `read()` found a truncated last line. */
  truncatedTail = false;
  /** Number of `appendFile` calls made (observability and tests). */
  appends = 0;
  /**
   * Lines the caller serialised already (it sizes each record by its line) for records not yet in
   * the file: each record is turned into JSON once. A few batches' worth; a record dropped before
   * it was written leaves its line here until the next rewrite or the bound clears them.
   */
  readonly #serialised = new Map<T, string>();

  constructor(file: string, options: JsonlOptions<T>) {
    this.file = file;
    this.#logger = options.logger;
    this.#validate = options.validate;
    this.#idOf = options.idOf;
  }

  /** `line` is JSON.stringify(record), for the append that writes it. */
  serialised(record: T, line: string): void {
    if (this.#serialised.size >= MAX_SERIALISED) this.#serialised.clear();
    this.#serialised.set(record, line);
  }

  #lineOf(record: T): string {
    const line = this.#serialised.get(record);
    if (line === undefined) return JSON.stringify(record);
    this.#serialised.delete(record);
    return line;
  }

  /** Bytes in the file, as this process knows them. */
  get bytes(): number {
    return this.#size;
  }

  async read(): Promise<T[] | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    this.#size = bytes.length;
    const text = bytes.toString('utf8');
    const records: T[] = [];
    const parts = text.split('\n');
    const tail = parts.pop() ?? ''; // text after the last newline: '' when the file ends cleanly
    this.damagedLines = 0;
    this.duplicateLines = 0;
    this.truncatedTail = false;
    this.lines = parts.length + (tail === '' ? 0 : 1);
    const seen = new Set<string>();
    const accept = (line: string): boolean => {
      try {
        const value: unknown = JSON.parse(line);
        if (!this.#validate(value)) return false;
        const id = this.#idOf?.(value);
        if (id !== undefined) {
          if (seen.has(id)) {
            this.duplicateLines++;
            return true;
          }
          seen.add(id);
        }
        records.push(value);
        return true;
      } catch {
        return false;
      }
    };
    for (const line of parts) {
      if (line.trim() === '') continue;
      if (!accept(line)) this.damagedLines++;
    }
    if (tail !== '') {
      this.#endsWithNewline = false;
      if (!accept(tail)) {
        this.truncatedTail = true;
        this.#logger.warn({ file: path.basename(this.file) }, 'store: skipped a truncated last line (interrupted append)');
      }
    } else {
      this.#endsWithNewline = true;
    }
    if (this.damagedLines > 0) {
      this.#logger.warn({ file: path.basename(this.file), lines: this.damagedLines }, 'store: skipped unreadable lines');
    }
    if (this.duplicateLines > 0) {
      this.#logger.warn({ file: path.basename(this.file), lines: this.duplicateLines }, 'store: skipped records written twice');
    }
    this.#newestOnDisk = records.at(-1);
    return records;
  }

  /**
   * Appends the records at the end of `data` that are not yet in the file, in order, in one
   * `appendFile`. Records are expected to be added at the end of the array (as a log does);
   * anything before the last record already on disk is taken to be on disk.
   */
  write(data: T[]): Promise<void> {
    const run = this.#queue.then(() => this.#append(data));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(data: readonly T[]): Promise<void> {
    // New records are pushed at the end of the array: scan back to the newest one on disk. When
    // retention has dropped it (and so everything older), every record left is new.
    let start = data.length;
    while (start > 0 && data[start - 1] !== this.#newestOnDisk) start--;
    if (start === data.length) return;
    const fresh = data.slice(start);
    let text = this.#endsWithNewline ? '' : '\n';
    // A line is taken out of #serialised as it is used: if the append fails, the retry serialises again.
    for (const record of fresh) text += `${this.#lineOf(record)}\n`;
    // Encoded once: its length is the bytes the file grew by (appendFile would encode it again).
    const bytes = Buffer.from(text, 'utf8');
    try {
      await appendFile(this.file, bytes, { mode: 0o600 });
    } catch (err) {
      // Part of the text may have reached the file: cut it off, so that the retry writes each
      // record once. If the file cannot be cut either, the retry starts on a fresh line and the
      // reader skips the records it finds twice.
      try {
        await truncate(this.file, this.#size);
      } catch {
        this.#endsWithNewline = false;
      }
      throw err;
    }
    this.#size += bytes.length;
    this.appends++;
    this.#endsWithNewline = true;
    this.lines += fresh.length;
    this.#newestOnDisk = fresh.at(-1);
  }

  /** Replaces the whole file with `data` atomically (temp file + rename). */
  rewrite(data: readonly T[]): Promise<void> {
    const run = this.#queue.then(async () => {
      // The file is written piece by piece over several turns of the event loop, while the caller
      // goes on adding (and retention dropping) records: write the records as they are now.
      const records = data.slice();
      this.#serialised.clear();
      this.#size = await writeFileAtomic(this.file, linesOf(records));
      this.#newestOnDisk = records.at(-1);
      this.#endsWithNewline = true;
      this.lines = records.length;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Serialised lines kept at most for records not yet appended (the log writes every 200). */
const MAX_SERIALISED = 10_000;

/** Records per piece of a rewrite: a few hundred kilobytes at a time instead of the whole file. */
const REWRITE_PIECE = 2_000;

function* linesOf<T>(data: readonly T[]): Generator<string> {
  for (let i = 0; i < data.length; i += REWRITE_PIECE) {
    let piece = '';
    for (const record of data.slice(i, i + REWRITE_PIECE)) piece += `${JSON.stringify(record)}\n`;
    yield piece;
  }
}
