// The question log and feedback, one JSON-lines stream in DATA_DIR/questions.jsonl, used through
// lowdb's `Low` with the append-only `JsonlFile` adapter.
//
// `append` and `feedback` only touch memory; records reach the file in batches (every
// `flushIntervalMs`, or at once when `batchSize` are waiting). Retention: `maxAgeMs` (90 days) or
// `maxEntries` (100,000 records), whichever bites first. Memory is trimmed at every flush; the file
// is compacted (rewritten atomically) only at start-up when something is to be dropped, and when
// it holds half again as many lines as the bound or records 10% older than the bound.

import { randomBytes } from 'node:crypto';

// Answer ids only need to be unique within this log: a random prefix per process and a counter
// cost nothing per message, where randomBytes for each id was a measurable share of answering.
const ID_PREFIX = randomBytes(4).toString('base64url');
let counter = 0;
function nextId(): string {
  counter = (counter + 1) % 2 ** 40;
  return `${ID_PREFIX}${counter.toString(36)}`;
}
import { Low } from 'lowdb';
import type { Logger } from '../log.ts';
import { moveAside } from './json-file.ts';
import { JsonlFile } from './jsonl-file.ts';

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
}

export interface QuestionLogOptions {
  logger: Logger;
  userKey: (userId: string) => string;
  now?: () => number;
  /** Default 90 days. */
  maxAgeMs?: number;
  /** Records (questions + feedback) kept at most. Default 100,000. */
  maxEntries?: number;
  /** Default 500 ms. */
  flushIntervalMs?: number;
  /** Buffered records that trigger an immediate append. Default 200. */
  batchSize?: number;
  /** Longer questions are cut (code points). Default 1000. */
  maxQuestionLength?: number;
}

export const DEFAULT_LOG_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;
export const DEFAULT_LOG_MAX_ENTRIES = 100_000;
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
  if (r.type === 'feedback') return isString(r.answer) && (r.verdict === 'useful' || r.verdict === 'useless');
  return false;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

class LowQuestionLog implements QuestionLog {
  readonly #db: Low<LogRecord[]>;
  readonly #file: JsonlFile<LogRecord>;
  readonly #logger: Logger;
  readonly #userKey: (userId: string) => string;
  readonly #now: () => number;
  readonly #maxAge: number;
  readonly #maxEntries: number;
  readonly #interval: number;
  readonly #batch: number;
  readonly #maxQuestion: number;
  /** User key → that user's most recent answer. */
  readonly #last = new Map<string, QuestionEntry>();
  /** Records appended in memory since the last successful write. */
  #pending = 0;
  /** Epoch ms of the oldest record in the file (Infinity when empty). */
  #fileOldest = Infinity;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;
  #version = 0;
  #cache: { version: number; questions: QuestionEntry[]; feedback: FeedbackEntry[] } | undefined;

  constructor(db: Low<LogRecord[]>, file: JsonlFile<LogRecord>, options: QuestionLogOptions) {
    this.#db = db;
    this.#file = file;
    this.#logger = options.logger;
    this.#userKey = options.userKey;
    this.#now = options.now ?? Date.now;
    this.#maxAge = options.maxAgeMs ?? DEFAULT_LOG_MAX_AGE_MS;
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_LOG_MAX_ENTRIES);
    this.#interval = Math.max(0, options.flushIntervalMs ?? 500);
    this.#batch = Math.max(1, options.batchSize ?? 200);
    this.#maxQuestion = Math.max(1, options.maxQuestionLength ?? 1000);
    for (const record of db.data) if (record.type === 'question') this.#last.set(record.user, record);
  }

  /** Start-up: drop what retention excludes and compact the file if anything was dropped or damaged. */
  async start(): Promise<void> {
    const dropped = this.#trim();
    this.#fileOldest = this.#oldest();
    if (this.#file.damagedLines > 0) await moveAside(this.#file.file, this.#logger, `${this.#file.damagedLines} unreadable lines`);
    if (dropped > 0 || this.#file.damagedLines > 0 || this.#file.truncatedTail) await this.#compact();
  }

  #oldest(): number {
    const first = this.#db.data[0];
    return first === undefined ? Infinity : Date.parse(first.time);
  }

  /** Drops records beyond retention from memory (they are in time order). Returns how many. */
  #trim(): number {
    const data = this.#db.data;
    const cutoff = this.#now() - this.#maxAge;
    let start = 0;
    while (start < data.length && Date.parse((data[start] as LogRecord).time) < cutoff) start++;
    start = Math.max(start, data.length - this.#maxEntries);
    if (start === 0) return 0;
    for (const record of data.splice(0, start)) {
      if (record.type === 'question' && this.#last.get(record.user) === record) this.#last.delete(record.user);
    }
    this.#version++;
    return start;
  }

  async #compact(): Promise<void> {
    try {
      await this.#file.rewrite(this.#db.data);
      this.#fileOldest = this.#oldest();
      this.#pending = 0;
    } catch (err) {
      this.#logger.error({ err }, 'store: compacting the question log failed');
    }
  }

  #push(record: LogRecord): void {
    this.#db.data.push(record);
    this.#version++;
    this.#pending++;
    if (this.#closed) return;
    if (this.#pending >= this.#batch) {
      void this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#interval);
      this.#timer.unref();
    }
  }

  append(input: QuestionInput): QuestionEntry {
    const entry: QuestionEntry = {
      type: 'question',
      time: new Date(this.#now()).toISOString(),
      channel: input.channel,
      user: this.#userKey(input.userId),
      question: clip(input.question, this.#maxQuestion),
      intent: input.intent,
      entry: input.entry ?? null,
      confidence: input.confidence,
      answered: input.answered,
      id: nextId(),
    };
    this.#last.set(entry.user, entry);
    this.#push(entry);
    return entry;
  }

  feedback(userId: string, verdict: Verdict): boolean {
    const user = this.#userKey(userId);
    const last = this.#last.get(user);
    if (last === undefined) return false;
    this.#push({ type: 'feedback', time: new Date(this.#now()).toISOString(), user, answer: last.id, verdict, question: last.question });
    return true;
  }

  lastAnswer(userId: string): QuestionEntry | undefined {
    return this.#last.get(this.#userKey(userId));
  }

  #split(): { questions: QuestionEntry[]; feedback: FeedbackEntry[] } {
    if (this.#cache?.version !== this.#version) {
      const questions: QuestionEntry[] = [];
      const feedback: FeedbackEntry[] = [];
      for (const record of this.#db.data) (record.type === 'question' ? questions : feedback).push(record as never);
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

  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    this.#trim();
    const pending = this.#pending;
    if (pending > 0) {
      try {
        await this.#db.write();
        this.#pending = Math.max(0, this.#pending - pending);
        if (this.#fileOldest === Infinity) this.#fileOldest = this.#oldest();
      } catch (err) {
        this.#logger.error({ err }, 'store: appending to the question log failed; will retry');
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
    if (this.#file.lines > this.#maxEntries * LINES_SLACK || this.#fileOldest < this.#now() - this.#maxAge * AGE_SLACK) {
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
export async function openQuestionLog(file: string, options: QuestionLogOptions): Promise<QuestionLog> {
  const adapter = new JsonlFile<LogRecord>(file, { logger: options.logger, validate: isLogRecord });
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
