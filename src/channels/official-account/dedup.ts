import { LRUCache } from 'lru-cache';

/**
 * Retry, duplicate and replay handling for the WeChat webhook.
 *
 * WeChat delivers a message up to three times (same query string, same body) when it gets no
 * answer within 5 s. The first delivery starts the answer; every later delivery of the same
 * message shares the same promise, so the bot is never asked twice and all deliveries get the
 * same reply. A request captured and sent again is accepted by the signature check as long as its
 * signed timestamp is within the window (±300 s), so a message is remembered until its timestamp
 * leaves the window - not for a fixed count of messages, which a busy account cycles through
 * faster than WeChat retries.
 *
 * Two tiers keep that bounded at any rate: the replies themselves, for WeChat's retries, in an LRU
 * bounded by bytes (`maxBytes`) and by time (`keepMs`, 30 s: WeChat's three deliveries come
 * within about 15 s), and the keys alone, as 53-bit hashes in sets per 10 s of expiry, for the
 * whole window. A message whose reply was let go from the first tier is still known by the
 * second: it is answered once, and its later deliveries (a replay of a captured request) get
 * "success" (no reply) instead of a second answer. Keeping each reply for the whole window held
 * about 11 MB of reply XML in the soak that nothing but a replay would ever have asked for.
 */

export interface ReplyCacheOptions {
  /** Bytes of replies kept at most (least recently used evicted first). Default 16 MB. */
  maxBytes?: number;
  /** How long a message is remembered when the caller gives no expiry, in ms. Default 600,000. */
  ttlMs?: number;
  /** How long a reply is kept once made, for retries, in ms (never past the expiry). Default REPLY_KEEP_MS. */
  keepMs?: number;
  /** Size of a kept value in bytes. Default: a string's UTF-16 size, 64 for anything else. */
  sizeOf?: (value: unknown) => number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

export type CacheLookup<T> =
  /** `started`: this call started the work; false for a retry or duplicate sharing it. */
  | { promise: Promise<T>; started: boolean; replay?: undefined }
  /** Seen within its window, but its reply is no longer kept: do not answer it again. */
  | { replay: true; promise?: undefined; started: false };

interface Entry<T> {
  promise: Promise<T>;
  /** Bytes counted for it: small while pending, the reply's size once settled. */
  size: number;
}

/**
 * How long a reply is kept for retries: WeChat delivers a message three times at most, about 5 s
 * apart, so its retries come within 15 s; twice that covers a delivery slowed on the way.
 */
export const REPLY_KEEP_MS = 30_000;

/** Per-entry bookkeeping, key and promise: what a kept reply costs beside its own bytes. */
const ENTRY_OVERHEAD = 200;
const defaultSize = (value: unknown) => (typeof value === 'string' ? value.length * 2 : 64);

/**
 * What the webhook asks of a retry cache: this process's (ReplyCache), or one shared by every
 * instance through Redis (store/redis-replies.ts), which keeps a ReplyCache in front of it.
 */
export interface ReplyStore<T> {
  /** `user`: the sender, whose state a shared cache may read with the claim (redis-prefetch.ts). */
  getOrStart(key: string, produce: () => Promise<T>, expiresAt?: number, user?: string): CacheLookup<T>;
}

/** What the webhook tells a shared cache: the reply meaning "none", and a hook for deliveries another instance answers. */
export interface SharedReplyOptions {
  none: string;
  onWait?: (() => void) | undefined;
}

export class ReplyCache<T> implements ReplyStore<T> {
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly keepMs: number;
  readonly #now: () => number;
  readonly #sizeOf: (value: unknown) => number;
  // lru-cache rather than a hand-kept Map: evicting from the front of a busy Map made V8 skip
  // ever more deleted slots, a measurable share of the webhook's time per message under load.
  readonly #entries: LRUCache<string, Entry<T>>;
  readonly #seen: SeenKeys;
  /** When expired replies were last let go. */
  #purged = 0;

  constructor(options: ReplyCacheOptions = {}) {
    this.maxBytes = Math.max(1, Math.floor(options.maxBytes ?? 16 * 1024 * 1024));
    this.ttlMs = Math.max(1, options.ttlMs ?? 600_000);
    this.keepMs = Math.max(1, options.keepMs ?? REPLY_KEEP_MS);
    this.#now = options.now ?? Date.now;
    this.#sizeOf = options.sizeOf ?? defaultSize;
    this.#entries = new LRUCache({
      maxSize: this.maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttlResolution: 0,
      perf: { now: this.#now },
    });
    this.#seen = new SeenKeys(this.#now);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** True when the reply for `key` is kept (pending or settled). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * The promise already registered for `key`, or `produce` called once and its promise
   * registered, remembered until `expiresAt` (epoch ms; default now + ttlMs). A rejection is kept
   * as the settled value so a retry does not start the work again.
   */
  getOrStart(key: string, produce: () => Promise<T>, expiresAt?: number): CacheLookup<T> {
    const existing = this.#entries.get(key);
    if (existing) return { promise: existing.promise, started: false };
    const now = this.#now();
    // lru-cache drops an expired reply when it is asked for or pushed out, not when it expires: the
    // replies kept past their 30 s are let go every 30 s (one walk over what is kept).
    if (now - this.#purged >= this.keepMs) {
      this.#purged = now;
      this.#entries.purgeStale();
    }
    const until = Math.max(now + 1, expiresAt ?? now + this.ttlMs);
    if (!this.#seen.addNew(key, until)) return { replay: true, started: false };
    let promise: Promise<T>;
    try {
      promise = produce();
    } catch (err) {
      promise = Promise.reject(err);
    }
    const entry: Entry<T> = { promise, size: ENTRY_OVERHEAD };
    const settle = (value: unknown): void => {
      // Unless evicted meanwhile: a pending entry pushed out by newer ones stays out. The reply is
      // kept for retries from now, never past the expiry (the key alone is remembered until then);
      // its size is what it takes from the byte budget.
      if (this.#entries.peek(key) !== entry) return;
      const left = Math.min(until - this.#now(), this.keepMs);
      if (left <= 0) {
        this.#entries.delete(key);
        return;
      }
      // A new object: lru-cache sizes a value when it is set, and only a changed one.
      this.#entries.set(key, { promise, size: ENTRY_OVERHEAD + key.length * 2 + this.#sizeOf(value) }, { ttl: left });
    };
    promise.then(settle, () => settle(undefined));
    // No TTL while pending: an answer still being made is never forgotten.
    this.#entries.set(key, entry);
    return { promise, started: true };
  }
}

/**
 * Keys remembered until an expiry, as 53-bit hashes in one table per BUCKET_MS of expiry. A
 * table is a Float64Array with open addressing (8 bytes a slot, grown by doubling past 70% full):
 * 11-23 bytes a key where a Set of numbers took 52 (each hash above 2^31 a heap number of its own).
 * At full speed the webhook meets a few thousand new messages a second and keeps each for its
 * timestamp's window (up to 600 s): a few million keys, which this tier holds in tens of MB, not
 * a hundred. Exported for its tests.
 */
export class SeenKeys {
  static readonly BUCKET_MS = 10_000;
  readonly #now: () => number;
  /** Bucket number (expiry / BUCKET_MS, rounded up) → hashes expiring by then. */
  readonly #buckets = new Map<number, HashTable>();

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Remembers `key` until `expiresAt`; false (and nothing changed) when it is remembered already. */
  addNew(key: string, expiresAt: number): boolean {
    const h = hash53(key) || 1; // 0 marks an empty slot
    const current = Math.floor(this.#now() / SeenKeys.BUCKET_MS);
    for (const [bucket, table] of this.#buckets) {
      if (bucket < current) this.#buckets.delete(bucket);
      else if (table.has(h)) return false;
    }
    const bucket = Math.ceil(expiresAt / SeenKeys.BUCKET_MS);
    let table = this.#buckets.get(bucket);
    if (table === undefined) {
      table = new HashTable();
      this.#buckets.set(bucket, table);
    }
    table.add(h);
    return true;
  }

  /** Keys remembered (expired buckets not yet dropped included). */
  get size(): number {
    let n = 0;
    for (const table of this.#buckets.values()) n += table.size;
    return n;
  }

  /** Bytes of the tables' slots: what this tier costs beyond a few objects. */
  get bytes(): number {
    let n = 0;
    for (const table of this.#buckets.values()) n += table.bytes;
    return n;
  }
}

/** A set of nonzero integers below 2^53 in a Float64Array, linear probing. */
class HashTable {
  #slots = new Float64Array(64);
  #mask = 63;
  size = 0;

  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(h: number): boolean {
    const slots = this.#slots;
    for (let i = h % 4294967296 & this.#mask; ; i = (i + 1) & this.#mask) {
      const v = slots[i]!;
      if (v === h) return true;
      if (v === 0) return false;
    }
  }

  /** Adds `h`, known to be absent. */
  add(h: number): void {
    if ((this.size + 1) * 10 > this.#slots.length * 7) this.#grow();
    this.#place(this.#slots, this.#mask, h);
    this.size++;
  }

  #place(slots: Float64Array, mask: number, h: number): void {
    let i = h % 4294967296 & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = h;
  }

  #grow(): void {
    const old = this.#slots;
    const slots = new Float64Array(old.length * 2);
    const mask = slots.length - 1;
    for (const v of old) if (v !== 0) this.#place(slots, mask, v);
    this.#slots = slots;
    this.#mask = mask;
  }
}

/**
 * cyrb53: two 32-bit multiplicative hashes combined into 53 bits (public domain, by bryc). With a
 * million keys in the window, the chance that two collide is about one in ten thousand.
 */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
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
  // A message's key written out at once when its parts need no escaping (always, for WeChat's
  // account ids and MsgIds): the same text as JSON.stringify of the parts, which keys are in Redis.
  if (msg.msgType !== 'event' && msg.msgId && PLAIN.test(msg.toUserName) && PLAIN.test(msg.msgId)) return `["msg","${msg.toUserName}","${msg.msgId}"]`;
  const parts =
    msg.msgType === 'event'
      ? ['event', msg.toUserName, msg.fromUserName, msg.createTime, msg.event ?? '', msg.eventKey ?? '']
      : msg.msgId
        ? ['msg', msg.toUserName, msg.msgId]
        : ['nomsgid', msg.toUserName, msg.fromUserName, msg.createTime, msg.msgType];
  return JSON.stringify(parts);
}

/** Characters JSON.stringify writes as they are (no quote, backslash, control or lone surrogate). */
const PLAIN = /^[\w.@:-]*$/;
