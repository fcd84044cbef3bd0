// Report parsing against input size (issue 11.2): parseReport on 1 MB and 10 MB of random bytes
// (read as UTF-8, as a binary file saved as .txt would have been before the content check) and
// of a large valid report (the county's 2019 report followed by copies of its body), and what
// readReportFile does with such files on disk. A benchmark, not a test:
//
//   node --import tsx bench/report-parse.ts [MB ...]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseReport } from '../src/knowledge/report-parser.ts';
import { readReportFile } from '../src/knowledge/report-file.ts';

const seed = readFileSync(new URL('../knowledge/reports/2019-西吉县人民政府.txt', import.meta.url), 'utf8');
const body = seed.split('\n').slice(10).join('\n');

function valid(bytes: number): string {
  const parts = [seed];
  for (let size = Buffer.byteLength(seed); size < bytes; size += Buffer.byteLength(body) + 1) parts.push(body);
  return parts.join('\n');
}

function time<T>(run: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = run();
  return { ms: Math.round(performance.now() - started), result };
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const dir = mkdtempSync(path.join(tmpdir(), 'report-parse-'));
try {
  for (const mb of sizes.length > 0 ? sizes : [1, 10]) {
    const bytes = mb * 1024 * 1024;
    const random = randomBytes(bytes);
    const r = time(() => parseReport(random.toString('utf8'), 'random'));
    console.log(`parseReport, ${mb} MB random bytes: ${r.ms} ms (${r.result.stats.length} figures)`);
    const v = time(() => parseReport(valid(bytes), 'valid'));
    console.log(`parseReport, ${mb} MB valid report: ${v.ms} ms (${v.result.stats.length} figures)`);
    const file = path.join(dir, `${mb}.txt`);
    writeFileSync(file, random);
    const started = performance.now();
    const read = await readReportFile(file, `${mb}.txt`);
    console.log(`readReportFile, ${mb} MB random .txt: ${Math.round(performance.now() - started)} ms, ${read.findings[0]?.message ?? ''}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
