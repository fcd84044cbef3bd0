import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bodyNames,
  clusterKeys,
  jaccard,
  normaliseQuestion,
  shingles,
  similarity,
  similarityKeyer,
  SIMILARITY_THRESHOLD,
} from '../../src/admin/grouping.ts';
import { POTATO_SUBSIDY_WORDINGS } from '../fixtures/admin/unanswered.ts';

/** Ten ways residents ask about the potato subsidy. */
const POTATO_SUBSIDY = [...POTATO_SUBSIDY_WORDINGS, '西吉县2024年马铃薯补贴'];

/** Questions that share words with them (补贴, 马铃薯, 怎么领) but ask something else. */
const UNRELATED = [
  '低保补贴怎么领',
  '玉米补贴怎么领',
  '养老保险补贴怎么领',
  '危房改造补贴怎么申请',
  '种粮补贴多少钱',
  '补贴',
  '马铃薯种薯价格',
  '马铃薯淀粉厂招工吗',
  '营业执照在哪办',
  '2019年行政处罚多少件',
];

const options = { ignored: bodyNames(['西吉县人民政府']) };

/** Brute force: union every pair at or above the threshold. */
function naiveClusters(keys: string[], threshold: number): number[][] {
  const parent = keys.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const sets = keys.map(shingles);
  for (let i = 0; i < keys.length; i++) {
    for (let j = 0; j < i; j++) if (jaccard(sets[i]!, sets[j]!) >= threshold) parent[find(i)] = find(j);
  }
  const groups = new Map<number, number[]>();
  keys.forEach((_, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), i]));
  return [...groups.values()].sort((a, b) => a[0]! - b[0]!);
}

describe('similarity keys', () => {
  it('normalises width, case, white space and punctuation', () => {
    expect(normaliseQuestion(' 马铃薯 补贴，怎么领？？ ')).toBe('马铃薯补贴怎么领');
    expect(normaliseQuestion('ＡＢＣ　１２３!')).toBe('abc123');
  });

  it('cuts question frames, years and the body name, and maps everyday synonyms', () => {
    const key = similarityKeyer(options);
    const k = (q: string) => key(normaliseQuestion(q));
    expect(k('土豆补贴在哪领')).toBe('马铃薯补贴领');
    expect(k('洋芋补助怎么申请')).toBe('马铃薯补贴申请');
    expect(k('西吉县2024年马铃薯补贴')).toBe('马铃薯补贴');
    expect(k('请问去年的马铃薯补贴是多少？')).toBe('马铃薯补贴');
    expect(k('在哪里呢？')).toBe('在哪里呢'); // all frame: the wording itself
  });

  it('applies the knowledge base synonyms of two characters or more', () => {
    const key = similarityKeyer({ synonyms: new Map([['罚款', '行政处罚'], ['告', '行政诉讼']]) });
    expect(key('罚款')).toBe('行政处罚');
    expect(key('年度报告')).toBe('年度报告'); // "告" alone would have fired inside 报告
  });
});

describe('grouping by similarity', () => {
  it('scores every wording of one topic at the threshold or above against another of them', () => {
    for (const q of POTATO_SUBSIDY) {
      const best = Math.max(...POTATO_SUBSIDY.filter((p) => p !== q).map((p) => similarity(q, p, options)));
      expect(best, q).toBeGreaterThanOrEqual(SIMILARITY_THRESHOLD);
    }
  });

  it('scores unrelated questions below the threshold against every wording of the topic', () => {
    for (const q of UNRELATED) {
      const best = Math.max(...POTATO_SUBSIDY.map((p) => similarity(q, p, options)));
      expect(best, q).toBeLessThan(SIMILARITY_THRESHOLD);
    }
  });

  it('puts the ten wordings in one cluster and leaves the others apart', () => {
    const key = similarityKeyer(options);
    const all = [...POTATO_SUBSIDY, ...UNRELATED];
    const clusters = clusterKeys(all.map((q) => key(normaliseQuestion(q))));
    expect(clusters[0]).toEqual(POTATO_SUBSIDY.map((_, i) => i));
    expect(clusters.slice(1).every((c) => c.length === 1)).toBe(true);
    expect(clusters).toHaveLength(1 + UNRELATED.length);
  });

  it('joins the same topic asked for different years', () => {
    const key = similarityKeyer();
    const clusters = clusterKeys(['2019年行政处罚多少件', '2020年行政处罚多少件', '去年行政处罚有多少'].map((q) => key(normaliseQuestion(q))));
    expect(clusters).toEqual([[0, 1, 2]]);
  });

  it('finds the same clusters as comparing every pair (the prefix filter loses nothing)', () => {
    const word = fc.constantFrom('马铃薯', '土豆', '补贴', '低保', '怎么', '领', '申请', '多少钱', '玉米', '种', '价格', '网站', 'a', 'b');
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join('')), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(0.3, 0.4, 0.5, 0.6, 0.75, 1),
        (keys, threshold) => {
          expect(clusterKeys(keys, threshold)).toEqual(naiveClusters(keys, threshold));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('clusters thousands of distinct wordings quickly', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `问题${i}号${String.fromCodePoint(0x4e00 + (i % 500))}补贴`);
    const started = performance.now();
    clusterKeys(keys);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('derives the names residents use for the body', () => {
    expect(bodyNames(['西吉县人民政府'])).toEqual(['西吉县人民政府', '西吉县', '西吉']);
  });
});
