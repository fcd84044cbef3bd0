// `npm start` as an operator runs it: npm is the parent, the bot its grandchild. The bot prints its
// own pid (and writes PID_FILE); SIGHUP to that pid reloads the knowledge, SIGTERM stops the bot
// and npm with it. The start log names every path the server serves.
import { cp, mkdtemp, readFile, readlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../src/answer/bot.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createApp, loadChannels } from '../src/server.ts';
import { baseUrl, botEnv, isRunning, ROOT, start, stopAll, type Started } from './helpers/start.ts';
// createApp mounts the webhook and the admin page only once their modules are loaded (startServer loads them).
await loadChannels();

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const WECHAT_TOKEN = 'testtoken123';

let bot: Started;
let pid: number;
let url: string;
let pidFile: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gongkai-start-'));
  const knowledge = path.join(dir, 'knowledge');
  await cp(path.join(ROOT, 'knowledge'), knowledge, { recursive: true });
  pidFile = path.join(dir, 'bot.pid');
  bot = start(
    'npm start',
    botEnv(path.join(dir, 'data'), { KNOWLEDGE_DIR: knowledge, PID_FILE: pidFile, ADMIN_TOKEN, WECHAT_TOKEN }),
  );
  pid = await bot.pid();
  url = await baseUrl(bot);
  // The last line of start-up.
  await bot.line(/knowledge directory watched/);
}, 90_000);

afterAll(stopAll);

describe('npm start', { timeout: 60_000 }, () => {
  it('runs the compiled bot under npm, and prints the bot’s own pid, not npm’s', async () => {
    expect(pid).not.toBe(bot.child.pid);
    // The process that holds the pid is node running dist/, with no TypeScript loader.
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(command.slice(1)).toEqual(['--max-semi-space-size=4', 'dist/main.js']);
    // …with glibc's malloc arenas bounded, which only the environment at exec can set.
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    expect(await readlink(`/proc/${pid}/exe`)).toBe(await readlink(`/proc/self/exe`));
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(pid));
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('logs JSON lines when stderr is not a terminal', () => {
    const logs = bot.logs();
    const fromBot = bot.lines.filter((l) => l.startsWith('{'));
    expect(fromBot.length).toBeGreaterThan(5);
    expect(logs).toHaveLength(fromBot.length);
    expect(logs[0]).toMatchObject({ level: 30, pid, msg: expect.stringContaining(`kill -HUP ${pid}`) });
  });

  it('names every path the server serves in the start log, /admin included', async () => {
    const logged = new Set(bot.logs().flatMap((l) => (typeof l.url === 'string' ? [new URL(l.url).pathname] : [])));
    // The paths the same configuration serves, from the app itself: each first segment
    // (/api/ask and /api/info are /api), leaving out the chat page's own files (page.css, page.js).
    const config = loadConfig({ ADMIN_TOKEN, WECHAT_TOKEN, LOG_LEVEL: 'silent' }, { envFile: false });
    const core = await createBot({ knowledgeDir: 'knowledge', dataDir: await mkdtemp(path.join(tmpdir(), 'gongkai-routes-')), logger: silentLogger });
    const app = createApp({ bot: core, config, logger: silentLogger });
    await core.close();
    const served = new Set(
      app.routes
        .map((r) => `/${r.path.split('/')[1] ?? ''}`)
        .filter((p) => p !== '/*' && !/\.\w+$/.test(p)),
    );
    expect([...served].sort()).toEqual(expect.arrayContaining(['/', '/admin', '/api', '/healthz', '/wechat']));
    for (const p of served) expect(logged, `the start log names ${p}`).toContain(p);
    const admin = bot.logs().find((l) => l.url === `${url}/admin`);
    expect(admin?.msg).toBe(`管理页面 / admin page: ${url}/admin`);
  });

  it('reloads the knowledge on SIGHUP to the printed pid and keeps serving', async () => {
    process.kill(pid, 'SIGHUP');
    const reloaded = await bot.line((l) => l.includes('"reason":"SIGHUP"') && l.includes('知识库已重新载入'));
    expect(JSON.parse(reloaded)).toMatchObject({ level: 30, reason: 'SIGHUP' });
    expect(isRunning(pid)).toBe(true);
    expect(bot.child.exitCode).toBeNull();
    const res = await fetch(`${url}/api/ask`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: '2019年行政处罚有多少件？', user: 'signals' }),
    });
    expect(((await res.json()) as { reply: string }).reply).toContain('1271');
  });

  it('drains and exits on SIGTERM to the printed pid, npm with it, and removes PID_FILE', async () => {
    process.kill(pid, 'SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(bot.logs().map((l) => l.msg)).toEqual(expect.arrayContaining(['正在关闭 / shutting down', '已关闭 / stopped']));
    expect(bot.logs().find((l) => l.msg === '正在关闭 / shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});

describe('signals during start-up', { timeout: 60_000 }, () => {
  it('neither kill the bot (SIGHUP) nor get lost (SIGTERM): it finishes starting, then stops cleanly', async () => {
    const early = start('command', botEnv(await mkdtemp(path.join(tmpdir(), 'gongkai-early-'))));
    // The pid line comes before the knowledge base and jieba's dictionary are loaded.
    const id = await early.pid();
    process.kill(id, 'SIGHUP');
    process.kill(id, 'SIGTERM');
    expect(await early.exited).toEqual({ code: 0, signal: null });
    expect(early.logs().find((l) => l.msg === '正在关闭 / shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(early.logs().map((l) => l.msg)).toContain('已关闭 / stopped');
  });
});

describe('signals to npm’s own pid', { timeout: 60_000 }, () => {
  it('SIGTERM reaches the bot too (the start script execs it), which drains and exits, npm after it', async () => {
    const viaNpm = start('npm start', botEnv(await mkdtemp(path.join(tmpdir(), 'gongkai-npm-'))));
    const id = await viaNpm.pid();
    await viaNpm.line(/knowledge directory watched/);
    process.kill(viaNpm.child.pid!, 'SIGTERM');
    expect(await viaNpm.exited).toEqual({ code: 0, signal: null });
    expect(viaNpm.logs().find((l) => l.msg === '正在关闭 / shutting down')).toMatchObject({ signal: 'SIGTERM' });
    expect(isRunning(id)).toBe(false);
  });
});
