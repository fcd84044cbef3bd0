// A server for the load runs, in its own process so that it has a core to itself and autocannon
// (in the parent) does not steal its event loop. argv: "real" | "stub" | "bare", knowledgeDir, dataDir.
//
//   real  the production app (startServer + createApp) with WECHAT_TOKEN set, plain mode; after
//         `reset`, bot.answer is wrapped to count calls per (user, question) so that duplicate
//         answers show.
//   real-cold  the same with the engine reading every message afresh (no kept readings): the
//         throughput if no question were ever asked twice.
//   stub  the same app with a bot that answers at once with a fixed text of a typical length: what
//         the HTTP stack, Hono and the webhook cost without the core.
//   bare  node:http that does what any webhook must and nothing more: verify the signature, parse
//         the XML with the same xml.ts, reply with fixed text. The floor for the real server.
//
// A fourth argument, a Redis URL, puts the real server's state in Redis (sessions, limits, retry
// cache, question log) as REDIS_URL does: the same load against both stores.
//
// IPC: sends {ready: {port}}; on {cmd: 'stats'} sends {stats}; on {cmd: 'stop'} closes and exits.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage as HttpRequest, type Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { AddressInfo } from 'node:net';
import type { Bot } from '../src/answer/types.ts';
import { ADMIN_TOKEN, TOKEN } from './wechat.ts';

// The servers run the project as `npm start` does: compiled to dist/ (bench/run.ts builds it from
// the source being measured), typed from src/. Under tsx's loader each module also kept its
// transpiled text and source map, and the statistics worker compiled its modules again.
// BENCH_DIST (a directory under the project, e.g. another commit's dist/) is for A/B runs (bench/ab-webhook.ts).
const distDir = process.env.BENCH_DIST ? new URL(`file://${process.env.BENCH_DIST.replace(/\/?$/, '/')}`) : new URL('../dist/', import.meta.url);
const dist = <T>(path: string): Promise<T> => import(new URL(`${path}.js`, distDir).href) as Promise<T>;
const { createBot } = await dist<typeof import('../src/answer/bot.ts')>('answer/bot');
const { verifySignature } = await dist<typeof import('../src/channels/official-account/signature.ts')>('channels/official-account/signature');
const { buildTextReply, parseXmlFields, toIncomingMessage } = await dist<typeof import('../src/channels/official-account/xml.ts')>('channels/official-account/xml');
const { loadConfig } = await dist<typeof import('../src/config.ts')>('config');
const { createLogger } = await dist<typeof import('../src/log.ts')>('log');
const { startServer } = await dist<typeof import('../src/server.ts')>('server');
const { SharedRedis } = await dist<typeof import('../src/store/shared-redis.ts')>('store/shared-redis');
const { statsWorkerMemory } = await dist<typeof import('../src/admin/stats-service.ts')>('admin/stats-service');

export interface ServerStats {
  botCalls: number;
  distinctMessages: number;
  duplicateCalls: number;
  maxRssBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
  sessions: number | null;
  /** The engine's messages read afresh and those whose reading was kept (real modes). */
  readings: { read: number; kept: number; /** Messages the bot answered with a reply it kept whole (bot.ts REPLY_CACHE), which the engine never saw. */ replied?: number } | null;
  /** CPU time of this process so far, user + system, in microseconds. */
  cpuMicros: number;
  /** Event-loop delay since the previous stats call, ms: how long requests waited for the loop. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Calls to Redis the server made (each one awaited or batched), when its state is in Redis. */
  redisCalls: number | null;
  /**
   * Time this process's threads spent runnable but waiting for a CPU so far, µs (Linux
   * /proc/self/task/<tid>/schedstat, summed over threads; null elsewhere): what the machine's other
   * load cost it.
   */
  runqueueWaitMicros: number | null;
  /** Sampled every 250 ms: what the memory was made of when RSS was highest (bytes). */
  atPeak: MemorySample | null;
  /** The admin statistics thread: computations run and the largest heap one left (bytes). */
  statsWorker: { computations: number; maxHeapTotal: number; maxHeapUsed: number };
}

export interface MemorySample {
  rss: number;
  /** The main thread's V8 heap: committed, used, and committed for new objects (young generation). */
  heapTotal: number;
  heapUsed: number;
  newSpace: number;
  /** Buffers and other memory held outside the heap by JavaScript objects. */
  external: number;
  /** When the sample was taken, ms since the process started. */
  atMs: number;
}

const [mode, knowledgeDir, dataDir, redisUrl] = process.argv.slice(2);
if (!['real', 'real-cold', 'stub', 'bare'].includes(mode ?? '') || !knowledgeDir || !dataDir) {
  throw new Error('usage: webhook-server.ts real|real-cold|stub|bare <knowledgeDir> <dataDir>');
}

// About the length of a statistic's answer with its source line.
const STUB_REPLY = `2019年，某县人民政府：\n行政处罚：上一年项目数量 1285，本年增/减 -14，处理决定数量 1271\n${'来源：某县人民政府2019年政府信息公开工作年度报告·二、主动公开政府信息情况。'.repeat(2)}`;

const stubBot: Bot = {
  answer: async () => ({ reply: STUB_REPLY, answered: true, intent: 'statistic', confidence: 1, sources: [] }),
  welcome: () => STUB_REPLY,
  menu: async () => ({ reply: STUB_REPLY, answered: true, intent: 'guide', confidence: 1, sources: [] }),
  unsupported: () => STUB_REPLY,
};

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const calls = new Map<string, number>();
let botCalls = 0;
/** Set by `reset`, which starts the retry run. */
let counting = false;
let close: () => Promise<void>;
let port: number;
let sessions: () => number | null = () => null;
let readings: () => ServerStats['readings'] = () => null;
let redisCalls: () => number | null = () => null;

if (mode === 'stub') {
  const logger = createLogger('warn');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WECHAT_TOKEN: TOKEN, LOG_LEVEL: 'warn' }, { envFile: false });
  const server = await startServer({ bot: stubBot, config, logger });
  port = server.port;
  close = () => server.close(1000);
} else if (mode === 'real' || mode === 'real-cold') {
  // warn: refusals and failures would show on stderr; info would log every retry by design.
  const logger = createLogger('warn');
  const config = loadConfig(
    { PORT: '0', HOST: '127.0.0.1', WECHAT_TOKEN: TOKEN, KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_TOKEN },
    { envFile: false },
  );
  const shared = redisUrl ? await SharedRedis.open(redisUrl, { logger }) : undefined;
  const backend = shared?.backend('bench');
  const bot = await createBot({ knowledgeDir, dataDir, logger, store: config.limits.store, backend, ...(mode === 'real-cold' ? { readingCache: 0 } : {}) });
  if (shared) redisCalls = () => shared.link.commands;
  const answer = bot.answer.bind(bot);
  bot.answer = (text, user, context) => {
    botCalls++;
    // Only for the retry run: a map of every message would burden the throughput runs' heap.
    if (counting) {
      const key = `${user}\u0000${text}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    }
    return answer(text, user, context);
  };
  sessions = () => bot.store.sessions.size;
  // Optional: an A/B run's other build may predate the kept replies.
  readings = () => ({ ...bot.engine.readingStats, replied: (bot as Partial<typeof bot>).replyStats?.kept ?? 0 });
  const server = await startServer({ bot, config, logger, backend, shared });
  port = server.port;
  close = async () => {
    await server.close(1000);
    await bot.close();
    await shared?.close();
  };
} else {
  const server = createServer((req, res) => void bare(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  close = () => closeBare(server);
}

async function bare(req: HttpRequest, res: import('node:http').ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const q = url.searchParams;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (req.method !== 'POST' || !verifySignature(TOKEN, q.get('timestamp') ?? undefined, q.get('nonce') ?? undefined, q.get('signature') ?? undefined)) {
    res.writeHead(401).end('bad-signature');
    return;
  }
  try {
    const message = toIncomingMessage(parseXmlFields(Buffer.concat(chunks).toString('utf8')));
    const xml = buildTextReply({ toUser: message.fromUserName, fromUser: message.toUserName, createTime: Math.floor(Date.now() / 1000), content: '收到' });
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' }).end(xml);
  } catch {
    res.writeHead(400).end('bad-xml');
  }
}

function closeBare(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

let atPeak: MemorySample | null = null;
setInterval(() => {
  const m = process.memoryUsage();
  if (atPeak !== null && m.rss <= atPeak.rss) return;
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  atPeak = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, newSpace, external: m.external, atMs: performance.now() };
}, 250).unref();

/** Sum over this process's threads of the time spent waiting on a run queue, µs. */
function runqueueWait(): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync('/proc/self/task')) ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return ns / 1000;
  } catch {
    return null;
  }
}

function stats(): ServerStats {
  let duplicateCalls = 0;
  for (const n of calls.values()) duplicateCalls += n - 1;
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    botCalls,
    distinctMessages: calls.size,
    duplicateCalls,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    sessions: sessions(),
    readings: readings(),
    cpuMicros: cpu.user + cpu.system,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    redisCalls: redisCalls(),
    runqueueWaitMicros: runqueueWait(),
    atPeak,
    statsWorker: { ...statsWorkerMemory },
  };
}

process.on('message', (message: { cmd: string; gc?: boolean }) => {
  if (message.cmd === 'stats') {
    // With --expose-gc, {gc: true} measures what is retained rather than what awaits collection.
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ stats: stats() });
    loopDelay.reset();
  }
  if (message.cmd === 'reset') {
    calls.clear();
    botCalls = 0;
    counting = true;
    process.send?.({ reset: true });
  }
  if (message.cmd === 'stop') {
    void close().then(() => {
      process.send?.({ stopped: true });
      process.disconnect();
    });
  }
});
process.send?.({ ready: { port } });
