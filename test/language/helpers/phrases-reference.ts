// Phrases as it was before its trie was keyed by character code (commit 2fb1e0d): the reference
// the optimised trie must agree with (test/language/phrases.test.ts). Not used by the bot.
/**
 * Finds literal phrases in a text, the longest at each place, left to right without overlap:
 * what a regular expression of alternatives sorted longest first does, at the cost of a walk
 * down a trie per character instead of trying hundreds of alternatives at every place.
 */
export class ReferencePhrases {
  private readonly root: Node = new Map();

  constructor(words: Iterable<string>) {
    for (const word of words) {
      if (!word) continue;
      let node = this.root;
      for (const c of word) {
        let next = node.get(c);
        if (!next) node.set(c, (next = new Map()));
        node = next;
      }
      node.set(END, END_NODE);
    }
  }

  get size(): number {
    return this.root.size;
  }

  /** Each phrase found, with where it starts; `accept` may refuse a match at its place. */
  find(text: string, accept: (word: string, at: number) => boolean = () => true): Array<{ word: string; at: number }> {
    const out: Array<{ word: string; at: number }> = [];
    let i = 0;
    while (i < text.length) {
      let node: Node | undefined = this.root;
      let longest = 0;
      for (let j = i; j < text.length; j++) {
        node = node.get(text[j]!);
        if (!node) break;
        if (node.has(END) && accept(text.slice(i, j + 1), i)) longest = j + 1 - i;
      }
      if (longest > 0) {
        out.push({ word: text.slice(i, i + longest), at: i });
        i += longest;
      } else i++;
    }
    return out;
  }
}

type Node = Map<string, Node>;
const END = '\u0000';
const END_NODE: Node = new Map();
