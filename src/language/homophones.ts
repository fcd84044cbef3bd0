import { createRequire } from 'node:module';

type PinyinModule = typeof import('pinyin-pro');
let pinyinModule: PinyinModule | undefined;

/**
 * pinyin-pro's dictionary costs some 50-80 ms to load: it is required (synchronously, so answers
 * do not depend on timing) when the first unknown word is heard, not at every start-up.
 */
function pinyin(): PinyinModule['pinyin'] {
  pinyinModule ??= createRequire(import.meta.url)('pinyin-pro') as PinyinModule;
  return pinyinModule.pinyin;
}

/**
 * Voice input writes a word by its sound: "采够" for 采购, "申清" for 申请, "附议" for 复议, and in
 * the north-west "中兴" for 中心 (in/ing, en/eng, an/ang, z/zh, c/ch, s/sh are one sound there).
 * The terms of the knowledge base are kept by their pinyin (tones dropped), so that a word that
 * sounds like exactly one of them is read as it.
 */
export class Homophones {
  private maps: { exact: Map<string, string | null>; loose: Map<string, string | null> } | null = null;
  /** The syllables of the last text heard: a message with two unknown words is read once. */
  private last: { text: string; syllables: string[]; loose: string[]; han: boolean[] } = { text: '', syllables: [], loose: [], han: [] };

  /** `terms`: [word as written, term it stands for] - the vocabulary and the colloquial words. */
  constructor(private readonly terms: () => Iterable<readonly [string, string]>) {}

  private build(): { exact: Map<string, string | null>; loose: Map<string, string | null> } {
    if (this.maps) return this.maps;
    // Built on first use: most messages carry no unknown word, and start-up stays short.
    const exact = new Map<string, string | null>();
    const loose = new Map<string, string | null>();
    for (const [word, term] of this.terms()) {
      if (!/^[\p{Script=Han}]{2,6}$/u.test(word)) continue;
      const syllables = [...word].map(sound);
      add(exact, syllables.join(' '), term);
      if (syllables.length >= LOOSE_LENGTH) add(loose, syllables.map(loosen).join(' '), term);
    }
    this.maps = { exact, loose };
    return this.maps;
  }

  /**
   * The term a stretch of `text` sounds like: stretches of up to 6 characters covering all but at
   * most one character of `[from, to)` (jieba may glue a neighbour to the mistyped word: "徐可有"),
   * longest first; only stretches of `minLength` characters or more. Sounds alike by the north-west
   * ear count for stretches of four characters or more, where they can hardly meet by chance.
   */
  near(text: string, from: number, to: number, minLength = 2): { window: string; term: string } | null {
    const { exact, loose } = this.build();
    if (this.last.text !== text) {
      const syllables: string[] = [];
      const looseSyllables: string[] = [];
      const han: boolean[] = [];
      for (const c of text) {
        const h = heard(c);
        syllables.push(h.sound);
        looseSyllables.push(h.loose);
        han.push(h.han);
      }
      this.last = { text, syllables, loose: looseSyllables, han };
    }
    const { syllables, loose: looseSyllables, han } = this.last;
    if (syllables.length !== text.length) return null;
    const size = to - from;
    const cover = Math.max(2, size - 1);
    for (let len = Math.min(6, size + 2, text.length); len >= Math.max(2, minLength); len--) {
      for (let start = Math.max(0, from - len + cover); start + len <= text.length && start <= to - cover; start++) {
        const overlap = Math.min(to, start + len) - Math.max(from, start);
        if (overlap < cover) continue;
        if (!allHan(han, start, start + len)) continue;
        const window = text.slice(start, start + len);
        const term = exact.get(joined(syllables, start, start + len)) ?? (len >= LOOSE_LENGTH ? loose.get(joined(looseSyllables, start, start + len)) : undefined);
        if (term && term !== window && !window.includes(term)) return { window, term };
      }
    }
    return null;
  }
}

// The window loops run for every unknown word: plain loops, no slices of arrays made per window.
function allHan(han: readonly boolean[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!han[i]) return false;
  return true;
}

/** `syllables.slice(from, to).join(' ')`. */
function joined(syllables: readonly string[], from: number, to: number): string {
  let key = syllables[from]!;
  for (let i = from + 1; i < to; i++) key += ' ' + syllables[i]!;
  return key;
}

/** The shortest stretch whose loose sound is taken for a term's. */
const LOOSE_LENGTH = 4;

/** Two terms that sound alike tell nothing apart: neither is guessed. */
function add(map: Map<string, string | null>, key: string, term: string): void {
  const known = map.get(key);
  if (known === undefined) map.set(key, term);
  else if (known !== term) map.set(key, null);
}

const loosened = new Map<string, string>();

/** A syllable as the north-west hears it: in = ing, en = eng, an = ang, z = zh, c = ch, s = sh. */
function loosen(syllable: string): string {
  let s = loosened.get(syllable);
  if (s === undefined) {
    s = syllable.replace(/^([zcs])h/, '$1').replace(/(?<=[aeiu])ng$|(?<=i)ng$/, 'n');
    loosened.set(syllable, s);
  }
  return s;
}

/**
 * Each character is read by its own (most common) sound, the same way for the terms and for the
 * question, and kept: after the first messages no character is looked up twice.
 */
const sounds = new Map<string, string>();

/** A character's sound, its sound as the north-west hears it, and whether it is a Han character: one lookup per character of a text heard. */
interface Heard {
  sound: string;
  loose: string;
  han: boolean;
}

const heardChars = new Map<string, Heard>();

function heard(c: string): Heard {
  let h = heardChars.get(c);
  if (h === undefined) {
    const s = sound(c);
    h = { sound: s, loose: loosen(s), han: /\p{Script=Han}/u.test(c) };
    heardChars.set(c, h);
  }
  return h;
}

function sound(c: string): string {
  let s = sounds.get(c);
  if (s === undefined) {
    s = /\p{Script=Han}/u.test(c) ? (pinyin()(c, { toneType: 'none', type: 'array' })[0] ?? c) : c;
    sounds.set(c, s);
  }
  return s;
}
