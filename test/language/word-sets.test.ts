// The cue words found in one walk over a text (src/language/word-sets.ts) must say exactly what
// testing each cue's regular expression says: for the real cue expressions of cues.ts, on texts
// made of their words, pieces of them and other characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LITERAL_CUES } from '../../src/language/cues.ts';
import { literalWords, WordSets } from '../../src/language/word-sets.ts';

describe('literalWords', () => {
  it('takes apart literal alternatives, a character made optional into both words', () => {
    expect(literalWords(/多久|几个?月/)).toEqual(['多久', '几月', '几个月']);
    expect(literalWords(/a?b?/)).toBeNull();
  });

  it('leaves anything more than literals to the expression', () => {
    for (const re of [/吗$/, /^好/, /几[个件]/, /(?:多|少)了/, /多(?=少)/, /a+/, /a./, /多|/, /好/i, /好/u, /\d/, /a{2}/]) expect(literalWords(re)).toBeNull();
  });
});

describe('WordSets against the regular expressions', () => {
  it('finds every cue expression of cues.ts in the texts the expression matches, and in no other', () => {
    const lists = LITERAL_CUES.map((re) => literalWords(re));
    // Every cue of the list is literal now; one edited into more would be tested as an expression.
    expect(lists.every((l) => l !== null)).toBe(true);
    const sets = new WordSets(lists.map((l) => l ?? []));
    const words = lists.flatMap((l) => l ?? []);
    const piece = fc.oneof(
      fc.constantFrom(...words),
      fc.constantFrom(...words).map((w) => w.slice(0, -1)),
      fc.constantFrom(...words).map((w) => w.slice(1)),
      fc.constantFrom('的', '了', '吗', '？', '2019', '年', ' ', '多', '几', '哪', '个'),
      fc.string({ maxLength: 2 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join('');
        const found = sets.find(text);
        LITERAL_CUES.forEach((re, i) => expect((found & (1 << i)) !== 0, `${re.source.slice(0, 20)}… on ${text}`).toBe(re.test(text)));
      }),
      { numRuns: 3000 },
    );
  });
});
