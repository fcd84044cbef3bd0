// Issue 6.3: the language layer takes whatever a channel hands it. None of it may throw, and what
// it returns must keep the shape the rest of the engine relies on.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tokenizer } from '../../src/language/tokenizer.ts';
import { normalise, optionNumber, yearsIn } from '../../src/language/normalise.ts';
import { read } from '../../src/answer/read.ts';
import { anyText, longText } from './helpers/strings.ts';
import { TODAY, twoYearKnowledge, type TwoYearKnowledge } from './helpers/knowledge.ts';

let k: TwoYearKnowledge;
let tok: Tokenizer;

beforeAll(async () => {
  k = await twoYearKnowledge();
  // The engine's own tokenizer: the domain words, synonyms and ignored body names it was built with.
  tok = k.engine.tokenizer;
}, 120_000);
afterAll(() => k.remove());

const today = fc.date({ min: new Date('1995-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });

describe('normalise', () => {
  it('never throws; returns text without white space and relative years it can name', () => {
    fc.assert(
      fc.property(anyText, today, (s, day) => {
        const n = normalise(s, day);
        expect(typeof n.text).toBe('string');
        expect(n.text).not.toMatch(/\s/);
        for (const r of n.relative) {
          expect(Number.isInteger(r.year)).toBe(true);
          expect(Math.abs(r.year - day.getFullYear())).toBeLessThanOrEqual(3);
        }
        for (const y of yearsIn(n.text)) expect(y >= 1990 && y <= 2100).toBe(true);
        const option = optionNumber(n.text);
        expect(option === null || (Number.isInteger(option) && option >= 0 && option <= 99)).toBe(true);
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  it('settles on its own output (normalising again changes nothing after the second pass)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        // opencc's hk→cn table maps a few rare characters in two steps (薴 → 苧 → 苎), so one pass
        // is not always a fixed point; two are. Compared up to NFC: dropping white space can bring
        // a combining mark next to a letter it now composes with ("ｗ ̊" → "ẘ").
        const twice = normalise(normalise(s, TODAY).text, TODAY).text;
        expect(normalise(twice, TODAY).text.normalize('NFC')).toBe(twice.normalize('NFC'));
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('keeps ordinary simplified questions as they are', () => {
    for (const q of ['2019年行政处罚有多少件', '怎么申请政府信息公开', '网址是多少']) expect(normalise(q, TODAY).text).toBe(q);
  });
});

describe('Tokenizer', () => {
  it('cut, words and terms never throw and return non-empty strings', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        for (const out of [tok.cut(s), tok.words(s), tok.terms(s)]) {
          expect(Array.isArray(out)).toBe(true);
          for (const t of out) expect(typeof t === 'string' && t.length > 0).toBe(true);
        }
        const terms = tok.terms(s);
        expect(new Set(terms).size).toBe(terms.length);
        for (const t of terms) expect(tok.isStopword(t)).toBe(false);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('copes with 5,000-character inputs', () => {
    fc.assert(
      fc.property(longText, (s) => {
        expect(Array.isArray(tok.terms(s))).toBe(true);
        expect(Array.isArray(tok.words(s))).toBe(true);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

describe('read', () => {
  it('never throws and returns a well-formed reading of any string', () => {
    fc.assert(
      fc.property(anyText, today, (s, day) => {
        const u = read(s, tok, k.kb.lexicon, day);
        expect(typeof u.text).toBe('string');
        expect(u.years.every((y) => Number.isInteger(y) && y >= 1990 && y <= 2100)).toBe(true);
        expect([null, 'previous', 'between']).toContain(u.compare);
        expect(u.option === null || Number.isInteger(u.option)).toBe(true);
        expect([null, 'greeting', 'thanks', 'ack', 'bye', 'identity', 'human', 'help', 'useful', 'useless', 'detail', 'empty']).toContain(u.social);
        expect(u.parts.every((p) => typeof p === 'string' && p.length > 0)).toBe(true);
        expect(Object.values(u.cues).every((c) => typeof c === 'boolean')).toBe(true);
        expect(u.terms.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
        expect(u.tokens.every((t) => typeof t === 'string')).toBe(true);
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});
