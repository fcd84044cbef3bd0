import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { titleOf } from '../../src/answer/compose.ts';
import { createBot, type RunningBot } from '../../src/answer/bot.ts';
import { silentLogger } from '../../src/log.ts';
import { tempDir } from '../helpers/knowledge.ts';

const open: RunningBot[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

async function bot(dataDir: string, options: { now?: () => number; rateLimit?: number | false; replyCache?: number } = {}) {
  const b = await createBot({ knowledgeDir: 'knowledge', dataDir, logger: silentLogger, salt: 'test-salt', ...options });
  open.push(b);
  return b;
}

describe('the core bot', () => {
  it('keeps a conversation across a restart in a real lowdb file, keyed without the raw user id', async () => {
    const dir = await tempDir();
    const first = await bot(dir);
    const a = await first.answer('2019年行政处罚有多少', 'oOpenID-123', { channel: 'test' });
    expect(a.reply).toContain('1271');
    await first.close();
    open.splice(open.indexOf(first), 1);
    const sessions = readFileSync(join(dir, 'sessions.json'), 'utf8');
    expect(JSON.parse(sessions).sessions).toBeTypeOf('object');
    expect(sessions).not.toContain('oOpenID-123');

    const second = await bot(dir);
    const b = await second.answer('那行政强制呢', 'oOpenID-123', { channel: 'test' });
    expect(b.reply).toMatch(/2019年/);
    expect(b.reply).toContain('16');
  });

  it('answers the same message after the same answer from the reply it kept, and afresh after another answer or in another year', async () => {
    let now = Date.parse('2026-11-27T04:00:00Z');
    const b = await bot(await tempDir(), { now: () => now, rateLimit: false });
    const fresh = await bot(await tempDir(), { now: () => now, rateLimit: false, replyCache: 0 });
    const conversation = ['2019年行政处罚有多少', '那行政强制呢', '比上年呢', '去年行政处罚有多少'];
    const replies = async (who: RunningBot, user: string) => {
      const out: string[] = [];
      for (const q of conversation) out.push((await who.answer(q, user)).reply);
      return out;
    };
    const first = await replies(b, 'u-first');
    expect(b.replyStats).toEqual({ kept: 0, made: 4 });
    // Another resident, the same conversation: every reply is the one kept, and the same as made afresh.
    expect(await replies(b, 'u-second')).toEqual(first);
    expect(b.replyStats).toEqual({ kept: 4, made: 4 });
    expect(await replies(fresh, 'u-fresh')).toEqual(first);
    // The follow-up after no answer continues nothing: made afresh, not the kept follow-up.
    const alone = await b.answer('那行政强制呢', 'u-third');
    expect(b.replyStats.made).toBe(5);
    expect(alone.reply).toBe((await fresh.answer('那行政强制呢', 'u-fresh-third')).reply);
    expect(alone.reply).not.toBe(first[1]);
    // 去年 is another year in 2027: made afresh.
    const lastYear = await b.answer('去年行政处罚有多少', 'u-fourth');
    expect(await b.answer('去年行政处罚有多少', 'u-fifth')).toEqual(lastYear);
    expect(b.replyStats).toEqual({ kept: 5, made: 6 });
    // The last millisecond of 2026 in China, then its first of 2027 (UTC+8).
    now = Date.parse('2026-12-31T15:59:59.999Z');
    await b.answer('去年行政处罚有多少', 'u-sixth');
    expect(b.replyStats).toEqual({ kept: 6, made: 6 });
    now = Date.parse('2026-12-31T16:00:00.000Z');
    await b.answer('去年行政处罚有多少', 'u-seventh');
    expect(b.replyStats).toEqual({ kept: 6, made: 7 });
    // The kept session cannot be changed through the store by whoever holds it.
    const kept = b.store.sessions.get('u-second') as object;
    expect(Object.isFrozen(kept)).toBe(true);
  });

  it('forgets a session after 30 minutes idle', async () => {
    let now = Date.parse('2026-11-27T04:00:00Z');
    const b = await bot(await tempDir(), { now: () => now });
    await b.answer('2019年行政处罚有多少', 'u1');
    now += 31 * 60 * 1000;
    const later = await b.answer('比上年呢', 'u1');
    expect(later.answered).toBe(false);
  });

  it('logs each question with its intent and records feedback on the last answer', async () => {
    const b = await bot(await tempDir());
    await b.answer('怎么申请政府信息公开', 'u2', { channel: 'web' });
    const thanks = await b.answer('有用', 'u2', { channel: 'web' });
    expect(thanks.intent).toBe('feedback');
    const entries = b.store.log.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ channel: 'web', question: '怎么申请政府信息公开', intent: 'guide', answered: true });
    expect(b.store.log.feedbackEntries()[0]).toMatchObject({ verdict: 'useful', question: '怎么申请政府信息公开' });
    const none = await b.answer('没用', 'someone-new');
    expect(none.reply).toContain('还没有可以评价的回答');
  });

  it('answers the 21st message in a minute with a polite refusal, logged, not dropped', async () => {
    let now = Date.parse('2026-11-27T04:00:00Z');
    const b = await bot(await tempDir(), { now: () => now });
    for (let i = 0; i < 20; i++) expect((await b.answer('你好', 'busy')).intent).toBe('greeting');
    const refused = await b.answer('你好', 'busy');
    expect(refused.intent).toBe('rate-limited');
    expect(refused.reply).toMatch(/请 \d+ 秒后再问/);
    expect((await b.answer('你好', 'someone-else')).intent).toBe('greeting');
    expect(b.store.log.entries().filter((e) => e.intent === 'rate-limited')).toHaveLength(1);
    now += 61_000;
    expect((await b.answer('你好', 'busy')).intent).toBe('greeting');
  });

  it('welcomes with what can be asked, examples, and how to give feedback', async () => {
    const b = await bot(await tempDir());
    const text = b.welcome();
    expect(text).toContain('2019年行政处罚有多少件');
    expect(text).toContain('有用');
    // "人民政府" + "政府信息公开" would read 政府 twice.
    expect(b.title).toBe('西吉县人民政府信息公开问答');
    expect(text).toContain('西吉县人民政府信息公开问答助手');
    expect(text).not.toContain('政府政府');
    expect(b.engine.respond('你好', undefined).answer.reply).toContain('西吉县人民政府信息公开问答助手');
    expect(b.engine.respond('你好', undefined).answer.reply).not.toContain('政府政府');
  });

  it('names a body that does not end in 政府 with the whole of 政府信息公开', () => {
    expect(titleOf('某某县教育局')).toBe('某某县教育局政府信息公开问答');
    expect(titleOf('某某县人民政府')).toBe('某某县人民政府信息公开问答');
    expect(titleOf('')).toBe('政府信息公开问答');
  });

  it('answers a menu key that names a guide topic', async () => {
    const b = await bot(await tempDir());
    const a = await b.menu('fees', 'u3');
    expect(a.answered).toBe(true);
    expect(a.reply).toMatch(/不收费|免费/);
  });
});
