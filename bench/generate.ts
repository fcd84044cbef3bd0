// Knowledge bases of N reports for the scaling runs, generated from the real 2019 report at bench
// time into a temporary directory, so that knowledge/ only ever holds published documents.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prng } from './stats.ts';

export const REAL_REPORT = '2019-西吉县人民政府.txt';
const REAL_YEAR = 2019;
const REAL_BODY = '西吉县人民政府';

// Bodies that publish reports of the same national format; (body, year) must be unique or the
// knowledge base refuses the file as a duplicate.
const BODIES = [
  REAL_BODY,
  '西吉县教育局',
  '西吉县卫生健康局',
  '西吉县财政局',
  '西吉县自然资源局',
  '西吉县住房和城乡建设局',
  '西吉县交通运输局',
  '西吉县农业农村局',
  '西吉县民政局',
  '西吉县市场监督管理局',
];
const YEARS_PER_BODY = 10;
export const MAX_REPORTS = BODIES.length * YEARS_PER_BODY;

const CELL_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(\s*万元)?$/;
const NARRATIVE_FIGURE = /(\d+)(\s*)(条|次|人次|多人次)/g;

/** A figure somewhere between half and one and a half times the original, same shape. */
function jitter(cell: string, rnd: () => number): string {
  const m = CELL_NUMBER.exec(cell.trim());
  if (!m) return cell;
  const [, sign, whole, fraction, unit] = m;
  const value = Number(`${whole}.${fraction ?? '0'}`);
  const scaled = value === 0 ? (rnd() < 0.5 ? 0 : Math.floor(rnd() * 6)) : value * (0.5 + rnd());
  const text = fraction ? scaled.toFixed(fraction.length) : String(Math.max(value === 0 ? 0 : 1, Math.round(scaled)));
  return `${sign}${text}${unit ?? ''}`;
}

/**
 * The real report as body `body` would have published it for `year`: title and year references
 * changed, every figure perturbed, layout untouched. Section 二's figures are independent and
 * jittered one by one; sections 三 and 四 are tied together by the 勾稽 sums, so their figures are
 * all multiplied by one factor, which keeps every sum true and the validator quiet.
 */
export function variant(original: string, year: number, body: string, seed: number): string {
  const rnd = prng(seed);
  const factor = 2 + Math.floor(rnd() * 8);
  let section = 0;
  const lines = original.split('\n').map((line) => {
    if (/^#+\s*[*]*[一二三四五六][、]/.test(line)) section = '一二三四五六'.indexOf(line.replace(/^#+\s*[*]*/, '')[0]!) + 1;
    let out = line.replace(/2019(\s*)年/g, `${year}$1年`);
    if (/^#\s/.test(out) && out.includes(REAL_BODY)) out = out.replace(REAL_BODY, body);
    if (out.includes('\t')) {
      out = out
        .split('\t')
        .map((cell) => {
          if (!CELL_NUMBER.test(cell.trim())) return cell;
          if (section >= 3) return cell.replace(/\d+/, (d) => String(Number(d) * factor));
          return jitter(cell, rnd);
        })
        .join('\t');
    } else {
      out = out.replace(NARRATIVE_FIGURE, (_, n: string, space: string, unit: string) => `${Math.max(1, Math.round(Number(n) * (0.5 + rnd())))}${space}${unit}`);
    }
    return out;
  });
  return lines.join('\n');
}

/**
 * Writes a knowledge directory with `count` reports: the real one first, then variants for the
 * same body in earlier years, then for other bodies.
 */
export async function generateKnowledge(sourceDir: string, targetDir: string, count: number): Promise<string[]> {
  if (count < 1 || count > MAX_REPORTS) throw new Error(`count must be 1–${MAX_REPORTS}`);
  await mkdir(join(targetDir, 'reports'), { recursive: true });
  for (const name of ['guide.md', 'words.txt', 'synonyms.txt']) await copyFile(join(sourceDir, name), join(targetDir, name));
  const original = await readFile(join(sourceDir, 'reports', REAL_REPORT), 'utf8');
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = BODIES[Math.floor(i / YEARS_PER_BODY)]!;
    const year = REAL_YEAR - (i % YEARS_PER_BODY);
    const name = `${year}-${body}.txt`;
    const text = i === 0 ? original : variant(original, year, body, 1000 + i);
    await writeFile(join(targetDir, 'reports', name), text);
    names.push(name);
  }
  return names;
}
