// Issue 10, point 1: a follow-up changes one thing of the previous question and keeps the rest -
// the row, the applicant column, the year, the aspect (the change, the amount, a contact detail),
// "tell me more". Conversations of three turns and more, on the real knowledge base.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { Engine } from '../../src/answer/engine.ts';
import type { Answer } from '../../src/answer/types.ts';
import { knowledgeCopy } from '../helpers/knowledge.ts';
import { converse } from './helpers/conversation.ts';

const today = () => new Date('2026-11-27T12:00:00+08:00');
let engine: Engine;
let twoYears: Engine;

beforeAll(async () => {
  engine = new Engine(await loadKnowledge('knowledge'), today);
  twoYears = new Engine(await loadKnowledge(await knowledgeCopy({ fictional2020: true })), today);
}, 60_000);

const talk = converse;

/** The first figure line of a statistic reply (after the heading and the year note). */
const firstFigure = (a: Answer) => a.reply.split('\n').find((l) => /：.*\d/.test(l) && !l.startsWith('（'))!;

describe('the row changes, the rest is kept', () => {
  it('moves from row to row of the same table over four turns, keeping the year', () => {
    const [a, b, c, d] = talk(engine, '2019年行政许可办了多少件', '那处罚的呢', '强制的呢', '那其他对外管理服务事项呢');
    expect(a!.reply).toContain('80639');
    expect(b!.reply).toContain('1271');
    expect(c!.reply).toMatch(/处理决定数量 16/);
    expect(d!.reply).toContain('191');
    for (const x of [b, c, d]) expect(x!.reply).toMatch(/^2019年/);
  });

  it('answers another row of the same table by what it is called ("没公开的有几个"), every row of a group', () => {
    const [, b] = talk(engine, '本年新收的申请有多少', '没公开的有几个');
    expect(b!.answered).toBe(true);
    for (const row of ['属于国家秘密', '保护第三方合法权益', '属于行政查询事项']) expect(b!.reply).toContain(row);
  });

  it('switches from one channel figure to the next', () => {
    const [, b, c] = talk(engine, '县政府网站发了多少条信息', '公众号呢', '微博呢');
    expect(b!.reply).toContain('562');
    expect(c!.reply).toContain('158');
  });
});

describe('several rows answered together are followed up together', () => {
  it('gives the change and the 上一年 column of each row asked before', () => {
    const [a, b, c] = talk(engine, '行政处罚和行政强制各多少件', '都比上一年少了多少', '那各自上一年呢');
    expect(a!.reply).toContain('1271');
    for (const x of [b, c]) {
      expect(x!.reply).toMatch(/减少 14/);
      expect(x!.reply).toMatch(/减少 3/);
    }
    expect(firstFigure(c!)).toMatch(/上一年项目数量 1285/);
    expect(c!.reply).toMatch(/行政强制：上一年项目数量 19/);
  });
});

describe('what a figure of the report\'s text was about', () => {
  it('answers "具体…啥" after a figure with the passage stating it, over three turns', () => {
    const [, b, c] = talk(engine, '19年政务公开培训了多少人次', '都学了点啥', '那一共培训过几次');
    expect(b!.answered, b!.reply).toBe(true);
    expect(b!.reply).toMatch(/学习新《条例》|先进地区/);
    expect(b!.reply).not.toMatch(/^2019年，西吉县人民政府：/);
    expect(c!.reply).toMatch(/(?<![\d.])4 次/);
  });
});

describe('a count asked of the topic answered before', () => {
  it('answers "这类…有几件" after a topic with the report rows the topic says count it', () => {
    const [, b] = talk(engine, '个人隐私的信息会公开吗', '19年因为这种情况没公开的有几件');
    expect(b!.answered, b!.reply).toBe(true);
    expect(b!.reply).toMatch(/保护第三方合法权益：总计 0/);
    const [, d] = talk(engine, '讨论记录、过程稿这类算啥信息', '2019年有没有因为这类不予公开的');
    expect(d!.reply).toMatch(/过程性信息：总计 0/);
  });

  it('leaves a question that points back at nothing to the index', () => {
    const [, b] = talk(engine, '商业秘密能不能公开', '2019年行政处罚有几件');
    expect(b!.reply).toContain('1271');
  });
});

describe('the two rows answered last, named together', () => {
  it('asks "这两个…" of the row before too, and the next follow-up keeps going', () => {
    const [, , c, d] = talk(engine, '2019年行政许可办了多少件', '其他对外管理服务事项呢', '这俩比上一年有啥变化', '那2022年呢');
    expect(c!.reply).toContain('增加 113');
    expect(c!.reply).toContain('80639');
    expect(d!.answered).toBe(false);
    expect(d!.reply).toContain('未收录');
  });

  it('sums the two figures answered last on "加起来", never the 总计 row of another table', () => {
    const [, , c] = talk(engine, '微博一年发了多少条', '那公众号呢', '两个加起来是多少');
    expect(c!.reply).toContain('158');
    expect(c!.reply).toContain('562');
    expect(c!.reply).toMatch(/= 720 条/);
    expect(c!.reply).not.toContain('（七）总计');
  });

  it('asks "这两个" of nothing more when the row before is not a row of figures', () => {
    const [, , c] = talk(engine, '申请要收费吗', '行政强制有多少', '这两个跟上一年比呢');
    expect(c!.reply).toMatch(/减少 3/);
    expect(c!.reply).not.toContain('收费');
  });
});

describe('the body changes', () => {
  it('answers "那全县的呢" after another body was declined, with the county figure', () => {
    const [a, b] = talk(engine, '兴隆镇2019年收到多少申请', '那全县的呢');
    expect(a!.answered).toBe(false);
    expect(b!.answered).toBe(true);
    expect(b!.reply).toMatch(/本年新收[^\n]*10/);
  });
});

describe('the applicant column changes', () => {
  it('reads a group of columns named at once ("法人或其他组织")', () => {
    const [, b] = talk(engine, '本年新收的申请有多少', '其中法人或其他组织提出的数量');
    expect(b!.answered).toBe(true);
    expect(firstFigure(b!)).toMatch(/：商业企业 0，科研机构 0，社会组织 0，法律服务机构 0，其他 0/);
  });

  it('reads 个人 / 公司 / 一共 as the columns of the row asked before, the one asked first', () => {
    const [, b, c, d] = talk(engine, '2019年本年新收的申请有多少', '个人的呢', '那公司申请的有几件', '一共多少件');
    expect(firstFigure(b!)).toMatch(/自然人 10/);
    expect(firstFigure(c!)).toMatch(/^[^，]*：商业企业 0/);
    expect(firstFigure(d!)).toMatch(/^[^，]*：总计 10/);
    for (const x of [b, c, d]) expect(x!.reply).toContain('本年新收');
  });
});

describe('the year changes', () => {
  it('gives another recorded year, and says an unrecorded one is 未收录 without the old figure', () => {
    const [, b, c] = talk(twoYears, '2019年行政处罚有多少', '那2020年呢', '换成2022年呢');
    expect(b!.reply).toContain('1300');
    expect(c!.answered).toBe(false);
    expect(c!.reply).toContain('未收录');
    expect(c!.reply).not.toMatch(/1271|1300/);
  });

  it('answers the year before the first report from its 上一年 column, and names where it comes from', () => {
    const [, b] = talk(engine, '行政处罚有多少', '那2018年呢');
    expect(b!.answered).toBe(true);
    expect(b!.reply).toContain('1285');
    expect(b!.reply).toContain('上一年项目数量');
    expect(b!.reply).not.toContain('1271');
  });
});

describe('the aspect changes', () => {
  it('gives the change on "跟上一年比呢" / "变化大吗" over the row asked before', () => {
    const [, b, c] = talk(engine, '行政强制有多少', '跟上一年比呢', '变化大吗');
    for (const x of [b, c]) expect(x!.reply).toMatch(/减少 3/);
  });

  it('says the change cannot be given when the previous year is not recorded and the row has no change column', () => {
    const [, b] = talk(engine, '政府集中采购有几个项目', '比上年多了还是少了');
    expect(b!.answered).toBe(false);
    expect(b!.reply).toContain('无法与上一年比较');
  });

  it('gives the same figure with its unit when the unit is asked after it ("单位是元还是万元")', () => {
    const [, b, c] = talk(engine, '2019年集中采购总共多少钱', '这个是元还是万元啊', '那单位是啥');
    for (const x of [b, c]) {
      expect(x!.answered, x!.reply).toBe(true);
      expect(x!.reply).toContain('33.99 万元');
    }
  });

  it('gives the amount after a count, converts it when asked, and declines an amount a row does not have', () => {
    const [a, b, c] = talk(engine, '政府集中采购有几个项目', '那花了多少钱', '换算成元是多少');
    expect(firstFigure(a!)).toMatch(/采购项目数量 20/);
    expect(firstFigure(b!)).toMatch(/^[^，]*：采购总金额 33\.99 万元/);
    expect(c!.reply).toContain('339900 元');
    const [, d] = talk(engine, '行政事业性收费有几项', '那收了多少钱');
    expect(d!.answered).toBe(false);
    expect(d!.reply).not.toMatch(/\d+(\.\d+)? ?万?元/);
  });

  it('follows a contact answer with the detail asked: the address, then the hours', () => {
    const [a, b, c] = talk(engine, '联系电话是多少', '地址呢', '几点下班');
    expect(a!.reply).toContain('3018118');
    expect(b!.reply).toContain('闽宁大道');
    expect(c!.reply).toMatch(/17:30|17:00/);
  });

  it('gives the legal basis of the topic answered before ("这两个期限分别出自哪部法律")', () => {
    const [, b] = talk(engine, '对答复不满意怎么办', '这两个期限分别出自哪部法律');
    expect(b!.answered).toBe(true);
    expect(b!.reply).toContain('行政复议法');
    expect(b!.reply).toContain('行政诉讼法');
  });
});

describe('a point of the topic answered before', () => {
  it('answers with the lines about the word asked, not the whole topic again', () => {
    const [a, b] = talk(engine, '什么时候算收到申请', '当面提交的呢');
    expect(b!.answered).toBe(true);
    expect(b!.reply).toContain('交的当天');
    expect(b!.reply).not.toContain('签收');
    expect(b!.reply.length).toBeLessThan(a!.reply.length);
    const [, , c] = talk(engine, '办公时间', '几点下班', '冬天的呢');
    expect(c!.reply).toContain('14:00');
    expect(c!.reply).not.toContain('14:30');
  });

  it('leaves a word the topic only mentions in passing to the topic about it', () => {
    const [, b] = talk(engine, '档案馆在哪', '那政务服务中心呢');
    expect(b!.reply).toContain('闽宁大道');
  });
});

describe('more detail', () => {
  it('gives the rest of the topic on "具体点", "展开讲讲", "能再说细点吗"', () => {
    for (const more of ['具体点', '展开讲讲', '能再说细点吗', '详细说说']) {
      const [a, b] = talk(engine, '怎么申请政府信息公开', more);
      expect(a!.detail, more).toBe(true);
      expect(b!.answered, more).toBe(true);
      expect(b!.reply, more).toContain('详细');
      expect(b!.reply, more).not.toBe(a!.reply);
    }
  });

  it('says the whole answer again when there is nothing more, rather than nothing', () => {
    const [a, b] = talk(engine, '申请后多久答复', '展开说说');
    expect(a!.detail ?? false).toBe(false);
    expect(b!.answered).toBe(true);
    expect(b!.reply).toContain('20个工作日');
  });
});

describe('a new question is not taken for a follow-up', () => {
  it('answers a question that names its own subject afresh, after a figure', () => {
    const [, b] = talk(engine, '行政处罚有多少', '怎么申请政府信息公开');
    expect(b!.intent).toBe('guide');
  });

  it('does not read a measure the documents do not hold as a slot of the row before ("那2019年GDP呢")', () => {
    const [, b] = talk(engine, '行政处罚有多少', '那2019年GDP呢');
    expect(b!.answered).toBe(false);
    expect(b!.reply).not.toContain('1271');
  });
});
