import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, MAX_BODY_BYTES, parseAskBody } from '../src/channels/web/api.ts';
import { ConfigError, loadConfig, VARIABLES, type Config } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createApp, loadChannels, DEFAULT_TITLE, startServer, WEBHOOK_NOT_CONFIGURED } from '../src/server.ts';
import { FakeBot, FIGURE } from './helpers/fake-bot.ts';
// createApp mounts the webhook and the admin page only once their modules are loaded (startServer loads them).
await loadChannels();

const baseConfig = (env: Record<string, string> = {}): Config => loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env });

function setup(env: Record<string, string> = {}, bot = new FakeBot()) {
  const app = createApp({ bot, config: baseConfig(env), logger: silentLogger });
  return { app, bot };
}

const ask = (app: ReturnType<typeof createApp>, body: string, headers: Record<string, string> = {}) =>
  app.request('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

describe('POST /api/ask', () => {
  it('returns the answer fields of the core', async () => {
    const { app, bot } = setup();
    const res = await ask(app, JSON.stringify({ question: '  2019年收到多少申请？ ', user: 'web-abc' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      reply: `关于「2019年收到多少申请？」：${FIGURE}。`,
      answered: true,
      intent: 'statistic',
      confidence: 0.9,
      sources: [{ document: 'reports/2019.txt', title: '2019年政府信息公开工作年度报告', year: 2019 }],
    });
    expect(bot.calls).toEqual([{ text: '2019年收到多少申请？', user: 'web-abc', context: { channel: 'web' } }]);
  });

  it('answers a request without user under a fresh anonymous id each time', async () => {
    const { app, bot } = setup();
    expect((await ask(app, JSON.stringify({ question: '你好' }))).status).toBe(200);
    expect((await ask(app, JSON.stringify({ question: '你好' }))).status).toBe(200);
    const [first, second] = bot.calls.map((c) => c.user);
    expect(first).toMatch(/^anon-[0-9a-f-]{36}$/);
    expect(second).toMatch(/^anon-/);
    expect(first).not.toBe(second);
  });

  const refusals: [string, string, number, string][] = [
    ['non-JSON', '{question: 1', 400, ERRORS.notJson],
    ['empty body', '', 400, ERRORS.notJson],
    ['a JSON array', '["2019年"]', 400, ERRORS.notObject],
    ['a JSON string', '"2019年"', 400, ERRORS.notObject],
    ['null', 'null', 400, ERRORS.notObject],
    ['missing question', '{"user":"u1"}', 400, ERRORS.noQuestion],
    ['a number as question', '{"question":42}', 400, ERRORS.questionType],
    ['an object as question', '{"question":{"text":"x"}}', 400, ERRORS.questionType],
    ['an empty question', '{"question":""}', 400, ERRORS.emptyQuestion],
    ['a blank question', '{"question":"  \\n "}', 400, ERRORS.emptyQuestion],
    ['a question over 2000 characters', JSON.stringify({ question: '问'.repeat(2001) }), 400, ERRORS.questionTooLong],
    ['a number as user', '{"question":"你好","user":7}', 400, ERRORS.userType],
    ['an empty user', '{"question":"你好","user":""}', 400, ERRORS.userType],
    ['an overlong user', JSON.stringify({ question: '你好', user: 'u'.repeat(129) }), 400, ERRORS.userType],
    ['a body over 16 KB', JSON.stringify({ question: '好', pad: 'x'.repeat(MAX_BODY_BYTES) }), 413, ERRORS.tooLarge],
  ];
  it.each(refusals)('refuses %s', async (_name, body, status, error) => {
    const { app, bot } = setup();
    const res = await ask(app, body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string };
    expect(json).toEqual({ error });
    expect(json.error).toMatch(/[\u4e00-\u9fff]/);
    expect(bot.calls).toEqual([]);
  });

  it('accepts a question of exactly 2000 characters', async () => {
    const { app } = setup();
    expect((await ask(app, JSON.stringify({ question: '问'.repeat(2000) }))).status).toBe(200);
  });

  it('refuses an oversize body announced by Content-Length without reading it', async () => {
    const { app } = setup();
    const res = await app.request('/api/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(MAX_BODY_BYTES + 1) },
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
  });

  it('answers 500 with a Chinese message and no stack when the core fails', async () => {
    const { app } = setup();
    const res = await ask(app, JSON.stringify({ question: 'boom' }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: ERRORS.failed });
    expect(text).not.toMatch(/secret|stack|at \w/);
  });

  it('only takes POST: other methods get 405 with Allow', async () => {
    const { app } = setup();
    const res = await app.request('/api/ask');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({ error: '这个地址不支持这种请求方式。' });
  });
});

describe('parseAskBody', () => {
  it('trims the question and the user', () => {
    expect(parseAskBody('{"question":" a ","user":" u "}')).toEqual({ ok: true, question: 'a', user: 'u' });
  });
  it('counts characters, not UTF-16 units', () => {
    expect(parseAskBody(JSON.stringify({ question: '𠀀'.repeat(2000) })).ok).toBe(true);
  });
});

describe('pages and health', () => {
  it('GET /healthz', async () => {
    const { app } = setup();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('serves the chat page with security headers', async () => {
    const { app } = setup();
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('src="/page.js"');
    expect(html).not.toMatch(/<script>(?!<)|<script(?![^>]*\ssrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle=/); // no inline style either (CSP forbids it)
  });

  it('serves page.js and page.css with their types', async () => {
    const { app } = setup();
    const js = await app.request('/page.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(await js.text()).not.toContain('innerHTML');
    const css = await app.request('/page.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('GET /api/info gives the title and the welcome text', async () => {
    const bot = new FakeBot();
    const { app } = setup({}, bot);
    expect(await (await app.request('/api/info')).json()).toEqual({ title: DEFAULT_TITLE, welcome: bot.welcome() });
    const titled = setup({}, new FakeBot('西吉县政府信息公开问答')).app;
    expect(((await (await titled.request('/api/info')).json()) as { title: string }).title).toBe('西吉县政府信息公开问答');
    const configured = setup({ CHAT_TITLE: '某县问答' }, new FakeBot('西吉县政府信息公开问答')).app;
    expect(((await (await configured.request('/api/info')).json()) as { title: string }).title).toBe('某县问答');
  });

  it('answers a known path asked with the wrong method with 405 and the methods it takes', async () => {
    const { app } = setup();
    for (const [method, url, allow] of [['POST', '/', 'GET, HEAD'], ['DELETE', '/healthz', 'GET, HEAD'], ['PUT', '/api/info', 'GET, HEAD'], ['POST', '/page.js', 'GET, HEAD']] as const) {
      const res = await app.request(url, { method });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${url}`).toBe(allow);
    }
    expect((await app.request('/healthz', { method: 'HEAD' })).status).toBe(200);
  });

  it('answers unknown paths with 404 JSON', async () => {
    const { app } = setup();
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: '找不到这个地址。' });
  });
});

describe('ADMIN_TOKEN', () => {
  it('warns at start about a token that is easy to guess, and not about a long random one', async () => {
    const { createBot } = await import('../src/answer/bot.ts');
    const pino = (await import('pino')).default;
    const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-admin-token-'));
    const bot = await createBot({ knowledgeDir: 'knowledge', dataDir: dir, logger: silentLogger });
    try {
      for (const [token, warned] of [['x', true], ['password12345678', true], ['aaaaaaaaaaaaaaaaaaaaaaaa', true], ['k3Jq9vX2mR7tLw4zP8nY', false]] as const) {
        const lines: string[] = [];
        createApp({ bot, config: baseConfig({ ADMIN_TOKEN: token }), logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }) });
        expect(lines.some((l) => l.includes('ADMIN_TOKEN') && !l.includes(token)), `${token}: ${lines.join('')}`).toBe(warned);
      }
    } finally {
      await bot.close();
    }
  }, 60_000);
});

describe('/wechat', () => {
  it('is 503 with a Chinese and English note when WECHAT_TOKEN is not set', async () => {
    const { app } = setup();
    for (const method of ['GET', 'POST']) {
      const res = await app.request('/wechat?signature=x', { method, body: method === 'POST' ? '<xml/>' : undefined });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(text).toBe(WEBHOOK_NOT_CONFIGURED);
      expect(text).toContain('WECHAT_TOKEN');
      expect(text).toMatch(/未配置|尚未配置/);
      expect(text).toMatch(/not configured/);
    }
  });

  it('mounts the webhook when WECHAT_TOKEN is set (URL verification echoes echostr)', async () => {
    const token = 'abc123';
    const { app } = setup({ WECHAT_TOKEN: token });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '12345';
    const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
    const ok = await app.request(`/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=hello`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello');
    const bad = await app.request(`/wechat?signature=${'0'.repeat(40)}&timestamp=${timestamp}&nonce=${nonce}&echostr=hello`);
    expect(bad.status).not.toBe(200);
  });
});

describe('startServer', () => {
  it('serves on an ephemeral port and lets an answer in flight finish on close', async () => {
    const bot = new FakeBot();
    bot.delayMs = 300;
    const server = await startServer({ bot, config: baseConfig(), logger: silentLogger });
    try {
      expect(server.port).toBeGreaterThan(0);
      const health = await fetch(`${server.url}/healthz`);
      expect(await health.json()).toEqual({ ok: true });

      const inFlight = fetch(`${server.url}/api/ask`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ question: '慢一点', user: 'u' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the request is now being answered
      const closed = server.close();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { reply: string }).reply).toContain(FIGURE);
      await closed;
      expect(server.server.listening).toBe(false);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});

describe('loadConfig', () => {
  it('has built-in defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      knowledgeDir: 'knowledge',
      dataDir: 'data',
      logLevel: 'info',
      wechat: { token: undefined },
      wechaty: { puppet: undefined },
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '', WECHAT_TOKEN: '  ', WECHAT_ENCODING_AES_KEY: '' }).port).toBe(8080);
  });

  it('reads valid values', () => {
    const key = 'a'.repeat(43);
    const config = loadConfig({
      PORT: '3000',
      WECHAT_TOKEN: 'Token123',
      WECHAT_APPID: 'wx1234567890abcdef',
      WECHAT_ENCODING_AES_KEY: key,
      WECHAT_PREVIOUS_ENCODING_AES_KEY: 'b'.repeat(43),
      WECHATY_PUPPET: 'wechaty-puppet-wechat4u',
      WECHATY_PUPPET_TOKEN: 'puppet-secret',
      LOG_LEVEL: 'debug',
    });
    expect(config.port).toBe(3000);
    expect(config.wechat).toEqual({
      token: 'Token123',
      appId: 'wx1234567890abcdef',
      encodingAESKey: key,
      previousEncodingAESKey: 'b'.repeat(43),
    });
    expect(config.wechaty).toEqual({ puppet: 'wechaty-puppet-wechat4u', puppetToken: 'puppet-secret' });
    expect(config.logLevel).toBe('debug');
  });

  const problem = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('names a bad AES key length, without printing the key', () => {
    const key = 'SecretKey' + 'x'.repeat(33); // 42 characters
    const error = problem({ WECHAT_TOKEN: 'abc', WECHAT_APPID: 'wx1', WECHAT_ENCODING_AES_KEY: key });
    expect(error.message).toContain('WECHAT_ENCODING_AES_KEY');
    expect(error.message).toContain('43');
    expect(error.message).toContain('42');
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain('SecretKey');
  });

  it('names bad token characters, without printing the token', () => {
    const error = problem({ WECHAT_TOKEN: 'my-secret!' });
    expect(error.message).toContain('WECHAT_TOKEN');
    expect(error.message).toMatch(/字母或数字/);
    expect(error.message).toMatch(/letters or digits/);
    expect(error.message).not.toContain('my-secret');
    expect(problem({ WECHAT_TOKEN: 'ab' }).message).toContain('WECHAT_TOKEN');
    expect(problem({ WECHAT_TOKEN: 'a'.repeat(33) }).message).toContain('WECHAT_TOKEN');
  });

  it('requires WECHAT_APPID with an AES key', () => {
    const error = problem({ WECHAT_TOKEN: 'abc', WECHAT_ENCODING_AES_KEY: 'a'.repeat(43) });
    expect(error.message).toContain('WECHAT_APPID');
  });

  it('lists every problem at once', () => {
    const error = problem({ PORT: 'eighty', LOG_LEVEL: 'loud', WECHAT_TOKEN: '!!!' });
    expect(error.problems).toHaveLength(3);
    for (const name of ['PORT', 'LOG_LEVEL', 'WECHAT_TOKEN']) expect(error.message).toContain(name);
    expect(problem({ PORT: '70000' }).message).toContain('PORT');
  });

  it('fills in from a .env file without overriding the environment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-env-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, 'PORT=1234\nKNOWLEDGE_DIR=kb\n# a comment\nWECHAT_TOKEN=fromfile\n');
    const env: Record<string, string> = { PORT: '9000' };
    const config = loadConfig(env, { envFile: file });
    expect(config.port).toBe(9000);
    expect(config.knowledgeDir).toBe('kb');
    expect(config.wechat.token).toBe('fromfile');
    expect(loadConfig({}, { envFile: path.join(dir, 'missing.env') }).port).toBe(8080);
  });

  it('reads no .env file for an explicit environment unless asked', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-env-'));
    writeFileSync(path.join(dir, '.env'), 'PORT=1234\n');
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      process.chdir(cwd);
    }
  });

  it('.env.example documents every variable, carries no secret, and loads as is', () => {
    const file = new URL('../.env.example', import.meta.url);
    const text = readFileSync(file, 'utf8');
    for (const name of VARIABLES) expect(text, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    for (const name of ['WECHAT_TOKEN', 'WECHAT_ENCODING_AES_KEY', 'DATA_SALT', 'ADMIN_TOKEN', 'WECHATY_PUPPET_TOKEN']) {
      expect(text).toMatch(new RegExp(`^${name}=$`, 'm'));
    }
    expect(loadConfig({}, { envFile: file.pathname }).port).toBe(8080);
  });
});
