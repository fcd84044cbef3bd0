// The question log and feedback, one JSON-lines stream in DATA_DIR/questions.jsonl, used through
// lowdb's `Low` with the append-only `JsonlFile` adapter.
//
// `append` and `feedback` only touch memory; records reach the file in batches (every
// `flushIntervalMs`, or at once when `batchSize` are waiting). Retention: `maxAgeMs` (90 days),
// `maxEntries` (100,000 records) or `maxBytes` (48 MB of JSON lines), whichever bites first.
// Memory is trimmed at every flush; the file is compacted (rewritten atomically) only at start-up
// when something is to be dropped, and when it holds half again as many lines or bytes as the
// bound or records 10% older than the bound.
//
// A flood must not turn into the loss of what residents asked: questions are stored clipped
// (`maxQuestionLength`), and one user's records beyond `maxPerUserPerHour` in an hour are counted
// but not kept, so a single sender (a WeChat account, a web client keeping one id) cannot push the
// others' history out of the bounds. Clients that rotate ids are held back per address before
// they reach the bot (channels/web/client-limit.ts).

import { randomBytes } from 'node:crypto';

// Answer ids only need to be unique within this log: a random prefix per process and a counter
// cost nothing per message, where randomBytes for each id was a measurable share of answering.
const ID_PREFIX = randomBytes(4).toString('base64url');
let counter = 0;
export function nextId(): string {
  counter = (counter + 1) % 2 ** 40;
  return `${ID_PREFIX}${counter.toString(36)}`;
}

import { Low } from 'lowdb';
import type { Logger } from '../log.ts';
import type { StorageHealth } from './health.ts';
import { moveAside } from './json-file.ts';
import { JsonlFile } from './jsonl-file.ts';
import { RecordWindow } from './record-window.ts';
import { DEFAULT_LOG_MAX_PER_USER_PER_HOUR, HourlyQuota, retainedFrom, type Retention } from './retention.ts';

export { retainedFrom, type Retention };

export const QUESTIONS_FILE = 'questions.jsonl';

export type Verdict = 'useful' | 'useless';

/** What a channel or the core reports about one answered message. */
export interface QuestionInput {
  /** "wechat", "wechaty", "web", "cli", … */
  channel: string;
  /** Raw user id: hashed to the user key before anything is stored. */
  userId: string;
  /** The message as typed (stored as is, up to `maxQuestionLength` code points). */
  question: string;
  intent: string;
  /** Id of the knowledge entry answered, if any. */
  entry?: string | null | undefined;
  confidence: number;
  answered: boolean;
}

export interface QuestionEntry {
  type: 'question';
  /** ISO 8601. */
  time: string;
  channel: string;
  /** User key (HMAC), never the raw id. */
  user: string;
  question: string;
  intent: string;
  entry: string | null;
  confidence: number;
  answered: boolean;
  /** Short unique id of this answer; feedback refers to it. */
  id: string;
}

export interface FeedbackEntry {
  type: 'feedback';
  /** Unique id of this record (absent in records written before ids were given to feedback). */
  id?: string;
  time: string;
  user: string;
  /** Id of the answer judged. */
  answer: string;
  verdict: Verdict;
  /** The question of that answer, so feedback reads on its own. */
  question: string;
}

export type LogRecord = QuestionEntry | FeedbackEntry;

export interface QuestionLog {
  /** Records an answered message; returns the stored entry (with its `id`). */
  append(input: QuestionInput): QuestionEntry;
  /** Records a verdict on the user's most recent answer; false when the user has none. */
  feedback(userId: string, verdict: Verdict): boolean;
  /** The user's most recent answer, if any. */
  lastAnswer(userId: string): QuestionEntry | undefined;
  /** Question entries within retention, oldest first. */
  entries(): readonly QuestionEntry[];
  /** Feedback entries within retention, oldest first. */
  feedbackEntries(): readonly FeedbackEntry[];
  /** Appends buffered records now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** Where another thread can read the records as kept (the stats worker); undefined when nowhere. */
  source?(): LogSource | undefined;
}

/** How to read a log's records from another thread, and which of them retention keeps. */
export type LogSource =
  | { kind: 'jsonl'; file: string; retention: Retention }
  /** A Redis stream whose entries hold each record's JSON line in the field "d" (redis-log.ts). */
  | { kind: 'redis'; url: string; key: string; retention: Retention };

export interface QuestionLogOptions {
  logger: Logger;
  userKey: (userId: string) => string;
  now?: () => number;
  /** Default 90 days. */
  maxAgeMs?: number | undefined;
  /** Records (questions + feedback) kept at most. Default 100,000. */
  maxEntries?: number | undefined;
  /** Bytes of JSON lines kept at most. Default 48 MB. */
  maxBytes?: number | undefined;
  /** Records kept per user in any hour; more are counted, not kept. Default 120. */
  maxPerUserPerHour?: number | undefined;
  health?: StorageHealth | undefined;
  /** Default 500 ms. */
  flushIntervalMs?: number;
  /** Buffered records that trigger an immediate append. Default 200. */
  batchSize?: number;
  /** Longer questions are cut (code points). Default 200. */
  maxQuestionLength?: number | undefined;
}

export const DEFAULT_LOG_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;
export const DEFAULT_LOG_MAX_ENTRIES = 100_000;
export const DEFAULT_LOG_MAX_BYTES = 48 * 1024 * 1024;
/** Residents' questions are a line or two; the engine reads at most 500 characters of one. */
export const DEFAULT_MAX_QUESTION_LENGTH = 200;
/** The file is compacted once it holds this many times `maxEntries` lines… */
const LINES_SLACK = 1.5;
/** …or records this many times `maxAgeMs` old. */
const AGE_SLACK = 1.1;

const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));

export function isLogRecord(value: unknown): value is LogRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (!isTime(r.time) || !isString(r.user) || !isString(r.question)) return false;
  if (r.type === 'question') {
    return isString(r.id) && isString(r.channel) && isString(r.intent) && (r.entry === null || isString(r.entry)) &&
      typeof r.confidence === 'number' && typeof r.answered === 'boolean';
  }
  if (r.type === 'feedback') {
    return isString(r.answer) && (r.verdict === 'useful' || r.verdict === 'useless') && (r.id === undefined || isString(r.id));
  }
  return false;
}

/** The id a record is de-duplicated by when read back. */
export const recordId = (record: LogRecord): string | undefined => record.id;

/** UTF-8 bytes of a record's line in the file (with its newline). */
export function recordBytes(record: LogRecord): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + 1;
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

/** The last second formatted by isoTime, and its text up to the seconds ("2026-12-01T14:36:05"). */
let isoSecond = Number.NaN;
let isoPrefix = '';
/** Whole milliseconds of the years 0000-9999, which toISOString writes with four digits. */
const ISO_LIMIT = 253_402_300_800_000;

/**
 * `new Date(ms).toISOString()`, the date and time of day formatted once a second: messages
 * arrive many a second, and only their milliseconds differ.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= ISO_LIMIT) return new Date(ms).toISOString();
  const milli = ms % 1000;
  const second = ms - milli;
  if (second !== isoSecond) {
    isoPrefix = new Date(second).toISOString().slice(0, 19);
    isoSecond = second;
  }
  return `${isoPrefix}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** The record of one question asked, as either log (file or Redis stream) keeps it. */
export function questionEntry(input: QuestionInput, now: number, user: string, maxQuestion: number): QuestionEntry {
  return {
    type: 'question',
    time: isoTime(now),
    channel: input.channel,
    user,
    question: clip(input.question, maxQuestion),
    intent: input.intent,
    entry: input.entry ?? null,
    confidence: input.confidence,
    answered: input.answered,
    id: nextId(),
  };
}

class LowQuestionLog implements QuestionLog {
  readonly #db: Low<LogRecord[]>;
  readonly #file: JsonlFile<LogRecord>;
  readonly #logger: Logger;
  readonly #health: StorageHealth | undefined;
  readonly #userKey: (userId: string) => string;
  readonly #now: () => number;
  readonly #retention: Retention;
  readonly #interval: number;
  readonly #batch: number;
  readonly #maxQuestion: number;
  /** User key → that user's most recent answer. */
  readonly #last = new Map<string, QuestionEntry>();
  /**
   * The records kept (lowdb's `db.data` is its backing array), each with the bytes of its line;
   * records appended since the last flush are at the end without one yet (see #settle).
   */
  readonly #window: RecordWindow<LogRecord>;
  readonly #quota: HourlyQuota;
  /** Records appended in memory since the last successful write. */
  #pending = 0;
  /** Epoch ms of the oldest record in the file (Infinity when empty). */
  #fileOldest = Infinity;
  #timer: NodeJS.Timeout | undefined;
  /** A full batch's append, run at the next turn of the event loop (not in the caller's). */
  #batchTurn: NodeJS.Immediate | undefined;
  #flushing: Promise<void> = Promise.resolve();
  /**
   * The write queued behind the one running, not started yet: later flushes join it, since it
   * takes every record pending when it starts. Chaining one write per flush let the chain grow by
   * a promise per message while an append was in flight (a full batch asks for a flush at every
   * message until the append ends): 5,000 more held promises per 50,000 messages in the memory bench.
   */
  #queued: Promise<void> | undefined;
  #closed = false;
  #version = 0;
  #cache: { version: number; questions: QuestionEntry[]; feedback: FeedbackEntry[] } | undefined;

  constructor(db: Low<LogRecord[]>, file: JsonlFile<LogRecord>, options: QuestionLogOptions) {
    this.#db = db;
    this.#file = file;
    this.#logger = options.logger;
    this.#health = options.health;
    this.#userKey = options.userKey;
    this.#now = options.now ?? Date.now;
    this.#retention = {
      maxAgeMs: options.maxAgeMs ?? DEFAULT_LOG_MAX_AGE_MS,
      maxEntries: Math.max(1, options.maxEntries ?? DEFAULT_LOG_MAX_ENTRIES),
      maxBytes: Math.max(1, options.maxBytes ?? DEFAULT_LOG_MAX_BYTES),
    };
    this.#quota = new HourlyQuota(options.maxPerUserPerHour ?? DEFAULT_LOG_MAX_PER_USER_PER_HOUR, this.#now, () =>
      this.#logger.warn({ limit: this.#quota.limit }, 'store: a user reached the hourly limit of logged messages; more this hour are answered but not logged'),
    );
    this.#interval = Math.max(0, options.flushIntervalMs ?? 500);
    this.#batch = Math.max(1, options.batchSize ?? 200);
    this.#maxQuestion = Math.max(1, options.maxQuestionLength ?? DEFAULT_MAX_QUESTION_LENGTH);
    this.#window = new RecordWindow(db.data, recordBytes);
    for (const record of db.data) if (record.type === 'question') this.#last.set(record.user, record);
  }

  /** Start-up: drop what retention excludes and compact the file if anything was dropped or damaged. */
  async start(): Promise<void> {
    const dropped = this.#trim();
    this.#fileOldest = this.#oldest();
    const file = this.#file;
    if (file.damagedLines > 0) await moveAside(file.file, this.#logger, `${file.damagedLines} unreadable lines`);
    if (dropped > 0 || file.damagedLines > 0 || file.duplicateLines > 0 || file.truncatedTail) await this.#compact();
  }

  #oldest(): number {
    const first = this.#window.first();
    return first === undefined ? Infinity : Date.parse(first.time);
  }

  /** Drops records beyond retention from memory (they are in time order). Returns how many. */
  #trim(): number {
    this.#settle();
    const dropped = this.#window.trim(this.#retention, this.#now(), (record) => {
      if (record.type === 'question' && this.#last.get(record.user) === record) this.#last.delete(record.user);
    });
    if (dropped > 0) this.#version++;
    return dropped;
  }

  async #compact(): Promise<void> {
    try {
      this.#window.shed();
      await this.#file.rewrite(this.#db.data);
      this.#fileOldest = this.#oldest();
      this.#pending = 0;
      this.#health?.succeeded(QUESTIONS_FILE);
    } catch (err) {
      this.#health?.failed(QUESTIONS_FILE, err);
      this.#logger.debug({ err }, 'store: compacting the question log failed');
    }
  }

  /**
   * Serialises and sizes the records appended since the last flush. Appending only puts a record
   * in memory; its JSON line (which the file append then writes) and its size (which retention
   * counts) are made here, for the batch at once, out of the answering of each message.
   */
  #settle(): void {
    const window = this.#window;
    for (let n = window.unsized; n > 0; n--) {
      const record = window.nextUnsized()!;
      const line = JSON.stringify(record);
      this.#file.serialised(record, line);
      window.sizeNext(Buffer.byteLength(line, 'utf8') + 1);
    }
  }

  #push(record: LogRecord): void {
    this.#window.push(record);
    this.#version++;
    this.#pending++;
    if (this.#closed) return;
    if (this.#pending >= this.#batch) {
      // Not at once: a flush started here would run in the microtasks of the message being
      // answered (serialising the batch, starting the append) before its reply is sent.
      if (this.#batchTurn === undefined) {
        this.#batchTurn = setImmediate(() => {
          this.#batchTurn = undefined;
          void this.flush();
        });
        this.#batchTurn.unref();
      }
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#interval);
      this.#timer.unref();
    }
  }

  append(input: QuestionInput): QuestionEntry {
    const entry = questionEntry(input, this.#now(), this.#userKey(input.userId), this.#maxQuestion);
    if (!this.#quota.take(entry.user)) return entry;
    this.#last.set(entry.user, entry);
    this.#push(entry);
    return entry;
  }

  feedback(userId: string, verdict: Verdict): boolean {
    const user = this.#userKey(userId);
    const last = this.#last.get(user);
    if (last === undefined) return false;
    if (!this.#quota.take(user)) return true;
    this.#push({ type: 'feedback', id: nextId(), time: isoTime(this.#now()), user, answer: last.id, verdict, question: last.question });
    return true;
  }

  lastAnswer(userId: string): QuestionEntry | undefined {
    return this.#last.get(this.#userKey(userId));
  }

  #split(): { questions: QuestionEntry[]; feedback: FeedbackEntry[] } {
    if (this.#cache?.version !== this.#version) {
      const questions: QuestionEntry[] = [];
      const feedback: FeedbackEntry[] = [];
      for (const record of this.#window) (record.type === 'question' ? questions : feedback).push(record as never);
      this.#cache = { version: this.#version, questions, feedback };
    }
    return this.#cache;
  }

  entries(): readonly QuestionEntry[] {
    return this.#split().questions;
  }

  feedbackEntries(): readonly FeedbackEntry[] {
    return this.#split().feedback;
  }

  /** Bytes of JSON lines the records kept in memory take (what `maxBytes` bounds). */
  get bytes(): number {
    this.#settle();
    return this.#window.bytes;
  }

  source(): LogSource {
    return { kind: 'jsonl', file: this.#file.file, retention: { ...this.#retention } };
  }

  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#batchTurn !== undefined) {
      clearImmediate(this.#batchTurn);
      this.#batchTurn = undefined;
    }
    if (this.#queued !== undefined) return this.#queued;
    const queued = this.#flushing.then(() => {
      this.#queued = undefined;
      return this.#write();
    });
    this.#queued = queued;
    this.#flushing = queued;
    return queued;
  }

  async #write(): Promise<void> {
    this.#trim();
    const pending = this.#pending;
    if (pending > 0) {
      // The adapter appends the records after the newest one in the file. When retention dropped
      // records that never reached it (appends failing for long), they must leave the array first.
      if (pending > this.#window.length) this.#window.shed();
      try {
        await this.#db.write();
        this.#pending = Math.max(0, this.#pending - pending);
        if (this.#fileOldest === Infinity) this.#fileOldest = this.#oldest();
        this.#health?.succeeded(QUESTIONS_FILE);
      } catch (err) {
        this.#health?.failed(QUESTIONS_FILE, err);
        this.#logger.debug({ err }, 'store: appending to the question log failed; will retry');
        if (!this.#closed && this.#timer === undefined) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            void this.flush();
          }, Math.max(this.#interval, 1000));
          this.#timer.unref();
        }
        return;
      }
    }
    // A compaction rewrites every record kept. With 10% slack a full log rewrote ten records for
    // every one appended (100,000 each 10,000 messages), a sixth of a busy server's time; with
    // half the bound as slack it is two, and the file is at most 1.5 times the bound.
    const { maxEntries, maxBytes, maxAgeMs } = this.#retention;
    if (
      this.#file.lines > maxEntries * LINES_SLACK ||
      this.#file.bytes > maxBytes * LINES_SLACK ||
      this.#fileOldest < this.#now() - maxAgeMs * AGE_SLACK
    ) {
      await this.#compact();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}

/**
 * Opens the question log at `file` (DATA_DIR/questions.jsonl). Unreadable lines are skipped with a
 * warning (a file with damaged lines is moved aside and rewritten from the good ones); a file that
 * cannot be read at all is moved aside. Never throws for a bad file.
 */
export async function openQuestionLog(file: string, options: QuestionLogOptions): Promise<QuestionLog & { readonly bytes: number }> {
  const adapter = new JsonlFile<LogRecord>(file, { logger: options.logger, validate: isLogRecord, idOf: recordId });
  const db = new Low<LogRecord[]>(adapter, []);
  try {
    await db.read();
  } catch (err) {
    await moveAside(file, options.logger, err instanceof Error ? err.message : String(err));
    db.data = [];
  }
  const log = new LowQuestionLog(db, adapter, options);
  await log.start();
  return log;
}
