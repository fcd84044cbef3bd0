// End to end: the real bot behind the real HTTP server, with the knowledge directory watched.
// A report dropped into reports/ is answered within seconds; removing it takes it away again.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type RunningBot } from '../src/answer/bot.ts';
import { loadConfig } from '../src/config.ts';
import { createReloader, type Reloader } from '../src/knowledge/reloader.ts';
import { silentLogger } from '../src/log.ts';
import { startServer, type ServerHandle } from '../src/server.ts';

const root = path.resolve(import.meta.dirname, '..');
// FICTIONAL test data: 行政处罚 处理决定数量 1300, 行政强制 20, portal 4000 条.
const FICTIONAL_2020 = path.join(root, 'test/fixtures/knowledge/reports/2020-fictional.txt');

let kdir: string;
let ddir: string;
let bot: RunningBot;
let reloader: Reloader;
let server: ServerHandle;
let n = 0;

beforeAll(async () => {
  kdir = mkdtempSync(path.join(tmpdir(), 'hot-reload-kb-'));
  ddir = mkdtempSync(path.join(tmpdir(), 'hot-reload-data-'));
  cpSync(path.join(root, 'knowledge'), kdir, { recursive: true });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', KNOWLEDGE_DIR: kdir, DATA_DIR: ddir, LOG_LEVEL: 'silent' });
  bot = await createBot({ knowledgeDir: config.knowledgeDir, dataDir: config.dataDir, logger: silentLogger });
  // Default debounce, as in main.ts.
  reloader = createReloader({ dir: config.knowledgeDir, bot, logger: silentLogger });
  await reloader.ready;
  server = await startServer({ bot, config, logger: silentLogger });
}, 30_000);

afterAll(async () => {
  await server?.close();
  await reloader?.close();
  await bot?.close();
  rmSync(kdir, { recursive: true, force: true });
  rmSync(ddir, { recursive: true, force: true });
});

/** Each question from a new user, so no session carries a year from one question to the next. */
async function ask(question: string): Promise<string> {
  const res = await fetch(`${server.url}/api/ask`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ question, user: `hot-reload-${++n}` }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { reply: string }).reply;
}

async function eventually(question: string, expected: (reply: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await ask(question);
    if (expected(reply)) return reply;
    if (Date.now() > deadline) throw new Error(`no matching answer to ${question} within ${timeoutMs} ms; last: ${reply}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('hot reload over HTTP', () => {
  it('answers a report added while running, and forgets it when removed', async () => {
    expect(await ask('2020年行政处罚有多少件')).toMatch(/2020年.*未收录/);

    await copyFile(FICTIONAL_2020, path.join(kdir, 'reports', '2020-fictional.txt'));
    expect(await eventually('2020年行政处罚有多少件', (r) => r.includes('1300'))).toMatch(/^2020年/);

    const compared = await ask('2020年比2019年行政处罚多了多少');
    expect(compared).toContain('1300');
    expect(compared).toContain('1271');
    expect(compared).toMatch(/\b29\b/);
    const latest = await ask('行政处罚有多少件');
    expect(latest).toContain('最新的 2020 年');
    expect(latest).toContain('1300');
    expect(reloader.status().ok).toBe(true);

    await unlink(path.join(kdir, 'reports', '2020-fictional.txt'));
    await eventually('2020年行政处罚有多少件', (r) => /2020年.*未收录/.test(r));
    expect(await ask('行政处罚有多少件')).toContain('最新的 2019 年');
  }, 60_000);
});

describe('a bad file dropped into reports/ while serving (issue 11.2, 11.8)', () => {
  it('a 50 MB random file saved as .txt is refused within seconds, and the bot answers all along', async () => {
    const bad = path.join(kdir, 'reports', '2020-扫描件.txt');
    await writeFile(bad, randomBytes(50 * 1024 * 1024));
    const started = Date.now();
    // Asked over HTTP while the reload runs: each answer comes from the knowledge in service.
    while (reloader.status().findings.every((f) => f.document !== 'reports/2020-扫描件.txt')) {
      expect(await ask('2019年行政处罚有多少件')).toContain('1271');
      if (Date.now() - started > 10_000) throw new Error('the bad file was not refused within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const status = reloader.status();
    expect(status.ok).toBe(false);
    expect(status.findings.find((f) => f.document === 'reports/2020-扫描件.txt')?.message).toContain('文件过大');
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
    await unlink(bad);
    await eventually('2019年行政处罚有多少件', () => reloader.status().ok);
  }, 30_000);

  it('a FIFO and a directory named like reports do not hang the reload or fail it', async () => {
    const fifo = path.join(kdir, 'reports', '2021-管道.txt');
    const dir = path.join(kdir, 'reports', '2024.txt');
    execFileSync('mkfifo', [fifo]);
    await mkdir(dir);
    const result = await Promise.race([
      reloader.reload('test'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('reload hung')), 5000)),
    ]);
    expect(result.ok).toBe(true);
    const docs = result.findings.filter((f) => f.level === 'warning').map((f) => f.document);
    expect(docs).toEqual(expect.arrayContaining(['reports/2021-管道.txt', 'reports/2024.txt']));
    expect(await ask('2019年行政处罚有多少件')).toContain('1271');
    await rm(fifo);
    await rm(dir, { recursive: true });
  }, 30_000);
});
