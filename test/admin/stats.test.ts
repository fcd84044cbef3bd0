import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/admin/stats.ts';
import type { FeedbackEntry, QuestionEntry } from '../../src/store/question-log.ts';
import { POTATO_SUBSIDY_WORDINGS } from '../fixtures/admin/unanswered.ts';

// 2024-03-10 12:00 Beijing time.
const NOW = Date.parse('2024-03-10T04:00:00Z');
const HOUR = 60 * 60 * 1000;

let serial = 0;
function q(question: string, extra: Partial<QuestionEntry> & { at?: number } = {}): QuestionEntry {
  const { at = NOW - HOUR, ...rest } = extra;
  serial++;
  return {
    type: 'question',
    time: new Date(at).toISOString(),
    channel: 'wechat',
    user: `user${serial % 3}`,
    question,
    intent: 'guide',
    entry: 'guide:apply',
    confidence: 0.9,
    answered: true,
    id: `q${serial}`,
    ...rest,
  };
}

const miss = (question: string, extra: Partial<QuestionEntry> & { at?: number } = {}) =>
  q(question, { intent: 'unknown', entry: null, confidence: 0.2, answered: false, ...extra });

function fb(answer: QuestionEntry, verdict: 'useful' | 'useless', at = NOW): FeedbackEntry {
  return { type: 'feedback', time: new Date(at).toISOString(), user: answer.user, answer: answer.id, verdict, question: answer.question };
}

const POTATO = [...POTATO_SUBSIDY_WORDINGS, '马铃薯 补贴 怎么领'];

describe('computeStats', () => {
  it('groups ten wordings of one unanswered topic into one line with count 10; unrelated ones stay apart', () => {
    const log = [
      ...POTATO.map((text) => miss(text)),
      miss('低保补贴怎么领'),
      miss('低保补贴怎么领？'),
      miss('玉米补贴怎么领', { intent: 'out-of-scope', confidence: 0 }),
      miss('营业执照在哪办'),
      q('怎么申请政府信息公开'), // answered: not in the list
    ];
    const stats = computeStats(log, [], { now: NOW });
    expect(stats.unansweredGroups).toHaveLength(4);
    const [potato, dibao, ...rest] = stats.unansweredGroups;
    // "马铃薯补贴怎么领" was typed twice (once with spaces): the most frequent wording labels the group.
    expect(potato).toMatchObject({ label: '马铃薯补贴怎么领', count: 10, wordings: 9 });
    expect(potato!.examples).toHaveLength(5);
    expect(potato!.examples).not.toContain('马铃薯补贴怎么领');
    expect(POTATO).toEqual(expect.arrayContaining(potato!.examples));
    expect(dibao).toMatchObject({ label: '低保补贴怎么领', count: 2, wordings: 1, examples: [] });
    expect(rest.map((g) => [g.label, g.count])).toEqual([
      ['玉米补贴怎么领', 1],
      ['营业执照在哪办', 1],
    ]);
  });

  it('counts volume by day (Beijing time) and by channel over the period, with empty days', () => {
    const log = [
      q('a1', { at: Date.parse('2024-03-09T15:30:00Z'), channel: 'web' }), // 23:30 on the 9th in Beijing
      q('a2', { at: Date.parse('2024-03-09T16:30:00Z'), channel: 'web' }), // 00:30 on the 10th in Beijing
      miss('b1', { at: Date.parse('2024-03-08T01:00:00Z') }),
      q('你好', { at: Date.parse('2024-03-08T02:00:00Z'), intent: 'greeting', answered: false, entry: null, confidence: 1 }),
      q('too old', { at: Date.parse('2024-03-07T15:59:00Z') }), // 23:59 on the 7th: outside a 3-day period
    ];
    const stats = computeStats(log, [], { now: NOW, days: 3 });
    expect(stats.period).toEqual({ from: '2024-03-08', to: '2024-03-10', days: 3, utcOffsetMinutes: 480 });
    expect(stats.daily).toEqual([
      { day: '2024-03-08', total: 2, answered: 0, unanswered: 1, social: 1, channels: { wechat: 2 } },
      { day: '2024-03-09', total: 1, answered: 1, unanswered: 0, social: 0, channels: { web: 1 } },
      { day: '2024-03-10', total: 1, answered: 1, unanswered: 0, social: 0, channels: { web: 1 } },
    ]);
    expect(stats.channels).toEqual([
      { channel: 'web', label: '网页', count: 2 },
      { channel: 'wechat', label: '公众号', count: 2 },
    ]);
    expect(stats.totals).toEqual({ messages: 4, answered: 2, unanswered: 1, social: 1, users: expect.any(Number), answerRate: 0.667 });
    expect(stats.intents).toEqual([
      { intent: 'guide', label: '办事指南', count: 2 },
      { intent: 'greeting', label: '问候', count: 1 },
      { intent: 'unknown', label: '没找到答案', count: 1 },
    ]);
  });

  it('lists the questions asked most, normalised, without greetings or option numbers', () => {
    const log = [
      q('怎么申请？'),
      q('怎么 申请'),
      q('ＡＢＣ'),
      miss('怎么申请!!'),
      q('abc'),
      q('2', { entry: 'guide:fees' }), // a pick from "您是不是想问"
      q('谢谢', { intent: 'thanks', answered: false, entry: null }),
    ];
    const stats = computeStats(log, [], { now: NOW });
    expect(stats.topQuestions).toEqual([
      { question: '怎么申请？', count: 3, answered: 2 },
      { question: 'ＡＢＣ', count: 2, answered: 2 },
    ]);
    // the pick still counts as a hit of the entry it chose
    expect(stats.hits).toEqual([
      { entry: 'guide:apply', count: 4, useful: 0, useless: 0 },
      { entry: 'guide:fees', count: 1, useful: 0, useless: 0 },
    ]);
  });

  it('counts hits per knowledge entry with the verdicts given on them, and lists useless answers', () => {
    const a = q('网站是多少', { entry: 'guide:portal', intent: 'contact' });
    const b = q('网址', { entry: 'guide:portal', intent: 'contact' });
    const c = q('2019年行政处罚多少件', { entry: 'stat:penalty', intent: 'statistic' });
    const d = q('行政处罚', { entry: 'stat:penalty', intent: 'statistic' });
    const e = q('网址', { entry: 'guide:portal', intent: 'contact' });
    const stats = computeStats([a, b, c, d, e], [fb(a, 'useful'), fb(b, 'useless'), fb(e, 'useless'), fb(c, 'useless'), fb(d, 'useful')], { now: NOW });
    expect(stats.hits).toEqual([
      { entry: 'guide:portal', count: 3, useful: 1, useless: 2 },
      { entry: 'stat:penalty', count: 2, useful: 1, useless: 1 },
    ]);
    expect(stats.feedback.useful).toBe(2);
    expect(stats.feedback.useless).toBe(3);
    expect(stats.feedback.uselessQuestions).toEqual([
      { question: '网址', entry: 'guide:portal', count: 2, lastTime: new Date(NOW).toISOString() },
      { question: '2019年行政处罚多少件', entry: 'stat:penalty', count: 1, lastTime: new Date(NOW).toISOString() },
    ]);
  });

  it('keeps feedback whose answer fell out of the log, without an entry', () => {
    const gone = q('很久以前的问题', { at: NOW - 100 * 24 * HOUR });
    const stats = computeStats([], [fb(gone, 'useless')], { now: NOW });
    expect(stats.feedback.uselessQuestions).toEqual([{ question: '很久以前的问题', entry: null, count: 1, lastTime: new Date(NOW).toISOString() }]);
  });

  it('lists answers given with confidence under 0.6, least sure first among equals', () => {
    const log = [
      q('申请公开', { entry: 'passage:x', confidence: 0.55 }),
      q('申请 公开', { entry: 'passage:x', confidence: 0.52 }),
      q('收费', { entry: 'guide:fees', confidence: 0.5 }),
      q('期限', { entry: 'guide:deadline', confidence: 0.6 }), // not below
      miss('马铃薯补贴', { confidence: 0.1 }), // unanswered: not an answer given
    ];
    const stats = computeStats(log, [], { now: NOW });
    expect(stats.lowConfidence.map(({ question, entry, count, confidence }) => ({ question, entry, count, confidence }))).toEqual([
      { question: '申请公开', entry: 'passage:x', count: 2, confidence: 0.52 },
      { question: '收费', entry: 'guide:fees', count: 1, confidence: 0.5 },
    ]);
  });

  it('is deterministic: shuffling records of equal counts gives the same report', () => {
    const log = [miss('低保'), miss('医保'), miss('社保卡'), q('网址', { entry: 'b' }), q('电话', { entry: 'a' })];
    const one = computeStats(log, [], { now: NOW });
    const two = computeStats([...log].reverse(), [], { now: NOW });
    expect(two).toEqual(one);
    expect(one.hits.map((h) => h.entry)).toEqual(['a', 'b']);
  });

  it('ends the period at the newest record when no clock is given, and copes with an empty log', () => {
    const stats = computeStats([q('网址', { at: Date.parse('2024-01-05T02:00:00Z') })], [], { days: 7 });
    expect(stats.period.to).toBe('2024-01-05');
    const empty = computeStats([], [], { now: NOW, days: 7 });
    expect(empty.daily).toHaveLength(7);
    expect(empty.totals).toEqual({ messages: 0, answered: 0, unanswered: 0, social: 0, users: 0, answerRate: 0 });
    expect(empty.unansweredGroups).toEqual([]);
  });

  it('uses the knowledge base synonyms when grouping', () => {
    const log = [miss('罚款'), miss('被罚了怎么办'), miss('行政处罚')];
    const without = computeStats(log, [], { now: NOW });
    const withSynonyms = computeStats(log, [], { now: NOW, synonyms: new Map([['罚款', '行政处罚'], ['被罚', '行政处罚']]) });
    expect(without.unansweredGroups.length).toBeGreaterThan(1);
    expect(withSynonyms.unansweredGroups).toHaveLength(1);
    expect(withSynonyms.unansweredGroups[0]!.count).toBe(3);
  });
});
