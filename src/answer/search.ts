import Fuse from 'fuse.js';
import type { Entry } from './entries.ts';

export interface Hit {
  entry: Entry;
  score: number;
}

export interface QueryTerms {
  terms: string[];
  /** Raw tokens in order, for typo windows. */
  tokens: string[];
}

// Terms that name nothing in the knowledge base still count against a match, but less than a
// known word: a question padded with "我是村里的村民" should still find its topic.
const UNKNOWN_WEIGHT = 0.6;
const CONTEXT_FACTOR = 0.5;

interface Indexed {
  entry: Entry;
  keys: Array<{ terms: string[]; weight: number }>;
  termSet: Map<string, number>;
}

/**
 * Term-weighted matching with an inverted index: only entries sharing a term with the question are
 * scored, so the cost follows the question, not the size of the knowledge base.
 */
export class SearchIndex {
  private readonly indexed: Indexed[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly idf = new Map<string, number>();
  private readonly byChar = new Map<string, string[]>();
  readonly vocabulary: ReadonlySet<string>;

  constructor(entries: Entry[]) {
    const df = new Map<string, number>();
    const termSets = entries.map((entry) => {
      const set = new Map<string, number>();
      for (const t of entry.context) set.set(t, CONTEXT_FACTOR);
      for (const key of entry.keys) for (const t of key) set.set(t, 1);
      for (const t of set.keys()) df.set(t, (df.get(t) ?? 0) + 1);
      return set;
    });
    const n = Math.max(entries.length, 1);
    for (const [t, count] of df) this.idf.set(t, Math.log(1 + n / count));
    entries.forEach((entry, i) => {
      const termSet = termSets[i]!;
      const keys = entry.keys.map((terms) => ({ terms, weight: terms.reduce((s, t) => s + this.weight(t), 0) }));
      this.indexed.push({ entry, keys, termSet });
      for (const t of termSet.keys()) {
        const list = this.postings.get(t);
        if (list) list.push(i);
        else this.postings.set(t, [i]);
      }
    });
    this.vocabulary = new Set(df.keys());
    for (const term of this.vocabulary) {
      if (term.length < 2) continue;
      for (const c of new Set(term)) {
        const list = this.byChar.get(c);
        if (list) list.push(term);
        else this.byChar.set(c, [term]);
      }
    }
  }

  get size(): number {
    return this.indexed.length;
  }

  weight(term: string): number {
    return this.idf.get(term) ?? UNKNOWN_WEIGHT;
  }

  has(term: string): boolean {
    return this.idf.has(term);
  }

  /**
   * The closest knowledge-base term to a mistyped phrase ("行政出罚" → "行政处罚"), or null. Only terms
   * sharing characters with the phrase are handed to fuse.js, which scores the edit.
   */
  correct(phrase: string): string | null {
    const shared = new Map<string, number>();
    for (const c of new Set(phrase)) for (const term of this.byChar.get(c) ?? []) shared.set(term, (shared.get(term) ?? 0) + 1);
    const candidates = [...shared]
      .filter(([term, count]) => Math.abs(term.length - phrase.length) <= 1 && count >= Math.max(2, phrase.length - 1))
      .map(([term]) => term);
    if (candidates.length === 0) return null;
    const fuse = new Fuse(candidates, { includeScore: true, threshold: 0.34, ignoreLocation: true });
    const best = fuse.search(phrase, { limit: 1 })[0];
    return best && best.item !== phrase ? best.item : null;
  }

  /** Entries ranked by how well they cover the question's terms and are covered by them. */
  search(terms: string[], limit = 5): Hit[] {
    const queryWeight = terms.reduce((s, t) => s + this.weight(t), 0);
    if (queryWeight === 0) return [];
    const candidates = new Set<number>();
    for (const t of terms) for (const i of this.postings.get(t) ?? []) candidates.add(i);
    const hits: Hit[] = [];
    for (const i of candidates) {
      const { entry, keys, termSet } = this.indexed[i]!;
      let matched = 0;
      for (const t of terms) {
        const factor = termSet.get(t);
        if (factor) matched += factor * this.weight(t);
      }
      let keyCoverage = 0;
      for (const key of keys) {
        if (key.weight === 0) continue;
        let covered = 0;
        for (const t of key.terms) if (terms.includes(t)) covered += this.weight(t);
        keyCoverage = Math.max(keyCoverage, covered / key.weight);
      }
      const score = 0.6 * (matched / queryWeight) + 0.4 * keyCoverage;
      hits.push({ entry, score });
    }
    hits.sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id));
    return hits.slice(0, limit);
  }
}
