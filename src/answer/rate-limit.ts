import { OldestKey } from '../store/oldest-key.ts';

/**
 * A budget of `max` hits per window for each key (a user, an address). `hit` records one and says
 * how many seconds to wait when the key is over its budget (0: allowed). The embedded limiter
 * answers at once; a shared one (store/redis-limits.ts) answers after a round trip to Redis.
 */
export interface Limiter {
  readonly max: number;
  hit(key: string): number | Promise<number>;
}

/**
 * Per-user sliding-window limit. Memory stays bounded: users idle for a whole window are swept,
 * and the map never holds more than `maxUsers` (the oldest are dropped first).
 */
export class RateLimiter implements Limiter {
  private readonly hits = new Map<string, number[]>();
  private readonly oldest = new OldestKey(this.hits);
  private lastSweep = 0;

  constructor(
    readonly max = 20,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxUsers = 100_000,
  ) {}

  /** Records a message; false when the user has already sent `max` within the window. */
  allow(user: string): boolean {
    const t = this.now();
    this.sweep(t);
    let recent = this.hits.get(user);
    if (recent === undefined) {
      recent = [];
    } else {
      this.expire(recent, t);
      if (recent.length >= this.max) return false;
      this.hits.delete(user);
    }
    recent.push(t);
    this.hits.set(user, recent);
    this.oldest.added();
    if (this.hits.size > this.maxUsers) this.hits.delete(this.oldest.next()!);
    return true;
  }

  /** `allow`, then `retryAfter` when refused: 0 when allowed, else seconds to wait. */
  hit(user: string): number {
    return this.allow(user) ? 0 : this.retryAfter(user);
  }

  /** Seconds until the user may send again (0 when allowed now). */
  retryAfter(user: string): number {
    const recent = this.hits.get(user) ?? [];
    this.expire(recent, this.now());
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  /** Times are in order: drops the expired ones from the front, in place. */
  private expire(recent: number[], t: number): void {
    let expired = 0;
    while (expired < recent.length && t - recent[expired]! >= this.windowMs) expired++;
    if (expired > 0) recent.splice(0, expired);
  }

  get size(): number {
    return this.hits.size;
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [user, list] of this.hits) if (t - (list.at(-1) ?? 0) >= this.windowMs) this.hits.delete(user);
  }
}

/**
 * Conversations started from one address within the session TTL (the web API's
 * CLIENT_SESSIONS_PER_ADDRESS): `admit` says how many seconds to wait before `user` (undefined: a
 * new anonymous one) may start one from `address`, 0 when it may (a known user always may).
 */
export interface SessionAdmission {
  admit(address: string, user: string | undefined): number | Promise<number>;
}

/** Where limits keep their counts: this process's memory, or Redis (store/redis-limits.ts). */
export interface LimitBackend {
  /** A limiter named `name` (unique within the account): `max` hits per `windowMs` per key. */
  limiter(name: string, max: number, windowMs: number, maxKeys?: number): Limiter;
  admission(name: string, max: number, ttlMs: number, maxAddresses: number): SessionAdmission;
}

/** Live sessions started from one address: named users by last use, anonymous ones by start. */
class AddressSessions {
  readonly named = new Map<string, number>();
  anonymous: number[] = [];

  size(cutoff: number): number {
    for (const [user, at] of this.named) if (at <= cutoff) this.named.delete(user);
    let expired = 0;
    while (expired < this.anonymous.length && this.anonymous[expired]! <= cutoff) expired++;
    if (expired > 0) this.anonymous = this.anonymous.slice(expired);
    return this.named.size + this.anonymous.length;
  }

  oldest(): number {
    let oldest = this.anonymous[0] ?? Infinity;
    for (const at of this.named.values()) oldest = Math.min(oldest, at);
    return oldest;
  }
}

/** SessionAdmission in this process's memory, at most `maxAddresses` addresses (least recent forgotten). */
export class LocalAdmission implements SessionAdmission {
  readonly #sessions = new Map<string, AddressSessions>();
  readonly #oldest = new OldestKey(this.#sessions);

  constructor(
    readonly max: number,
    private readonly ttlMs: number,
    private readonly maxAddresses = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  admit(addr: string, user: string | undefined): number {
    const t = this.now();
    let known = this.#sessions.get(addr);
    if (known === undefined) {
      known = new AddressSessions();
      if (this.#sessions.size >= this.maxAddresses) this.#sessions.delete(this.#oldest.next()!);
    } else this.#sessions.delete(addr); // re-inserted below: most recent last
    this.#sessions.set(addr, known);
    this.#oldest.added();
    if (user !== undefined && known.named.has(user)) {
      known.named.set(user, t);
      return 0;
    }
    if (known.size(t - this.ttlMs) >= this.max) return Math.max(1, Math.ceil((known.oldest() + this.ttlMs - t) / 1000));
    if (user === undefined) known.anonymous.push(t);
    else known.named.set(user, t);
    return 0;
  }
}

/** Limits kept in this process's memory: one instance, or an instance whose Redis is away. */
export function localLimits(now: () => number = Date.now): LimitBackend {
  return {
    limiter: (_name, max, windowMs, maxKeys) => new RateLimiter(max, windowMs, now, maxKeys),
    admission: (_name, max, ttlMs, maxAddresses) => new LocalAdmission(max, ttlMs, maxAddresses, now),
  };
}
