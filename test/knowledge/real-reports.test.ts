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
