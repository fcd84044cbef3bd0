import Fuse from 'fuse.js';
import type { Entry } from './entries.ts';

export interface Hit {
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

/**
 * Lists of numbers by a small integer, in one array ("compressed rows"): list `i` is
 * `values[start[i]]` to `values[start[i + 1] - 1]`.
 */
interface Rows {
  start: Int32Array;
  values: Int32Array;
}

function rows(lists: readonly (readonly number[] | undefined)[]): Rows {
  const start = new Int32Array(lists.length + 1);
  let total = 0;
  lists.forEach((list, i) => {
    start[i] = total;
    total += list?.length ?? 0;
  });
  start[lists.length] = total;
  const values = new Int32Array(total);
  lists.forEach((list, i) => values.set(list ?? [], start[i]!));
  return { start, values };
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

/** Terms whose holding is kept as a bit per entry while scoring. */
const HELD_BITS = 31;

/** Stamps restart before they overflow an Int32Array. */
const MAX_STAMP = 0x3fffffff;

/**
 * Term-weighted matching with an inverted index: only entries sharing a term with the question are
 * scored, so the cost follows the question, not the size of the knowledge base.
 *
 * Every term, key word and part of a key word is a small integer; postings, keys and their words
 * are flat typed arrays, and the question's terms are marked in an array by id, so scoring does no
 * hashing per candidate. A question is scored term by term over the postings (each entry's sum
 * taken in the question's order, as one entry at a time would), and only the best `limit` entries
 * are kept and turned into hits.
 */
export class SearchIndex {
  private readonly entries: Entry[];
  /** term → its id; every term, key word and part of a key word has one. */
  private readonly ids = new Map<string, number>();
  private readonly idf = new Map<string, number>();
  /** By id: the term's weight (UNKNOWN_WEIGHT for a part that names no entry). */
  private readonly idWeight: Float64Array;
  /** By id: how many entries the term names (context aside), Infinity for none. */
  private readonly idDf: Float64Array;
  /** By id: the entries holding the term, with its factor there and whether it is a column. */
  private readonly postings: Rows;
  private readonly postFactor: Float64Array;
  private readonly postSlot: Uint8Array;
  /** By entry: its keys (global key numbers keyStart[e] … keyStart[e + 1] - 1). */
  private readonly keyStart: Int32Array;
  private readonly keyEntry: Int32Array;
  private readonly keyWeight: Float64Array;
  private readonly keyFactor: Float64Array;
  /** By key: its words (global word numbers). */
  private readonly keyWords: Int32Array;
  private readonly wordId: Int32Array;
  private readonly wordWeight: Float64Array;
  /** By word: its parts' ids and shares. */
  private readonly wordParts: Int32Array;
  private readonly partId: Int32Array;
  private readonly partShare: Float64Array;
  /** By id: the keys holding the term as a word or part of one, so only keys a question touches are scored. */
  private readonly keysByTerm: Rows;
  /** Each entry's terms and their factor, for `holds` and for the matched terms of a hit. */
  private readonly termSets: Map<string, number>[];
  private readonly byId = new Map<string, number>();
  /** Each entry's place among the entries sorted by id (localeCompare), for breaking ties. */
  private readonly idRank: Int32Array;
  /** By entry: how much its best key counts against the terms it holds (a passage less). */
  private readonly keyShare: Float64Array;
  // Scratch space of one scoring, reset by stamp rather than cleared.
  private stamp = 0;
  private readonly queryMark: Int32Array;
  private readonly touched: Int32Array;
  private readonly candidate: Int32Array;
  private readonly keyMark: Int32Array;
  private readonly matched: Float64Array;
  private readonly slotWeight: Float64Array;
  private readonly named: Uint8Array;
  private readonly cover: Float64Array;
  /** By entry: which of the question's first HELD_BITS terms it holds, one bit each. */
  private readonly held: Int32Array;
  private termIds = new Int32Array(16);
  /** The entries scored for the question being scored. */
  private readonly candidates: number[] = [];
  private termWeights = new Float64Array(16);
  private best = new Int32Array(16);
  private scores = new Float64Array(16);
  /** Terms by each way of writing them with one character (two in long terms) left out. */
  private readonly bySubstitution = new Map<string, string[]>();
  readonly vocabulary: ReadonlySet<string>;
  /** Colloquial words of three characters or more → the term they stand for, for typo fixes. */
  private readonly aliases = new Map<string, string>();

  /**
   * `partsOf` cuts a key word into the shorter words inside it; `weak` tells question words
   * ("怎么") that never name an entry on their own.
   */
  constructor(
    entries: Entry[],
    private readonly weak: (term: string) => boolean = () => false,
    partsOf: (word: string) => string[] = () => [],
    aliases: ReadonlyMap<string, string> = new Map(),
  ) {
    this.entries = entries;
    const df = new Map<string, number>();
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
    this.termSets = termSets;
    const n = Math.max(entries.length, 1);
    // A single character names little on its own ("写", "告"): it counts for less.
    for (const set of termSets) for (const t of set.keys()) if (!df.has(t)) df.set(t, n);
    for (const [t, count] of df) this.idf.set(t, Math.log(1 + n / count) * (t.length === 1 || weak(t) ? 0.4 : 1));
    const idOf = (t: string): number => {
      let id = this.ids.get(t);
      if (id === undefined) this.ids.set(t, (id = this.ids.size));
      return id;
    };
    for (const t of df.keys()) idOf(t);

    // Keys, their words and the words' parts, numbered globally in entry order.
    const keyStart: number[] = [];
    const keyEntry: number[] = [];
    const keyWeight: number[] = [];
    const keyFactor: number[] = [];
    const keyWords: number[][] = [];
    const words: KeyWord[] = [];
    const keysByTerm: number[][] = [];
    entries.forEach((entry, e) => {
      keyStart.push(keyEntry.length);
      entry.keys.forEach((terms, k) => {
        const g = keyEntry.length;
        const own = terms.map(
          (word): KeyWord => ({
            word,
            weight: this.weight(word),
            parts: partsOf(word)
              .filter((p) => p.length >= 2 && p !== word && word.includes(p))
              .map((p): [string, number] => [p, p.length / word.length]),
          }),
        );
        keyEntry.push(e);
        keyWeight.push(own.reduce((sum, w) => sum + w.weight, 0));
        keyFactor.push(entry.keyFactors?.[k] ?? 1);
        keyWords.push(own.map((_, i) => words.length + i));
        words.push(...own);
        for (const w of own) {
          for (const t of [w.word, ...w.parts.map(([p]) => p)]) {
            const list = (keysByTerm[idOf(t)] ??= []);
            if (list.at(-1) !== g) list.push(g);
          }
        }
      });
    });
    keyStart.push(keyEntry.length);
    this.keyStart = Int32Array.from(keyStart);
    this.keyEntry = Int32Array.from(keyEntry);
    this.keyWeight = Float64Array.from(keyWeight);
    this.keyFactor = Float64Array.from(keyFactor);
    const byKey = rows(keyWords);
    this.keyWords = byKey.start;
    this.wordId = Int32Array.from(words, (w) => this.ids.get(w.word)!);
    this.wordWeight = Float64Array.from(words, (w) => w.weight);
    const byWord = rows(words.map((w) => w.parts.map(([p]) => this.ids.get(p)!)));
    this.wordParts = byWord.start;
    this.partId = byWord.values;
    this.partShare = Float64Array.from(words.flatMap((w) => w.parts.map(([, share]) => share)));
    const count = this.ids.size;
    this.keysByTerm = rows(Array.from({ length: count }, (_, id) => keysByTerm[id]));

    const postings: number[][] = [];
    const factors: number[][] = [];
    const slotFlags: number[][] = [];
    termSets.forEach((set, e) => {
      const slots = new Set(entries[e]!.slots ?? []);
      for (const [t, factor] of set) {
        const id = this.ids.get(t)!;
        (postings[id] ??= []).push(e);
        (factors[id] ??= []).push(factor);
        (slotFlags[id] ??= []).push(slots.has(t) ? 1 : 0);
      }
    });
    this.postings = rows(Array.from({ length: count }, (_, id) => postings[id]));
    this.postFactor = Float64Array.from(Array.from({ length: count }, (_, id) => factors[id] ?? []).flat());
    this.postSlot = Uint8Array.from(Array.from({ length: count }, (_, id) => slotFlags[id] ?? []).flat());
    this.idWeight = new Float64Array(count);
    this.idDf = new Float64Array(count);
    for (const [t, id] of this.ids) {
      this.idWeight[id] = this.weight(t);
      this.idDf[id] = df.get(t) ?? Infinity;
    }
    entries.forEach((entry, e) => this.byId.set(entry.id, e));
    this.vocabulary = new Set(df.keys());
    const byId = entries.map((x, i) => [x.id, i] as const).sort((a, b) => a[0].localeCompare(b[0]));
    this.idRank = new Int32Array(entries.length);
    byId.forEach(([, i], rank) => (this.idRank[i] = rank));

    // A passage is named by long sentences: how much of the question it holds matters more.
    this.keyShare = Float64Array.from(entries, (e) => (e.kind === 'passage' ? 0.15 : 0.4));
    this.queryMark = new Int32Array(count);
    this.touched = new Int32Array(entries.length);
    this.candidate = new Int32Array(entries.length);
    this.keyMark = new Int32Array(keyEntry.length);
    this.matched = new Float64Array(entries.length);
    this.slotWeight = new Float64Array(entries.length);
    this.named = new Uint8Array(entries.length);
    this.cover = new Float64Array(entries.length);
    this.held = new Int32Array(entries.length);

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
    return this.entries.length;
  }

  weight(term: string): number {
    return this.idf.get(term) ?? UNKNOWN_WEIGHT;
  }

  has(term: string): boolean {
    return this.idf.has(term);
  }

  /** True when the entry holds the term: in its label, questions, context or columns. */
  holds(id: string, term: string): boolean {
    const e = this.byId.get(id);
    return e !== undefined && this.termSets[e]!.has(term);
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
  search(terms: readonly string[], limit = 5, enough = 0): Hit[] {
    const keep = Math.max(limit, 1);
    const hits = this.score(terms, true, keep);
    if ((hits[0]?.score ?? 0) >= enough) return hits.slice(0, limit);
    return this.score(terms, false, keep).slice(0, limit);
  }

  /** The best `limit` entries for the terms, best first (ties by entry id). */
  private score(terms: readonly string[], rareOnly: boolean, limit: number): Hit[] {
    let queryWeight = 0;
    if (this.termIds.length < terms.length) {
      this.termIds = new Int32Array(terms.length * 2);
      this.termWeights = new Float64Array(terms.length * 2);
    }
    const ids = this.termIds;
    const weights = this.termWeights;
    const count = terms.length;
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k]!;
      const id = this.ids.get(t);
      ids[k] = id ?? -1;
      // The same weight as weight(t): a part naming no entry weighs UNKNOWN_WEIGHT like an unknown word.
      weights[k] = id === undefined ? UNKNOWN_WEIGHT : this.idWeight[id]!;
      queryWeight += weights[k]!;
    }
    if (queryWeight === 0) return [];
    const stamp = this.nextStamp();
    for (let k = 0; k < count; k++) if (ids[k]! >= 0) this.queryMark[ids[k]!] = stamp;
    const { start, values } = this.postings;
    // Words held by a third of the entries ("申请", "信息") find nothing the rarer words of the
    // question don't; they still count in the score of what is found.
    const common = rareOnly ? this.entries.length / 3 : Infinity;
    const candidates = this.candidates;
    candidates.length = 0;
    for (let k = 0; k < count; k++) {
      const id = ids[k]!;
      if (id < 0) continue;
      const length = start[id + 1]! - start[id]!;
      // A term that names few entries is rare, however many section headings mention it: "新收"
      // names one row, though the heading of thirty rows holds it.
      if (length > 0 && (length <= common || this.idDf[id]! <= common / 4)) this.open(id, stamp);
    }
    if (candidates.length === 0) for (let k = 0; k < count; k++) if (ids[k]! >= 0) this.open(ids[k]!, stamp);
    if (candidates.length === 0) return [];

    // What each entry holds of the question, term by term in the question's order.
    const { matched, slotWeight, named, cover, touched, postFactor, postSlot, held } = this;
    for (let k = 0; k < count; k++) {
      const id = ids[k]!;
      if (id < 0) continue;
      const w = weights[k]!;
      const t = terms[k]!;
      const strong = t.length > 1 && !this.weak(t);
      const bit = k < HELD_BITS ? 1 << k : 0;
      for (let p = start[id]!; p < start[id + 1]!; p++) {
        const e = values[p]!;
        if (touched[e] !== stamp) {
          touched[e] = stamp;
          matched[e] = 0;
          slotWeight[e] = 0;
          named[e] = 0;
          cover[e] = 0;
          held[e] = 0;
        }
        matched[e] = matched[e]! + postFactor[p]! * w;
        held[e] = held[e]! | bit;
        if (strong) named[e] = 1;
        // A column named in the question ("企业") names the row's table as much as its label does.
        if (postSlot[p]) slotWeight[e] = slotWeight[e]! + w;
      }
    }
    // A column alone still names a row ("企业呢"): then every label key is scored; otherwise only
    // the keys the question touches, each once.
    const keyStart = this.keyStart;
    for (const e of candidates) {
      if (keyStart[e + 1]! - keyStart[e]! !== 1 && !(slotWeight[e]! > 0)) continue;
      for (let g = keyStart[e]!; g < keyStart[e + 1]!; g++) cover[e] = Math.max(cover[e]!, this.coverage(g, stamp, slotWeight[e]!));
    }
    const { start: keyRow, values: keyList } = this.keysByTerm;
    const { keyEntry, keyMark, candidate } = this;
    for (let k = 0; k < count; k++) {
      const id = ids[k]!;
      if (id < 0) continue;
      for (let p = keyRow[id]!; p < keyRow[id + 1]!; p++) {
        const g = keyList[p]!;
        const e = keyEntry[g]!;
        if (candidate[e] !== stamp || keyMark[g] === stamp || keyStart[e + 1]! - keyStart[e]! === 1 || slotWeight[e]! > 0) continue;
        keyMark[g] = stamp;
        cover[e] = Math.max(cover[e]!, this.coverage(g, stamp, 0));
      }
    }

    // The best `limit`, kept sorted as they come: the order of a full sort, without sorting all.
    if (this.best.length < limit) {
      this.best = new Int32Array(limit);
      this.scores = new Float64Array(limit);
    }
    const { best, scores, idRank } = this;
    let kept = 0;
    for (const e of candidates) {
      const keyShare = this.keyShare[e]!;
      let score = (1 - keyShare) * (matched[e]! / queryWeight) + keyShare * cover[e]!;
      // Single characters alone ("写", "告") are too weak to answer on.
      if (!named[e]) score *= 0.7;
      const rank = idRank[e]!;
      if (kept === limit) {
        const last = scores[limit - 1]!;
        if (score < last || (score === last && rank > idRank[best[limit - 1]!]!)) continue;
      } else kept++;
      let at = kept - 1;
      while (at > 0 && (score > scores[at - 1]! || (score === scores[at - 1]! && rank < idRank[best[at - 1]!]!))) {
        best[at] = best[at - 1]!;
        scores[at] = scores[at - 1]!;
        at--;
      }
      best[at] = e;
      scores[at] = score;
    }
    const hits: Hit[] = [];
    for (let i = 0; i < kept; i++) {
      const e = best[i]!;
      // The terms it holds, from the bits set while scoring (past the first 31, from its terms).
      const set = this.termSets[e]!;
      const mask = held[e]!;
      const holds: string[] = [];
      for (let k = 0; k < count; k++) if (k < HELD_BITS ? (mask & (1 << k)) !== 0 : set.has(terms[k]!)) holds.push(terms[k]!);
      hits.push({ entry: this.entries[e]!, score: scores[i]!, matched: holds });
    }
    return hits;
  }

  /** Makes the entries holding the term candidates of the scoring stamped `stamp`. */
  private open(id: number, stamp: number): void {
    const { start, values } = this.postings;
    for (let p = start[id]!; p < start[id + 1]!; p++) {
      const e = values[p]!;
      if (this.candidate[e] !== stamp) {
        this.candidate[e] = stamp;
        this.candidates.push(e);
      }
    }
  }

  /**
   * How much of one key the question holds, a named column counting as part of it: each key word
   * in full, or the share of its characters that a question word inside it spans ("门户网站" holds
   * 4/6 of "政府门户网站").
   */
  private coverage(g: number, stamp: number, slotWeight: number): number {
    const weight = this.keyWeight[g]!;
    if (weight === 0) return 0;
    const { queryMark: mark, wordId, wordParts, partId, partShare, wordWeight, keyWords } = this;
    let covered = 0;
    for (let w = keyWords[g]!, end = keyWords[g + 1]!; w < end; w++) {
      let overlap = 0;
      if (mark[wordId[w]!] === stamp) overlap = 1;
      else for (let p = wordParts[w]!, last = wordParts[w + 1]!; p < last; p++) if (partShare[p]! > overlap && mark[partId[p]!] === stamp) overlap = partShare[p]!;
      covered += wordWeight[w]! * overlap;
    }
    if (covered === 0 && slotWeight === 0) return 0;
    return (this.keyFactor[g]! * (covered + slotWeight)) / (weight + slotWeight);
  }

  private nextStamp(): number {
    if (this.stamp >= MAX_STAMP) {
      this.stamp = 0;
      for (const a of [this.queryMark, this.touched, this.candidate, this.keyMark]) a.fill(0);
    }
    return ++this.stamp;
  }
}
