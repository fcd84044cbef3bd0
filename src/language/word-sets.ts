import { PAIR_HASHES, pairHash } from './phrases.ts';

/**
 * Which of several lists of words occur in a text, found in one walk over it: what testing one
 * regular expression of alternatives per list does ("多久|多长时间|几天…", "矛盾|不一致|对不上…"),
 * at the cost of one trie walk from each place of the text instead of a dozen expressions tried
 * at every place.
 *
 * The lists come from the expressions themselves, so that the expression stays what a reader and
 * an editor of the rules sees: an expression made only of literal alternatives (a character may be
 * made optional with `?`) is taken apart into its words; any other is left to the regular
 * expression engine (`literalWords` gives null for it).
 */
export class WordSets {
  private readonly root = new Node();
  /** By code unit: 1 + the index in `firstNodes` of the node a word starting with it begins at, or 0. */
  private readonly starts = new Uint16Array(0x10000);
  private readonly firstNodes: Node[] = [];
  /** By a hash of two code units: 1 when some word starts with a pair of that hash (see Phrases). */
  private readonly pairs = new Uint8Array(PAIR_HASHES);

  /** At most 31 lists: list `i` is bit `1 << i` of what `find` returns. */
  constructor(lists: ReadonlyArray<readonly string[]>) {
    if (lists.length > 31) throw new Error(`WordSets holds at most 31 lists, not ${lists.length}`);
    lists.forEach((words, i) => {
      for (const word of words) {
        if (!word) throw new Error(`an empty word in list ${i}`);
        let node = this.root;
        for (let k = 0; k < word.length; k++) node = node.child(word.charCodeAt(k));
        node.lists |= 1 << i;
      }
    });
    for (const [code, node] of this.root.next ?? []) {
      this.firstNodes.push(node);
      this.starts[code] = this.firstNodes.length;
      for (const second of node.next?.keys() ?? []) this.pairs[pairHash(code, second)] = 1;
    }
  }

  /** One bit per list, set when some word of the list occurs in the text. */
  find(text: string): number {
    const { starts, firstNodes, pairs } = this;
    let found = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const first = starts[text.charCodeAt(i)]!;
      if (!first) continue;
      let node: Node | undefined = firstNodes[first - 1]!;
      found |= node.lists;
      if (i + 1 === n || pairs[pairHash(text.charCodeAt(i), text.charCodeAt(i + 1))] !== 1) continue;
      for (let j = i + 1; j < n; j++) {
        node = node.next?.get(text.charCodeAt(j));
        if (!node) break;
        found |= node.lists;
      }
    }
    return found;
  }
}

class Node {
  next: Map<number, Node> | null = null;
  /** The lists a word ending here belongs to, one bit each. */
  lists = 0;

  child(code: number): Node {
    this.next ??= new Map();
    let node = this.next.get(code);
    if (!node) this.next.set(code, (node = new Node()));
    return node;
  }
}

// Anything that makes an alternative more than a literal (a class, a group, an anchor, a
// lookaround, a repetition, an escape).
const SYNTAX = /[\\^$.*+()[\]{}|]/;

/**
 * The words an expression of literal alternatives matches ("几个?月" is 几月 and 几个月), or null
 * when it is anything more (flags included): then only the expression itself can say.
 */
export function literalWords(re: RegExp): string[] | null {
  if (re.flags.replace(/[gy]/g, '') !== '') return null;
  const out: string[] = [];
  for (const alternative of re.source.split('|')) {
    let words = [''];
    for (let i = 0; i < alternative.length; i++) {
      const c = alternative[i]!;
      if (c === '?') return null;
      if (SYNTAX.test(c) || c.charCodeAt(0) > 0xffff || /[\ud800-\udfff]/.test(c)) return null;
      const optional = alternative[i + 1] === '?';
      words = optional ? words.flatMap((w) => [w, w + c]) : words.map((w) => w + c);
      if (optional) i++;
    }
    // An empty alternative matches everywhere: only the expression can say so.
    if (words.some((w) => w === '')) return null;
    out.push(...words);
  }
  return out;
}
