// Scores the parser on the excerpts of real published reports in
// test/fixtures/reports/real-shared/ (copied from ../shared/reports/real/, test data), with the
// rules of that folder's README: a wrong label is worse than a missing figure.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreDirectory, type ReportScore } from '../../src/knowledge/report-score.ts';

const DIR = path.resolve(import.meta.dirname, '../fixtures/reports/real-shared');

describe('real reports of other bodies (real-shared)', () => {
  let scores: ReportScore[];
  it('finds at least 95% of the hand-read figures and files none under a wrong label', async () => {
    scores = await scoreDirectory(DIR);
    expect(scores).toHaveLength(20);
    const sum = (k: 'found' | 'wrong' | 'missing') => scores.reduce((a, s) => a + s[k], 0);
    const wrong = scores.flatMap((s) => s.figures.filter((f) => f.verdict === 'wrong').map((f) => `${s.name}: ${f.item}/${f.column}=${f.value} (${f.got})`));
    expect(wrong).toEqual([]);
    const all = sum('found') + sum('wrong') + sum('missing');
    expect(all).toBe(163);
    expect(sum('found') / all).toBeGreaterThanOrEqual(0.95);
  });

  it('reads each report\'s year', () => {
    const years = scores.map((s) => [s.name, s.year.got]);
    expect(years).toEqual(scores.map((s) => [s.name, s.year.expected]));
  });
});

// Excerpts collected for issue 12 to check that the parser generalises (test/fixtures/reports/
// real-more/, README there): every one must keep being read, and none under a wrong label.
describe('more real reports of other bodies (real-more)', () => {
  it('finds at least 95% of the hand-read figures, none under a wrong label, and every year', async () => {
    const scores = await scoreDirectory(path.resolve(import.meta.dirname, '../fixtures/reports/real-more'));
    expect(scores).toHaveLength(28);
    const wrong = scores.flatMap((s) => s.figures.filter((f) => f.verdict === 'wrong').map((f) => `${s.name}: ${f.item}/${f.column}=${f.value} (${f.got})`));
    expect(wrong).toEqual([]);
    const found = scores.reduce((a, s) => a + s.found, 0);
    const all = scores.reduce((a, s) => a + s.found + s.wrong + s.missing, 0);
    expect(all).toBe(191);
    expect(found / all).toBeGreaterThanOrEqual(0.95);
    expect(scores.map((s) => [s.name, s.year.got])).toEqual(scores.map((s) => [s.name, s.year.expected]));
  });
});
