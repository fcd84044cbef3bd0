/**
 * The webhook's reply deadline for every message in flight under one timer. WeChat waits 5 s for a
 * reply, so each message waits for the bot until its own deadline, then gets "success". A timer
 * and a Promise.race per message cost more than the rest of the webhook's bookkeeping (node keeps a
 * timer list per distinct duration, and the remaining time differs by a few ms from message to
 * message); here the waiting messages are kept in order of their deadline, which is nearly always
 * the order they arrive in, and one timer is armed for the earliest.
 */

interface Waiting<T> {
  at: number;
  /** Cleared once settled: a settled entry waiting to leave the queue holds no reply. */
  resolve: ((value: T) => void) | undefined;
}

function settle<T>(entry: Waiting<T>, value: T): void {
  const resolve = entry.resolve;
  if (resolve === undefined) return;
  entry.resolve = undefined;
  resolve(value);
}

export class Deadlines<T> {
  readonly #now: () => number;
  readonly #expired: T;
  /** Ordered by `at`; settled ones are dropped when they reach the front. */
  #queue: Array<Waiting<T>> = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Infinity;

  /** `expired`: what a message gets when its deadline passes first. */
  constructor(expired: T, now: () => number = () => performance.now()) {
    this.#expired = expired;
    this.#now = now;
  }

  /** Messages waiting (bench, tests). */
  get size(): number {
    let n = 0;
    for (let i = this.#head; i < this.#queue.length; i++) if (this.#queue[i]!.resolve !== undefined) n++;
    return n;
  }

  /** `promise`'s value, or `expired` once `at` (on the clock given) has passed. A rejection gives `rejected`. */
  wait(promise: Promise<T>, at: number, rejected: T): Promise<T> {
    return new Promise<T>((resolve) => {
      const entry: Waiting<T> = { at, resolve };
      this.#insert(entry);
      promise.then(
        (value) => settle(entry, value),
        () => settle(entry, rejected),
      );
    });
  }

  #insert(entry: Waiting<T>): void {
    const queue = this.#queue;
    let i = queue.length;
    while (i > this.#head && queue[i - 1]!.at > entry.at) i--;
    if (i === queue.length) queue.push(entry);
    else queue.splice(i, 0, entry);
    if (entry.at < this.#armedAt) this.#arm(entry.at);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - this.#now()));
    // A deadline is no reason to keep the process running: its request holds the server open.
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const entry = queue[this.#head]!;
      if (entry.resolve !== undefined && entry.at > now) break;
      settle(entry, this.#expired);
      this.#head++;
    }
    // Drop the settled front now and then, not one shift per message.
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#queue[this.#head];
    if (next !== undefined) this.#arm(next.at);
  }
}
