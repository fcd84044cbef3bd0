// The admin statistics off the event loop: a worker thread with a time budget and a cache.
import { describe, expect, it } from 'vitest';
import { configureStats, StatsUnavailable, statsOf } from '../../src/admin/stats-service.ts';
import type { QuestionEntry } from '../../src/store/question-log.ts';

const now = Date.parse('2024-03-10T04:00:00Z');
const entry = (i: number, question: string): QuestionEntry => ({
  type: 'question', time: new Date(now - i * 1000).toISOString(), channel: 'web', user: `u${i % 7}`, question,
  intent: 'unknown', entry: null, confidence: 0.1, answered: false, id: `q${i}`,
});

function log(questions: QuestionEntry[]) {
  return { entries: () => questions, feedbackEntries: () => [] };
}

describe('statsOf', () => {
  it('stops a computation past its time budget, and the next one runs', async () => {
    const many = log(Array.from({ length: 20_000 }, (_, i) => entry(i, `问题${i}${'补贴马铃薯低保'.slice(i % 5)}`)));
    configureStats(many, { timeBudgetMs: 1, cacheMs: 0 });
    await expect(statsOf(many, { now, days: 7 })).rejects.toBeInstanceOf(StatsUnavailable);
    configureStats(many, { timeBudgetMs: 30_000, cacheMs: 0, maxGrouped: 500 });
    const stats = await statsOf(many, { now, days: 7 });
    expect(stats.totals.unanswered).toBe(20_000);
    expect(stats.grouping).toEqual({ wordings: 20_000, grouped: 500 });
  }, 60_000);

  it('reuses a result within the cache time, and computes afresh after it', async () => {
    const questions = [entry(1, '马铃薯补贴怎么领'), entry(2, '土豆补贴在哪领')];
    const small = log(questions);
    configureStats(small, { cacheMs: 60_000 });
    const first = await statsOf(small, { now, days: 7 });
    expect(first.unansweredGroups).toEqual([expect.objectContaining({ count: 2, wordings: 2 })]);
    questions.push(entry(3, '低保怎么申请'));
    expect(await statsOf(small, { now: now + 1_000, days: 7 })).toBe(first);
    const later = await statsOf(small, { now: now + 61_000, days: 7 });
    expect(later.totals.unanswered).toBe(3);
  }, 60_000);
});
