// Our wordings of the kinds of round 9 (test/fixtures/eval/kinds9.jsonl, written by us, not taken
// from the tune sets), each conversation a test of its own: zero rows said plainly, "再说一遍",
// "从哪天开始算" and "十五天的那个是啥" after a topic, a figure of the last row named ("-3是什么意思"),
// the report's form explained (columns, 部分公开 counted once, the 复议诉讼 table, 结转下年度), the
// report's row of a topic ("年报里记在哪一项", "这一项的数字"). 13 of its 17 conversations fail
// before this round; of the other 4, three guard precision (a decline repeated stays a decline,
// figures stay figures) and one (平信) was answered already. And the precision side of each
// mechanism below.
import { describe, expect, it } from 'vitest';
import { kindsSuite } from './helpers/kinds.ts';
import { converse } from './helpers/conversation.ts';

const engine = kindsSuite('kinds of round 9', 'test/fixtures/eval/kinds9.jsonl');

describe('again, only what was answered', () => {
  it('repeats the last answer over several turns, and nothing after a decline', () => {
    const replies = converse(engine(), '2019年政府集中采购项目有几个', '没听清 再说一遍', '2016年的呢', '再说一遍');
    expect(replies[1]!.reply).toBe(replies[0]!.reply);
    expect(replies[2]!.answered).toBe(false);
    // The year declined is not turned into the 2019 figures by asking again.
    expect(replies[3]!.answered).toBe(false);
    expect(replies[3]!.reply).not.toMatch(/33\.99|(?<!\d)20(?!\d)/);
  });

  it('reads a message saying more than "again" afresh', () => {
    const [, other] = converse(engine(), '政务服务中心电话多少', '再说一遍 行政处罚有多少');
    expect(other!.reply).toContain('1271');
  });
});

describe('a figure named after its answer', () => {
  it('explains a figure by the one column holding it, and no other figure', () => {
    const replies = converse(engine(), '2019年行政强制有多少', '-3是什么意思', '19指的是啥', '5是啥');
    expect(replies[1]!.reply).toMatch(/行政强制：本年增\/减 -3（比上一年减少 3）/);
    expect(replies[2]!.reply).toMatch(/行政强制：上一年项目数量 19，/);
    // 5 is in no column of the row: nothing is said to be it.
    expect(replies[3]!.answered).toBe(false);
    expect(replies[3]!.reply).not.toContain('行政强制');
  });

  it('claims no column for a figure several columns hold', () => {
    const [, four] = converse(engine(), '2019年规范性文件新制作了多少', '4是什么意思');
    expect(four!.reply).not.toMatch(/规范性文件：本年新公开数量 4|规范性文件：对外公开总数量 4/);
  });

  it('gives a time limit only from a line of the guide saying it', () => {
    const replies = converse(engine(), '补正期限是几天', '十五天的那个是啥', '九十天的呢');
    expect(replies[1]!.reply).toContain('【征求第三方意见】\n2. 第三方应当在15个工作日内提出意见');
    expect(replies[2]!.answered).toBe(false);
    expect(replies[2]!.reply).not.toMatch(/90|九十/);
  });
});

describe('the row a topic names', () => {
  it('answers "该项数据" by the topic\'s row, and another row named by that row', () => {
    const [, row] = converse(engine(), '条例第二十条第九项讲的啥', '2019年该项数据');
    expect(row!.reply).toContain('政府集中采购：采购项目数量 20，采购总金额 33.99 万元');
    const replies = converse(engine(), '第二十条第（五）项那张表是什么', '行政处罚那一行上一年项目数量是多少', '本年增减呢');
    expect(replies[1]!.reply).toContain('行政处罚：上一年项目数量 1285');
    expect(replies[1]!.reply).not.toContain('行政许可');
    expect(replies[2]!.reply).toContain('行政处罚：本年增/减 -14');
  });
});

describe('the form explained, the figures kept', () => {
  it('answers each row asked by its figures, not by a topic on the form', () => {
    const rows = ['行政复议', '行政诉讼（复议后起诉）', '部分公开', '结转下年度继续办理', '上年结转', '规章', '行政事业性收费项目', '行政处罚', '其他对外管理服务事项'];
    for (const row of rows) {
      const [a] = converse(engine(), `2019年${row}有几个`);
      expect(a!.reply, row).toMatch(/^2019年，/);
      expect(a!.reply, row).not.toContain('【');
    }
  });

  it('answers a follow-up naming a row after a row by that row, over three turns', () => {
    const replies = converse(engine(), '2019年行政复议情况', '那直接起诉的呢', '复议后起诉的呢', '这两种有什么区别');
    expect(replies[1]!.reply).toContain('行政诉讼（未经复议直接起诉）：总计 0（这一行各列均为 0');
    expect(replies[2]!.reply).toContain('行政诉讼（复议后起诉）：总计 0');
    expect(replies[3]!.reply).toContain('【复议诉讼情况表怎么看】');
  });

  it('says a row of zeros plainly, keeping the column asked first', () => {
    const [a] = converse(engine(), '2019年复议后起诉的尚未审结几件');
    expect(a!.reply).toContain('行政诉讼（复议后起诉）：尚未审结 0（这一行各列均为 0：');
    const [group] = converse(engine(), '2019年无法提供的各项都是多少');
    expect(group!.reply).toContain('（四）无法提供（总计）：均为 0（');
  });
});
