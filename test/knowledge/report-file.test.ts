// Issue 11 points 2 and 8: one bad file in the knowledge directory must neither stop nor stall
// serving. Real files on disk: FIFOs, directories with report names, renamed binaries, files
// over the size limit, text in GB18030, large files parsed in a worker thread.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBot } from '../../src/answer/bot.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { MAX_BYTES } from '../../src/knowledge/readers/source-file.ts';
import { readReportFile } from '../../src/knowledge/report-file.ts';

const root = path.resolve(import.meta.dirname, '../..');
const SEED = readFileSync(path.join(root, 'knowledge/reports/2019-西吉县人民政府.txt'), 'utf8');

let kdir: string;
beforeEach(async () => {
  kdir = mkdtempSync(path.join(tmpdir(), 'report-file-'));
  await cp(path.join(root, 'knowledge'), kdir, { recursive: true });
});
afterEach(() => rmSync(kdir, { recursive: true, force: true }));

/** Fails instead of hanging: what a FIFO did to the reload before. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms))]);
}

const reports = (...names: string[]) => path.join(kdir, 'reports', ...names);

describe('files that are not regular files', () => {
  it('a FIFO named .txt is skipped with a warning, and loading finishes', async () => {
    execFileSync('mkfifo', [reports('2020-管道.txt')]);
    const kb = await within(5000, loadKnowledge(kdir));
    const f = kb.findings.find((x) => x.document === 'reports/2020-管道.txt');
    expect(f?.level).toBe('warning');
    expect(f?.message).toContain('不是普通文件');
    expect(kb.reports.map((r) => r.year)).toEqual([2019]);
  });

  it('a directory named 2024.txt is a finding naming its path, not a start-up failure', async () => {
    await mkdir(reports('2024.txt'));
    const kb = await loadKnowledge(kdir);
    const f = kb.findings.find((x) => x.document === 'reports/2024.txt');
    expect(f?.message).toContain('文件夹');
    expect(f?.location).toBe(reports('2024.txt'));
    expect(kb.reports).toHaveLength(1);
  });

  it('a KNOWLEDGE_DIR that does not exist is an error the bot logs at start-up', async () => {
    const nowhere = path.join(kdir, 'no-such-dir');
    const kb = await loadKnowledge(nowhere);
    const f = kb.findings.find((x) => x.level === 'error');
    expect(f?.message).toContain(`知识目录 ${nowhere} 不存在`);
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const ddir = mkdtempSync(path.join(tmpdir(), 'report-file-data-'));
    const bot = await createBot({ knowledgeDir: nowhere, dataDir: ddir, logger });
    await bot.close();
    rmSync(ddir, { recursive: true, force: true });
    expect(lines.some((l) => l.level >= 50 && l.msg.includes(nowhere) && l.msg.includes('KNOWLEDGE_DIR'))).toBe(true);
  });
});

describe('the content check before parsing', () => {
  it('refuses a PDF, a picture and random bytes saved as .txt, each with one error naming what it is', async () => {
    await writeFile(reports('2020-a.txt'), Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]));
    await writeFile(reports('2020-b.txt'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(2000)]));
    await writeFile(reports('2020-c.txt'), randomBytes(300_000));
    const kb = await loadKnowledge(kdir);
    const of = (name: string) => kb.findings.filter((x) => x.document === `reports/${name}`);
    expect(of('2020-a.txt').map((f) => [f.level, f.message])).toEqual([['error', expect.stringContaining('PDF 文件')]]);
    expect(of('2020-b.txt').map((f) => [f.level, f.message])).toEqual([['error', expect.stringContaining('PNG 图片')]]);
    expect(of('2020-c.txt').map((f) => f.level)).toEqual(['error']);
    expect(kb.reports.map((r) => r.document)).toEqual(['reports/2019-西吉县人民政府.txt']);
  });

  it('reads a report saved in GB18030 (as Notepad does) and in UTF-16 with its BOM', async () => {
    const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: SEED });
    await writeFile(reports('2019-gb.txt'), gb);
    const r = await readReportFile(reports('2019-gb.txt'), 'gb');
    expect(r.parsed?.body).toBe('西吉县人民政府');
    expect(r.parsed?.stats.find((s) => s.item === '行政处罚' && s.column === '处理决定数量')?.value).toBe(1271);
    expect(r.findings.some((f) => f.level === 'info' && f.message.includes('GB18030'))).toBe(true);

    await writeFile(reports('2019-utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SEED, 'utf16le')]));
    const u = await readReportFile(reports('2019-utf16.txt'), 'u16');
    expect(u.parsed?.stats.find((s) => s.item === '行政处罚' && s.column === '处理决定数量')?.value).toBe(1271);
  });

  it('refuses a file over the size limit before reading it', async () => {
    await writeFile(reports('2020-big.txt'), Buffer.alloc(MAX_BYTES.text + 1, 0x41));
    const r = await within(2000, readReportFile(reports('2020-big.txt'), 'big'));
    expect(r.parsed).toBeNull();
    expect(r.findings).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining('文件过大') })]);
  });
});

describe('large files are parsed off the main thread', () => {
  // A valid report followed by 1.5 MB of table-like text: no content check refuses it.
  const big = `${SEED}\n${Array.from({ length: 60_000 }, (_, i) => `行政处罚\t${i}\t${i % 7}\t${i * 3}`).join('\n')}`;

  it('gives the same reading as on the main thread, while the event loop keeps running', async () => {
    await writeFile(reports('2019-big.txt'), big);
    const ticking = async (run: () => Promise<unknown>): Promise<number> => {
      let ticks = 0;
      const interval = setInterval(() => ticks++, 5);
      await run();
      clearInterval(interval);
      return ticks;
    };
    let off: Awaited<ReturnType<typeof readReportFile>> | undefined;
    let inline: typeof off;
    const offTicks = await ticking(async () => { off = await readReportFile(reports('2019-big.txt'), 'big'); });
    const inlineTicks = await ticking(async () => { inline = await readReportFile(reports('2019-big.txt'), 'big', { worker: false }); });
    expect(off?.parsed?.stats.length).toBeGreaterThan(20);
    expect(off).toEqual(inline);
    // Timers ran while the worker parsed; on the main thread the parse held them up.
    expect(offTicks).toBeGreaterThan(inlineTicks);
    expect(offTicks).toBeGreaterThanOrEqual(5);
  }, 30_000);

  it('stops a worker past its time limit and refuses the file', async () => {
    await writeFile(reports('2019-big.txt'), big);
    const r = await within(5000, readReportFile(reports('2019-big.txt'), 'big', { timeLimitMs: 50 }));
    expect(r.parsed).toBeNull();
    expect(r.findings[0]?.message).toContain('超过');
  });
});
