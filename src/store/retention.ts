// What the question log keeps: the rule that cuts it (age, count, bytes), shared by the log and by
// readers of its file (the stats worker) so that both keep the same records, and the hourly quota
// that keeps one sender from filling it.
import { OldestKey } from './oldest-key.ts';
import type { LogRecord } from './question-log.ts';

/** The bounds of the question log. */
export interface Retention {
  maxAgeMs: number;
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_LOG_MAX_PER_USER_PER_HOUR = 120;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Where retention cuts `records` (oldest first, `sizes` their line bytes, `total` the sum): the
 * index of the first record kept. Shared by the log and by readers of its file (the stats
 * worker), so both keep the same records. Costs time in proportion to what it drops.
 */
export function retainedFrom(records: readonly LogRecord[], retention: Retention, now: number, sizes: readonly number[], total: number): number {
  return retainedAt((i) => Date.parse(records[i]!.time), records.length, retention, now, sizes, total);
}

/**
 * retainedFrom over `count` records known by their times alone (`timeAt(i)`, epoch ms): a reader
 * of the file (the stats worker) keeps a number per record, not the record. The i-th record's
 * size is `sizes[offset + i]` (record-window.ts keeps records it dropped at the front).
 */
export function retainedAt(timeAt: (i: number) => number, count: number, retention: Retention, now: number, sizes: readonly number[], total: number, offset = 0): number {
  const cutoff = now - retention.maxAgeMs;
  let start = 0;
  while (start < count && timeAt(start) < cutoff) start++;
  start = Math.max(start, count - retention.maxEntries);
  let bytes = total;
  for (let i = 0; i < start; i++) bytes -= sizes[offset + i]!;
  while (start < count && bytes > retention.maxBytes) bytes -= sizes[offset + start++]!;
  return start;
}

/** How many records one user had kept in the current hour (from `start`). */
interface UserHour {
  start: number;
  kept: number;
  dropped: number;
}

/**
 * Senders counted at most: a flood of new senders each writing once would otherwise fill the map
 * for an hour (about 100 bytes a sender) though none of them comes near the limit.
 */
export const QUOTA_MAX_USERS = 50_000;

/**
 * At most `limit` records per user in an hour (from that user's first one). Users whose hour is
 * over are swept once an hour, so the map holds only the last hour's senders, and at most
 * `maxUsers` of them: past that the one whose hour began first is forgotten (its count starts
 * again, after `maxUsers` other senders were logged: they, not it, are then what fills the log).
 */
export class HourlyQuota {
  readonly limit: number;
  readonly maxUsers: number;
  readonly #now: () => number;
  readonly #onFirstRefusal: () => void;
  /** In the order the users' hours began: the first is the oldest. */
  readonly #hours = new Map<string, UserHour>();
  readonly #oldest = new OldestKey(this.#hours);
  #lastSweep = 0;

  constructor(limit: number, now: () => number, onFirstRefusal: () => void, maxUsers = QUOTA_MAX_USERS) {
    this.limit = Math.max(1, limit);
    this.maxUsers = Math.max(1, maxUsers);
    this.#now = now;
    this.#onFirstRefusal = onFirstRefusal;
  }

  /** Senders counted now. */
  get size(): number {
    return this.#hours.size;
  }

  /** True when `user` may have one more record kept this hour (and counts it). */
  take(user: string): boolean {
    const now = this.#now();
    if (now - this.#lastSweep >= HOUR_MS) {
      this.#lastSweep = now;
      for (const [key, hour] of this.#hours) if (now - hour.start >= HOUR_MS) this.#hours.delete(key);
    }
    let hour = this.#hours.get(user);
    if (hour === undefined || now - hour.start >= HOUR_MS) {
      // A new hour goes to the back, as a new user does.
      if (hour !== undefined) this.#hours.delete(user);
      else if (this.#hours.size >= this.maxUsers) this.#hours.delete(this.#oldest.next()!);
      hour = { start: now, kept: 0, dropped: 0 };
      this.#hours.set(user, hour);
      this.#oldest.added();
    }
    if (hour.kept < this.limit) {
      hour.kept++;
      return true;
    }
    if (hour.dropped++ === 0) this.#onFirstRefusal();
    return false;
  }
}
