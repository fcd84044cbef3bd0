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
// claims it (a script: SET NX, or else the claim and any reply). When the claim is won, the same
// script makes the sender's per-user limit hit and reads the sender's session, and the bot takes
// both from there (redis-prefetch.ts): a new message waits on Redis once before it is answered. The instance that claims it
// answers and stores the reply; another instance waits for the reply by reading it every `pollMs`
// until `waitMs` (within WeChat's 5 s), else replies "success" and asks Redis again at the next
// delivery (WeChat's next try, 5 s later, when the reply may be there). A claim whose reply is no
// longer kept is a replay: "success", never a second answer. While Redis does not answer, this
// process's cache alone decides (a retry on the other instance may then be answered again).
import { LRUCache } from 'lru-cache';
import type { CacheLookup, ReplyCache, ReplyStore } from '../channels/official-account/dedup.ts';
import { hashed, SLIDING_HIT_LUA } from './redis-limits.ts';
import type { RedisLink } from './redis-link.ts';
import type { Prefetch, Prefetched } from './redis-prefetch.ts';

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
  /** Where the claim leaves the sender's limit and session for the bot. */
  prefetch?: Prefetch | undefined;
}

// KEYS[1] claim, KEYS[2] reply, KEYS[3] the sender's limit, KEYS[4] the sender's session;
// ARGV[1] now, ARGV[2] claim's lifetime (ms), ARGV[3] limit window (ms, '' for no limit),
// ARGV[4] limit budget, ARGV[5] the hit's member, ARGV[6] '1' to read the session.
// Claimed: {1, ms to wait (-1 no limit checked), session text or nil}; else {0, claimed at, reply}.
const CLAIM = `${SLIDING_HIT_LUA}
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}
end
local wait = -1
if ARGV[3] ~= '' then wait = hit(KEYS[3], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]) end
local session = false
if ARGV[6] == '1' then session = redis.call('GET', KEYS[4]) end
return {1, wait, session}`;

type ClaimReply = [1, number, string | null] | [0, string | null, string | null];

/** The client with the script above defined on it. */
interface Scripted {
  gongkaiClaimAsk(claim: string, reply: string, limit: string, session: string, ...args: string[]): Promise<ClaimReply>;
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
  readonly #prefetch: Prefetch | undefined;
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
    this.#prefetch = options.prefetch;
    this.#gaveUp = new LRUCache({ max: 10_000, ttl: this.#keepMs });
    if (!('gongkaiClaimAsk' in this.#link.client)) this.#link.client.defineCommand('gongkaiClaimAsk', { numberOfKeys: 4, lua: CLAIM });
    this.#scripts = this.#link.client as unknown as Scripted;
  }

  getOrStart(key: string, produce: () => Promise<string>, expiresAt?: number, user?: string): CacheLookup<string> {
    // This process gave up waiting for another instance's reply to this message: its own cache
    // holds "none" for it, so a later delivery asks Redis again, where the reply may be by now.
    if (this.#gaveUp.has(key)) return { promise: this.#shared(key, produce, expiresAt, user), started: false };
    return this.#local.getOrStart(key, () => this.#shared(key, produce, expiresAt, user), expiresAt);
  }

  async #shared(key: string, produce: () => Promise<string>, expiresAt: number | undefined, user: string | undefined): Promise<string> {
    // An event's key holds the sender's OpenID: hashed, as every user id kept in Redis is.
    const id = hashed(key);
    const claimKey = this.#link.key(this.#namespace, `wx:${id}`);
    const replyKey = this.#link.key(this.#namespace, `wxr:${id}`);
    const now = this.#now();
    const lifetime = Math.max(1, (expiresAt ?? now + this.#ttlMs) - now);
    const limiter = user !== undefined ? this.#prefetch?.limiter : undefined;
    const sessionKeyOf = user !== undefined ? this.#prefetch?.sessionKeyOf : undefined;
    const limitKey = limiter ? limiter.keyOf(user!) : claimKey;
    const member = limiter ? limiter.member() : '';
    const claim = await this.#link.attempt<ClaimReply | null>(
      () =>
        this.#scripts.gongkaiClaimAsk(
          claimKey,
          replyKey,
          limitKey,
          sessionKeyOf ? sessionKeyOf(user!) : claimKey,
          String(now),
          String(lifetime),
          limiter ? String(limiter.windowMs) : '',
          limiter ? String(limiter.max) : '',
          member,
          sessionKeyOf ? '1' : '0',
        ),
      () => null,
    );
    if (claim === null || claim[0] === 1) {
      // Ours (or Redis is away: this process decides alone).
      this.answered++;
      let prefetched: Prefetched | undefined;
      if (claim !== null && user !== undefined && (limiter || sessionKeyOf)) {
        const waitMs = claim[1];
        prefetched = {
          user,
          hit: limiter && waitMs >= 0 ? { name: limiter.name, waitMs, key: limitKey, member, taken: false } : undefined,
          session: sessionKeyOf ? { text: claim[2] ?? null, taken: false } : undefined,
        };
      }
      let reply: string | undefined;
      try {
        reply = await (prefetched ? this.#prefetch!.during(prefetched, produce) : produce());
      } finally {
        if (claim !== null) this.#keep(replyKey, reply, prefetched?.writes);
      }
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

  /**
   * Sends the session the bot wrote (`writes`, when it left them to the message) and the reply
   * for other instances, in one write to the socket, now: before this delivery's reply is sent, so
   * that the resident's next message finds the session on any instance. Not waited for: this
   * delivery has its reply, and another instance waiting for it reads it soon.
   */
  #keep(replyKey: string, reply: string | undefined, writes: string[][] | undefined): void {
    if (!this.#link.up || (reply === undefined && writes === undefined)) return;
    const pipeline = this.#link.client.pipeline();
    for (const args of writes ?? []) pipeline.set(...(args as [string, string, 'PX', string]));
    if (reply !== undefined) pipeline.set(replyKey, reply, 'PX', this.#keepMs);
    this.#link.commands++;
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([err]) => err);
        if (failed) this.#link.failed(failed[0]);
      },
      (err: unknown) => this.#link.failed(err),
    );
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
