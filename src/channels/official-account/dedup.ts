import { LRUCache } from 'lru-cache';

/**
 * Retry / duplicate handling for the WeChat webhook.
 *
 * WeChat delivers a message up to three times (same query string, same body) when it gets no
 * answer within 5 s. The first delivery starts the answer; every later delivery of the same
 * message shares the same promise, so the bot is never asked twice and all deliveries get the
 * same reply. The cache is an LRU bounded by entry count, and settled entries expire after a TTL,
 * so memory stays flat under any load.
 */

export interface ReplyCacheOptions {
  /** Most entries kept (least recently used evicted first). Default 10,000. */
  maxEntries?: number;
  /** How long a settled entry is kept, in ms. Default 60,000 (WeChat's retries span ~15 s). */
  ttlMs?: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

export interface CacheLookup<T> {
  promise: Promise<T>;
  /** True when this call started the work; false for a retry/duplicate. */
  started: boolean;
}

export class ReplyCache<T> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  // lru-cache rather than a hand-kept Map: evicting from the front of a busy Map made V8 skip
  // ever more deleted slots, a measurable share of the webhook's time per message under load.
  readonly #entries: LRUCache<string, { promise: Promise<T> }>;

  constructor(options: ReplyCacheOptions = {}) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.ttlMs = Math.max(0, options.ttlMs ?? 60_000);
    const now = options.now ?? Date.now;
    // No TTL while pending; the TTL starts when the answer settles (see getOrStart).
    this.#entries = new LRUCache({ max: this.maxEntries, ttlResolution: 0, perf: { now } });
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * Return the promise already registered for `key`, or call `produce` once and register its
   * promise. `produce` is called synchronously at most once per live key; a rejection is kept as
   * the settled value so a retry does not start the work again.
   */
  getOrStart(key: string, produce: () => Promise<T>): CacheLookup<T> {
    const existing = this.#entries.get(key);
    if (existing) return { promise: existing.promise, started: false };
    let promise: Promise<T>;
    try {
      promise = produce();
    } catch (err) {
      promise = Promise.reject(err);
    }
    const entry = { promise };
    const settle = (): void => {
      // Unless evicted meanwhile: a pending entry pushed out by newer ones stays out. (A ttl of 0
      // means "forever" to lru-cache, so ttlMs 0 becomes 1 ms.)
      if (this.#entries.peek(key) === entry) this.#entries.set(key, entry, { ttl: this.ttlMs || 1 });
    };
    promise.then(settle, settle);
    this.#entries.set(key, entry);
    return { promise, started: true };
  }
}

/** The fields dedupKey needs (structurally compatible with xml.ts's IncomingMessage). */
export interface DedupFields {
  toUserName: string;
  fromUserName: string;
  createTime: string;
  msgType: string;
  msgId?: string;
  event?: string;
  eventKey?: string;
}

/**
 * Messages are identified by MsgId, events by FromUserName + CreateTime + Event + EventKey.
 * The account (ToUserName) is part of every key so one cache may serve several accounts.
 */
export function dedupKey(msg: DedupFields): string {
  const parts =
    msg.msgType === 'event'
      ? ['event', msg.toUserName, msg.fromUserName, msg.createTime, msg.event ?? '', msg.eventKey ?? '']
      : msg.msgId
        ? ['msg', msg.toUserName, msg.msgId]
        : ['nomsgid', msg.toUserName, msg.fromUserName, msg.createTime, msg.msgType];
  return JSON.stringify(parts);
}
