// The webhook under the same load against both stores: the embedded files of one instance, and
// Redis (a local redis-server started here, on a free port in a temporary directory) as several
// instances share it. Each server first gets 10,000 residents' messages (10,000 live sessions),
// then 500 messages/s for a while; the figures are its latency, its CPU per message, and what the
// Redis store adds per message: calls made, commands Redis ran, Redis' own CPU. Each store is
// loaded twice at the rate: by autocannon (its per-connection budget spent in a burst at the start
// of each second) and by an open-loop schedule of Poisson arrivals (bench/paced.ts), which is what
// "500 messages a second" from independent residents looks like; the budget is on the second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { webhookServer } from './children.ts';
import { freshMessages, load, OPENIDS, type LoadResult } from './load.ts';
import { paced, type PacedResult } from './paced.ts';
import type { ServerStats } from './webhook-server.ts';

export interface StoreRun {
  store: 'embedded' | 'redis';
  /** Sessions live after the warm-up (in the server's memory, or keys in Redis). */
  sessions: number;
  warmup: LoadResult;
  /** autocannon at `rate` messages/s (bursts at the start of each second). */
  atRate: LoadResult;
  /** The same rate as Poisson arrivals, open loop: the budgeted run. */
  steady: PacedResult;
  rate: number;
  /** Server CPU (user + system) per message in the steady run, µs. */
  serverCpuUsPerMessage: number;
  /** How long the server's threads waited for a CPU per second of each run, ms (Linux; null elsewhere). */
  runqueueWaitMsPerS: { atRate: number | null; steady: number | null };
  /** The server's event-loop delay in the steady run, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  maxRssBytes: number;
  /** Redis store only: the server's calls to Redis per message, the commands Redis ran per message, Redis' CPU per message (µs). */
  redisCallsPerMessage?: number;
  redisCommandsPerMessage?: number;
  redisCpuUsPerMessage?: number;
  redisVersion?: string;
}

export interface StoresResult {
  runs: StoreRun[];
  /** Redis − embedded server CPU per message, µs: the client side of the round trips. */
  redisCostUsPerMessage: number;
  /** Redis − embedded median latency at the same rate, ms. */
  redisLatencyCostMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let failed: Error | undefined;
  child.once('error', (err) => (failed = err));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failed) throw new Error(`redis-server could not be started (apt-get install redis-server): ${failed.message}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** commands processed and CPU seconds of the Redis server, from INFO. */
async function redisCounters(client: Redis): Promise<{ commands: number; cpuS: number }> {
  const info = await client.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1] ?? Number.NaN);
  return { commands: field('total_commands_processed'), cpuS: field('used_cpu_user') + field('used_cpu_sys') };
}

async function countKeys(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

export async function storeRuns(knowledgeDir: string, work: string, questions: string[], seconds: number, rate: number, progress: (phase: string, detail?: string) => void): Promise<StoresResult> {
  const redisDir = await mkdtemp(join(work, 'redis-'));
  const redis = await startRedis(redisDir);
  const probe = new Redis(redis.url);
  const runs: StoreRun[] = [];
  let runId = 900;
  try {
    for (const store of ['embedded', 'redis'] as const) {
      const dataDir = await mkdtemp(join(work, `store-${store}-`));
      const { child, port, stats } = await webhookServer(['real', knowledgeDir, dataDir, ...(store === 'redis' ? [redis.url] : [])]);
      try {
        progress(`stores, ${store}`, `${OPENIDS.toLocaleString('en')} residents' first messages`);
        // One message from each of the 10,000 OpenIDs: 10,000 live sessions before the measured run.
        const warmup = await load({ port, connections: 20, amount: OPENIDS }, questions, runId++);
        const sessions = store === 'redis' ? await countKeys(probe, 'gongkai:bench:s:*') : ((await stats()).sessions ?? 0);
        const waited = (a: ServerStats, b: ServerStats, seconds: number): number | null =>
          a.runqueueWaitMicros === null || b.runqueueWaitMicros === null ? null : (b.runqueueWaitMicros - a.runqueueWaitMicros) / 1000 / seconds;
        progress(`stores, ${store}`, `autocannon at ${rate} messages/s for ${seconds} s with ${sessions.toLocaleString('en')} live sessions`);
        const burstBefore = await stats();
        const atRate = await load({ port, connections: 20, duration: seconds, overallRate: rate }, questions, runId++);
        const burstAfter = await stats();
        progress(`stores, ${store}`, `${rate} messages/s as Poisson arrivals for ${seconds} s`);
        const before = await stats();
        const redisBefore = await redisCounters(probe);
        const steady = await paced({ port, rate, durationS: seconds, connections: 64, message: freshMessages(questions, runId++) });
        const after = await stats();
        const redisAfter = await redisCounters(probe);
        const run: StoreRun = {
          store,
          sessions,
          warmup,
          atRate,
          steady,
          rate,
          serverCpuUsPerMessage: (after.cpuMicros - before.cpuMicros) / steady.requests,
          runqueueWaitMsPerS: { atRate: waited(burstBefore, burstAfter, atRate.durationS), steady: waited(before, after, steady.durationS) },
          loopDelayP99Ms: after.loopDelayP99Ms,
          loopDelayMaxMs: after.loopDelayMaxMs,
          maxRssBytes: after.maxRssBytes,
        };
        if (store === 'redis') {
          run.redisCallsPerMessage = ((after.redisCalls ?? 0) - (before.redisCalls ?? 0)) / steady.requests;
          // Less this probe's own INFO between the two readings.
          run.redisCommandsPerMessage = (redisAfter.commands - redisBefore.commands - 1) / steady.requests;
          run.redisCpuUsPerMessage = ((redisAfter.cpuS - redisBefore.cpuS) * 1e6) / steady.requests;
          run.redisVersion = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1];
        }
        runs.push(run);
        progress(
          `stores, ${store}`,
          `p99 ${steady.latencyP99.toFixed(1)} ms steady (autocannon's bursts: ${atRate.latencyP99} ms) at ${steady.rps.toFixed(0)} msg/s, ${run.serverCpuUsPerMessage.toFixed(0)} µs CPU/message, waited for a CPU ${run.runqueueWaitMsPerS.steady?.toFixed(0) ?? '?'} ms/s`,
        );
      } finally {
        child.send({ cmd: 'stop' });
        await child.exited;
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    probe.disconnect();
    redis.child.kill('SIGKILL');
    await rm(redisDir, { recursive: true, force: true });
  }
  const [embedded, shared] = runs as [StoreRun, StoreRun];
  return {
    runs,
    redisCostUsPerMessage: shared.serverCpuUsPerMessage - embedded.serverCpuUsPerMessage,
    redisLatencyCostMs: shared.steady.latencyP50 - embedded.steady.latencyP50,
  };
}
