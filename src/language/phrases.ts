/**
 * Finds literal phrases in a text, the longest at each place, left to right without overlap:
 * what a regular expression of alternatives sorted longest first does, at the cost of a walk
 * down a trie per character instead of trying hundreds of alternatives at every place.
 *
 * The trie is keyed by UTF-16 code unit, as the text is walked; a flag per code unit says which
 * ones start a phrase, so most places of a text are passed over without a lookup. A phrase with a
 * character outside the Basic Multilingual Plane is kept only up to it, where a walk by code unit
 * could never follow it.
 */
export class Phrases {
  private readonly root = new Node();
  private readonly starts = new Uint8Array(0x10000);
  private readonly firsts = new Set<number>();

  constructor(words: Iterable<string>) {
    for (const word of words) {
      if (!word) continue;
      this.firsts.add(word.codePointAt(0)!);
      let node = this.root;
      let whole = true;
      for (const c of word) {
        const code = c.codePointAt(0)!;
        if (code > 0xffff) {
          whole = false;
          break;
        }
        node = node.child(code);
      }
      if (whole) node.end = true;
      const first = word.charCodeAt(0);
      if (this.root.next?.has(first)) this.starts[first] = 1;
    }
  }

  /** How many characters start a phrase. */
  get size(): number {
    return this.firsts.size;
  }

  /** Each phrase found, with where it starts; `accept` may refuse a match at its place. */
  find(text: string, accept?: (word: string, at: number) => boolean): Array<{ word: string; at: number }> {
    const out: Array<{ word: string; at: number }> = [];
    const { starts, root } = this;
    const n = text.length;
    let i = 0;
    while (i < n) {
      let longest = 0;
      if (starts[text.charCodeAt(i)]) {
        let node: Node = root;
        for (let j = i; j < n; j++) {
          const next: Node | undefined = node.next?.get(text.charCodeAt(j));
          if (!next) break;
          node = next;
          if (node.end && (accept === undefined || accept(text.slice(i, j + 1), i))) longest = j + 1 - i;
        }
      }
      if (longest > 0) {
        out.push({ word: text.slice(i, i + longest), at: i });
        i += longest;
      } else i++;
    }
    return out;
  }
}

class Node {
  next: Map<number, Node> | null = null;
  end = false;

  child(code: number): Node {
    this.next ??= new Map();
    let node = this.next.get(code);
    if (!node) this.next.set(code, (node = new Node()));
    return node;
  }
}
