// Tokenizer.cut derives jieba's search-mode cut from its default cut and each word's search-mode
// pieces, kept per word (src/language/tokenizer.ts): the text is cut once for both. It must give
// exactly what jieba.cutForSearch gives, for every question of the sets and any text, and still
// after a word is added to jieba's dictionary (which can change how words are cut).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import jieba from 'nodejieba';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { Tokenizer } from '../../src/language/tokenizer.ts';

const SETS = ['../../eval/questions.public.jsonl', '../../eval/questions.traffic.jsonl', '../fixtures/eval/dev-questions.jsonl', '../fixtures/eval/kinds.jsonl', '../fixtures/eval/blind-tune.jsonl'];
const questions = SETS.flatMap((f) =>
  readFileSync(new URL(f, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => (JSON.parse(l) as { turns: Array<{ q: string }> }).turns.map((t) => t.q)),
);

let kb: KnowledgeBase;
let tok: Tokenizer;

beforeAll(async () => {
  kb = await loadKnowledge('knowledge');
  tok = new Tokenizer(kb.words, kb.synonyms);
}, 60_000);

function same(t: Tokenizer, text: string): void {
  expect(t.cut(text)).toEqual(jieba.cutForSearch(text, true));
  expect(t.plainCut(text)).toEqual(jieba.cut(text, true));
  // In either order, and again: the default cut of a text is shared by both calls.
  expect(t.plainCut(text)).toEqual(jieba.cut(text, true));
  expect(t.cut(text)).toEqual(jieba.cutForSearch(text, true));
}

describe('Tokenizer.cut against jieba.cutForSearch', () => {
  it('cuts every question of the sets as jieba does', () => {
    expect(questions.length).toBeGreaterThan(800);
    for (const q of questions) same(tok, q);
  });

  it('cuts any mix of domain words, questions, symbols, latin and astral characters as jieba does', () => {
    const words = [...kb.words, ...kb.synonyms.keys(), ...kb.synonyms.values()];
    const piece = fc.oneof(fc.constantFrom(...words), fc.constantFrom(...questions), fc.constantFrom('，', '。', ' ', '？', 'GDP', '2019年', '𠀀', '的', '了吗'), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => same(tok, pieces.join(''))),
      { numRuns: 2000 },
    );
  });

  it('follows words added to the dictionary later, by any tokenizer', () => {
    const text = '我想查询宁夏枸杞种植补贴和枸杞种植补贴标准怎么查';
    same(tok, text);
    // Another knowledge base's words go into the same process-wide dictionary.
    const other = new Tokenizer(['枸杞种植补贴标准', '种植补贴'], new Map());
    expect(jieba.cut(text, true)).toContain('枸杞种植补贴标准');
    same(tok, text);
    same(other, text);
    // A word's kept pieces too: "淼焱" becomes a piece of "鑫淼焱垚" once it is a word itself.
    const rare = new Tokenizer(['鑫淼焱垚'], new Map());
    same(rare, '鑫淼焱垚');
    expect(rare.cut('鑫淼焱垚')).toEqual(['鑫淼焱垚']);
    new Tokenizer(['淼焱'], new Map());
    expect(jieba.cutForSearch('鑫淼焱垚', true)).toEqual(['淼焱', '鑫淼焱垚']);
    same(rare, '鑫淼焱垚');
  });
});

describe('the texts of one message', () => {
  it('are cut once, each caller given its own copy', () => {
    // read.ts splices its terms; the next stage asking for the same text must not see that.
    const text = '应该怎么申请政府信息公开';
    tok.startMessage();
    const terms = tok.terms(text);
    const tokens = tok.cut(text);
    const expected = [...terms];
    terms.splice(0, terms.length, '改过');
    tokens.push('改过');
    expect(tok.terms(text)).toEqual(expected);
    expect(tok.cut(text)).toEqual(jieba.cutForSearch(text, true));
    expect(tok.terms(text)).not.toBe(tok.terms(text));
    tok.startMessage();
    expect(tok.terms(text)).toEqual(expected);
  });
});

describe('Tokenizer.knowledgeTerms', () => {
  it('gives the terms of a knowledge-base text, and follows words added to the dictionary later', () => {
    const summary = kb.topics.map((t) => t.summary).find((s) => s.length > 20)!;
    expect(tok.knowledgeTerms(summary)).toEqual(tok.terms(summary));
    expect(tok.knowledgeTerms(summary)).toBe(tok.knowledgeTerms(summary));
    // A word added by another tokenizer changes how the text is cut: the kept terms are not used.
    const text = '申请人可以查询蒺藜藤萝补贴细则的办理进度';
    const before = tok.knowledgeTerms(text);
    expect(before).not.toContain('蒺藜藤萝补贴细则');
    new Tokenizer(['蒺藜藤萝补贴细则'], new Map());
    expect(tok.terms(text)).toContain('蒺藜藤萝补贴细则');
    expect(tok.knowledgeTerms(text)).toEqual(tok.terms(text));
  });
});
