// What a WeChat message's one round trip to Redis brings back for the bot, so that a new message
// waits on Redis once before it is answered, not three times in turn (claim, then limit and
// session, then the session's write).
//
// The instance that claims a MsgId (redis-replies.ts) runs one script: the claim (SET NX); and only
// when it won, the sender's per-user limit (the same sliding window as redis-limits.ts) and a read
// of the sender's session. The results are handed to the bot through this object for the
// synchronous start of the bot's answer (bot.answer asks for its limit and the session before it
// first waits): the limiter and the session store take them from here instead of asking Redis.
// A prefetched hit the bot did not take (an event, a menu key that is a guide) is taken back
// (ZREM of its member), so the limit counts exactly the messages the bot checked.
import type { RedisLink } from './redis-link.ts';

/** The limiter whose hit is prefetched: its name, window and budget, and its key for a user. */
export interface PrefetchedLimiter {
  name: string;
  windowMs: number;
  max: number;
  keyOf(user: string): string;
  member(): string;
}

/** One message's prefetched results, valid while its bot call starts. */
export interface Prefetched {
  user: string;
  /** The limit's answer (0 allowed, else ms to wait) and the hit's key and member, to undo it. */
  hit?: { name: string; waitMs: number; key: string; member: string; taken: boolean } | undefined;
  /** The session's text in Redis (null: none). */
  session?: { text: string | null; taken: boolean } | undefined;
  /** SET arguments the bot's call left to go out with the reply's (see `deferWrite`). */
  writes?: string[][] | undefined;
}

/** The per-user limit checked by bot.answer (answer/bot.ts): the one prefetched with a claim. */
export const PREFETCHED_LIMITER = 'user';

export class Prefetch {
  readonly #link: RedisLink;
  /** Set by the Redis limits when the bot creates its per-user limiter. */
  limiter: PrefetchedLimiter | undefined;
  /** Set by the Redis session store: the key of a user's session. */
  sessionKeyOf: ((user: string) => string) | undefined;
  #open: Prefetched | undefined;
  /** Prefetched hits taken back because the bot did not check the limit (bench, tests). */
  undone = 0;

  constructor(link: RedisLink) {
    this.#link = link;
  }

  /**
   * Runs `start` (the bot's call, up to its first wait) with `prefetched` on offer, then closes
   * the offer: what the bot asks later goes to Redis as usual.
   */
  during<T>(prefetched: Prefetched, start: () => T): T {
    this.#open = prefetched;
    try {
      return start();
    } finally {
      this.#open = undefined;
      const hit = prefetched.hit;
      if (hit !== undefined && !hit.taken && hit.waitMs === 0) {
        this.undone++;
        void this.#link.attempt(() => this.#link.client.zrem(hit.key, hit.member), () => 0);
      }
    }
  }

  /** The prefetched limit answer for `user` on limiter `name` (ms to wait), once; undefined if none. */
  takeHit(name: string, user: string): number | undefined {
    const hit = this.#open?.user === user ? this.#open.hit : undefined;
    if (hit === undefined || hit.taken || hit.name !== name) return undefined;
    hit.taken = true;
    return hit.waitMs;
  }

  /**
   * Hands a SET (the session the bot writes) to the message being answered, to go to Redis in one
   * write with its reply (redis-replies.ts): one write to the socket a message instead of two,
   * still before the reply is sent. False when no message of `user` is being answered here: the
   * caller sends it itself.
   */
  deferWrite(user: string, args: string[]): boolean {
    const open = this.#open;
    if (open?.user !== user) return false;
    (open.writes ??= []).push(args);
    return true;
  }

  /** The prefetched session text for `user` (null: none in Redis), once; undefined if none. */
  takeSession(user: string): string | null | undefined {
    const session = this.#open?.user === user ? this.#open.session : undefined;
    if (session === undefined || session.taken) return undefined;
    session.taken = true;
    return session.text;
  }
}
