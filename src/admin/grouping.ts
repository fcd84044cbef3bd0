// Groups questions that ask the same thing in other words ("马铃薯补贴怎么领", "土豆补贴在哪领",
// "马铃薯补贴多少钱"), so that staff see one line per missing topic rather than one per wording.
//
// Each wording is reduced to a similarity key: question frames (怎么, 在哪, 多少钱, 吗…), years and
// the body's own name are cut out and everyday synonyms mapped to one word. Two keys are similar when the Jaccard index of their
// character shingles (single characters plus adjacent pairs) reaches the threshold; groups are the
// connected components of that relation (single-link clustering). Single characters make the
// measure tolerate an inserted word ("马铃薯种植补贴"); pairs keep word order and keep questions that
// merely share characters apart.
//
// Candidate pairs come from a prefix filter (each shingle set sorted rarest first; two sets with
// Jaccard ≥ t must share a shingle among their first |x| − ⌈t·|x|⌉ + 1), which is exact and keeps
// thousands of distinct wordings from costing a comparison of every pair.
//
// Single-link chains: a bare topic word ("马铃薯") is similar to every question about that topic and
// so joins them all in one group. For a report of what residents miss that is the wanted reading.

/**
 * Jaccard index at or above which two wordings count as the same question. Tuned on the cases of
 * test/admin/grouping.test.ts: every wording of 马铃薯补贴 has a neighbour at 0.56 or more, other
 * subsidies (低保补贴, 玉米补贴, 危房改造补贴) score at most 0.33 against them, and "补贴" alone 0.33;
 * at 0.4 "补贴" would already join "种粮补贴".
 */
export const SIMILARITY_THRESHOLD = 0.5;

// Longest first: the regex alternation takes the first alternative that matches at a position.
const FRAMES = [
  '我想咨询一下', '我想问一下', '我想了解', '我想知道', '想咨询一下', '咨询一下', '我想问', '想问一下', '想知道', '问一下',
  '请问', '你好', '您好', '麻烦', '什么时候', '啥时候', '什么地方', '怎么样', '怎么', '怎样', '如何', '咋样', '咋',
  '在哪里', '在哪儿', '去哪里', '去哪儿', '到哪里', '在哪', '去哪', '到哪', '哪里', '哪儿',
  '是多少', '多少钱', '多少', '是什么', '什么', '啥', '有没有', '能不能', '可不可以', '可以', '是不是', '是否', '何时',
  '吗', '呢', '吧', '啊', '呀', '嘛', '哦', '的', '了', '么',
].sort((a, b) => b.length - a.length);

// Years and relative years: "2019年行政处罚多少件" and "2020年行政处罚多少件" ask about one topic.
const FRAME_PATTERN = new RegExp(`(?:\\d{2,4}|今|去|前|明|上|本)年度?|${FRAMES.join('|')}`, 'g');

/**
 * Everyday Mandarin words for one thing that the knowledge base's synonym table (which is about
 * disclosure) does not cover, for what residents ask outside it: 洋芋 is the northwestern word for
 * 马铃薯. General vocabulary only; anything about one county belongs in the knowledge directory.
 */
export const GROUPING_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['土豆', '马铃薯'],
  ['洋芋', '马铃薯'],
  ['补助金', '补贴'],
  ['补助', '补贴'],
  ['低保金', '低保'],
  ['最低生活保障', '低保'],
  ['医疗保险', '医保'],
  ['养老金', '养老保险'],
  ['身份证号', '身份证'],
]);

/** At most this many characters of a wording take part in the comparison. */
const MAX_KEY_LENGTH = 64;

/** NFKC, lower case, without white space, punctuation, symbols or control characters. */
export function normaliseQuestion(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\p{Z}\p{C}\s]+/gu, '');
}

export interface KeyOptions {
  /** Further alias → canonical word pairs (the knowledge base's table); aliases of one character are ignored. */
  synonyms?: ReadonlyMap<string, string> | undefined;
  /** Words that say nothing about what is asked here, such as the body's own name. */
  ignored?: Iterable<string> | undefined;
}

/** Builds the function mapping a normalised wording to its similarity key. */
export function similarityKeyer(options: KeyOptions = {}): (normalised: string) => string {
  const table = new Map(GROUPING_SYNONYMS);
  // A one-character alias ("告" for 行政诉讼) would also fire inside other words ("报告").
  for (const [alias, canonical] of options.synonyms ?? []) {
    const a = normaliseQuestion(alias);
    if ([...a].length >= 2 && !table.has(a)) table.set(a, normaliseQuestion(canonical));
  }
  const aliases = longestFirst(table.keys());
  const pattern = aliases.length ? new RegExp(aliases.map(escape).join('|'), 'g') : null;
  const ignored = longestFirst([...(options.ignored ?? [])].map(normaliseQuestion).filter((w) => [...w].length >= 2));
  const ignoredPattern = ignored.length ? new RegExp(ignored.map(escape).join('|'), 'g') : null;
  return (normalised) => {
    const named = ignoredPattern ? normalised.replace(ignoredPattern, '') : normalised;
    const stripped = named.replace(FRAME_PATTERN, '');
    const mapped = pattern ? stripped.replace(pattern, (m) => table.get(m) ?? m) : stripped;
    // "怎么办？" is all frame: keep the wording itself rather than an empty key.
    const key = mapped === '' ? normalised : mapped;
    return [...key].slice(0, MAX_KEY_LENGTH).join('');
  };
}

function longestFirst(words: Iterable<string>): string[] {
  return [...new Set(words)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

export { bodyNames } from '../language/body-names.ts';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Single characters and adjacent pairs of `key`, without repeats. */
export function shingles(key: string): string[] {
  const chars = [...key];
  const out = new Set(chars);
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  return [...out];
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const small = a.length <= b.length ? a : b;
  const large = new Set(a.length <= b.length ? b : a);
  let shared = 0;
  for (const s of small) if (large.has(s)) shared++;
  return shared / (a.length + b.length - shared);
}

/** Similarity of two wordings as the grouping sees it (for tests and tuning). */
export function similarity(a: string, b: string, options: KeyOptions = {}): number {
  const key = similarityKeyer(options);
  return jaccard(shingles(key(normaliseQuestion(a))), shingles(key(normaliseQuestion(b))));
}

/**
 * Single-link clusters of `keys` at `threshold`: arrays of indices into `keys`, each in ascending
 * order, clusters ordered by their first index. Deterministic for a given input.
 */
export function clusterKeys(keys: readonly string[], threshold = SIMILARITY_THRESHOLD): number[][] {
  const sets = keys.map(shingles);
  const frequency = new Map<string, number>();
  for (const set of sets) for (const s of set) frequency.set(s, (frequency.get(s) ?? 0) + 1);
  const rarestFirst = (a: string, b: string) => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  for (const set of sets) set.sort(rarestFirst);

  const parent = keys.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const postings = new Map<string, number[]>();
  const seen = new Int32Array(keys.length).fill(-1);
  sets.forEach((set, i) => {
    // The epsilon keeps float error from shortening the prefix (a longer prefix is always safe).
    const prefix = set.length - Math.ceil(threshold * set.length - 1e-9) + 1;
    for (const s of set.slice(0, Math.max(1, prefix))) {
      const list = postings.get(s);
      for (const j of list ?? []) {
        if (seen[j] === i) continue;
        seen[j] = i;
        if (find(i) !== find(j) && jaccard(set, sets[j]!) >= threshold) parent[find(i)] = find(j);
      }
      if (list) list.push(i);
      else postings.set(s, [i]);
    }
  });

  const clusters = new Map<number, number[]>();
  keys.forEach((_, i) => {
    const root = find(i);
    const cluster = clusters.get(root);
    if (cluster) cluster.push(i);
    else clusters.set(root, [i]);
  });
  return [...clusters.values()].sort((a, b) => a[0]! - b[0]!);
}
