// Scores the parser against figures read by hand: a directory of NAME.txt (or .html, .pdf, …)
// with NAME.expect.json = {"year", "stats": [[item, column, value], …]}. The rules are those of
// test/fixtures/reports/real-shared/README.md: labels are compared after NFKC, 繁→简 and removing
// white space; the parser's item may carry its numbering ("（一）予以公开" for 予以公开); the
// column must match as a whole label. A figure is
//   found   - recorded at its (item, column) with the expected value, and no other value there;
//   wrong   - another value recorded at its (item, column); or, not found there, a shifted row:
//             its value, when not 0, recorded under another column of the same row whose own
//             expected value is not listed or differs (a 0 found elsewhere in a row of zeros, or a
//             value that column really holds, is no evidence of a shift);
//   missing - otherwise (not read, or a finding).
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as OpenCC from 'opencc-js';
import { readReportFile } from './report-file.ts';
import { REPORT_EXTENSIONS } from './readers/source-file.ts';
import type { ParsedReport } from './types.ts';

const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

export const normLabel = (s: string): string => toSimplified(s.normalize('NFKC')).replace(/\s+/g, '');
const NUMBERING = /^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|\d{1,2}[.、](?!\d))/;
const itemLabel = (s: string): string => normLabel(s).replace(NUMBERING, '');

export interface Expected {
  year?: number;
  stats: Array<[string, string, number]>;
}

export interface FigureScore {
  item: string;
  column: string;
  value: number;
  verdict: 'found' | 'wrong' | 'missing';
  /** What the parser recorded in that row: "column=value", for wrong and missing ones. */
  got?: string;
}

export interface ReportScore {
  name: string;
  found: number;
  wrong: number;
  missing: number;
  year: { expected: number | null; got: number | null };
  figures: FigureScore[];
}

export function scoreReport(name: string, parsed: ParsedReport | null, expected: Expected): ReportScore {
  const table = (parsed?.stats ?? []).filter((s) => s.kind === 'table');
  // What the hand-read list says each (item, column) holds, to tell a shift from a coincidence.
  const listed = new Map<string, number[]>();
  for (const [item, column, value] of expected.stats) {
    const key = `${normLabel(item)}\u0000${normLabel(column)}`;
    listed.set(key, [...(listed.get(key) ?? []), value]);
  }
  const figures: FigureScore[] = expected.stats.map(([item, column, value]) => {
    const row = table.filter((s) => itemLabel(s.item) === normLabel(item));
    const at = row.filter((s) => normLabel(s.column) === normLabel(column));
    const elsewhere = row.filter((s) => {
      if (value === 0 || s.value !== value || normLabel(s.column) === normLabel(column)) return false;
      const own = listed.get(`${normLabel(item)}\u0000${normLabel(s.column)}`);
      return own === undefined || !own.includes(s.value);
    });
    const got = row.map((s) => `${s.column}=${s.value}`).join(', ');
    const verdict = at.some((s) => s.value !== value) ? 'wrong'
      : at.length > 0 ? 'found'
      : elsewhere.length > 0 ? 'wrong' : 'missing';
    return verdict === 'found' ? { item, column, value, verdict } : { item, column, value, verdict, got };
  });
  const count = (v: FigureScore['verdict']) => figures.filter((f) => f.verdict === v).length;
  return {
    name, found: count('found'), wrong: count('wrong'), missing: count('missing'),
    year: { expected: expected.year ?? null, got: parsed?.year ?? null }, figures,
  };
}

/** Scores every NAME.expect.json of a directory against the report file NAME.* next to it. */
export async function scoreDirectory(dir: string): Promise<ReportScore[]> {
  const names = (await readdir(dir)).sort();
  const scores: ReportScore[] = [];
  for (const file of names.filter((n) => n.endsWith('.expect.json'))) {
    const name = file.slice(0, -'.expect.json'.length);
    const expected = JSON.parse(await readFile(join(dir, file), 'utf8')) as Expected;
    const report = names.find((n) => n.startsWith(`${name}.`) && REPORT_EXTENSIONS.test(n) && n.slice(name.length + 1).split('.').length === 1);
    const parsed = report ? (await readReportFile(join(dir, report), report)).parsed : null;
    scores.push(scoreReport(name, parsed, expected));
  }
  return scores;
}
