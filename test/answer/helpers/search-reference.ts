// The SearchIndex as it was before its structures were optimised (commit 2fb1e0d): string-keyed
// maps, every candidate scored term by term, a full sort. Kept verbatim as the reference the
// optimised index must agree with exactly (test/answer/search.test.ts). Not used by the bot.
import Fuse from 'fuse.js';
import type { Entry } from '../../../src/answer/entries.ts';

interface Hit {
  entry: Entry;
  score: number;
  /** The question's terms this entry holds, in question order. */
  matched: string[];
}

// Terms that name nothing in the knowledge base still count against a match, but less than a
// known word: a question padded with "我是村里的村民" should still find its topic.
const UNKNOWN_WEIGHT = 1.2;
const CONTEXT_FACTOR = 0.5;

/** A word of an entry's key, with the shorter words inside it ("门户网站" in "政府门户网站"). */
interface KeyWord {
  word: string;
  weight: number;
  /** [part, share of the word's characters it spans] */
  parts: Array<[string, number]>;
}

interface Key {
  words: KeyWord[];
  weight: number;
  factor: number;
}

interface Indexed {
  entry: Entry;
  slots: ReadonlySet<string>;
  keys: Key[];
  /** Word or part → the keys holding it, so only keys the question touches are scored. */
  keyIndex: Map<string, number[]>;
  termSet: Map<string, number>;
}

/**
 * How much of a key word the question holds: all of it, or the share of its characters that a
 * question word inside it spans - "门户网站" holds 4/6 of "政府门户网站". Hash lookups only: this
 * runs for every word of every candidate entry.
 */
function overlap(word: KeyWord, query: ReadonlySet<string>): number {
  if (query.has(word.word)) return 1;
  let best = 0;
  for (const [part, share] of word.parts) if (share > best && query.has(part)) best = share;
  return best;
}

/**
 * The ways of writing a term with one of its characters left out ("行政*制"), and with two left
 * out for a term of six characters or more: two terms share a key when they differ in those places.
 */
function substitutionKeys(term: string): string[] {
  const chars = [...term];
  const keys: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    keys.push(chars.map((c, k) => (k === i ? '\u0000' : c)).join(''));
    if (chars.length >= 6) for (let j = i + 1; j < chars.length; j++) keys.push(chars.map((c, k) => (k === i || k === j ? '\u0000' : c)).join(''));
  }
  return keys;
}

/** How much of one key the question holds, a named column counting as part of it. */
function coverage(key: Key, query: ReadonlySet<string>, slotWeight: number): number {
  if (key.weight === 0) return 0;
  let covered = 0;
  for (const w of key.words) covered += w.weight * overlap(w, query);
  if (covered === 0 && slotWeight === 0) return 0;
  return (key.factor * (covered + slotWeight)) / (key.weight + slotWeight);
}

/**
 * Term-weighted matching with an inverted index: only entries sharing a term with the question are
 * scored, so the cost follows the question, not the size of the knowledge base.
 */
export class ReferenceIndex {
  private readonly indexed: Indexed[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly idf = new Map<string, number>();
  /** How many entries each term names (context aside): what makes a term common. */
  private readonly df = new Map<string, number>();
  /** Each entry's place among the entries sorted by id (localeCompare), for breaking ties. */
  private readonly idRank: number[];
  /** Keys already scored for the candidate whose stamp they carry. */
  private marks: Int32Array = new Int32Array(0);
  private stamp = 0;
  /** Terms by each way of writing them with one character (two in long terms) left out. */
  private readonly bySubstitution = new Map<string, string[]>();
  private readonly byId = new Map<string, Indexed>();
  readonly vocabulary: ReadonlySet<string>;

  /**
   * `partsOf` cuts a key word into the shorter words inside it; `weak` tells question words
   * ("怎么") that never name an entry on their own.
   */
  /** Colloquial words of three characters or more → the term they stand for, for typo fixes. */
  private readonly aliases = new Map<string, string>();

  constructor(
    entries: Entry[],
    private readonly weak: (term: string) => boolean = () => false,
    partsOf: (word: string) => string[] = () => [],
    aliases: ReadonlyMap<string, string> = new Map(),
  ) {
    const df = this.df;
    const termSets = entries.map((entry) => {
      const set = new Map<string, number>();
      for (const t of entry.context) set.set(t, CONTEXT_FACTOR);
      for (const t of entry.slots ?? []) set.set(t, 1);
      for (const key of entry.keys) for (const t of key) set.set(t, 1);
      // Keys hold whole words; the question is cut finer, so index the parts of key words too.
      for (const t of entry.parts ?? []) if (!set.has(t)) set.set(t, 1);
      // Rarity is judged on what names entries; a section heading shared by thirty rows would
      // otherwise make its words look common.
      for (const [t, factor] of set) if (factor === 1) df.set(t, (df.get(t) ?? 0) + 1);
      return set;
    });
    const n = Math.max(entries.length, 1);
    // A single character names little on its own ("写", "告"): it counts for less.
    for (const set of termSets) for (const t of set.keys()) if (!df.has(t)) df.set(t, n);
    for (const [t, count] of df) this.idf.set(t, Math.log(1 + n / count) * (t.length === 1 || weak(t) ? 0.4 : 1));
    entries.forEach((entry, i) => {
      const termSet = termSets[i]!;
      const keys = entry.keys.map((terms, k): Key => {
        const words = terms.map((word) => ({
          word,
          weight: this.weight(word),
          parts: partsOf(word)
            .filter((p) => p.length >= 2 && p !== word && word.includes(p))
            .map((p): [string, number] => [p, p.length / word.length]),
        }));
        return { words, weight: words.reduce((sum, w) => sum + w.weight, 0), factor: entry.keyFactors?.[k] ?? 1 };
      });
      const keyIndex = new Map<string, number[]>();
      keys.forEach((key, k) => {
        for (const w of key.words) {
          for (const t of [w.word, ...w.parts.map(([p]) => p)]) {
            const list = keyIndex.get(t);
            if (!list) keyIndex.set(t, [k]);
            else if (list.at(-1) !== k) list.push(k);
          }
        }
      });
      const indexed = { entry, keys, keyIndex, termSet, slots: new Set(entry.slots ?? []) };
      this.indexed.push(indexed);
      this.byId.set(entry.id, indexed);
      for (const t of termSet.keys()) {
        const list = this.postings.get(t);
        if (list) list.push(i);
        else this.postings.set(t, [i]);
      }
    });
    this.vocabulary = new Set(df.keys());
    const byId = this.indexed.map((x, i) => [x.entry.id, i] as const).sort((a, b) => a[0].localeCompare(b[0]));
    this.idRank = new Array<number>(this.indexed.length);
    byId.forEach(([, i], rank) => (this.idRank[i] = rank));
    this.marks = new Int32Array(Math.max(1, ...this.indexed.map((x) => x.keys.length)));
    // "政府采够" is a mistyped "政府采购", which stands for 政府集中采购.
    // Only phrases of four characters or more: a shorter window of a sentence too easily looks like one.
    for (const [alias, term] of aliases) if (alias.length >= 4 && this.idf.has(term) && !this.idf.has(alias)) this.aliases.set(alias, term);
    for (const term of [...this.vocabulary, ...this.aliases.keys()]) {
      if (term.length < 3 || term.length > 8) continue;
      for (const key of substitutionKeys(term)) {
        const list = this.bySubstitution.get(key);
        if (list) list.push(term);
        else this.bySubstitution.set(key, [term]);
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

  /** True when the entry holds the term: in its label, questions, context or columns. */
  holds(id: string, term: string): boolean {
    return this.byId.get(id)?.termSet.has(term) ?? false;
  }

  /**
   * The closest knowledge-base term to a mistyped phrase ("行政出罚" → "行政处罚"), or null. Only terms
   * sharing characters with the phrase are handed to fuse.js, which scores the edit.
   */
  correct(phrase: string): string | null {
    // Residents mistype a character ("出罚", "墙制"); they rarely add or drop one in a term. So a
    // candidate has the phrase's length and differs in one place (two in a long word): found by
    // the phrase with that place left out, not by looking through every term.
    const found = new Set<string>();
    for (const key of substitutionKeys(phrase)) for (const term of this.bySubstitution.get(key) ?? []) if (term !== phrase) found.add(term);
    // It still starts or ends as written: a window shifted across two words would not ("长期限内"
    // is not "延长期限").
    const candidates = [...found].filter((t) => t[0] === phrase[0] || t.at(-1) === phrase.at(-1));
    if (candidates.length === 0) return null;
    const best = candidates.length === 1 ? candidates[0]! : new Fuse(candidates, { threshold: 0.5, ignoreLocation: true }).search(phrase, { limit: 1 })[0]?.item;
    return best === undefined ? null : (this.aliases.get(best) ?? best);
  }

  /**
   * Entries ranked by how well they cover the question's terms and are covered by them. Words
   * held by a third of the entries do not open candidates, unless what the rarer words find
   * scores below `enough` (a long question's rare words may all be noise: "老师…大学生…调研").
   */
  search(terms: string[], limit = 5, enough = 0): Hit[] {
    const hits = this.score(terms, true);
    if ((hits[0]?.score ?? 0) >= enough) return hits.slice(0, limit);
    return this.score(terms, false).slice(0, limit);
  }

  private score(terms: string[], rareOnly: boolean): Hit[] {
    const queryWeight = terms.reduce((s, t) => s + this.weight(t), 0);
    if (queryWeight === 0) return [];
    const query = new Set(terms);
    const weights = terms.map((t) => this.weight(t));
    // Words held by a third of the entries ("申请", "信息") find nothing the rarer words of the
    // question don't; they still count in the score of what is found.
    const common = rareOnly ? this.indexed.length / 3 : Infinity;
    const candidates = new Set<number>();
    for (const t of terms) {
      const list = this.postings.get(t);
      // A term that names few entries is rare, however many section headings mention it: "新收"
      // names one row, though the heading of thirty rows holds it.
      if (list && (list.length <= common || (this.df.get(t) ?? Infinity) <= common / 4)) for (const i of list) candidates.add(i);
    }
    if (candidates.size === 0) for (const t of terms) for (const i of this.postings.get(t) ?? []) candidates.add(i);
    const strong = terms.map((t) => t.length > 1 && !this.weak(t));
    const hits: Hit[] = [];
    const ranks = new Map<Entry, number>();
    for (const i of candidates) {
      const { entry, keys, keyIndex, termSet, slots } = this.indexed[i]!;
      ranks.set(entry, this.idRank[i]!);
      let matched = 0;
      let named = false;
      const held: string[] = [];
      // A column named in the question ("企业") names the row's table as much as its label does.
      let slotWeight = 0;
      for (let k = 0; k < terms.length; k++) {
        const t = terms[k]!;
        const factor = termSet.get(t);
        if (!factor) continue;
        held.push(t);
        matched += factor * weights[k]!;
        if (strong[k]) named = true;
        if (slots.has(t)) slotWeight += weights[k]!;
      }
      let keyCoverage = 0;
      // A column alone still names a row ("企业呢"): then every label key is scored; otherwise
      // only the keys the question touches, each once (marked with this candidate's stamp).
      const all = keys.length === 1 || slotWeight > 0;
      const stamp = ++this.stamp;
      if (all) for (let k = 0; k < keys.length; k++) keyCoverage = Math.max(keyCoverage, coverage(keys[k]!, query, slotWeight));
      else
        for (const t of terms) {
          for (const k of keyIndex.get(t) ?? []) {
            if (this.marks[k] === stamp) continue;
            this.marks[k] = stamp;
            keyCoverage = Math.max(keyCoverage, coverage(keys[k]!, query, slotWeight));
          }
        }
      // A passage is named by long sentences: how much of the question it holds matters more.
      const keyShare = entry.kind === 'passage' ? 0.15 : 0.4;
      let score = (1 - keyShare) * (matched / queryWeight) + keyShare * keyCoverage;
      // Single characters alone ("写", "告") are too weak to answer on.
      if (!named) score *= 0.7;
      hits.push({ entry, score, matched: held });
    }
    hits.sort((a, b) => b.score - a.score || ranks.get(a.entry)! - ranks.get(b.entry)!);
    return hits;
  }
}
