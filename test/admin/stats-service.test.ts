// The admin statistics off the event loop: a worker thread with a time budget and a cache.
import { describe, expect, it } from 'vitest';
import { configureStats, keptReports, StatsUnavailable, statsOf } from '../../src/admin/stats-service.ts';
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

  it('lets a report go once its cache time is over: asked again later, or not at all', async () => {
    const small = log([entry(1, '马铃薯补贴怎么领')]);
    configureStats(small, { cacheMs: 300 });
    await Promise.all([1, 7, 30].map((days) => statsOf(small, { now, days })));
    expect(keptReports(small)).toBe(3);
    // Another period asked after the others expired (by the request's clock): only it is kept.
    await statsOf(small, { now: now + 1_000, days: 90 });
    expect(keptReports(small)).toBe(1);
    // Nobody asks again: freed when its time is up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(keptReports(small)).toBe(0);
  }, 60_000);
});

describe('statsOf over a log file (the worker reads it twice, holding tallies, not records)', () => {
  it('counts exactly what retention keeps: each id once, torn lines skipped, the oldest cut by count and age, feedback judged', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { computeStats } = await import('../../src/admin/stats.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-stats-file-'));
    try {
      const file = path.join(dir, 'questions.jsonl');
      // Oldest first. q0-q2 are older than the 90 days kept; q3 falls to the count bound (6 kept).
      const old = (i: number) => ({ ...entry(0, `旧问题${i}`), time: new Date(now - 100 * 86_400_000 + i).toISOString(), id: `old${i}` });
      const kept = [entry(6, '马铃薯补贴怎么领'), { ...entry(5, '2019年行政处罚多少件'), answered: true, intent: 'statistic', entry: 'stat:行政处罚', confidence: 0.9 }, entry(4, '土豆补贴在哪领'), entry(3, '低保怎么申请')];
      const feedback = { type: 'feedback' as const, time: new Date(now - 1000).toISOString(), user: 'u5', answer: 'q5', question: '2019年行政处罚多少件', verdict: 'useless' as const, id: 'f1' };
      const lines = [
        ...[0, 1, 2].map((i) => JSON.stringify(old(i))),
        JSON.stringify(entry(9, '被数量挤掉的问题')),
        JSON.stringify(kept[0]),
        JSON.stringify(kept[1]),
        JSON.stringify(kept[1]), // written twice (a retried batch): counted once
        '{"type":"question","ti', // torn
        JSON.stringify(kept[2]),
        JSON.stringify(kept[3]),
        JSON.stringify(feedback),
        JSON.stringify(entry(2, '最新的问题')),
      ];
      writeFileSync(file, `${lines.join('\n')}\n`);
      const view = {
        entries: () => [],
        feedbackEntries: () => [],
        source: () => ({ kind: 'jsonl' as const, file, retention: { maxAgeMs: 90 * 86_400_000, maxEntries: 6, maxBytes: 1_000_000 } }),
      };
      configureStats(view, { cacheMs: 0 });
      const stats = await statsOf(view, { now, days: 7 });
      const expected = computeStats([...kept, entry(2, '最新的问题')], [feedback], { now, days: 7, maxGrouped: 3_000 });
      expect(stats).toEqual(expected);
      expect(stats.totals.messages).toBe(5);
      expect(stats.feedback.uselessQuestions).toEqual([expect.objectContaining({ entry: 'stat:行政处罚', count: 1 })]);
      expect(stats.hits).toEqual([{ entry: 'stat:行政处罚', count: 1, useful: 0, useless: 1 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
