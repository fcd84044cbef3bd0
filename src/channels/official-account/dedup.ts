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

interface Entry<T> {
  promise: Promise<T>;
  /** undefined while the promise is still pending. */
  expiresAt: number | undefined;
}

export interface CacheLookup<T> {
  promise: Promise<T>;
  /** True when this call started the work; false for a retry/duplicate. */
  started: boolean;
}

export class ReplyCache<T> {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(options: ReplyCacheOptions = {}) {
    this.maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.ttlMs = Math.max(0, options.ttlMs ?? 60_000);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /**
   * Return the promise already registered for `key`, or call `produce` once and register its
   * promise. `produce` is called synchronously at most once per live key; a rejection is kept as
   * the settled value so a retry does not start the work again.
   */
  getOrStart(key: string, produce: () => Promise<T>): CacheLookup<T> {
    const existing = this.#live(key);
    if (existing) {
      // refresh LRU position
      this.#entries.delete(key);
      this.#entries.set(key, existing);
      return { promise: existing.promise, started: false };
    }
    let promise: Promise<T>;
    try {
      promise = produce();
    } catch (err) {
      promise = Promise.reject(err);
    }
    const entry: Entry<T> = { promise, expiresAt: undefined };
    const settle = (): void => {
      entry.expiresAt = this.#now() + this.ttlMs;
    };
    promise.then(settle, settle);
    this.#entries.set(key, entry);
    this.#evict();
    return { promise, started: true };
  }

  #live(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && this.#now() > entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #evict(): void {
    // Drop expired entries from the old end, then enforce the size bound.
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= 1) break;
      if (entry.expiresAt !== undefined && now > entry.expiresAt) {
        this.#entries.delete(key);
        continue;
      }
      break;
    }
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
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
