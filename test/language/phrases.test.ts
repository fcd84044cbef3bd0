// The phrase trie walks the text by character code with a flag for the characters that start a
// phrase (src/language/phrases.ts). It must find exactly what the string-keyed trie it replaced
// found (kept in helpers/phrases-reference.ts): the same phrases at the same places, longest first,
// with `accept` asked about the same candidates.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Phrases } from '../../src/language/phrases.ts';
import { parseLexicon } from '../../src/language/lexicon.ts';
import { ReferencePhrases } from './helpers/phrases-reference.ts';

const lexicon = parseLexicon(readFileSync(new URL('../../knowledge/lexicon.txt', import.meta.url), 'utf8'), 'lexicon.txt').lexicon;
const synonyms = readFileSync(new URL('../../knowledge/synonyms.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.includes('='))
  .flatMap((l) => l.split(/[=|]/).map((w) => w.trim()))
  .filter(Boolean);
const LISTS = [lexicon.otherMatters, lexicon.documents, lexicon.otherBodies, lexicon.absent.map(([w]) => w), lexicon.units.map(([w]) => w), synonyms];

function same(words: string[], text: string, accept?: (word: string, at: number) => boolean): void {
  const fast = new Phrases(words);
  const reference = new ReferencePhrases(words);
  expect(fast.size).toBe(reference.size);
  const asked: string[] = [];
  const askedReference: string[] = [];
  const a = fast.find(text, accept && ((w, at) => (asked.push(`${w}@${at}`), accept(w, at))));
  const b = reference.find(text, accept && ((w, at) => (askedReference.push(`${w}@${at}`), accept(w, at))));
  expect(a).toEqual(b);
  expect(asked).toEqual(askedReference);
}

describe('Phrases against the string-keyed reference', () => {
  it('finds the lexicon and the synonym table alike in every question of the sets', () => {
    const questions = ['../../eval/questions.public.jsonl', '../../eval/questions.traffic.jsonl', '../fixtures/eval/dev-questions.jsonl', '../fixtures/eval/kinds.jsonl', '../fixtures/eval/blind-tune.jsonl'].flatMap((f) =>
      readFileSync(new URL(f, import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => (JSON.parse(l) as { turns: Array<{ q: string }> }).turns.map((t) => t.q)),
    );
    for (const list of LISTS) for (const q of questions) same(list, q);
    // With a test at each match, as the tokenizer asks whether a two-character phrase ends a clause.
    for (const q of questions) same(synonyms, q, (w, at) => (at + w.length) % 2 === 0);
  });

  it('finds any words alike in any text, astral characters and lone surrogates included', () => {
    // Built from a few characters so that words overlap and nest; NUL is the old trie's own end
    // marker, which a word of its own could corrupt, so no word holds it.
    const char = fc.constantFrom('申', '请', '公', '开', '信', '息', '𠀀', '\ud83d', 'a', '。', '\u0000');
    const word = fc.array(char, { minLength: 1, maxLength: 5 }).map((cs) => cs.join('')).filter((w) => !w.includes('\u0000'));
    const text = fc.array(fc.oneof(char, word), { maxLength: 20 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), text, fc.integer({ min: 0, max: 3 }), (words, t, mod) => {
        same(words, t);
        same(words, t, (w, at) => (w.length + at) % (mod + 1) === 0);
      }),
      { numRuns: 3000 },
    );
  });
});
