import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBot, type RunningBot } from '../../src/answer/bot.ts';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { createReloader, type Reloader, type ReloaderOptions } from '../../src/knowledge/reloader.ts';
import { silentLogger } from '../../src/log.ts';

const root = path.resolve(import.meta.dirname, '../..');
// FICTIONAL test data (see the README next to each file).
const FICTIONAL_2020 = readFileSync(path.join(root, 'test/fixtures/knowledge/reports/2020-fictional.txt'), 'utf8');
const NO_YEAR = readFileSync(path.join(root, 'test/fixtures/reload/no-year.txt'), 'utf8');

// Watching tests wait for real file events; loading the tokenizer in createBot alone takes seconds.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const DEBOUNCE = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  level: number;
  msg: string;
  durationMs?: number;
}

/** A pino logger whose lines the test can read; a reload logs exactly one line with durationMs. */
function captureLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines, reloads: () => lines.filter((l) => l.durationMs !== undefined) };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}

let kdir: string;
let ddir: string;
let bot: RunningBot;
let reloader: Reloader | undefined;
let n = 0;

beforeEach(async () => {
  kdir = mkdtempSync(path.join(tmpdir(), 'reload-kb-'));
  ddir = mkdtempSync(path.join(tmpdir(), 'reload-data-'));
  cpSync(path.join(root, 'knowledge'), kdir, { recursive: true });
  bot = await createBot({ knowledgeDir: kdir, dataDir: ddir, logger: silentLogger });
});

afterEach(async () => {
  await reloader?.close();
  reloader = undefined;
  await bot.close();
  rmSync(kdir, { recursive: true, force: true });
  rmSync(ddir, { recursive: true, force: true });
});

function start(options: Partial<ReloaderOptions> = {}) {
  const log = captureLogger();
  reloader = createReloader({ dir: kdir, bot, logger: log.logger, debounceMs: DEBOUNCE, watch: false, ...options });
  return { reloader, ...log };
}

const ask = async (q: string) => (await bot.answer(q, `user-${++n}`)).reply;
const report = (name: string) => path.join(kdir, 'reports', name);

describe('reload() swap policy', () => {
  it('starts with the knowledge base the bot loaded', () => {
    const { reloader } = start();
    const s = reloader.status();
    expect(s.ok).toBe(true);
    expect(s.message).toContain('2019');
    expect(Date.parse(s.loadedAt)).not.toBeNaN();
  });

  it('abandons a reload that does not finish in time; the knowledge in service stays (issue 11.8)', async () => {
    const before = bot.engine.kb;
    // A load that never ends, as a directory on a network drive that stopped answering.
    const { reloader } = start({ timeoutMs: 200, load: () => new Promise<KnowledgeBase>(() => undefined) });
    const started = Date.now();
    const result = await reloader.reload('test');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('超过 200 毫秒仍未完成');
    expect(bot.engine.kb).toBe(before);
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
  });

  it('refuses a knowledge base with a broken report; the old one keeps serving until it is fixed', async () => {
    const { reloader, lines } = start();
    const before = bot.engine.kb;
    const statusBefore = reloader.status();
    // The good new report lands in the same pass as the broken one: nothing changes at all.
    await writeFile(report('2020-fictional.txt'), FICTIONAL_2020);
    await writeFile(report('2021-broken.txt'), NO_YEAR);

    const result = await reloader.reload('test');
    expect(result.ok).toBe(false);
    expect(result.message).toContain('知识库未更新');
    expect(result.message).toContain('reports/2021-broken.txt');
    expect(result.message).toContain('读不出报告的年份');
    expect(result.findings[0]).toMatchObject({ level: 'error', document: 'reports/2021-broken.txt' });
    expect(bot.engine.kb).toBe(before);
    expect(reloader.status()).toMatchObject({ ok: false, message: result.message, loadedAt: statusBefore.loadedAt });
    expect(lines.find((l) => l.level === 50)?.msg).toBe(result.message);
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
    expect(await ask('2020年行政处罚有多少件')).toContain('未收录');

    await writeFile(report('2021-broken.txt'), FICTIONAL_2020.replaceAll('2020', '2021'));
    const fixed = await reloader.reload('test');
    expect(fixed.ok).toBe(true);
    expect(fixed.message).toMatch(/知识库已重新载入：3 份年度报告（2019、2020、2021 年）/);
    expect(bot.engine.kb).not.toBe(before);
    expect(reloader.status().ok).toBe(true);
    expect(reloader.status().loadedAt >= statusBefore.loadedAt).toBe(true);
    expect(await ask('2020年行政处罚有多少件')).toContain('1300');
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
  });

  it('refuses a duplicate report of the same body and year', async () => {
    const { reloader } = start();
    await writeFile(report('2020-a.txt'), FICTIONAL_2020);
    await writeFile(report('2020-b.txt'), FICTIONAL_2020);
    const result = await reloader.reload();
    expect(result.ok).toBe(false);
    expect(result.message).toContain('reports/2020-b.txt');
    expect(result.message).toContain('同一机关同一年度');
    expect(await ask('2020年行政处罚有多少件')).toContain('未收录');
  });

  it('refuses a guide whose front matter is broken', async () => {
    const { reloader } = start();
    const guide = path.join(kdir, 'guide.md');
    await writeFile(guide, readFileSync(guide, 'utf8').replace(/^门户网站:.*\n/m, ''));
    const result = await reloader.reload();
    expect(result.ok).toBe(false);
    expect(result.message).toContain('guide.md');
    expect(result.message).toContain('门户网站');
    expect(await ask('咨询电话是多少')).toContain('0954-3018118');
  });

  it('keeps serving when the directory cannot be read', async () => {
    const { reloader } = start();
    const before = bot.engine.kb;
    await rm(path.join(kdir, 'reports'), { recursive: true });
    await writeFile(path.join(kdir, 'reports'), 'not a directory');
    const result = await reloader.reload();
    expect(result.ok).toBe(false);
    expect(result.message).toContain('读取知识目录');
    expect(bot.engine.kb).toBe(before);
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
  });

  it('never overlaps passes; calls during a pass share one more pass', async () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const load = async (dir: string): Promise<KnowledgeBase> => {
      passes++;
      if (++running > 1) overlapped = true;
      await sleep(50);
      const kb = await loadKnowledge(dir);
      running--;
      return kb;
    };
    const { reloader } = start({ load });
    const first = reloader.reload('a');
    await sleep(10);
    const rest = [reloader.reload('b'), reloader.reload('c'), reloader.reload('d')];
    const results = await Promise.all([first, ...rest]);
    expect(overlapped).toBe(false);
    expect(passes).toBe(2);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('does nothing after close', async () => {
    const { reloader } = start();
    const before = bot.engine.kb;
    await reloader.close();
    expect((await reloader.reload()).ok).toBe(false);
    expect(bot.engine.kb).toBe(before);
  });
});

describe('watching the directory', () => {
  // Long enough after the last write for awaitWriteFinish plus the debounce to have fired twice.
  const settle = () => sleep(4 * DEBOUNCE + 300);

  it('turns a burst of writes into one reload', async () => {
    const { reloader, reloads } = start({ watch: true });
    await reloader.ready;
    await writeFile(report('2020-fictional.txt'), '');
    for (const line of FICTIONAL_2020.split(/(?<=\n)/).slice(0, 40)) await appendFile(report('2020-fictional.txt'), line);
    await appendFile(report('2020-fictional.txt'), FICTIONAL_2020.split(/(?<=\n)/).slice(40).join(''));
    await appendFile(path.join(kdir, 'words.txt'), '\n');
    await until(() => reloads().length > 0);
    await settle();
    expect(reloads()).toHaveLength(1);
    expect(reloader.status().ok).toBe(true);
    expect(await ask('2020年行政处罚有多少件')).toContain('1300');
  });

  const splits: [string, (text: string) => number][] = [
    ['the first half', (t) => Math.floor(t.length / 2)],
    ['a part without the year heading, which alone would be refused', (t) => t.indexOf('## 2020')],
  ];
  it.each(splits)('does not read a half-written file: %s, then the rest', async (_name, at) => {
    const { reloader, reloads } = start({ watch: true });
    await reloader.ready;
    const cut = at(FICTIONAL_2020);
    expect(cut).toBeGreaterThan(0);
    await writeFile(report('2020-fictional.txt'), FICTIONAL_2020.slice(0, cut));
    await sleep(DEBOUNCE / 3);
    await appendFile(report('2020-fictional.txt'), FICTIONAL_2020.slice(cut));
    await until(() => reloads().length > 0);
    await settle();
    expect(reloads().map((l) => l.level)).toEqual([30]);
    // The figures at the end of the file prove the reload read it whole.
    const kb = bot.engine.kb;
    expect(kb.stats.some((s) => s.year === 2020 && s.section.startsWith('四'))).toBe(true);
    expect(await ask('2020年行政处罚有多少件')).toContain('1300');
  });

  it('ignores dotfiles, editor swap files and unrelated files', async () => {
    const { reloader, reloads } = start({ watch: true });
    await reloader.ready;
    await writeFile(report('.2020.txt.swp'), 'x');
    await writeFile(report('2020-fictional.txt~'), FICTIONAL_2020);
    await writeFile(report('2020-fictional.txt.tmp'), FICTIONAL_2020);
    await writeFile(path.join(kdir, '.#guide.md'), 'x');
    await writeFile(path.join(kdir, 'notes.docx'), 'x');
    await mkdir(path.join(kdir, 'drafts'));
    await writeFile(path.join(kdir, 'drafts', '2020.txt'), FICTIONAL_2020);
    await settle();
    expect(reloads()).toHaveLength(0);
    // ...but a real change still gets through.
    await writeFile(report('2020-fictional.txt'), FICTIONAL_2020);
    await until(() => reloads().length > 0);
    expect(reloader.status().ok).toBe(true);
  });
});
