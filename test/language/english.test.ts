import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLexicon } from '../../src/language/lexicon.ts';
import { fromEnglish } from '../../src/language/english.ts';

const { lexicon, findings } = parseLexicon(readFileSync('knowledge/lexicon.txt', 'utf8'), 'lexicon.txt');
const glossary = lexicon.english;

describe('English questions through the lexicon glossary', () => {
  it('reads the 英文 section without a finding, phrases in lower case, （无） kept as written', () => {
    expect(findings).toEqual([]);
    expect(glossary).toContainEqual(['page views', '浏览量']);
    expect(glossary).toContainEqual(['the', '（无）']);
  });

  it('gives a message with no English word back as it is', () => {
    const text = '2019年行政处罚有多少件 GDP呢';
    expect(fromEnglish('2019年行政处罚有多少件', glossary)).toBe('2019年行政处罚有多少件');
    // One Latin letter run of an acronym the glossary does not know stays.
    expect(fromEnglish(text, glossary)).toBe(text);
  });

  it('puts phrases in Chinese without spaces between them, longest phrase first, plurals and case folded', () => {
    expect(fromEnglish('Portal PAGE VIEWS in 2019?', glossary)).toBe('门户网站浏览量2019?');
    expect(fromEnglish('How many administrative penalties were there?', glossary)).toBe('多少行政处罚?');
    expect(fromEnglish("What's the website url", glossary)).toBe('什么门户网站网址');
    // "in charge" is not a fee ("charge").
    expect(fromEnglish('who is in charge', glossary)).toBe('谁负责');
  });

  it('drops a possessive and the words that ask nothing, keeps an unknown word so that it matches nothing', () => {
    expect(fromEnglish("Xiji's FOI applications", glossary)).toBe('西吉县信息公开申请');
    expect(fromEnglish('How many tourists visited the county?', glossary)).toBe('多少tourists visited西吉县?');
  });

  it('reads a greeting as a greeting', () => {
    expect(fromEnglish('hello', glossary)).toBe('你好');
    expect(fromEnglish('thanks', glossary)).toBe('谢谢');
  });
});
