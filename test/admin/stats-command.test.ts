// `gongkai stats` against a real DATA_DIR written by the real store.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStats, readQuestionLog, registerStats } from '../../src/admin/stats-command.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/data-dir.ts';
import { QUESTIONS_FILE, type QuestionInput } from '../../src/store/question-log.ts';

const NOW = Date.parse('2024-03-10T04:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stats-command-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ask = (userId: string, question: string, extra: Partial<QuestionInput> = {}): QuestionInput => ({
  channel: 'wechat',
  userId,
  question,
  intent: 'guide',
  entry: 'guide:apply',
  confidence: 0.9,
  answered: true,
  ...extra,
});
const miss = (userId: string, question: string): QuestionInput =>
  ask(userId, question, { intent: 'unknown', entry: null, confidence: 0.2, answered: false });

/** Writes a log through openStore as the bot does, a day at a time. */
async function populate(): Promise<void> {
  const clock = { t: NOW - 2 * DAY };
  const store = await openStore(dir, { logger: silentLogger, salt: 'test-salt', now: () => clock.t });
  store.log.append(ask('openid-1', '怎么申请政府信息公开'));
  store.log.feedback('openid-1', 'useful');
  store.log.append(miss('openid-2', '马铃薯补贴怎么领'));
  clock.t = NOW - DAY;
  store.log.append(miss('openid-3', '土豆补贴在哪领'));
  store.log.append(ask('web-abc', '网站', { channel: 'web', intent: 'contact', entry: 'guide:portal', confidence: 0.55 }));
  store.log.feedback('web-abc', 'useless');
  clock.t = NOW;
  store.log.append(miss('openid-1', '马铃薯补贴多少钱'));
  store.log.append(ask('openid-1', '你好', { intent: 'greeting', entry: null, confidence: 1, answered: false }));
  await store.flush();
  await store.close();
}

async function run(args: string[], knowledgeDir = 'knowledge'): Promise<string[]> {
  const printed: string[] = [];
  const program = new Command('gongkai').exitOverride();
  registerStats(program, { dataDir: () => dir, knowledgeDir: () => knowledgeDir, now: () => NOW, out: (t) => printed.push(t) });
  await program.parseAsync(['stats', ...args], { from: 'user' });
  return printed;
}

describe('stats command', { timeout: 30_000 }, () => {
  it('prints one JSON object with the report, entries named from the knowledge base', async () => {
    await populate();
    const printed = await run(['--json', '--days', '7']);
    expect(printed).toHaveLength(1);
    const stats = JSON.parse(printed[0]!);
    expect(Object.keys(stats).sort()).toEqual(
      ['channels', 'daily', 'feedback', 'grouping', 'hits', 'intents', 'lowConfidence', 'period', 'topQuestions', 'totals', 'unansweredGroups'].sort(),
    );
    expect(stats.period).toEqual({ from: '2024-03-04', to: '2024-03-10', days: 7, utcOffsetMinutes: 480 });
    expect(stats.totals).toEqual({ messages: 6, answered: 2, unanswered: 3, social: 1, users: 4, answerRate: 0.4 });
    expect(stats.daily).toHaveLength(7);
    expect(stats.daily.at(-1)).toEqual({ day: '2024-03-10', total: 2, answered: 0, unanswered: 1, social: 1, channels: { wechat: 2 } });
    expect(stats.channels).toEqual([
      { channel: 'wechat', label: '公众号', count: 5 },
      { channel: 'web', label: '网页', count: 1 },
    ]);
    expect(stats.unansweredGroups).toEqual([
      expect.objectContaining({ label: expect.any(String), count: 3, wordings: 3 }),
    ]);
    expect(stats.hits).toEqual([
      { entry: 'guide:apply', count: 1, useful: 1, useless: 0, label: '怎样申请政府信息公开' },
      { entry: 'guide:portal', count: 1, useful: 0, useless: 1, label: '县政府门户网站' },
    ]);
    expect(stats.lowConfidence).toEqual([
      expect.objectContaining({ question: '网站', entry: 'guide:portal', confidence: 0.55, entryLabel: '县政府门户网站' }),
    ]);
    expect(stats.feedback).toEqual({
      useful: 1,
      useless: 1,
      uselessQuestions: [expect.objectContaining({ question: '网站', entry: 'guide:portal', count: 1, entryLabel: '县政府门户网站' })],
    });
    // no user id in any form leaves the store: keys only
    expect(printed[0]).not.toMatch(/openid|web-abc/);
  });

  it('never writes to DATA_DIR', async () => {
    await populate();
    const before = await readFile(path.join(dir, QUESTIONS_FILE), 'utf8');
    await run(['--json']);
    expect(await readFile(path.join(dir, QUESTIONS_FILE), 'utf8')).toBe(before);
  });

  it('prints a readable Chinese report', async () => {
    await populate();
    const [text] = await run([]);
    expect(text).toContain('问答统计 2024-02-10 至 2024-03-10（30 天');
    expect(text).toContain('共 6 条消息，来自 4 位用户；提问 5 个，已回答 2 个（40.0%）');
    expect(text).toMatch(/未回答的问题（相似问法已合并）：\n {2}1\. \S*补贴\S* {2}×3（3 种问法）/);
    expect(text).toContain('评价：有用 1，没用 1');
    expect(text).toContain('县政府门户网站（有用 0，没用 1）');
  });

  it('reports an empty or missing DATA_DIR, and works without a knowledge base', async () => {
    const [text] = await run([], path.join(dir, 'no-knowledge'));
    expect(text).toContain('这段时间还没有提问记录。');
    const [json] = await run(['--json'], path.join(dir, 'no-knowledge'));
    expect(JSON.parse(json!).totals.messages).toBe(0);
  });

  it('refuses a bad --days', async () => {
    await expect(run(['--days', '0'])).rejects.toThrow();
  });

  it('formats an entry by its id when the knowledge base has no name for it', () => {
    const text = formatStats({
      period: { from: '2024-03-10', to: '2024-03-10', days: 1, utcOffsetMinutes: 480 },
      totals: { messages: 1, answered: 1, unanswered: 0, social: 0, users: 1, answerRate: 1 },
      daily: [{ day: '2024-03-10', total: 1, answered: 1, unanswered: 0, social: 0, channels: { web: 1 } }],
      channels: [{ channel: 'web', label: '网页', count: 1 }],
      intents: [{ intent: 'guide', label: '办事指南', count: 1 }],
      topQuestions: [],
      unansweredGroups: [],
      grouping: { wordings: 0, grouped: 0 },
      lowConfidence: [],
      feedback: { useful: 0, useless: 0, uselessQuestions: [] },
      hits: [{ entry: 'guide:gone', count: 1, useful: 0, useless: 0, label: null }],
    });
    expect(text).toContain('   1  guide:gone');
  });

  it('reads only the records the bot keeps, though the file holds more before its compaction', async () => {
    await populate();
    const all = await readQuestionLog(dir, silentLogger);
    expect(all.questions).toHaveLength(6);
    expect(all.feedback).toHaveLength(2);
    // The newest three records: the last day's two questions and, before them, 网站's feedback.
    const kept = await readQuestionLog(dir, silentLogger, 3);
    expect(kept.questions.map((q) => q.question)).toEqual(['马铃薯补贴多少钱', '你好']);
    expect(kept.feedback).toHaveLength(1);
  });
});
