import { describe, expect, it } from 'vitest';
import { HourlyQuota } from '../../src/store/retention.ts';

describe('HourlyQuota', () => {
  it('counts at most maxUsers senders, forgetting the one whose hour began first', () => {
    let now = 1_764_547_200_000;
    let warnings = 0;
    const quota = new HourlyQuota(3, () => now, () => warnings++, 1_000);
    for (let i = 0; i < 3; i++) expect(quota.take('flooder')).toBe(true);
    expect(quota.take('flooder')).toBe(false);
    expect(warnings).toBe(1);
    // A flood of new senders, each once: the map stays at its bound.
    for (let i = 0; i < 5_000; i++) {
      now += 1;
      expect(quota.take(`new-${i}`)).toBe(true);
      expect(quota.size).toBeLessThanOrEqual(1_000);
    }
    expect(quota.size).toBe(1_000);
    // The newest 1,000 are the ones still counted: the last sender is refused after its 3 as before…
    expect(quota.take('new-4999')).toBe(true);
    expect(quota.take('new-4999')).toBe(true);
    expect(quota.take('new-4999')).toBe(false);
    // …and the flooder, forgotten 4,000 senders ago, starts a count afresh.
    expect(quota.take('flooder')).toBe(true);
  });

  it('moves a sender whose new hour begins behind those whose hour began before', () => {
    const t0 = 1_764_547_200_000;
    const minute = 60_000;
    let now = t0;
    const quota = new HourlyQuota(2, () => now, () => undefined, 3);
    quota.take('x'); // the hourly sweep runs now, and next at t0 + 60 min
    now = t0 + 10 * minute;
    quota.take('a');
    now = t0 + 20 * minute;
    quota.take('b');
    now = t0 + 61 * minute;
    quota.take('y'); // sweeps x
    // a's hour is over (between sweeps): its new hour begins now, behind b and y.
    now = t0 + 71 * minute;
    expect(quota.take('a')).toBe(true);
    // c pushes out b, whose hour began first, not a.
    quota.take('c');
    expect(quota.size).toBe(3);
    expect(quota.take('a')).toBe(true);
    expect(quota.take('a')).toBe(false);
    // b was forgotten: two more for it.
    expect(quota.take('b')).toBe(true);
    expect(quota.take('b')).toBe(true);
    expect(quota.take('b')).toBe(false);
  });
});
