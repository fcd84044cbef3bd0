import { describe, expect, it } from 'vitest';
import { read } from '../../src/answer/read.ts';
import { parseLexicon, withAliases } from '../../src/language/lexicon.ts';
import { Tokenizer } from '../../src/language/tokenizer.ts';
import { parseSynonyms, parseWords } from '../../src/language/synonyms.ts';
import { readFileSync } from 'node:fs';

const lexicon = parseLexicon(readFileSync('knowledge/lexicon.txt', 'utf8'), 'lexicon.txt').lexicon;
const synonyms = withAliases(parseSynonyms(readFileSync('knowledge/synonyms.txt', 'utf8'), 'synonyms.txt').table, lexicon);
const tok = new Tokenizer(parseWords(readFileSync('knowledge/words.txt', 'utf8')), synonyms, ['西吉县人民政府', '西吉县']);
const today = new Date('2026-11-27T12:00:00+08:00');
const u = (q: string) => read(q, tok, lexicon, today);

describe('read', () => {
  it('reads years in every written form as a slot, not a word', () => {
    expect(u('2019年行政处罚有多少件').years).toEqual([2019]);
    expect(u('二〇一九年行政处罚').years).toEqual([2019]);
    expect(u('19年的行政处罚').years).toEqual([2019]);
    expect(u('行政处罚有多少').years).toEqual([]);
    expect(u('2019年行政处罚有多少件').terms).not.toContain('2019');
  });

  it('resolves 去年 against today and keeps the word for the reply', () => {
    const r = u('去年行政处罚有多少');
    expect(r.years).toEqual([2025]);
    expect(r.relative).toEqual([{ word: '去年', year: 2025 }]);
  });

  it('tells a comparison with the previous year from one between two years', () => {
    expect(u('行政处罚比上年呢').compare).toBe('previous');
    expect(u('行政处罚比去年增加还是减少了').compare).toBe('previous');
    expect(u('2020年比2019年多了多少').compare).toBe('between');
    expect(u('2019年行政处罚有多少').compare).toBeNull();
    // The same year on both sides names no other year: the change from the year before is not asked.
    expect(u('2020年政府集中采购比2020年多了多少').compare).toBeNull();
    expect(u('2020年政府集中采购比上年多了多少').compare).toBe('previous');
  });

  it('maps colloquial words to the knowledge base terms', () => {
    expect(u('罚款有多少').terms).toContain('行政处罚');
    expect(u('县里批了多少').terms).toContain('行政许可');
    expect(u('有人告政府吗').terms).toContain('行政诉讼');
    expect(u('网站点击量').terms).toContain('浏览量');
    expect(u('官网是什么').terms).toContain('门户网站');
    expect(u('申请要交钱吗').terms).toContain('收费');
    expect(u('申请要多久').terms).toContain('期限');
  });

  it('drops the body name, which says nothing about what is asked', () => {
    expect(u('西吉县2019年制定了规章吗').terms).not.toContain('西吉县');
  });

  it('reads cues for counts, procedures and contacts', () => {
    expect(u('行政处罚有多少件').cues.quantity).toBe(true);
    expect(u('申请以后多少天答复').cues.quantity).toBe(false);
    expect(u('电话是多少').cues.quantity).toBe(false);
    expect(u('电话是多少').cues.contact).toBe(true);
    expect(u('怎么申请').cues.procedure).toBe(true);
  });

  it('recognises social messages and option numbers', () => {
    expect(u('你好').social).toBe('greeting');
    expect(u('谢谢！').social).toBe('thanks');
    expect(u('帮助').social).toBe('help');
    expect(u('有用').social).toBe('useful');
    expect(u('没用').social).toBe('useless');
    expect(u('详细').social).toBe('detail');
    expect(u('   ').social).toBe('empty');
    expect(u('2').option).toBe(2);
    expect(u('你好，怎么申请').social).toBeNull();
  });
});
