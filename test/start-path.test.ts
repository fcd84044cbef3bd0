// What `npm start` loads before it can answer (issue 13: start-up to the first answer within a
// second). The start command runs as a real process with a hook (helpers/loaded-modules.mjs) that
// lists every ES module it loads: a deployment without Redis, a webhook or an admin page never
// loads their packages, one with them loads them while starting (so that their first request is as
// fast as any other), and a bad configuration is refused before anything heavy is loaded.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { baseUrl, botEnv, start, stopAll } from './helpers/start.ts';

const HOOK = pathToFileURL(path.join(import.meta.dirname, 'helpers', 'loaded-modules.mjs')).href;

/** The start command with the hook; `loaded()` reads what the process has loaded so far. */
async function startTraced(env: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'gongkai-start-path-'));
  const file = path.join(dir, 'loaded.txt');
  const bot = start('command', {
    ...botEnv(path.join(dir, 'data'), env),
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${HOOK}`.trim(),
    LOADED_MODULES_FILE: file,
  });
  const loaded = async () => {
    const urls = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const packages = new Set(urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
    const own = new Set(urls.flatMap((u) => (u.includes('/node_modules/') ? [] : (/\/dist\/(.+)\.js$/.exec(u)?.[1] ?? []))));
    return { packages, own };
  };
  return { bot, loaded };
}

async function ask(url: string): Promise<string> {
  const res = await fetch(`${url}/api/ask`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ question: '2019年行政处罚有多少件？', user: 'start-path' }),
  });
  return ((await res.json()) as { reply: string }).reply;
}

afterAll(stopAll);

describe('the start path of `npm start`', { timeout: 60_000 }, () => {
  it('without Redis, webhook or admin page loads none of their modules, before or after the first answer', async () => {
    const { bot, loaded } = await startTraced({});
    const url = await baseUrl(bot);
    expect(await ask(url)).toContain('1271');
    const { packages, own } = await loaded();
    // The hook saw the start path: the server, the answering core and jieba.
    expect([...packages]).toEqual(expect.arrayContaining(['hono', '@hono/node-server', 'nodejieba', 'pino']));
    expect([...own]).toEqual(expect.arrayContaining(['main', 'server', 'answer/engine']));
    for (const absent of ['ioredis', 'fast-xml-parser', 'zod', 'wechaty', 'pdfjs-dist', 'mammoth', 'htmlparser2', 'pinyin-pro']) {
      expect(packages, `${absent} is not loaded`).not.toContain(absent);
    }
    const optional = [...own].filter((m) => /^(store\/redis-|store\/shared-redis|channels\/official-account\/(webhook|xml|crypto)|channels\/admin\/|admin\/|knowledge-edit\/|channels\/wechaty)/.test(m));
    expect(optional).toEqual([]);
  });

  it('with WECHAT_TOKEN and ADMIN_TOKEN loads the webhook and the admin page while starting, before any request', async () => {
    const { bot, loaded } = await startTraced({ WECHAT_TOKEN: 'starttoken123', ADMIN_TOKEN: 'start-path-admin-token-0123456789' });
    // The chat page's line is logged once the server listens, before any request.
    const url = await baseUrl(bot);
    const { packages, own } = await loaded();
    expect(packages).toContain('fast-xml-parser');
    expect(own).toContain('channels/official-account/webhook');
    expect(own).toContain('channels/admin/routes');
    expect(packages).not.toContain('ioredis');
    // …and serves them: the webhook's URL check (a bad signature is refused by the webhook itself).
    const res = await fetch(`${url}/wechat?signature=0&timestamp=1&nonce=2&echostr=x`);
    expect(res.status).toBe(401);
  });

  it('refuses a bad configuration at once: exit 1 naming each bad variable, before the knowledge or jieba is loaded', async () => {
    const { bot, loaded } = await startTraced({ PORT: 'eighty', WECHAT_TOKEN: 'a-b', LOG_LEVEL: 'loud' });
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const text = bot.lines.join('\n');
    expect(text).toContain('配置有误 / Invalid configuration');
    expect(text).toContain('PORT must be an integer 0–65535');
    expect(text).toContain('WECHAT_TOKEN must be 3–32 letters or digits (got 3 characters, including other characters)');
    expect(text).toContain('LOG_LEVEL must be one of');
    // Nothing was started: no pid line, no jieba, no server.
    expect(text).not.toMatch(/pid \d+/);
    const { packages } = await loaded();
    expect(packages.size).toBeGreaterThan(0);
    expect(packages).not.toContain('nodejieba');
    expect(packages).not.toContain('@hono/node-server');
  });
});
