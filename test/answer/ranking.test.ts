// Ranking finds the hits of the same kind matched by the same terms by comparing them
// (sameMatch) where it used to compare `${kind}|${matched.join('/')}` strings: the two must agree
// for any terms, "/" inside a term included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/answer/entries.ts';
import { sameMatch } from '../../src/answer/ranking.ts';

const KINDS = ['stat', 'figure', 'guide', 'passage'] as const;

describe('sameMatch', () => {
  it('agrees with comparing the joined key strings', () => {
    const term = fc.oneof(fc.constantFrom('', '/', 'a', 'a/b', 'b', '/a', '行政处罚'), fc.string({ maxLength: 3 }));
    const hit = fc.record({ kind: fc.constantFrom(...KINDS), matched: fc.array(term, { maxLength: 4 }) }).map(({ kind, matched }) => ({ entry: { kind } as Entry, matched }));
    fc.assert(
      fc.property(hit, hit, (a, b) => {
        const key = (h: typeof a) => `${h.entry.kind}|${h.matched.join('/')}`;
        expect(sameMatch(a, b)).toBe(key(a) === key(b));
      }),
      { numRuns: 20000 },
    );
    // The case only the joined strings tell: ["a/b"] and ["a", "b"].
    expect(sameMatch({ entry: { kind: 'stat' } as Entry, matched: ['a/b'] }, { entry: { kind: 'stat' } as Entry, matched: ['a', 'b'] })).toBe(true);
  });
});
