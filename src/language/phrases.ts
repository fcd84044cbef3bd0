/**
 * Finds literal phrases in a text, the longest at each place, left to right without overlap:
 * what a regular expression of alternatives sorted longest first does, at the cost of a walk
 * down a trie per character instead of trying hundreds of alternatives at every place.
 *
 * The trie is keyed by UTF-16 code unit, as the text is walked; the first level is an array by
 * code unit (which node a character starts, if any), so most places of a text are passed over,
 * and the others entered, without a lookup in a map. A phrase with a
 * character outside the Basic Multilingual Plane is kept only up to it, where a walk by code unit
 * could never follow it.
 */
export class Phrases {
  private readonly root = new Node();
  /** By code unit: 1 + the index in `firstNodes` of the node a phrase starting with it begins at, or 0. */
  private readonly starts: Uint16Array | Int32Array;
  private readonly firstNodes: Node[] = [];
  /**
   * By a hash of two code units: 1 when some phrase starts with a pair of that hash. A place whose
   * pair has none is passed over without a lookup in the first node's map (a pair sharing the
   * hash of a phrase's is looked up as before).
   */
  private readonly pairs = new Uint8Array(PAIR_HASHES);
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
    }
    const children = this.root.next ?? new Map<number, Node>();
    this.starts = children.size < 0xffff ? new Uint16Array(0x10000) : new Int32Array(0x10000);
    for (const [code, node] of children) {
      this.firstNodes.push(node);
      this.starts[code] = this.firstNodes.length;
      for (const second of node.next?.keys() ?? []) this.pairs[pairHash(code, second)] = 1;
    }
  }

  /** How many characters start a phrase. */
  get size(): number {
    return this.firsts.size;
  }

  /** Each phrase found, with where it starts; `accept` may refuse a match at its place. */
  find(text: string, accept?: (word: string, at: number) => boolean): Array<{ word: string; at: number }> {
    const out: Array<{ word: string; at: number }> = [];
    const { starts, firstNodes, pairs } = this;
    const n = text.length;
    let i = 0;
    while (i < n) {
      let longest = 0;
      const first = starts[text.charCodeAt(i)]!;
      if (first) {
        let node: Node = firstNodes[first - 1]!;
        if (node.end && (accept === undefined || accept(text.slice(i, i + 1), i))) longest = 1;
        const pair = i + 1 < n && pairs[pairHash(text.charCodeAt(i), text.charCodeAt(i + 1))] === 1;
        for (let j = i + 1; pair && j < n; j++) {
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

export const PAIR_HASHES = 1 << 16;

/** A hash of a text's two code units in a row: a place whose pair starts no phrase is passed over. */
export function pairHash(first: number, second: number): number {
  return (first * 31 + second) & (PAIR_HASHES - 1);
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
