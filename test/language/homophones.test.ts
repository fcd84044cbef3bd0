import { describe, expect, it } from 'vitest';
import { Homophones } from '../../src/language/homophones.ts';

const terms: Array<[string, string]> = [
  ['行政许可', '行政许可'],
  ['政府采购', '政府集中采购'],
  ['申请', '申请'],
  ['复议', '行政复议'],
  ['实际', '实际'],
  ['服务中心', '政务服务中心'],
  ['事迹', '事迹'],
];

describe('homophones', () => {
  const h = new Homophones(() => terms);

  it('reads a word written by its sound as the term it sounds like', () => {
    expect(h.near('行政徐可有多少', 2, 5)).toEqual({ window: '行政徐可', term: '行政许可' });
    expect(h.near('政府采够几个项目', 2, 4)).toEqual({ window: '政府采够', term: '政府集中采购' });
    expect(h.near('申清怎么办', 0, 2)).toEqual({ window: '申清', term: '申请' });
  });

  it('hears in/ing, en/eng, z/zh alike in a stretch of four characters or more, not in a shorter one', () => {
    expect(h.near('那个政务服务中兴在哪', 6, 8, 4)).toEqual({ window: '服务中兴', term: '政务服务中心' });
    expect(h.near('申琴', 0, 2)).toBeNull();
  });

  it('guesses nothing when two terms sound alike, or when nothing sounds like the word', () => {
    expect(h.near('是机器', 0, 2)).toBeNull();
    expect(h.near('天气好', 0, 2)).toBeNull();
  });

  it('leaves a word that is already the term alone', () => {
    expect(h.near('申请要钱吗', 0, 2)).toBeNull();
  });
});
