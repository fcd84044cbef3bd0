// `npm run bench`: measures the answering core, start-up, memory and the webhook under load, then
// writes BENCHMARKS.md. A benchmark, not a test: it fails nothing, it reports figures against
// budgets. Each measurement runs in its own process so that one does not warm, load or bloat the
// next; the load generator stays in this process and the servers get a process of their own.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { runChild, spawnChild, webhookServer } from './children.ts';
import type { CoreResult } from './core-child.ts';
import { generateKnowledge } from './generate.ts';
import { load, type LoadOptions, type LoadResult } from './load.ts';
import type { MemoryResult } from './memory-child.ts';
import type { SessionStoreResult } from './session-store-child.ts';
import { soak } from './soak.ts';
import { storeRuns } from './stores.ts';
import { loadConversations, ROOT } from './questions.ts';
import { renderReport, startupBudgetMs, type BenchResults, type ServerStartup, type StartupResult } from './report.ts';
import { median } from './stats.ts';
import type { ServerStats } from './webhook-server.ts';
import { nowSeconds, openid, textMessage, type SignedMessage } from './wechat.ts';

const SIZES = [1, 10, 100] as const;
const CORE_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
// 100,000 questions, then 50,000 more: the question log keeps 100,000 records in memory, so only
// past that bound can the samples show memory going flat.
const MEMORY_QUESTIONS = Number(process.env.BENCH_MEMORY_QUESTIONS ?? 150_000);
const MEMORY_USERS = 10_000;
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 3);
const LOAD_ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 8);
const RETRY_MESSAGES = 2_000;
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
const SESSION_STORE_SECONDS = Number(process.env.BENCH_SESSION_SECONDS ?? 20);
/** Both stores (embedded, Redis) at 500 messages/s with 10,000 live sessions, for this long each. */
const STORE_SECONDS = Number(process.env.BENCH_STORE_SECONDS ?? 15);
const STORE_RATE = 500;
/** Which parts run (comma-separated); all by default. A partial run still writes BENCHMARKS.md. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'core,startup,memory,sessions,webhook,stores,soak').split(',').map((p) => p.trim()));
/**
 * The servers each load round measures, back to back, in this order: the floor and the real
 * server next to each other, since the budget compares those two.
 */
const LOAD_SERVERS = [
  ['floor', 'bare'],
  ['throughput', 'real'],
  ['stubbed', 'stub'],
  ['cold', 'real-cold'],
] as const;
type LoadKey = (typeof LOAD_SERVERS)[number][0];

/** The command `npm start` runs, as package.json says today. */
const START_SCRIPT = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
/** The same server transpiled at start, as `npm start` ran it before the build: for comparison. */
const TRANSPILED_START = 'node --import tsx src/main.ts';

// `tsx bench/run.ts --render <results.json>` rewrites BENCHMARKS.md from a saved run, for when
// only the wording of the report changed.
const renderFrom = process.argv.indexOf('--render');
if (renderFrom !== -1) {
  const saved = JSON.parse(readFileSync(process.argv[renderFrom + 1]!, 'utf8')) as BenchResults;
  await writeFile(join(ROOT, 'BENCHMARKS.md'), renderReport(saved));
  process.exit(0);
}

const began = performance.now();
const progress = (phase: string, detail = '') => {
  const s = ((performance.now() - began) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[bench ${s}s] ${phase}${detail ? ` — ${detail}` : ''}\n`);
};

const cpus = os.cpus();
const results: BenchResults = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--', 'src', 'knowledge', 'package.json']) !== '',
    loadStart: os.loadavg(),
    loadEnd: [],
  },
  core: [],
  startup: { core: [], server: [], command: START_SCRIPT, transpiled: [], transpiledCommand: TRANSPILED_START },
  memory: null,
  sessionStore: null,
  webhook: null,
  soak: null,
  peaks: [],
  totalSeconds: 0,
};

// What `npm start` runs is dist/: built from the source being measured, not from an older one.
progress('building dist/', 'node scripts/build.mjs');
execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });

const work = await mkdtemp(join(os.tmpdir(), 'gongkai-bench-'));
const knowledge = new Map<number, string>();
try {
  progress('generating knowledge bases', SIZES.map((n) => `${n} report${n > 1 ? 's' : ''}`).join(', '));
  for (const n of SIZES) {
    const dir = join(work, `knowledge-${n}`);
    await generateKnowledge(join(ROOT, 'knowledge'), dir, n);
    knowledge.set(n, dir);
  }

  for (const n of PHASES.has('core') ? SIZES : []) {
    progress(`answering cost, ${n} report(s)`, `${CORE_ROUNDS} rounds in a fresh process`);
    const core = await runChild<CoreResult>('core-child.ts', [knowledge.get(n)!, String(CORE_ROUNDS)], {
      onProgress: (text) => progress(`answering cost, ${n} report(s)`, text),
    });
    results.core.push(core);
    results.peaks.push({ what: `answering cost, ${n} report(s)`, maxRssBytes: core.maxRssBytes });
    progress(`answering cost, ${n} report(s)`, `engine p50 ${core.engine.p50.toFixed(0)} µs, jieba p50 ${core.jieba.p50.toFixed(1)} µs`);
  }

  for (const n of PHASES.has('startup') ? [1, 100] : []) {
    for (let i = 0; i < STARTUP_RUNS; i++) {
      progress(`core start-up, ${n} report(s)`, `run ${i + 1}/${STARTUP_RUNS}`);
      const dataDir = await mkdtemp(join(work, 'startup-data-'));
      const spawned = performance.now();
      const starting = spawnChild('startup-child.mjs', [knowledge.get(n)!, dataDir]);
      const answered = starting.next('answered');
      const finished = starting.next<StartupResult>('result');
      await answered;
      const wallMs = performance.now() - spawned;
      const child = await finished;
      await starting.exited;
      results.startup.core.push({ reports: n, wallMs, ...child });
      results.peaks.push({ what: `core start-up, ${n} report(s)`, maxRssBytes: child.maxRssBytes });
    }
    const runs: ServerStartup[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      progress(`server start-up (${START_SCRIPT}), ${n} report(s)`, `run ${i + 1}/${STARTUP_RUNS}`);
      runs.push(await serverStartup(knowledge.get(n)!, n, START_SCRIPT));
    }
    results.startup.server.push(...runs);
    const mid = median(runs.map((r) => r.firstAnswerMs));
    const budget = startupBudgetMs(n);
    progress(
      `server start-up (${START_SCRIPT}), ${n} report(s)`,
      `first answer after ${(mid / 1000).toFixed(2)} s (median of ${runs.length}; budget ${budget / 1000} s: ${mid <= budget ? 'met' : 'NOT MET'})`,
    );
  }
  if (PHASES.has('startup')) {
    const transpiled: ServerStartup[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) {
      progress(`server start-up transpiled at start (${TRANSPILED_START}), 1 report, for comparison`, `run ${i + 1}/${STARTUP_RUNS}`);
      transpiled.push(await serverStartup(knowledge.get(1)!, 1, TRANSPILED_START));
    }
    results.startup.transpiled = transpiled;
    progress('server start-up transpiled at start, 1 report', `first answer after ${(median(transpiled.map((r) => r.firstAnswerMs)) / 1000).toFixed(2)} s (median; no budget: what the build saves)`);
  }

  if (PHASES.has('memory')) {
    progress('bounded memory', `${MEMORY_QUESTIONS} questions from ${MEMORY_USERS} users, --expose-gc`);
    const memoryData = await mkdtemp(join(work, 'memory-data-'));
    results.memory = await runChild<MemoryResult>(
      'memory-child.ts',
      [knowledge.get(1)!, memoryData, String(MEMORY_QUESTIONS), String(MEMORY_USERS), '10000'],
      { execArgv: ['--expose-gc'], onProgress: (text) => progress('bounded memory', text) },
    );
    results.peaks.push({ what: `bounded memory (${MEMORY_QUESTIONS.toLocaleString('en-US')} questions)`, maxRssBytes: results.memory.maxRssBytes });
  }

  if (PHASES.has('sessions')) {
    progress('session store', `10,000 sessions, 500 changes/s, ${SESSION_STORE_SECONDS} s without and ${SESSION_STORE_SECONDS} s with its writes`);
    const sessionData = await mkdtemp(join(work, 'session-data-'));
    results.sessionStore = await runChild<SessionStoreResult>('session-store-child.ts', [knowledge.get(1)!, sessionData, '10000', String(SESSION_STORE_SECONDS), '500'], { execArgv: ['--expose-gc'] });
    progress('session store', `longest write ${results.sessionStore.longestWriteMs.toFixed(1)} ms, loop delay max ${results.sessionStore.loopDelay.max.toFixed(1)} ms (without writes ${results.sessionStore.baselineLoopDelay.max.toFixed(1)} ms)`);
  }

  if (PHASES.has('webhook')) {
    results.webhook = await webhookRuns(knowledge.get(1)!);
    results.peaks.push({ what: 'real server under load', maxRssBytes: results.webhook.server.maxRssBytes });
  }

  if (PHASES.has('stores')) {
    try {
      results.stores = await storeRuns(knowledge.get(1)!, work, loadConversations().flat(), STORE_SECONDS, STORE_RATE, progress);
      for (const run of results.stores.runs) results.peaks.push({ what: `real server, ${run.store} store, 10,000 sessions, ${STORE_RATE} msg/s`, maxRssBytes: run.maxRssBytes });
    } catch (error) {
      progress('stores', `skipped: ${(error as Error).message}`);
    }
  }

  if (PHASES.has('soak')) {
    progress('soak', `${SOAK_SECONDS} s: mixed flood at the webhook's capacity, 100 residents, admin polling stats, /healthz every 50 ms`);
    const dataDir = await mkdtemp(join(work, 'soak-data-'));
    const { child, port, stats } = await webhookServer(['real', knowledge.get(1)!, dataDir]);
    results.soak = await soak({ port, dataDir, child, stats }, loadConversations().flat(), SOAK_SECONDS, () => spawnChild('soak-probe.ts', [String(port), String(SOAK_SECONDS)]));
    results.peaks.push({ what: 'real server in the soak', maxRssBytes: results.soak.server.maxRssBytes });
    const h = results.soak.probe.health;
    progress('soak', `${results.soak.rps.toFixed(0)} req/s; /healthz p99 ${h.p99.toFixed(1)} ms; residents ${results.soak.probe.residents.answered}/${results.soak.probe.residents.sent} answered, ${results.soak.residentsNotLogged} not logged; RSS peak ${(results.soak.server.maxRssBytes / 1048576).toFixed(0)} MB`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

results.machine.loadEnd = os.loadavg();
results.totalSeconds = (performance.now() - began) / 1000;
const markdown = renderReport(results);
await writeFile(join(ROOT, 'BENCHMARKS.md'), markdown);
const saved = join(os.tmpdir(), 'gongkai-bench-results.json');
await writeFile(saved, JSON.stringify(results));
progress('done', `BENCHMARKS.md written in ${results.totalSeconds.toFixed(0)} s; figures saved in ${saved}`);
process.stdout.write('\n' + (markdown.split('\n## ')[1] ?? '').replace(/^/, '## ') + '\n');

// ---------------------------------------------------------------------------------------------

/**
 * CPU time (user + system, ms) used so far by a process and its descendants — the tsx CLI starts
 * node again as a child. Linux only (/proc); null elsewhere.
 */
function treeCpuMs(root: number | undefined): number | null {
  if (root === undefined || process.platform !== 'linux') return null;
  const tick = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    total += stats.get(pid)?.ticks ?? 0;
    for (const [child, info] of stats) if (info.parent === pid) queue.push(child);
  }
  return total * tick;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` without npm's own start-up: the start script run as npm runs it (sh, with
 * node_modules/.bin on the PATH), timed from spawn to the first answer over HTTP.
 */
async function serverStartup(knowledgeDir: string, reports: number, command: string): Promise<ServerStartup> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(work, 'server-data-'));
  const spawned = performance.now();
  // exec: the shell becomes the server, so the signal and the CPU count reach it.
  const child = spawn('sh', ['-c', command.startsWith('exec ') ? command : `exec ${command}`], {
    cwd: ROOT,
    env: {
      ...process.env,
      PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      KNOWLEDGE_DIR: knowledgeDir,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      WECHATY_PUPPET: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let firstAnswerMs = NaN;
  let listeningMs = NaN;
  let cpuMs: number | null = null;
  try {
    const deadline = spawned + 60_000;
    while (performance.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/ask`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question: '2019年行政处罚有多少件？', user: 'startup' }),
          signal: AbortSignal.timeout(5000),
        });
        if (Number.isNaN(listeningMs)) listeningMs = performance.now() - spawned;
        if (response.ok && (await response.json() as { reply?: string }).reply) {
          firstAnswerMs = performance.now() - spawned;
          cpuMs = treeCpuMs(child.pid);
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (Number.isNaN(firstAnswerMs)) throw new Error(`the server did not answer within 60 s\n${stderr}`);
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
  return { reports, firstAnswerMs, listeningMs, cpuMs };
}

/** A load run with the server's CPU time per request, which other processes on the machine skew less than wall time. */
async function measured(server: ServerChild, options: LoadOptions, questions: string[], runId: number): Promise<LoadResult> {
  const before = await server.stats();
  const result = await load(options, questions, runId);
  const after = await server.stats();
  return {
    ...result,
    serverCpuUsPerRequest: (after.cpuMicros - before.cpuMicros) / result.requests,
    loopDelayP99Ms: after.loopDelayP99Ms,
    loopDelayMaxMs: after.loopDelayMaxMs,
  };
}

interface ServerChild {
  port: number;
  stats(): Promise<ServerStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function startWebhookServer(mode: 'real' | 'real-cold' | 'stub' | 'bare', knowledgeDir: string): Promise<ServerChild> {
  const dataDir = await mkdtemp(join(work, `${mode}-data-`));
  const { child, port, stats } = await webhookServer([mode, knowledgeDir, dataDir]);
  return {
    port,
    stats,
    reset: async () => {
      const answer = child.next('reset');
      child.send({ cmd: 'reset' });
      await answer;
    },
    stop: async () => {
      child.send({ cmd: 'stop' });
      await child.exited;
    },
  };
}

async function webhookRuns(knowledgeDir: string): Promise<NonNullable<BenchResults['webhook']>> {
  const questions = loadConversations().flat();
  let runId = 0;
  const connections = 10;

  // All four servers stay up; each round loads them one after the other. The machine's other load
  // comes and goes: a floor measured minutes before the real server would compare two different
  // machines, so the budget is judged on the ratio within each round, and the median round.
  const servers = {} as Record<LoadKey, ServerChild>;
  for (const [key, mode] of LOAD_SERVERS) {
    progress(`webhook ${mode} server`, 'start and 2 s warm-up');
    servers[key] = await startWebhookServer(mode, knowledgeDir);
    await load({ port: servers[key].port, connections, duration: 2 }, questions, runId++);
  }
  const rounds: Array<Record<LoadKey, LoadResult>> = [];
  for (let r = 0; r < LOAD_ROUNDS; r++) {
    const round = {} as Record<LoadKey, LoadResult>;
    for (const [key, mode] of LOAD_SERVERS) {
      round[key] = await measured(servers[key], { port: servers[key].port, connections, duration: LOAD_SECONDS }, questions, runId++);
      progress(`webhook round ${r + 1}/${LOAD_ROUNDS}, ${mode}`, `${round[key].rps.toFixed(0)} req/s, p99 ${round[key].latencyP99} ms, ${round[key].serverCpuUsPerRequest?.toFixed(0)} µs CPU/request`);
    }
    rounds.push(round);
  }
  const bareStats = await servers.floor.stats();
  const coldStats = await servers.cold.stats();
  for (const key of ['floor', 'stubbed', 'cold'] as const) await servers[key].stop();
  const real = servers.throughput;
  const readings = (await real.stats()).readings;

  progress("webhook, real server at 200 req/s", "10 s");
  const fixedRate = await measured(real, { port: real.port, connections, duration: 10, overallRate: 200 }, questions, runId++);
  progress('webhook, real server at 200 req/s', `p99 ${fixedRate.latencyP99} ms, ${fixedRate.errors + fixedRate.non2xx + fixedRate.timeouts} errors`);

  progress('webhook retries', `${RETRY_MESSAGES} messages × 3 deliveries`);
  await real.reset();
  const retry = await retryRun(real.port, questions, runId++);
  const afterRetry = await real.stats();
  await real.stop();
  progress('webhook retries', `${afterRetry.botCalls} bot calls for ${RETRY_MESSAGES} messages, ${afterRetry.duplicateCalls} duplicates`);

  const medianRound = (key: LoadKey): LoadResult => [...rounds.map((round) => round[key])].sort((a, b) => a.rps - b.rps)[Math.floor(rounds.length / 2)]!;
  const medianOf = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cpu = (l: LoadResult): number => l.serverCpuUsPerRequest ?? Number.NaN;
  return {
    connections,
    rounds,
    floor: medianRound('floor'),
    stubbed: medianRound('stubbed'),
    throughput: medianRound('throughput'),
    cold: medianRound('cold'),
    share: medianOf(rounds.map((round) => round.throughput.rps / round.floor.rps)),
    cpuShare: medianOf(rounds.map((round) => cpu(round.floor) / cpu(round.throughput))),
    coldShare: medianOf(rounds.map((round) => round.cold.rps / round.floor.rps)),
    readings,
    coldReadings: coldStats.readings,
    fixedRate,
    retry: { ...retry, messages: RETRY_MESSAGES, botCalls: afterRetry.botCalls, distinct: afterRetry.distinctMessages, duplicates: afterRetry.duplicateCalls },
    server: afterRetry,
    bareMaxRssBytes: bareStats.maxRssBytes,
  };
}

/**
 * Every message delivered three times with identical query string and body, as WeChat retries:
 * three passes over the messages, so the copies of one message arrive both while its answer is
 * in flight (neighbouring connections) and after it is cached.
 */
async function retryRun(port: number, questions: string[], runId: number): Promise<LoadResult & { differingReplies: number }> {
  const timestamp = nowSeconds();
  const base = BigInt(Date.now()) * 1000n + BigInt(runId) * 100_000_000n;
  const messages: SignedMessage[] = Array.from({ length: RETRY_MESSAGES }, (_, i) =>
    // Distinct OpenIDs (offset past the load runs' users) so every message is its own (user, text).
    textMessage(openid(50_000 + i), String(base + BigInt(i)), questions[i % questions.length]!, timestamp, String(200_000 + i)),
  );
  const replies = new Map<number, string>();
  let differingReplies = 0;
  const result = await load(
    {
      port,
      connections: 20,
      amount: RETRY_MESSAGES * 3,
      message: (n) => messages[n % RETRY_MESSAGES]!,
      onReply: (n, status, body) => {
        const key = n % RETRY_MESSAGES;
        const first = replies.get(key);
        if (first === undefined) replies.set(key, `${status}|${body}`);
        else if (first !== `${status}|${body}`) differingReplies++;
      },
    },
    questions,
    runId,
  );
  return { ...result, differingReplies };
}

