import jieba from 'nodejieba';

/**
 * Bumped whenever a word is added to jieba's process-wide dictionary: a word may then be cut, and
 * its search-mode parts found, differently, so what was kept of the cuts before is dropped.
 */
let dictionaryGeneration = 0;

/** How many words were added to jieba's dictionary so far: what was kept is kept for one generation. */
export function generation(): number {
  return dictionaryGeneration;
}

/** A word was added to jieba's dictionary (see generation). */
export function wordAdded(): void {
  dictionaryGeneration++;
}

/** Search-mode parts kept per word, at most (see Cuts.cut). */
const PARTS_KEPT = 10_000;
/** Texts of one message kept at most: its pieces and the texts made from them. */
const MESSAGE_TEXTS = 32;
const NO_PARTS: string[] = [];

/**
 * What was worked out about the texts of the message being read, for the stages that look at the
 * same text again. A long message is read whole, then question by question, and the stages around
 * each reading cut the same pieces again ("应该怎么申请" by the aspect's reading of the asking
 * pieces, then as a question of its own). Only within one message: the owner forgets everything
 * when the next message is read, so no message is answered from what an earlier one left.
 */
export class MessageTexts<V> {
  private readonly kept = new Map<string, V>();
  private generation = -1;

  /** The value kept for `text` at this dictionary generation, or undefined. */
  get(text: string, generation: number): V | undefined {
    if (generation !== this.generation) return undefined;
    return this.kept.get(text);
  }

  set(text: string, generation: number, value: V): void {
    if (generation !== this.generation) {
      this.kept.clear();
      this.generation = generation;
    }
    if (this.kept.size >= MESSAGE_TEXTS) this.kept.clear();
    this.kept.set(text, value);
  }

  /** A new message: nothing of the last one is kept. */
  forget(): void {
    this.kept.clear();
  }
}

/** jieba's two cuts of a text, each made once for the texts of a message (see Tokenizer). */
export class Cuts {
  /** The words jieba's default cut gave for the last text cut: `cut` and `plainCut` of one text cut it once. */
  private lastCut: { text: string; words: string[]; generation: number } = { text: '', words: [], generation: -1 };
  /** Each word's search-mode parts (null: not derivable from the word alone), for this generation. */
  private readonly searchParts = new Map<string, string[] | null>();
  private partsGeneration = -1;
  /** The search-mode and default cuts of the message's texts; callers of `cut` get copies. */
  private readonly messageCuts = new MessageTexts<readonly string[]>();
  private readonly messageWords = new MessageTexts<string[]>();

  /**
   * jieba's search-mode cut: whole words and the shorter words inside them. cppjieba's search
   * mode is its default cut with, before each word of more than two characters, the two- and
   * three-character pieces of it that its dictionary holds: a function of the word alone. So the
   * text is cut once (shared with `plainCut`) and each word's pieces are kept, found by cutting
   * the word alone in search mode; a word that jieba would cut differently alone is not
   * derivable, and the text is then cut in search mode as a whole.
   */
  cut(text: string): string[] {
    const known = this.messageCuts.get(text, dictionaryGeneration);
    if (known) return [...known];
    const out = this.searchCut(text);
    this.messageCuts.set(text, dictionaryGeneration, [...out]);
    return out;
  }

  /** A new message is read: what was kept of the last one's texts is let go. */
  startMessage(): void {
    this.messageCuts.forget();
    this.messageWords.forget();
  }

  private searchCut(text: string): string[] {
    const words = this.defaultCut(text);
    if (this.partsGeneration !== dictionaryGeneration) {
      this.searchParts.clear();
      this.partsGeneration = dictionaryGeneration;
    }
    const out: string[] = [];
    for (const word of words) {
      const parts = this.partsOf(word);
      if (parts === null) return jieba.cutForSearch(text, true);
      for (const p of parts) out.push(p);
      out.push(word);
    }
    return out;
  }

  /** The search-mode pieces jieba puts before a word of its default cut, or null when not derivable. */
  private partsOf(word: string): string[] | null {
    if (word.length <= 2 && !/[\ud800-\udbff]/.test(word)) return NO_PARTS;
    // Inline rather than through `kept`, like termOf: this runs for most words of every message.
    let parts = this.searchParts.get(word);
    if (parts === undefined) {
      const alone = jieba.cut(word, true);
      const search = alone.length === 1 && alone[0] === word ? jieba.cutForSearch(word, true) : null;
      parts = search && search.at(-1) === word ? search.slice(0, -1) : null;
      if (this.searchParts.size >= PARTS_KEPT) this.searchParts.clear();
      this.searchParts.set(word, parts);
    }
    return parts;
  }

  /** jieba's default cut of the text, cut once for the calls about the same text (not to be changed). */
  defaultCut(text: string): readonly string[] {
    const last = this.lastCut;
    const generation = dictionaryGeneration;
    if (last.text === text && last.generation === generation && text !== '') return last.words;
    const words = this.messageWords.get(text, generation) ?? jieba.cut(text, true);
    this.messageWords.set(text, generation, words);
    this.lastCut = { text, words, generation };
    return words;
  }

  /** jieba's default cut, unfiltered: the words as the resident wrote them, in order. */
  plainCut(text: string): string[] {
    return [...this.defaultCut(text)];
  }
}
