// Issue 11: no client, flood or connection takes the bot offline or erases its history. The
// per-client limits are exercised in process (the client's address comes from the node request
// Hono is handed, as @hono/node-server hands it); timeouts, connection caps, aborted requests and
// the admin token's pause on a real server with real sockets.
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot, type RunningBot } from '../../src/answer/bot.ts';
import { TOO_FAST, TOO_MANY_SESSIONS } from '../../src/channels/web/client-limit.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createApp, startServer, type ServerHandle } from '../../src/server.ts';
import { FakeBot } from '../helpers/fake-bot.ts';

const STRONG_TOKEN = 'limits-test-admin-token-7f3a9c2e51';
const config = (env: Record<string, string> = {}) => loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }, { envFile: false });

/** What @hono/node-server passes as `env`: the node request, here with only what limits read. */
const from = (remoteAddress: string, headers: Record<string, string> = {}) => ({ incoming: { socket: { remoteAddress }, connection: { remoteAddress }, headers } });

function askInit(question: string, user?: string): RequestInit {
  const body = JSON.stringify(user === undefined ? { question } : { question, user });
  return { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }, body };
}

describe('a flood through /api/ask', () => {
  let dir: string;
  let bot: RunningBot;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'limits-flood-'));
    bot = await createBot({ knowledgeDir: 'knowledge', dataDir: dir, logger: silentLogger });
  }, 60_000);
  afterAll(async () => {
    await bot?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("100,000 anonymous questions from one address leave earlier residents' records and sessions intact", async () => {
    const app = createApp({ bot, config: config(), logger: silentLogger });
    for (let i = 0; i < 10; i++) {
      const res = await app.request('/api/ask', askInit('2019年行政处罚有多少件', `resident-${i}`), from(`198.51.100.${i + 1}`));
      expect(res.status).toBe(200);
    }
    let answered = 0;
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      const res = await app.request('/api/ask', askInit(`垃圾问题 ${i} ${'广告'.repeat(20)}`), from('203.0.113.66'));
      if (res.status === 200) answered++;
      else {
        expect(res.status).toBe(429);
        if (refused++ === 0) {
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(((await res.json()) as { error: string }).error).toMatch(/太快/);
        }
      }
    }
    expect(answered).toBeLessThanOrEqual(60);
    expect(refused).toBe(100_000 - answered);
    await bot.store.flush();
    const residents = bot.store.log.entries().filter((e) => e.question === '2019年行政处罚有多少件');
    expect(residents).toHaveLength(10);
    expect(bot.store.log.entries().length).toBeLessThanOrEqual(10 + 60);
    // Their conversations go on: the follow-up still knows what they asked.
    for (let i = 0; i < 10; i++) {
      const res = await app.request('/api/ask', askInit('那2020年呢', `resident-${i}`), from(`198.51.100.${i + 1}`));
      expect(((await res.json()) as { reply: string }).reply).toContain('行政处罚');
    }
  }, 120_000);
});

describe('per-client limits', () => {
  it('honours X-Forwarded-For only from a trusted proxy', async () => {
    const app = createApp({ bot: new FakeBot(), config: config({ TRUSTED_PROXIES: 'loopback', CLIENT_ASK_PER_MINUTE: '3' }), logger: silentLogger });
    const statuses = async (env: ReturnType<typeof from>, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await app.request('/api/ask', askInit('你好', `u-${Math.random()}`), env)).status);
      return out;
    };
    // Through the proxy on loopback, two clients with a budget each.
    expect(await statuses(from('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), 4)).toEqual([200, 200, 200, 429]);
    expect(await statuses(from('127.0.0.1', { 'x-forwarded-for': '198.51.100.2' }), 3)).toEqual([200, 200, 200]);
    // A client forging the header from anywhere else is counted by its own address.
    const forged = [];
    for (let i = 0; i < 4; i++) forged.push(...(await statuses(from('203.0.113.9', { 'x-forwarded-for': `10.0.0.${i}` }), 1)));
    expect(forged).toEqual([200, 200, 200, 429]);
  });

  it('answers a user past the per-user limit with 429 and Retry-After, wherever it asks from', async () => {
    const bot = new FakeBot();
    const app = createApp({ bot, config: config({ CLIENT_USER_ASK_PER_MINUTE: '3' }), logger: silentLogger });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/api/ask', askInit('你好', 'same-user'), from(`198.51.100.${i}`))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await app.request('/api/ask', askInit('你好', 'same-user'), from('198.51.100.200'));
    const wait = Number(res.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await res.json()).toEqual({ error: TOO_FAST(wait) });
    expect(bot.calls).toHaveLength(3);
  });

  it('caps the sessions one address may start; its known users go on', async () => {
    const bot = new FakeBot();
    const app = createApp({ bot, config: config({ CLIENT_SESSIONS_PER_ADDRESS: '3', CLIENT_ASK_PER_MINUTE: '1000' }), logger: silentLogger });
    const ask = (user?: string) => app.request('/api/ask', askInit('你好', user), from('198.51.100.7'));
    for (const user of ['u1', 'u2', 'u3']) expect((await ask(user)).status).toBe(200);
    const refused = await ask('u4');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe(TOO_MANY_SESSIONS(Number(refused.headers.get('retry-after'))));
    expect((await ask()).status).toBe(429); // an anonymous request would start a session too
    expect((await ask('u1')).status).toBe(200);
    // Another address is not held back by this one.
    expect((await app.request('/api/ask', askInit('你好', 'u4'), from('198.51.100.8'))).status).toBe(200);
  });

  it('limits how often one address loads the chat page', async () => {
    const app = createApp({ bot: new FakeBot(), config: config({ CLIENT_PAGE_PER_MINUTE: '3' }), logger: silentLogger });
    const statuses = [];
    for (const url of ['/', '/page.css', '/page.js', '/']) statuses.push((await app.request(url, {}, from('198.51.100.9'))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await app.request('/healthz', {}, from('198.51.100.9'))).status).toBe(200);
  });
});

// ---------------------------------------------------------------- real sockets

interface Reply {
  status: number;
  text: string;
}

/** A GET or POST from a chosen local address (127.0.0.2 is another client on loopback). */
function send(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A raw socket and a promise of when the server closed it. */
async function rawSocket(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<number>; data: () => string }> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (data += c));
  socket.on('error', () => undefined);
  const opened = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, data: () => data };
}

describe('connections', () => {
  let server: ServerHandle;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    server = await startServer({
      bot: new FakeBot(),
      config: config({ HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_KEEP_ALIVE_TIMEOUT_MS: '500', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '8' }),
      logger,
    });
  });
  afterAll(async () => {
    await server?.close(100);
  });

  it('cuts off a client that trickles its body within the configured request timeout', async () => {
    const { socket, closed, data } = await rawSocket(server.port);
    socket.write('POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    try {
      // Generous: the timeout is 1.5 s, checked every 100 ms; Node's default held it for 300 s.
      const after = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 6_000))]);
      expect(after).toBeLessThan(6_000);
      expect(data()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('cuts off a client that trickles its headers within the configured headers timeout', async () => {
    const { socket, closed } = await rawSocket(server.port);
    socket.write('GET /healthz HTTP/1.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
    try {
      const after = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 6_000))]);
      expect(after).toBeLessThan(6_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('one address holding many idle connections gets no more than its share; others are served', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawSocket(server.port)));
    try {
      const closedAtOnce = await Promise.all(sockets.map((s) => Promise.race([s.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 800))])));
      expect(closedAtOnce.filter(Boolean).length).toBe(12);
      const other = await send(`${server.url}/healthz`, { localAddress: '127.0.0.2' });
      expect(other.status).toBe(200);
    } finally {
      for (const s of sockets) s.socket.destroy();
    }
  });

  it('requests the client aborts are not logged as errors', async () => {
    const before = lines.length;
    for (let i = 0; i < 50; i++) {
      const { socket } = await rawSocket(server.port, '127.0.0.3');
      socket.write('POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"question":');
      await new Promise((resolve) => setTimeout(resolve, 5));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const errors = lines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    expect(errors).toEqual([]);
    expect((await send(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('the admin token', () => {
  let dir: string;
  let bot: RunningBot;
  let server: ServerHandle;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'limits-admin-'));
    bot = await createBot({ knowledgeDir: 'knowledge', dataDir: dir, logger: silentLogger });
    server = await startServer({ bot, config: config({ ADMIN_TOKEN: STRONG_TOKEN, ADMIN_MAX_FAILED_ATTEMPTS: '5' }), logger: silentLogger });
  }, 60_000);
  afterAll(async () => {
    await server?.close(100);
    await bot?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('pauses an address after too many wrong tokens; other addresses and the right token elsewhere go on', async () => {
    const findings = (token: string, localAddress = '127.0.0.1') =>
      send(`${server.url}/admin/api/findings`, { headers: { Authorization: `Bearer ${token}` }, localAddress });
    for (let i = 0; i < 5; i++) expect((await findings(`guess-${i}`)).status).toBe(401);
    const paused = await findings(STRONG_TOKEN);
    expect(paused.status).toBe(429);
    expect(paused.text).toMatch(/错误次数过多/);
    expect((await findings(STRONG_TOKEN, '127.0.0.2')).status).toBe(200);
  });
});

describe('/healthz', () => {
  it('answers 503 with the storage problem while DATA_DIR is nearly full, and ok otherwise', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'limits-health-'));
    const full = await createBot({ knowledgeDir: 'knowledge', dataDir: path.join(dir, 'full'), logger: silentLogger, store: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
    const fine = await createBot({ knowledgeDir: 'knowledge', dataDir: path.join(dir, 'fine'), logger: silentLogger });
    try {
      const degraded = await createApp({ bot: full, config: config(), logger: silentLogger }).request('/healthz');
      expect(degraded.status).toBe(503);
      const body = (await degraded.json()) as { ok: boolean; storage: { ok: boolean; problems: Array<{ code: string }> } };
      expect(body.ok).toBe(false);
      expect(body.storage.problems.map((p) => p.code)).toEqual(['LOW_SPACE']);
      const ok = await createApp({ bot: fine, config: config(), logger: silentLogger }).request('/healthz');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
    } finally {
      await full.close();
      await fine.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
