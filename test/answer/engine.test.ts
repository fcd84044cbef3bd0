import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { Engine } from '../../src/answer/engine.ts';
import { MAX_REPLY, wayOn } from '../../src/answer/compose.ts';
import { knowledgeCopy, numbersIn } from '../helpers/knowledge.ts';
import { converse } from './helpers/conversation.ts';

const today = () => new Date('2026-11-27T12:00:00+08:00');

/** Runs a conversation, threading the session, and returns every answer. */
const talk = converse;

let kb: KnowledgeBase;
let engine: Engine;
let twoYears: Engine;

beforeAll(async () => {
  kb = await loadKnowledge('knowledge');
  engine = new Engine(kb, today);
  twoYears = new Engine(await loadKnowledge(await knowledgeCopy({ fictional2020: true })), today);
});

describe('statistics', () => {
  it('gives the exact figure with its year, what it counts, the change and the source', () => {
    const [a] = talk(engine, '2019年行政处罚有多少件？');
    expect(a!.answered).toBe(true);
    expect(a!.intent).toBe('statistic');
    expect(a!.reply).toMatch(/2019年/);
    expect(a!.reply).toMatch(/处理决定数量 1271/);
    expect(a!.reply).toMatch(/减少 14/);
    expect(a!.reply).toMatch(/来源：西吉县人民政府2019年政府信息公开工作年度报告/);
    expect(a!.sources[0]).toMatchObject({ year: 2019, document: 'reports/2019-西吉县人民政府.txt' });
  });

  it('prints figures as the source does: no grouping commas, the unit kept', () => {
    expect(talk(engine, '行政许可处理决定数量')[0]!.reply).toContain('80639');
    const [money] = talk(engine, '政府集中采购金额多少');
    expect(money!.reply).toContain('33.99 万元');
  });

  it('names the latest year when none is asked', () => {
    expect(talk(engine, '行政处罚有多少')[0]!.reply).toContain('按最新的 2019 年报告回答');
    const [a] = talk(twoYears, '行政处罚有多少');
    expect(a!.reply).toContain('按最新的 2020 年报告回答');
    expect(a!.reply).toContain('处理决定数量 1300');
    expect(a!.reply).not.toContain('处理决定数量 1271');
  });

  it('says a year that is not recorded is 未收录, lists the recorded years, and states no figure', () => {
    const [a] = talk(engine, '2035年行政处罚有多少件');
    expect(a!.answered).toBe(false);
    expect(a!.reply).toContain('2035');
    expect(a!.reply).toContain('未收录');
    expect(a!.reply).toContain('2019年');
    // Past the fixed pointer to the portal and phone, only the years themselves are numbers.
    const own = a!.reply.replace(wayOn(kb.contacts), '');
    expect(numbersIn(own).every((n) => ['2035', '2019'].includes(n))).toBe(true);
  });

  it('resolves 去年 against today and says so', () => {
    const lastYear = new Engine(twoYears.kb, () => new Date('2021-06-01T12:00:00+08:00'));
    const [a] = talk(lastYear, '去年行政处罚有多少');
    expect(a!.reply).toContain('“去年”按 2020 年理解');
    expect(a!.reply).toContain('1300');
  });

  it('reads 去年 anew when the year turns, though the same question was asked the day before', () => {
    let now = new Date('2021-12-31T23:59:00+08:00');
    const turning = new Engine(twoYears.kb, () => now);
    expect(talk(turning, '去年行政处罚有多少')[0]!.reply).toContain('“去年”按 2020 年理解');
    now = new Date('2022-01-01T00:01:00+08:00');
    const [a] = talk(turning, '去年行政处罚有多少');
    expect(a!.reply).toContain('“去年”按 2021 年理解');
    expect(a!.reply).not.toContain('1300');
  });

  it('compares two recorded years with both figures and the difference', () => {
    const [a] = talk(twoYears, '2020年行政处罚比2019年多了多少');
    expect(a!.answered).toBe(true);
    expect(a!.reply).toContain('1300');
    expect(a!.reply).toContain('1271');
    expect(a!.reply).toMatch(/多 29/);
  });

  it('labels each row of a two-year comparison with its year', () => {
    const [a] = talk(twoYears, '2019年和2020年行政处罚相比');
    expect(a!.reply).toMatch(/^2019年与2020年/);
    expect(a!.reply).toMatch(/^2019年 行政处罚：.*处理决定数量 1271/m);
    expect(a!.reply).toMatch(/^2020年 行政处罚：.*处理决定数量 1300/m);
  });

  it('finds a year\'s figure although another year\'s report words it differently', () => {
    // 2019: "共组织、参加各类政务公开培训 4 次"; the fictional 2020: "共组织政务公开培训 5 次".
    const [a] = talk(twoYears, '2019年组织了几次政务公开培训');
    expect(a!.answered).toBe(true);
    expect(a!.reply).toMatch(/(?<![\d.])4 次/);
    const [b] = talk(twoYears, '2020年组织了几次政务公开培训');
    expect(b!.reply).toMatch(/(?<![\d.])5 次/);
  });

  it('refuses a comparison when one year is missing', () => {
    const [a] = talk(engine, '2020年行政处罚比2019年多了多少');
    expect(a!.reply).toContain('未收录');
    expect(a!.reply).not.toContain('1271');
  });

  it('tells residents when the source contradicts itself and gives the components', () => {
    const [a] = talk(engine, '2019年办理结果总计多少件');
    expect(a!.reply).toContain('不一致');
    expect(a!.reply).toMatch(/总计 0/);
    expect(a!.reply).toContain('各项之和为 10');
  });

  it('answers an applicant column from the applications table', () => {
    expect(talk(engine, '自然人提出的申请有多少')[0]!.reply).toMatch(/自然人 10/);
    const [firm] = talk(engine, '企业申请了几次信息公开');
    expect(firm!.answered).toBe(true);
    expect(firm!.reply).toMatch(/商业企业/);
  });
});

describe('follow-ups', () => {
  it('reuses the year and intent for "那行政强制呢"', () => {
    const [, b] = talk(engine, '2019年行政处罚有多少', '那行政强制呢');
    expect(b!.answered).toBe(true);
    expect(b!.reply).toMatch(/处理决定数量 16/);
    expect(b!.reply).toContain('2019年');
  });

  it('answers "比上年呢" from the row of the last answer', () => {
    const [, b] = talk(engine, '2019年行政强制有多少', '比上年呢');
    expect(b!.reply).toMatch(/减少 3/);
  });

  it('moves to another year with "2020年呢" and never gives the old figure for it', () => {
    const [, b] = talk(twoYears, '2019年行政处罚有多少', '2020年呢');
    expect(b!.reply).toContain('1300');
    const [, c] = talk(engine, '2019年行政处罚有多少', '2018年呢');
    expect(c!.reply).toContain('未收录');
    expect(c!.reply).not.toContain('1271');
  });

  it('follows a channel figure with "微博呢"', () => {
    const [, b] = talk(engine, '政府网站发布了多少条信息', '微博呢');
    expect(b!.reply).toContain('158');
  });

  it('follows a procedure with "要多长时间"', () => {
    const [, b] = talk(engine, '怎么申请信息公开', '要多长时间');
    expect(b!.reply).toContain('20个工作日');
  });

  it('gives more on "详细" and says so when there is nothing more', () => {
    const [a, b] = talk(engine, '怎么申请政府信息公开', '详细');
    expect(a!.reply).toContain('详细');
    expect(b!.reply.length).toBeGreaterThan(0);
    expect(b!.reply).not.toBe(a!.reply);
    const [c] = talk(engine, '详细');
    expect(c!.reply).toContain('没有更多内容');
  });
});

describe('thresholds', () => {
  it('offers numbered questions between the thresholds, and a number answers one', () => {
    // A strict answer threshold puts an ordinary question into the middle band.
    const strict = new Engine(kb, today, { answer: 1.5, suggest: 0.3 });
    const [offer, pick] = talk(strict, '行政处罚有多少', '1');
    expect(offer!.intent).toBe('clarify');
    expect(offer!.answered).toBe(false);
    expect(offer!.reply).toContain('您是不是想问');
    expect(offer!.reply).toMatch(/^1\. /m);
    expect(pick!.answered).toBe(true);
    expect(pick!.reply).toMatch(/\d/);
    const [, wrong] = talk(strict, '行政处罚有多少', '9');
    expect(wrong!.reply).toMatch(/请回复 1 到 \d 之间的序号/);
  });

  it('names the numbered choices, whether 详细 has more, and the topics a reply points to, for channels to offer', () => {
    const strict = new Engine(kb, today, { answer: 1.5, suggest: 0.3 });
    const [offer] = talk(strict, '行政处罚有多少');
    const lines = [...offer!.reply.matchAll(/^\d\. (.+)$/gm)].map((m) => m[1]);
    expect(offer!.options).toEqual(lines);
    const [plain] = talk(engine, '2019年行政处罚有多少件？');
    expect(plain!.options).toBeUndefined();
    const referring = kb.topics.find((t) => /见“[^”]+”/.test(t.summary))!;
    const [topic] = talk(engine, referring.questions[0]!);
    expect(topic!.related).toEqual([...referring.summary.matchAll(/见“([^”]+)”/g)].map((m) => m[1]));
    expect(topic!.detail ?? false).toBe(/详细/.test(topic!.reply));
  });

  it('falls back below the lower threshold with the portal and phone from the knowledge base', () => {
    const [a] = talk(engine, '医保报销比例');
    expect(engine.explain('医保报销比例').band).toBe('fallback');
    expect(a!.answered).toBe(false);
    expect(a!.reply).toContain(kb.contacts.portal);
    expect(a!.reply).toContain(kb.contacts.phone);
  });

  it('does not answer a foreign subject on the aspect it asks about', () => {
    for (const [q, subject] of [['结婚登记在哪里办', /“结婚(登记)?”不在我能回答的范围内/], ['养老保险交多少钱', /“养老保险”不在我能回答的范围内/]] as const) {
      const [a] = talk(engine, q);
      expect(a!.answered, q).toBe(false);
      expect(a!.intent).toBe('out-of-scope');
      expect(a!.reply).toMatch(subject);
      expect(a!.reply).toContain(kb.contacts.phone);
    }
    // The same aspects about the bot's own subject are answered.
    expect(talk(engine, '申请要交钱吗')[0]!.answered).toBe(true);
    expect(talk(engine, '政务服务中心在哪里')[0]!.answered).toBe(true);
  });

  it('scores the same question the same way in explain and in respond', () => {
    const e = engine.explain('2019年行政处罚有多少件');
    expect(e.band).toBe('answer');
    expect(e.hits[0]!.id).toContain('行政处罚');
  });
});

describe('out-of-scope input', () => {
  const odd = ['😀😀😀', 'asdkjh qwe 12#$', 'what is the weather like', '今天天气怎么样', '', '   ', '？', '帮我写一首诗', '行'.repeat(2000), '<script>alert(1)</script>'];
  it.each(odd)('answers %j without a figure from the knowledge base', (q) => {
    const [a] = talk(engine, q);
    expect(a!.answered).toBe(false);
    expect(a!.reply.length).toBeGreaterThan(0);
    expect(a!.reply.length).toBeLessThanOrEqual(MAX_REPLY);
    for (const figure of ['1271', '80639', '3612', '547897']) expect(a!.reply).not.toContain(figure);
  });

  it('greets, thanks and helps without claiming an answer', () => {
    for (const q of ['你好', '谢谢', '帮助']) expect(talk(engine, q)[0]!.answered).toBe(false);
    expect(talk(engine, '你好')[0]!.intent).toBe('greeting');
  });
});

describe('replies', () => {
  it('fit one WeChat message', () => {
    const questions = [...kb.topics.map((t) => t.title), '2019年政务公开工作存在哪些问题', '申请情况', '不予公开的申请有多少', '行政复议和行政诉讼'];
    for (const q of questions) expect(talk(engine, q)[0]!.reply.length, q).toBeLessThanOrEqual(MAX_REPLY);
  });

  it('give procedures as numbered steps with their legal basis', () => {
    const [a] = talk(engine, '怎么申请政府信息公开');
    expect(a!.intent).toBe('guide');
    expect(a!.reply).toMatch(/^1\. /m);
    expect(a!.reply).toContain('依据：');
  });

  it('give links as full URLs', () => {
    expect(talk(engine, '西吉县政府网站网址是多少')[0]!.reply).toContain('http://www.nxxj.gov.cn/');
  });
});

describe('data is not code', () => {
  it('src/ holds no county fact: no phone, portal, address or figure of the county', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk('src');
    const facts = ['0954-3018118', 'nxxj.gov.cn', '闽宁大道', '1271', '80639', '3612', '547897', '西吉'];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const fact of facts) expect(text.includes(fact), `${file} contains ${fact}`).toBe(false);
    }
  });
});
