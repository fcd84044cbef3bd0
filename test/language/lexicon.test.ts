import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLexicon, withAliases } from '../../src/language/lexicon.ts';
import { askedUnit, readCues } from '../../src/language/cues.ts';
import { articleTerms, chineseNumber } from '../../src/language/articles.ts';
import { Phrases } from '../../src/language/phrases.ts';

describe('the lexicon file', () => {
  it('reads every section of knowledge/lexicon.txt without a finding', () => {
    const { lexicon, findings } = parseLexicon(readFileSync('knowledge/lexicon.txt', 'utf8'), 'lexicon.txt');
    expect(findings).toEqual([]);
    expect(lexicon.aliases.get('罚款')).toBe('行政处罚');
    expect(lexicon.aliases.get('公司')).toBe('商业企业');
    expect(lexicon.primary).toContain('处理决定数量');
    expect(lexicon.absent.some(([w, name]) => w === 'GDP' && name === '地区生产总值')).toBe(true);
    expect(lexicon.otherBodies).toContain('市里');
    expect(lexicon.bodySuffixes).toContain('县');
    expect(lexicon.otherMatters).toContain('低保');
    expect(lexicon.documents).toContain('身份证');
  });

  it('reports a malformed line and an unknown section with where they are, and keeps the rest', () => {
    const { lexicon, findings } = parseLexicon('## 行\n行政处罚 = 罚款\n没有等号的行\n## 不存在的节\n随便 = 写\n## 单位\n次 = 几次', 'x.txt');
    expect(lexicon.aliases.get('罚款')).toBe('行政处罚');
    expect(lexicon.units).toEqual([['几次', '次']]);
    expect(findings.map((f) => f.location)).toEqual(['第 3 行', '第 4 行']);
    expect(findings[1]!.message).toContain('不存在的节');
  });

  it('reports a word given to two terms, and keeps the first', () => {
    const { lexicon, findings } = parseLexicon('## 行\n行政处罚 = 罚\n行政许可 = 罚', 'x.txt');
    expect(lexicon.aliases.get('罚')).toBe('行政处罚');
    expect(findings).toHaveLength(1);
  });

  it("lets the county's own synonyms win over the lexicon's", () => {
    const { lexicon } = parseLexicon('## 列\n自然人 = 个人', 'x.txt');
    const table = withAliases(new Map([['个人', '申请人']]), lexicon);
    expect(table.get('个人')).toBe('申请人');
  });
});

describe('cues and units', () => {
  const units = parseLexicon(readFileSync('knowledge/lexicon.txt', 'utf8'), 'lexicon.txt').lexicon.units;

  it('reads the unit a question asks in, the longer word first', () => {
    expect(askedUnit('培训了几次', units)).toBe('次');
    expect(askedUnit('培训了多少人次', units)).toBe('人次');
    expect(askedUnit('有多少人参加', units)).toBe('人次');
    expect(askedUnit('花了多少钱', units)).toBe('金额');
    expect(askedUnit('换算成元是多少', units)).toBe('元');
    expect(askedUnit('行政处罚有多少', units)).toBeNull();
  });

  it('tells a count from money, a time limit, kinds and contacts', () => {
    expect(readCues('行政处罚有多少件').quantity).toBe(true);
    expect(readCues('采购花了多少钱').money).toBe(true);
    expect(readCues('申请要多少钱').quantity).toBe(false);
    expect(readCues('复议期限和起诉期限分别是多少').quantity).toBe(false);
    expect(readCues('答复有几种情况').quantity).toBe(false);
    expect(readCues('一个月就挣几千块').quantity).toBe(false);
    expect(readCues('电话是多少').contact).toBe(true);
    expect(readCues('去哪投诉').contact).toBe(false);
    expect(readCues('资金使用情况的信息能公开吗').money).toBe(false);
    expect(readCues('一年就公开4个规范性文件？').figureStated).toBe(true);
    expect(readCues('规章和规范性文件各公开了几件').plural).toBe(true);
    expect(readCues('总计和予以公开是不是矛盾').consistency).toBe(true);
    expect(readCues('你这里有哪几年的报告').coverage).toBe(true);
    expect(readCues('条例是哪一年的').coverage).toBe(false);
  });
});

describe('article citations', () => {
  it('reads Chinese and Arabic numerals alike', () => {
    expect(chineseNumber('二十七')).toBe(27);
    expect(chineseNumber('四十六')).toBe(46);
    expect(chineseNumber('十')).toBe(10);
    expect(chineseNumber('一百零五')).toBe(105);
    expect(chineseNumber('27')).toBe(27);
    expect(chineseNumber('条')).toBeNull();
    expect(articleTerms('依《条例》第二十七条')).toEqual(['第27条']);
    expect(articleTerms('第二十条第（六）项')).toEqual(['第20条', '第6项']);
    expect(articleTerms('第16条和第十六条')).toEqual(['第16条']);
  });
});

describe('phrases', () => {
  it('finds the longest phrase at each place, left to right, without overlap', () => {
    const p = new Phrases(['项目数', '上一年项目数量', '在哪', '在哪里']);
    expect(p.find('上一年项目数量多少').map((m) => m.word)).toEqual(['上一年项目数量']);
    expect(p.find('你在哪里在哪').map((m) => [m.word, m.at])).toEqual([['在哪里', 1], ['在哪', 4]]);
    expect(p.find('在哪', (_, at) => at > 0)).toEqual([]);
  });
});
