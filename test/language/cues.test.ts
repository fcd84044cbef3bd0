// The cues read before anything is looked up: a reply the body gave, reported by the resident,
// and a complaint. They decide whether a count answers and whether the ways to contest a reply
// are added, so both their hits and their misses matter.
import { describe, expect, it } from 'vitest';
import { readCues } from '../../src/language/cues.ts';

describe('a reply reported', () => {
  it.each(['他们说我要的信息不存在', '窗口的人说我这是重复申请', '说我是重复申请不给处理', '给我回了个不予公开', '机关答复说不属于本机关公开', '单位回复说没有这个信息'])(
    'reads %s as a reply reported',
    (text) => expect(readCues(text).reported).toBe(true),
  );

  it.each(['告诉我怎么申请', '说说申请流程', '你说一下要带什么材料', '重复申请是什么意思', '2019年重复申请有几件'])('does not read %s as a reply reported', (text) =>
    expect(readCues(text).reported).toBe(false),
  );
});

describe('a complaint', () => {
  it.each(['凭啥不给我公开', '这合理吗', '我不服', '你们就是在糊弄人'])('reads %s as a complaint', (text) => expect(readCues(text).complaint).toBe(true));

  it.each(['申请要多久', '没有现成的信息怎么办', '怎么申请'])('does not read %s as a complaint', (text) => expect(readCues(text).complaint).toBe(false));
});

describe('money asked', () => {
  it('reads 多少费用 and 多少经费 as money, not as a count', () => {
    for (const text of ['申请要多少费用', '培训用了多少经费']) {
      expect(readCues(text).money, text).toBe(true);
      expect(readCues(text).quantity, text).toBe(false);
    }
  });
});

describe('a time limit asked', () => {
  it.each(['补正通知要在几日内发', '第三方几日内要回复'])('reads %s as a time limit, not a count', (text) => {
    expect(readCues(text).quantity).toBe(false);
    expect(readCues(text).time).toBe(true);
  });
});
