// The webhook's reply deadlines under one timer (deadline.ts): each waiting message gets its value
// when it comes in time, "expired" at its own deadline otherwise, also when messages arrive out of
// the order of their deadlines (a body that took long to arrive has the earlier deadline).
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../src/channels/official-account/deadline.ts';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('Deadlines', () => {
  it('gives each message its value in time, "expired" at its own deadline, in any order of arrival', async () => {
    const deadlines = new Deadlines<string>('expired');
    const t0 = performance.now();
    const timed = (p: Promise<string>) => p.then((value) => ({ value, at: performance.now() - t0 }));
    const late = timed(deadlines.wait(after(400, 'late answer'), t0 + 150, 'rejected'));
    // Inserted after, with an earlier deadline: must not wait for the first one's.
    const early = timed(deadlines.wait(after(400, 'late answer'), t0 + 50, 'rejected'));
    const quick = timed(deadlines.wait(after(10, 'quick answer'), t0 + 100, 'rejected'));
    const failed = timed(deadlines.wait(Promise.reject(new Error('bot failed')), t0 + 100, 'rejected'));
    const [l, e, q, f] = await Promise.all([late, early, quick, failed]);
    expect(q.value).toBe('quick answer');
    expect(q.at).toBeLessThan(90);
    expect(f.value).toBe('rejected');
    expect(e.value).toBe('expired');
    expect(e.at).toBeGreaterThanOrEqual(45);
    expect(e.at).toBeLessThan(140);
    expect(l.value).toBe('expired');
    expect(l.at).toBeGreaterThanOrEqual(145);
    expect(l.at).toBeLessThan(390);
    expect(deadlines.size).toBe(0);
  });

  it('keeps a deadline for every message of a busy second, and none once they are answered', async () => {
    const deadlines = new Deadlines<number>(-1);
    const t0 = performance.now();
    const answers = Array.from({ length: 5000 }, (_, i) => deadlines.wait(Promise.resolve(i), t0 + 60_000 + (i % 7), -2));
    expect(deadlines.size).toBe(5000);
    expect(await Promise.all(answers)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(deadlines.size).toBe(0);
  });
});
