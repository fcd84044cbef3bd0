// The question log and feedback in a Redis stream shared by every instance, so that the admin page
// and `stats` on any of them count all the traffic.
//
//   <prefix>:<namespace>:log   XADD … MAXLEN ~ <maxEntries> * d <record as a JSON line>
//                              and XTRIM … MINID ~ <now - maxAgeMs> once a minute
//
// Each instance keeps the records retention keeps in memory, as the file log does: its own as it
// makes them, the others' as it follows the stream (one blocked read for all the accounts of the
// process). So `entries()`, `lastAnswer()` (feedback on B for an answer given on A) and the admin
// page's review answer at once and see every instance. Records reach Redis in batches (every
// `flushIntervalMs`, 100 ms by default); while Redis does not answer they wait in memory (at most
// `maxEntries`) and go out when it answers again. The byte bound (LOG_MAX_MB) is not Redis': it is
// applied by whoever reads the stream, as the file log's readers apply it.
import type { Logger } from '../log.ts';
import type { StorageHealth } from './health.ts';
import {
  DEFAULT_LOG_MAX_AGE_MS,
  DEFAULT_LOG_MAX_BYTES,
  DEFAULT_LOG_MAX_ENTRIES,
  DEFAULT_MAX_QUESTION_LENGTH,
  isLogRecord,
  questionEntry,
  nextId,
  type FeedbackEntry,
  type LogRecord,
  type LogSource,
  type QuestionEntry,
  type QuestionInput,
  type QuestionLog,
  type Verdict,
} from './question-log.ts';
import type { RedisLink } from './redis-link.ts';
import { readStream, type StreamEntry, type StreamTail } from './redis-stream.ts';
import { RecordWindow } from './record-window.ts';
import { DEFAULT_LOG_MAX_PER_USER_PER_HOUR, HourlyQuota, type Retention } from './retention.ts';

export interface RedisLogOptions {
  link: RedisLink;
  namespace: string;
  logger: Logger;
  userKey: (userId: string) => string;
  now?: () => number;
  maxAgeMs?: number | undefined;
  maxEntries?: number | undefined;
  maxBytes?: number | undefined;
  maxPerUserPerHour?: number | undefined;
  maxQuestionLength?: number | undefined;
  /** Default 100 ms. */
  flushIntervalMs?: number | undefined;
  /** Records waiting that trigger an immediate write. Default 200. */
  batchSize?: number | undefined;
  health?: StorageHealth | undefined;
}

const TRIM_EVERY_MS = 60_000;

export class RedisQuestionLog implements QuestionLog {
  readonly key: string;
  readonly #link: RedisLink;
  readonly #logger: Logger;
  readonly #userKey: (userId: string) => string;
  readonly #now: () => number;
  readonly #retention: Retention;
  readonly #quota: HourlyQuota;
  readonly #maxQuestion: number;
  readonly #interval: number;
  readonly #batch: number;
  readonly #records = new RecordWindow<LogRecord>();
  /** Ids held in #records: a record written twice (a retried batch) is kept once. */
  readonly #ids = new Set<string>();
  readonly #last = new Map<string, QuestionEntry>();
  /** JSON lines not yet in Redis, oldest first. */
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #lastTrim = 0;
  #closed = false;
  #version = 0;
  #cache: { version: number; questions: QuestionEntry[]; feedback: FeedbackEntry[] } | undefined;

  constructor(options: RedisLogOptions) {
    this.#link = options.link;
    this.key = options.link.key(options.namespace, 'log');
    this.#logger = options.logger;
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
    this.#maxQuestion = Math.max(1, options.maxQuestionLength ?? DEFAULT_MAX_QUESTION_LENGTH);
    this.#interval = Math.max(0, options.flushIntervalMs ?? 100);
    this.#batch = Math.max(1, options.batchSize ?? 200);
    this.#link.onRecover(() => void this.flush());
  }

  /** Reads what the stream holds now, then follows it. */
  async start(tail: StreamTail): Promise<void> {
    let last = '0-0';
    if (this.#link.up) {
      try {
        const batch: StreamEntry[] = [];
        for await (const entry of readStream(this.#link.client, this.key)) {
          batch.push(entry);
          last = entry.id;
        }
        this.#ingest(batch);
      } catch (err) {
        this.#link.failed(err);
      }
    }
    tail.follow(this.key, last, (entries) => this.#ingest(entries));
  }

  /** Records read from the stream: others' are added; this instance's own are already here. */
  #ingest(entries: readonly StreamEntry[]): void {
    let added = 0;
    for (const { data } of entries) {
      // Most of what the stream brings is this instance's own records, back: known by their id
      // without parsing the line.
      const id = idOf(data);
      if (id !== undefined && this.#ids.has(id)) continue;
      let record: unknown;
      try {
        record = JSON.parse(data);
      } catch {
        continue;
      }
      // This instance's own records are here already (by id), as is a record written twice.
      if (!isLogRecord(record) || (record.id !== undefined && this.#ids.has(record.id))) continue;
      this.#add(record, data);
      added++;
    }
    if (added > 0) this.#trim();
  }

  /** `line`: the record's JSON line, as read or as it will be written. */
  #add(record: LogRecord, line: string): void {
    this.#records.push(record, Buffer.byteLength(line, 'utf8') + 1);
    if (record.id !== undefined) this.#ids.add(record.id);
    if (record.type === 'question') this.#last.set(record.user, record);
    this.#version++;
  }

  #trim(): void {
    const dropped = this.#records.trim(this.#retention, this.#now(), (record) => {
      if (record.id !== undefined) this.#ids.delete(record.id);
      if (record.type === 'question' && this.#last.get(record.user) === record) this.#last.delete(record.user);
    });
    if (dropped > 0) this.#version++;
  }

  #push(record: LogRecord): void {
    const line = JSON.stringify(record);
    this.#add(record, line);
    this.#pending.push(line);
    // Held while Redis is away, within the log's own bound.
    if (this.#pending.length > this.#retention.maxEntries) this.#pending.splice(0, this.#pending.length - this.#retention.maxEntries);
    if (this.#closed) return;
    if (this.#pending.length >= this.#batch) void this.flush();
    else if (this.#timer === undefined) {
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
    this.#push(entry);
    return entry;
  }

  feedback(userId: string, verdict: Verdict): boolean {
    const user = this.#userKey(userId);
    const last = this.#last.get(user);
    if (last === undefined) return false;
    if (!this.#quota.take(user)) return true;
    this.#push({ type: 'feedback', id: nextId(), time: new Date(this.#now()).toISOString(), user, answer: last.id, verdict, question: last.question });
    return true;
  }

  lastAnswer(userId: string): QuestionEntry | undefined {
    return this.#last.get(this.#userKey(userId));
  }

  #split(): { questions: QuestionEntry[]; feedback: FeedbackEntry[] } {
    if (this.#cache?.version !== this.#version) {
      const questions: QuestionEntry[] = [];
      const feedback: FeedbackEntry[] = [];
      for (const record of this.#records) (record.type === 'question' ? questions : feedback).push(record as never);
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

  /** Records waiting to be written to Redis. */
  get pending(): number {
    return this.#pending.length;
  }

  source(): LogSource {
    return { kind: 'redis', url: this.#link.url, key: this.key, retention: { ...this.#retention } };
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
    if (this.#pending.length === 0 || !this.#link.up) return;
    const lines = this.#pending;
    this.#pending = [];
    const maxLen = String(this.#retention.maxEntries);
    const pipeline = this.#link.client.pipeline();
    for (const line of lines) pipeline.xadd(this.key, 'MAXLEN', '~', maxLen, '*', 'd', line);
    const now = this.#now();
    if (now - this.#lastTrim >= TRIM_EVERY_MS) {
      this.#lastTrim = now;
      pipeline.xtrim(this.key, 'MINID', '~', String(Math.max(0, now - this.#retention.maxAgeMs)));
    }
    this.#link.commands++;
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (err) {
      // Written again when Redis answers: a record that did get out is read back once (by id).
      this.#pending = lines.concat(this.#pending);
      this.#link.failed(err);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}

/**
 * The "id" of a record's JSON line, found without parsing it; undefined when there is none. Inside
 * a JSON string a quote is escaped, so `"id":"` occurs only as the key itself.
 */
export function idOf(line: string): string | undefined {
  const at = line.lastIndexOf('"id":"');
  if (at < 0) return undefined;
  const end = line.indexOf('"', at + 6);
  return end < 0 ? undefined : line.slice(at + 6, end);
}
