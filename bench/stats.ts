// Small numeric helpers shared by the bench scripts.

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Durations in nanoseconds (as numbers) → summary in microseconds. */
export function summarise(ns: Float64Array | number[]): Summary {
  const sorted = Float64Array.from(ns).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const us = (v: number) => v / 1000;
  return {
    n: sorted.length,
    p50: us(percentile(sorted, 50)),
    p99: us(percentile(sorted, 99)),
    mean: us(sum / sorted.length),
    max: us(sorted[sorted.length - 1] ?? NaN),
  };
}

export const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Deterministic PRNG (mulberry32), so generated reports are identical on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
