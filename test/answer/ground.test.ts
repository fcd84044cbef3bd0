// Issue 10, point 2: a figure answers only when what it counts is what was asked - the measure,
// the unit, the body, the year. When the documents hold no such figure the reply says so plainly,
// points to the portal and phone, and states no figure (answered=false).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { Engine } from '../../src/answer/engine.ts';
import { numbersIn } from '../helpers/knowledge.ts';

const today = () => new Date('2026-11-27T12:00:00+08:00');
let kb: KnowledgeBase;
let engine: Engine;
/** Every figure of the reports, as the reply would print it. */
let figures: Set<string>;

beforeAll(async () => {
  kb = await loadKnowledge('knowledge');
  engine = new Engine(kb, today);
  figures = new Set(kb.stats.map((s) => String(Math.abs(s.value))).filter((n) => n !== '0'));
}, 60_000);

const ask = (q: string) => engine.respond(q, undefined).answer;

/** Numbers of the reply that are figures of the reports (not years, the phone or list numbers). */
function statedFigures(reply: string): string[] {
  return numbersIn(reply.replace(kb.contacts.phone, '').replace(/\d{4}年/g, '')).filter((n) => figures.has(n.replace('-', '')));
}

function expectDeclined(q: string, says: RegExp = /没有收录|未收录/): void {
  const a = ask(q);
  expect(a.answered, `${q} → ${a.reply}`).toBe(false);
  expect(a.reply, q).toMatch(says);
  expect(a.reply, q).toContain(kb.contacts.portal);
  expect(a.reply, q).toContain(kb.contacts.phone);
  expect(statedFigures(a.reply), `${q} → ${a.reply}`).toEqual([]);
}

describe('measures the reports do not hold', () => {
  it.each(['西吉县2019年GDP是多少', '全县常住人口有多少', '县里一年财政收入多少钱', '2019年三公经费花了多少', '全县有多少个贫困户', '2019年招商引资多少万元'])(
    'declines %s with what the report holds instead',
    (q) => expectDeclined(q),
  );

  it('declines a measure no lexicon lists, when no row holds the word counted ("栏目", "权力清单")', () => {
    expectDeclined('县政府网站有多少个栏目');
    expectDeclined('2019年全县公布的权力清单一共多少项');
  });

  it('declines money spent that no figure holds, though a topic on what applicants pay matches the words', () => {
    expectDeclined('县里搞政务公开一年花了多少钱');
    expectDeclined('那几次培训一共用了多少经费');
    // What an applicant pays is the fee topic; what procurement spent is its figure.
    expect(ask('申请公开要花多少钱').reply).toMatch(/不收费|免费/);
    // "多少费用" asks money, not the count of fee items the report lists.
    const fee = ask('申请一次要多少费用');
    expect(fee.reply).toMatch(/不收费|免费/);
    expect(fee.reply).not.toMatch(/项目数量/);
    expect(ask('政府采购一共花了多少钱').reply).toContain('33.99');
  });

  it('declines an amount of a row that counts items, naming neither amount nor count', () => {
    expectDeclined('行政事业性收费收了多少钱');
  });

  it('still answers the rows it holds, however the thing counted is called', () => {
    expect(ask('去年县里处罚了多少起违法行为').answered).toBe(false); // 2025 is not recorded
    expect(ask('2019年处罚了多少起违法行为').reply).toContain('1271');
    expect(ask('行政复议的案件有几件').answered).toBe(true);
    expect(ask('政府集中采购花了多少钱').reply).toContain('33.99');
  });
});

describe('bodies other than the one reporting', () => {
  it.each(['隆德县2019年行政处罚多少件', '固原市2019年一共收到多少政府信息公开申请', '县教育局2019年主动公开了多少条信息', '我们乡去年收到多少申请', '兴隆镇行政许可有多少'])(
    'declines %s: only the county government report is held',
    (q) => expectDeclined(q, /只收录了|没有收录/),
  );

  it("declines another body's phone asked for its disclosure work, and answers where its guide is", () => {
    expectDeclined('县教育局信息公开的电话是多少', /没有收录/);
    expect(ask('乡镇的信息公开指南在哪里看').reply).toMatch(/公开指南/);
  });

  it("gives the county's door to a resident coming from another body, and declines that body's own door", () => {
    const a = ask('我打镇上过来 政务服务中心在哪条路');
    expect(a.answered, a.reply).toBe(true);
    expect(a.reply).toContain('闽宁大道');
    expectDeclined('镇上政府的电话多少', /没有收录/);
  });

  it('answers a procedure asked by or about another body: the rule is the same', () => {
    const a = ask('我们乡里能不能向申请人收复印费');
    expect(a.answered).toBe(true);
    expect(a.reply).toMatch(/不收费|免费/);
  });
});

/** The first line of a reply that states a figure, after the heading and the year note. */
const firstFigureLine = (reply: string) => reply.split('\n').find((l) => /\d/.test(l) && !/^\d{4}年，|^（/.test(l)) ?? '';

describe('units', () => {
  it('answers 几次 with the figure in 次 and 多少人次 with the one in 人次', () => {
    expect(ask('2019年组织了几次政务公开培训').reply).toMatch(/(?<![\d.])4 次/);
    expect(ask('2019年培训了多少人次').reply).toMatch(/500 人次|100 多人次|100 人次/);
  });

  it('puts the figure in the unit asked first, even when another figure matches the words better', () => {
    const a = ask('培训搞了几次');
    expect(firstFigureLine(a.reply)).toMatch(/(?<![\d.])4 次/);
    expect(a.reply).not.toMatch(/人次[^]*(?<![\d.])4 次/);
  });

  it('does not give visits for people: it says what the figure counts', () => {
    const a = ask('网站访问人数');
    expect(a.answered).toBe(false);
    expect(a.reply).toContain('次数');
  });
});

describe('other matters and unrecorded years', () => {
  it.each(['低保咋申请 我家里困难', '宅基地审批要多长时间', '身份证丢了咋补办', '营业执照在哪办', '养老保险交多少钱'])('says %s is not a disclosure question, without quoting a broken fragment', (q) => {
    const a = ask(q);
    expect(a.answered, q).toBe(false);
    expect(a.intent).toBe('out-of-scope');
    expect(a.reply).toContain(kb.contacts.phone);
    // Four lines on a phone at most.
    expect(a.reply.length).toBeLessThan(160);
    const quoted = /“([^”]+)”不在我能回答的范围内/.exec(a.reply)?.[1];
    if (quoted) expect(q).toContain(quoted);
  });

  it('answers the same words when they are asked about as information ("申请公开低保名单")', () => {
    const a = ask('想申请公开我们村的低保名单 应该怎么申请');
    expect(a.answered).toBe(true);
    expect(a.reply).toMatch(/书面|信件/);
  });

  it('answers a document as material to bring ("要带身份证吗")', () => {
    expect(ask('申请要带身份证吗').answered).toBe(true);
  });

  it('says a report year not held is 未收录, and lists the years held', () => {
    const a = ask('把2020年政府信息公开年报的数据给我看看');
    expect(a.answered).toBe(false);
    expect(a.reply).toContain('未收录');
    // Of two years compared, the one named 未收录 is the one missing, and no figure is given.
    const c = ask('2019年行政处罚比2022年多了多少');
    expect(c.answered).toBe(false);
    expect(c.reply).toContain('2022年的“行政处罚”数字未收录');
    expect(statedFigures(c.reply)).toEqual([]);
    const b = ask('你这里有哪几年的报告');
    expect(b.answered).toBe(true);
    expect(b.reply).toContain('2019年');
  });
});

describe('the reason of a decline', () => {
  it('is the rule that decided, in explain as in the reply', () => {
    const e = engine.explain('隆德县2019年行政处罚多少件');
    expect(e.band).toBe('fallback');
    expect(e.reason).toContain('其他机关');
    expect(e.answer.answered).toBe(false);
    expect(engine.explain('西吉县2019年GDP是多少').reason).toContain('报告里没有');
  });
});
