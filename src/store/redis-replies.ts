// WeChat's retries shared by every instance: a message is answered once, by the first instance to
// see it, and every delivery of it - on any instance, also while the first is still answering -
// gets the same reply.
//
//   <prefix>:<namespace>:wx:<hashed key>      the claim: when it was made, SET NX PX for the whole
//                                             replay window (as long as its signed timestamp passes)
//   <prefix>:<namespace>:wxr:<hashed key>     the reply, kept `keepMs` (WeChat's three deliveries
//                                             come within about 15 s)
//
// This process's own cache (ReplyCache) stays in front: retries arriving here share one promise
// and cost no round trip. Only a message this process has not seen goes to Redis: one round trip
// claims it (a script: SET NX, or else the claim and any reply). The instance that claims it
// answers and stores the reply; another instance waits for the reply by reading it every `pollMs`
// until `waitMs` (within WeChat's 5 s), else replies "success" and asks Redis again at the next
// delivery (WeChat's next try, 5 s later, when the reply may be there). A claim whose reply is no
// longer kept is a replay: "success", never a second answer. While Redis does not answer, this
// process's cache alone decides (a retry on the other instance may then be answered again).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheLookup, ReplyCache, ReplyStore } from '../channels/official-account/dedup.ts';
import type { RedisLink } from './redis-link.ts';

export interface SharedRepliesOptions {
  link: RedisLink;
  namespace: string;
  /** What a delivery gets when no reply can be given (WeChat's "success"). */
  none: string;
  /** How long a reply is kept in Redis. Default 30 s. */
  keepMs?: number;
  /** How long another instance waits for the reply. Default 4,500 ms. */
  waitMs?: number;
  /** Default 20 ms. */
  pollMs?: number;
  /** The replay window when the caller gives no expiry. Default 600 s. */
  ttlMs?: number;
  now?: () => number;
  /** Told of each delivery answered by another instance (the webhook logs it). */
  onWait?: (() => void) | undefined;
}

// KEYS[1] claim, KEYS[2] reply; ARGV[1] now, ARGV[2] claim's lifetime (ms).
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {0, redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}`;

type ClaimReply = [1] | [0, string | null, string | null];

/** The client with the script above defined on it. */
interface Scripted {
  gongkaiClaim(claim: string, reply: string, now: string, ttlMs: string): Promise<ClaimReply>;
}

export class SharedReplies implements ReplyStore<string> {
  readonly #local: ReplyCache<string>;
  readonly #link: RedisLink;
  readonly #namespace: string;
  readonly #none: string;
  readonly #keepMs: number;
  readonly #waitMs: number;
  readonly #pollMs: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #scripts: Scripted;
  readonly #onWait: (() => void) | undefined;
  /** Messages whose reply this process waited for in vain, for as long as replies are kept. */
  readonly #gaveUp: LRUCache<string, true>;
  /** Messages answered by this process, and deliveries that waited for another's reply (bench, tests). */
  answered = 0;
  waited = 0;

  constructor(local: ReplyCache<string>, options: SharedRepliesOptions) {
    this.#local = local;
    this.#link = options.link;
    this.#namespace = options.namespace;
    this.#none = options.none;
    this.#keepMs = options.keepMs ?? 30_000;
    this.#waitMs = options.waitMs ?? 4_500;
    this.#pollMs = options.pollMs ?? 20;
    this.#ttlMs = options.ttlMs ?? 600_000;
    this.#now = options.now ?? Date.now;
    this.#onWait = options.onWait;
    this.#gaveUp = new LRUCache({ max: 10_000, ttl: this.#keepMs });
    if (!('gongkaiClaim' in this.#link.client)) this.#link.client.defineCommand('gongkaiClaim', { numberOfKeys: 2, lua: CLAIM });
    this.#scripts = this.#link.client as unknown as Scripted;
  }

  getOrStart(key: string, produce: () => Promise<string>, expiresAt?: number): CacheLookup<string> {
    // This process gave up waiting for another instance's reply to this message: its own cache
    // holds "none" for it, so a later delivery asks Redis again, where the reply may be by now.
    if (this.#gaveUp.has(key)) return { promise: this.#shared(key, produce, expiresAt), started: false };
    return this.#local.getOrStart(key, () => this.#shared(key, produce, expiresAt), expiresAt);
  }

  async #shared(key: string, produce: () => Promise<string>, expiresAt: number | undefined): Promise<string> {
    // An event's key holds the sender's OpenID: hashed, as every user id kept in Redis is.
    const hashed = createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 22);
    const claimKey = this.#link.key(this.#namespace, `wx:${hashed}`);
    const replyKey = this.#link.key(this.#namespace, `wxr:${hashed}`);
    const now = this.#now();
    const lifetime = Math.max(1, (expiresAt ?? now + this.#ttlMs) - now);
    const claim = await this.#link.attempt<ClaimReply | null>(
      () => this.#scripts.gongkaiClaim(claimKey, replyKey, String(now), String(lifetime)),
      () => null,
    );
    if (claim === null || claim[0] === 1) {
      // Ours (or Redis is away: this process decides alone).
      this.answered++;
      const reply = await produce();
      // Not waited for: this delivery has its reply, and another instance waiting reads it soon.
      if (claim !== null) void this.#link.attempt(() => this.#link.client.set(replyKey, reply, 'PX', this.#keepMs), () => undefined);
      return reply;
    }
    this.waited++;
    this.#onWait?.();
    const [, claimedAt, reply] = claim;
    if (reply !== null) return reply;
    if (now - Number(claimedAt) > this.#keepMs) return this.#none;
    const waited = await this.#waitFor(replyKey);
    if (waited === null) {
      this.#gaveUp.set(key, true);
      return this.#none;
    }
    this.#gaveUp.delete(key);
    return waited;
  }

  /** Reads the reply until it is there (null: `waitMs` passed, or Redis went away meanwhile). */
  async #waitFor(replyKey: string): Promise<string | null> {
    const until = this.#now() + this.#waitMs;
    while (this.#now() < until) {
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
      if (!this.#link.up) return null; // the first instance answers its own delivery
      const reply = await this.#link.attempt(() => this.#link.client.get(replyKey), () => null);
      if (reply !== null) return reply;
    }
    return null;
  }
}
