/**
 * Per-user sliding-window limit. Memory stays bounded: users idle for a whole window are swept,
 * and the map never holds more than `maxUsers` (the oldest are dropped first).
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
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
    if (this.hits.size > this.maxUsers) this.hits.delete(this.hits.keys().next().value!);
    return true;
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
