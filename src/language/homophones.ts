import { pinyin } from 'pinyin-pro';

/**
 * Voice input writes a word by its sound: "采够" for 采购, "申清" for 申请, "附议" for 复议. The
 * terms of the knowledge base are kept by their pinyin (tones dropped), so that a word that sounds
 * like exactly one of them is read as it.
 */
export class Homophones {
  private bySound: Map<string, string | null> | null = null;

  /** `terms`: [word as written, term it stands for] - the vocabulary and the colloquial words. */
  constructor(private readonly terms: () => Iterable<readonly [string, string]>) {}

  private map(): Map<string, string | null> {
    if (this.bySound) return this.bySound;
    // Built on first use: most messages carry no unknown word, and start-up stays short.
    const map = new Map<string, string | null>();
    for (const [word, term] of this.terms()) {
      if (!/^[\p{Script=Han}]{2,6}$/u.test(word)) continue;
      const sound = soundOf(word);
      const known = map.get(sound);
      // Two terms that sound alike tell nothing apart: neither is guessed.
      if (known === undefined) map.set(sound, term);
      else if (known !== term) map.set(sound, null);
    }
    this.bySound = map;
    return map;
  }

  /**
   * The term a stretch of `text` sounds like: stretches of up to 6 characters covering all but at
   * most one character of `[from, to)` (jieba may glue a neighbour to the mistyped word: "徐可有"),
   * longest first. Null when none does.
   */
  near(text: string, from: number, to: number): { window: string; term: string } | null {
    const map = this.map();
    const syllables = [...text].map(sound);
    if (syllables.length !== text.length) return null;
    const size = to - from;
    const cover = Math.max(2, size - 1);
    for (let len = Math.min(6, size + 2, text.length); len >= 2; len--) {
      for (let start = Math.max(0, from - len + cover); start + len <= text.length && start <= to - cover; start++) {
        const overlap = Math.min(to, start + len) - Math.max(from, start);
        if (overlap < cover) continue;
        const window = text.slice(start, start + len);
        if (!/^[\p{Script=Han}]+$/u.test(window)) continue;
        const term = map.get(syllables.slice(start, start + len).join(' '));
        if (term && term !== window && !window.includes(term)) return { window, term };
      }
    }
    return null;
  }
}

/**
 * Each character is read by its own (most common) sound, the same way for the terms and for the
 * question, and kept: after the first messages no character is looked up twice.
 */
const sounds = new Map<string, string>();

function sound(c: string): string {
  let s = sounds.get(c);
  if (s === undefined) {
    s = /\p{Script=Han}/u.test(c) ? (pinyin(c, { toneType: 'none', type: 'array' })[0] ?? c) : c;
    sounds.set(c, s);
  }
  return s;
}

function soundOf(word: string): string {
  return [...word].map(sound).join(' ');
}
