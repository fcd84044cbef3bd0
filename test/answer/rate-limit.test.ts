import { describe, expect, it } from 'vitest';
import { LocalAdmission, RateLimiter } from '../../src/answer/rate-limit.ts';

describe('per-user limit', () => {
  it('keeps at most maxUsers senders, forgetting the least recent first, also after many evictions', () => {
    let t = 0;
    const limiter = new RateLimiter(2, 60_000, () => t, 100);
    for (let i = 0; i < 5_000; i++) {
      t++;
      expect(limiter.hit(`u${i}`)).toBe(0);
      // u-keep is used again and again, so it is never the least recent.
      if (i % 10 === 0) limiter.hit('u-keep');
    }
    expect(limiter.size).toBe(100);
    // u-keep's two hits of the window are remembered: over its budget.
    expect(limiter.hit('u-keep')).toBeGreaterThan(0);
    // The newest senders are still counted; the oldest were forgotten and start afresh.
    expect(limiter.hit('u4999')).toBe(0);
    expect(limiter.hit('u4999')).toBeGreaterThan(0);
    expect(limiter.hit('u0')).toBe(0);
    expect(limiter.hit('u0')).toBe(0);
  });

  it('conversations per address: at most maxAddresses addresses, the least recent forgotten', () => {
    let t = 0;
    const admission = new LocalAdmission(1, 60_000, 50, () => t);
    for (let i = 0; i < 2_000; i++) {
      t++;
      expect(admission.admit(`10.0.${i}`, undefined)).toBe(0);
    }
    // The newest address has used its one conversation; the oldest was forgotten.
    expect(admission.admit('10.0.1999', undefined)).toBeGreaterThan(0);
    expect(admission.admit('10.0.0', undefined)).toBe(0);
  });
});
