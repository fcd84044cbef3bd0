// BENCHMARKS.md from the figures of one run.
import type { CoreResult } from './core-child.ts';
import type { LoadResult } from './load.ts';
import type { MemoryResult } from './memory-child.ts';
import type { SessionStoreResult } from './session-store-child.ts';
import type { StoresResult } from './stores.ts';
import { FLOODERS, KINDS, type SoakResult } from './soak.ts';
import { mb, median } from './stats.ts';
import type { ServerStats } from './webhook-server.ts';

/** What bench/startup-child.mjs sends: the core's start-up, from the compiled modules. */
export interface StartupResult {
  /** ms from process start (performance.timeOrigin) to each milestone. */
  imported: number;
  /** createBot done: knowledge base, jieba's dictionary (on first use), index, store. */
  botCreated: number;
  firstAnswer: number;
  reply: string;
  /** CPU time (user + system) of the process up to the first answer, in ms. */
  cpuMs: number;
  /**
   * After the answer, what importing the rest of what `npm start` imports costs (ms), to split the
   * server's start-up: the HTTP app, and the Wechaty channel. null when the module is not there.
   */
  serverImportMs: number | null;
  wechatyImportMs: number | null;
  maxRssBytes: number;
}

export interface ServerStartup {
  reports: number;
  /** spawn → first 200 from POST /api/ask with a reply. */
  firstAnswerMs: number;
  /** spawn → first HTTP response of any kind. */
  listeningMs: number;
  /** CPU time of the server's process tree up to the first answer (Linux), ms. */
  cpuMs: number | null;
}

export interface BenchResults {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    platform: string;
    node: string;
    commit: string;
    /** src/, knowledge/ or package.json had uncommitted changes. */
    dirty: boolean;
    loadStart: number[];
    loadEnd: number[];
  };
  core: CoreResult[];
  startup: {
    core: Array<StartupResult & { reports: number; wallMs: number }>;
    server: ServerStartup[];
    command: string;
    /** The server started as before the build (TypeScript transpiled at start), 1 report; absent in older runs. */
    transpiled?: ServerStartup[];
    transpiledCommand?: string;
  };
  memory: MemoryResult | null;
  sessionStore?: SessionStoreResult | null;
  webhook: {
    connections: number;
    /** Each round loads the four servers back to back (bench/run.ts LOAD_SERVERS). */
    rounds: Array<Record<'floor' | 'stubbed' | 'throughput' | 'cold', LoadResult>>;
    /** The round with the median throughput, per server. */
    floor: LoadResult;
    stubbed: LoadResult;
    throughput: LoadResult;
    /** The real server reading every message afresh. */
    cold: LoadResult;
    /** Median over the rounds of real ÷ floor throughput (same round). */
    share: number;
    /** Median over the rounds of floor ÷ real CPU per request. */
    cpuShare: number;
    /** Median over the rounds of cold ÷ floor throughput. */
    coldShare: number;
    /** The real server's engine: messages read afresh and those whose reading was kept. */
    readings: ServerStats['readings'];
    coldReadings: ServerStats['readings'];
    fixedRate: LoadResult;
    retry: LoadResult & { differingReplies: number; messages: number; botCalls: number; distinct: number; duplicates: number };
    server: ServerStats;
    bareMaxRssBytes: number;
  } | null;
  /** The webhook against both stores (bench/stores.ts); absent in older runs. */
  stores?: StoresResult | null;
  soak?: SoakResult | null;
  peaks: Array<{ what: string; maxRssBytes: number }>;
  totalSeconds: number;
}

export const BUDGETS = {
  /** Issue 14: a question read afresh, against jieba.cut on it (1 and 100 reports). */
  ratioAt1: 12,
  ratioAt100: 18,
  /** `npm start` to the first answer with one report (issue 13); 100 reports are parsed at start: 3 s. */
  startupMs: 1000,
  startupAt100Ms: 3000,
  /** Issue 14: every process that holds the bot, the servers under load included. */
  peakRssMb: 300,
  /** Issue 14: the real webhook's throughput against the bare floor's. */
  throughputShare: 0.7,
  p99AtRateMs: 100,
  sessionWriteMs: 10,
  soakHealthP99Ms: 50,
  /** Issue 14: the webhook at 500 messages/s (Poisson arrivals) with 10,000 live sessions, either store. */
  storeP99Ms: 20,
};

export const startupBudgetMs = (reports: number): number => (reports >= 100 ? BUDGETS.startupAt100Ms : BUDGETS.startupMs);

const verdict = (ok: boolean): string => (ok ? 'pass' : '**FAIL**');
const pct = (share: number): string => `${(share * 100).toFixed(0)}%`;
const cpu = (l: LoadResult): number => l.serverCpuUsPerRequest ?? Number.NaN;
const cpuOf = (l: LoadResult): string => (l.serverCpuUsPerRequest ? us(l.serverCpuUsPerRequest) : '—');
const us = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : v >= 100 ? `${v.toFixed(0)} µs` : `${v.toFixed(1)} µs`);
const x = (v: number): string => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}×`;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const int = (v: number): string => Math.round(v).toLocaleString('en-US');

export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  const core = (n: number) => r.core.find((c) => c.reports === n);
  const rows: Array<[string, string, string, boolean]> = [];

  for (const c of r.core) {
    const budget = c.reports === 1 ? BUDGETS.ratioAt1 : c.reports === 100 ? BUDGETS.ratioAt100 : null;
    if (budget === null) continue;
    for (const [name, sum, robust] of [['engine.respond', c.engine, c.questionP99.engine], ['bot.answer', c.bot, c.questionP99.bot]] as const) {
      rows.push([`${name} p50, ${c.reports} report${c.reports > 1 ? 's' : ''}`, `${x(sum.p50 / c.jieba.p50)} jieba (${us(sum.p50)} vs ${us(c.jieba.p50)})`, `≤ ${budget}×`, sum.p50 / c.jieba.p50 <= budget]);
      // The raw p99 holds the scheduler (a call descheduled for milliseconds on a shared machine);
      // the p99 over each question's median is the cost of the slowest questions themselves.
      const steady = robust / c.questionP99.jieba;
      rows.push([
        `${name} p99 over per-question medians, ${c.reports} report${c.reports > 1 ? 's' : ''}`,
        `${x(steady)} jieba (${us(robust)} vs ${us(c.questionP99.jieba)}); raw p99 ${x(sum.p99 / c.jieba.p99)} (${us(sum.p99)} vs ${us(c.jieba.p99)})`,
        `≤ ${budget}×`,
        steady <= budget,
      ]);
    }
  }
  for (const n of [1, 100]) {
    const core = r.startup.core.filter((c) => c.reports === n);
    const runs = core.map((c) => c.wallMs);
    if (runs.length) {
      rows.push([
        `Core start-up to first answer, ${n} report${n > 1 ? 's' : ''} (median of ${runs.length})`,
        `${s(median(runs))} (CPU ${s(median(core.map((c) => c.cpuMs)))})`,
        `≤ ${startupBudgetMs(n) / 1000} s`,
        median(runs) <= startupBudgetMs(n),
      ]);
    }
    const server = r.startup.server.filter((c) => c.reports === n);
    const walls = server.map((c) => c.firstAnswerMs);
    const cpus = server.map((c) => c.cpuMs).filter((v): v is number => v !== null);
    if (walls.length) {
      rows.push([
        `Server start-up (\`${r.startup.command}\`) to first HTTP answer, ${n} report${n > 1 ? 's' : ''} (median of ${walls.length})`,
        `${s(median(walls))}${cpus.length ? ` (CPU ${s(median(cpus))})` : ''}`,
        `≤ ${startupBudgetMs(n) / 1000} s`,
        median(walls) <= startupBudgetMs(n),
      ]);
    }
  }
  const peak = r.peaks.reduce((a, b) => (b.maxRssBytes > a.maxRssBytes ? b : a), { what: '', maxRssBytes: 0 });
  rows.push([`Peak RSS (largest process: ${peak.what})`, `${mb(peak.maxRssBytes)} MB`, `≤ ${BUDGETS.peakRssMb} MB`, mb(peak.maxRssBytes) <= BUDGETS.peakRssMb]);
  const memoryCheck = r.memory ? boundedMemory(r.memory) : null;
  if (r.memory && memoryCheck) {
    rows.push([
      `Memory over ${int(r.memory.questions)} questions from ${int(r.memory.users)} users`,
      memoryCheck.summary,
      'retained memory (heapUsed) flat once the stores are at their bounds; sessions = users',
      memoryCheck.ok,
    ]);
  }
  const w = r.webhook;
  if (w) {
    rows.push([
      'Webhook throughput, real server ÷ floor (median of the rounds\' ratios; each round loads both back to back)',
      `${pct(w.share)} (median round: ${int(w.throughput.rps)} vs ${int(w.floor.rps)} req/s; rounds ${w.rounds.map((round) => pct(round.throughput.rps / round.floor.rps)).join(', ')})`,
      `≥ ${BUDGETS.throughputShare * 100}%`,
      w.share >= BUDGETS.throughputShare,
    ]);
    rows.push([
      'Webhook server CPU per request, floor ÷ real (the same comparison by CPU time)',
      `${pct(w.cpuShare)} (median round: ${cpuOf(w.throughput)} vs ${cpuOf(w.floor)}; rounds ${w.rounds.map((round) => pct(cpu(round.floor) / cpu(round.throughput))).join(', ')})`,
      `≥ ${BUDGETS.throughputShare * 100}%`,
      w.cpuShare >= BUDGETS.throughputShare,
    ]);
    const errors = [...w.rounds.flatMap((round) => Object.values(round)), w.fixedRate, w.retry].reduce((n, l) => n + l.errors + l.timeouts + l.non2xx, 0);
    rows.push(['Webhook errors (connection errors, timeouts, non-2xx; all runs)', int(errors), '0', errors === 0]);
    rows.push([
      'Duplicate answers for messages delivered 3×',
      `${int(w.retry.duplicates)} (${int(w.retry.botCalls)} bot calls for ${int(w.retry.messages)} messages, ${int(w.retry.requests)} deliveries)`,
      '0',
      w.retry.duplicates === 0 && w.retry.botCalls === w.retry.messages,
    ]);
  }
  const ss = r.sessionStore;
  if (ss) {
    rows.push([
      `Session store at ${int(ss.sessions)} sessions, ${int(ss.changesPerSecond)} changes/s: longest piece of its writes (journal appends, ${ss.compactions} compaction${ss.compactions === 1 ? '' : 's'})`,
      `${ss.longestWriteMs.toFixed(1)} ms (the old whole-file rewrite: ${ss.wholeRewriteMs.toFixed(0)} ms in one piece each second)`,
      `≤ ${BUDGETS.sessionWriteMs} ms`,
      ss.longestWriteMs <= BUDGETS.sessionWriteMs,
    ]);
  }
  const st = r.stores;
  if (st) {
    for (const run of st.runs) {
      const l = run.steady;
      const waited = run.runqueueWaitMsPerS.steady;
      rows.push([
        `Webhook, ${run.store} store, ${int(run.sessions)} live sessions, ${run.rate} messages/s (Poisson arrivals): p99`,
        `${l.latencyP99.toFixed(1)} ms (p50 ${l.latencyP50.toFixed(1)} ms, ${int(l.rps)} msg/s, ${l.errors + l.non2xx} errors${waited === null ? '' : `; the server waited ${waited.toFixed(0)} ms a second for a CPU`}; autocannon's bursts: ${run.atRate.latencyP99} ms)`,
        `< ${BUDGETS.storeP99Ms} ms`,
        l.latencyP99 < BUDGETS.storeP99Ms && l.errors + l.non2xx === 0,
      ]);
    }
  }
  const so = r.soak;
  if (so) {
    const h = so.probe.health;
    rows.push([`Soak (${so.seconds} s at ${int(so.rps)} req/s): /healthz p99`, `${h.p99.toFixed(1)} ms (${int(h.count)} probes, max ${h.max.toFixed(0)} ms, ${h.failed} failed)`, `< ${BUDGETS.soakHealthP99Ms} ms`, h.p99 < BUDGETS.soakHealthP99Ms && h.failed === 0]);
    rows.push([`Soak: the real server's peak RSS`, `${mb(so.server.maxRssBytes)} MB`, `≤ ${BUDGETS.peakRssMb} MB`, mb(so.server.maxRssBytes) <= BUDGETS.peakRssMb]);
    const res = so.probe.residents;
    rows.push([
      'Soak: residents\' questions lost (not answered, or not in the question log)',
      `${res.lost.length} unanswered, ${so.residentsNotLogged} not logged (of ${int(res.sent)})`,
      '0',
      res.lost.length === 0 && so.residentsNotLogged === 0 && res.sent > 0,
    ]);
  }

  const m = r.machine;
  line('# Benchmarks');
  line();
  line('Written by `npm run bench` (bench/run.ts); every figure below is from the run on the date shown. Re-run to refresh.');
  line();
  line('| | |');
  line('|---|---|');
  line(`| Date | ${r.date} |`);
  line(`| CPU | ${m.cpu}, ${m.cores} cores |`);
  line(`| Memory | ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GB |`);
  line(`| Node | ${m.node} |`);
  line(`| OS | ${m.platform} |`);
  line(`| Code | commit ${m.commit || '?'}${m.dirty ? ' with uncommitted changes in src/ or knowledge/ (other work in progress at the time)' : ''} |`);
  line(`| Load average (1 min) at start / end | ${m.loadStart[0]?.toFixed(2)} / ${m.loadEnd[0]?.toFixed(2)} |`);
  line(`| Bench duration | ${r.totalSeconds.toFixed(0)} s |`);
  line();
  // At the end the bench's own processes are in the load average; only the start says who else ran.
  if ((m.loadStart[0] ?? 0) > m.cores / 2) {
    line(`> The machine was shared: its load average (${m.loadStart[0]?.toFixed(1)} at the start) was high for ${m.cores} cores, so other processes competed for the CPU during this run. Timings, start-up above all, are pessimistic; ratios against jieba (measured in the same process, interleaved) and against the bare server (same conditions) are the steadier figures.`);
    line();
  }
  line('## Budgets');
  line();
  line('| Measurement | Figure | Budget | Result |');
  line('|---|---|---|---|');
  for (const [what, figure, budget, ok] of rows) line(`| ${what} | ${figure} | ${budget} | ${verdict(ok)} |`);
  line();
  line('## How to reproduce');
  line();
  line('```sh');
  line('npm ci');
  line('npm run bench    # a few minutes; prints progress, then rewrites BENCHMARKS.md');
  line('```');
  line();
  line('Knobs (environment): `BENCH_ROUNDS` (answering-cost rounds, default 40), `BENCH_STARTUP_RUNS` (default 3), `BENCH_MEMORY_QUESTIONS` (default 150000: 100,000 as budgeted, then 50,000 past the log’s bound), `BENCH_LOAD_SECONDS` (each webhook load run, default 3), `BENCH_LOAD_ROUNDS` (rounds over the four webhook servers, default 8), `BENCH_SESSION_SECONDS` (each half of the session-store run, default 20), `BENCH_STORE_SECONDS` (each store’s run at 500 messages/s, default 15; needs `redis-server` on the PATH), `BENCH_SOAK_SECONDS` (default 180), `BENCH_PHASES` (comma-separated subset of core, startup, memory, sessions, webhook, stores, soak; a partial run writes a partial report). The question set is the `q` of every turn in `../shared/eval/questions.public.jsonl` plus `bench/questions.txt` (statistics, procedures, contacts, follow-ups, typos, traditional characters, out-of-scope).');
  line();
  line('The knowledge bases of 1, 10 and 100 reports are generated at bench time into a temporary directory (bench/generate.ts): the real 2019 report of 西吉县人民政府 first, then copies with the year changed (2018, 2017, …) and, beyond ten, the body changed (西吉县教育局, …), every figure perturbed by a seeded PRNG and the layout kept; guide.md, words.txt and synonyms.txt are copied. Each generated report parses to the same number of statistics and passages as the real one.');
  line();

  line('## 1. Answering cost in process');
  line();
  line(`Each question timed alone with \`process.hrtime.bigint()\` after 5 warm-up rounds, ${r.core[0]?.jieba.n && r.core[0].questions ? int(r.core[0].jieba.n / r.core[0].questions) : '?'} rounds over ${r.core[0]?.questions ?? '?'} questions, in a fresh process per knowledge base, on the code \`npm start\` runs (compiled to dist/; before wp-speed4 the source under tsx, whose keepNames helper cost about 4% of \`engine.respond\`). The floor is nodejieba's \`jieba.cut(q)\` on the same questions with the dictionary the project loads (its domain words inserted); \`cutForSearch\` is the cut the tokenizer actually uses. \`engine.respond(q, undefined)\` is the pure core; \`bot.answer(q, user)\` adds the rate limiter, the session store and the question log (conversations asked in order by one user, so follow-ups meet their session; all three are timed back to back; every ten conversations the event loop turns, outside the timing, so that the store\'s batched writes run as in production: their cost shows in the webhook server\'s CPU per request).`);
  line();
  line('| Reports | jieba.cut p50 / p99 | cutForSearch p50 / p99 | engine.respond p50 / p99 | engine ÷ jieba p50 / p99 | bot.answer p50 / p99 | bot ÷ jieba p50 / p99 |');
  line('|---:|---|---|---|---|---|---|');
  for (const c of r.core) {
    line(
      `| ${c.reports} | ${us(c.jieba.p50)} / ${us(c.jieba.p99)} | ${us(c.cutForSearch.p50)} / ${us(c.cutForSearch.p99)} | ${us(c.engine.p50)} / ${us(c.engine.p99)} | ` +
        `${x(c.engine.p50 / c.jieba.p50)} / ${x(c.engine.p99 / c.jieba.p99)} | ${us(c.bot.p50)} / ${us(c.bot.p99)} | ${x(c.bot.p50 / c.jieba.p50)} / ${x(c.bot.p99 / c.jieba.p99)} |`,
    );
  }
  line();
  line('The raw p99 holds the scheduler: on a busy machine a call is now and then paused for a few milliseconds. Taking each question\'s median over the rounds first and then the p99 over the questions gives the cost of the slowest questions themselves:');
  line();
  line('| Reports | jieba.cut | engine.respond | bot.answer | engine ÷ jieba | bot ÷ jieba |');
  line('|---:|---|---|---|---|---|');
  for (const c of r.core) {
    const q = c.questionP99;
    line(`| ${c.reports} | ${us(q.jieba)} | ${us(q.engine)} | ${us(q.bot)} | ${x(q.engine / q.jieba)} | ${x(q.bot / q.jieba)} |`);
  }
  line();
  line('Means, for the total cost of a mixed stream of questions:');
  line();
  line('| Reports | jieba.cut mean | engine.respond mean | bot.answer mean | engine ÷ jieba (means) |');
  line('|---:|---|---|---|---|');
  for (const c of r.core) line(`| ${c.reports} | ${us(c.jieba.mean)} | ${us(c.engine.mean)} | ${us(c.bot.mean)} | ${x(c.engine.mean / c.jieba.mean)} |`);
  line();
  line('Every figure above reads each question afresh (`readingCache: 0`). A question the engine has read before keeps its reading, ranking and composed text (an LRU of 4,000 questions per knowledge base and year; the session still decides follow-ups), so asking it again costs:');
  line();
  line('| Reports | engine.respond p50 / p99, question asked before | ÷ jieba p50 |');
  line('|---:|---|---|');
  for (const c of r.core) if (c.engineRepeat) line(`| ${c.reports} | ${us(c.engineRepeat.p50)} / ${us(c.engineRepeat.p99)} | ${x(c.engineRepeat.p50 / c.jieba.p50)} |`);
  line();

  line('## 2. Growth with the knowledge base (1 → 10 → 100 reports)');
  line();
  const base = core(1);
  line('| Reports | Statistics | Passages | Entries | Vocabulary | createBot | engine p50 | engine p99 | bot p50 | bot p99 | engine p50 vs 1 report | Peak RSS |');
  line('|---:|---:|---:|---:|---:|---|---|---|---|---|---|---|');
  for (const c of r.core) {
    line(
      `| ${c.reports} | ${int(c.stats)} | ${int(c.passages)} | ${int(c.entries)} | ${int(c.vocabulary)} | ${s(c.loadMs)} | ${us(c.engine.p50)} | ${us(c.engine.p99)} | ${us(c.bot.p50)} | ${us(c.bot.p99)} | ` +
        `${base ? x(c.engine.p50 / base.engine.p50) : '—'} | ${mb(c.maxRssBytes)} MB |`,
    );
  }
  line();
  const limited = r.core.reduce((n, c) => n + c.rateLimited, 0);
  if (limited) line(`Warning: ${limited} bot.answer calls were refused by the per-user rate limit and are cheaper than an answer.`);
  line('`createBot` includes loading jieba\'s dictionary on first use. Findings while loading (all warnings, the ones the real report itself gives): ' + r.core.map((c) => `${c.reports} report(s): ${c.findings.error} errors, ${c.findings.warning} warnings`).join('; ') + '.');
  line();
  line('Slowest questions for `engine.respond` (median over the rounds):');
  line();
  line('| Reports | Question | p50 |');
  line('|---:|---|---|');
  for (const c of [core(1), core(100)]) {
    if (!c) continue;
    for (const q of c.slowest) line(`| ${c.reports} | ${q.question.replaceAll('|', '\\|')} | ${us(q.p50)} |`);
  }
  line();

  line('## 3. Start-up to first answer');
  line();
  line('Core: a fresh `node` process (bench/startup-child.mjs, no TypeScript loader) that imports the bot compiled to dist/, calls `createBot` (knowledge base, jieba\'s dictionary on first use, index, store in a fresh DATA_DIR) and answers one question; wall time from spawn to the answer, with milestones measured inside the child from its own start (so the spawn → answer column also holds node\'s own start and IPC). Server: the `start` script of package.json (`' + r.startup.command + '`, run as npm runs it, without npm\'s own start-up) on a free loopback port with WECHATY_PUPPET unset, polled with `POST /api/ask` every 10 ms until it answers.');
  line();
  line('| Reports | Run | Spawn → answer | Imports done | createBot | First answer | CPU time to answer | Peak RSS | Then: import server.ts | import channels/wechaty.ts |');
  line('|---:|---:|---|---|---|---|---|---|---|---|');
  let run = 0;
  let last = 0;
  for (const c of r.startup.core) {
    run = c.reports === last ? run + 1 : 1;
    last = c.reports;
    line(`| ${c.reports} | ${run} | ${s(c.wallMs)} | ${s(c.imported)} | ${s(c.botCreated - c.imported)} | ${s(c.firstAnswer - c.botCreated)} | ${s(c.cpuMs)} | ${mb(c.maxRssBytes)} MB | ${c.serverImportMs === null ? '—' : s(c.serverImportMs)} | ${c.wechatyImportMs === null ? '—' : s(c.wechatyImportMs)} |`);
  }
  line();
  line('| Reports | Run | Spawn → first HTTP response | Spawn → first answer | CPU time to answer (all its processes) |');
  line('|---:|---:|---|---|---|');
  last = 0;
  for (const c of r.startup.server) {
    run = c.reports === last ? run + 1 : 1;
    last = c.reports;
    line(`| ${c.reports} | ${run} | ${s(c.listeningMs)} | ${s(c.firstAnswerMs)} | ${c.cpuMs === null ? '—' : s(c.cpuMs)} |`);
  }
  line();
  const transpiled = r.startup.transpiled ?? [];
  if (transpiled.length) {
    line(`For comparison, the same server with its TypeScript transpiled at every start (\`${r.startup.transpiledCommand}\`, what \`npm start\` ran before it ran the build), 1 report:`);
    line();
    line('| Run | Spawn → first HTTP response | Spawn → first answer | CPU time to answer (all its processes) |');
    line('|---:|---|---|---|');
    transpiled.forEach((c, i) => line(`| ${i + 1} | ${s(c.listeningMs)} | ${s(c.firstAnswerMs)} | ${c.cpuMs === null ? '—' : s(c.cpuMs)} |`));
    line();
  }

  line('## 4. Peak memory (RSS)');
  line();
  line('`process.resourceUsage().maxRSS` of every process that held the bot, at its end.');
  line();
  line('| Process | Peak RSS |');
  line('|---|---|');
  const seen = new Map<string, number>();
  for (const p of r.peaks) seen.set(p.what, Math.max(seen.get(p.what) ?? 0, p.maxRssBytes));
  for (const [what, bytes] of seen) line(`| ${what} | ${mb(bytes)} MB |`);
  if (w) line(`| bare webhook server (no bot, for comparison) | ${mb(w.bareMaxRssBytes)} MB |`);
  line();

  if (r.memory && memoryCheck) {
    const mem = r.memory;
    line('## 5. Bounded memory');
    line();
    line(`${int(mem.questions)} questions from ${int(mem.users)} users through \`bot.answer\` with the real store in a temporary DATA_DIR (sessions.json and questions.jsonl written in batches as in production), 1 report, in a child run with \`--expose-gc\` (${mem.gc ? 'a full GC before every sample' : 'gc was not available: samples include garbage'}). Took ${s(mem.totalMs)}.`);
    line();
    line('| Questions | RSS | heapUsed | external | Sessions | Questions in the log (memory) | Elapsed |');
    line('|---:|---|---|---|---:|---:|---|');
    for (const p of mem.samples) line(`| ${int(p.questions)} | ${mb(p.rssBytes)} MB | ${mb(p.heapUsedBytes)} MB | ${mb(p.externalBytes)} MB | ${int(p.sessions)} | ${int(p.logEntries)} | ${s(p.elapsedMs)} |`);
    line();
    line(memoryCheck.explanation);
    line();
    line(`With ${int(mem.users)} sessions, sessions.json is ${mb(mem.sessionFileBytes)} MB after the store is closed; while it runs, only the sessions that changed are appended to the journal each second (section 6).`);
    if (mem.rateLimited) line(`\n${int(mem.rateLimited)} of the questions were refused by the per-user rate limit.`);
    line();
  }

  if (ss) {
    line('## 6. The session store');
    line();
    line(`${int(ss.sessions)} sessions as the engine leaves them after the bench's conversations, in a fresh DATA_DIR through \`openStore\` as in production, then ${int(ss.changesPerSecond)} of them changed a second (at random) for ${ss.seconds} s with the store's writes off (the sessions set in a plain map) and ${ss.seconds} s with them on, a compaction forced halfway through the second part${ss.compactions > 1 ? ` (${ss.compactions} in all: the journal's growth started the others)` : ''}. The event loop's delay is \`monitorEventLoopDelay\` at 1 ms resolution; the longest piece is the store's own measure of its synchronous work (each append or snapshot piece of 250 sessions, timed from resume to the next await).`);
    line();
    line('| | p50 | p99 | p99.9 | max |');
    line('|---|---|---|---|---|');
    const d = (v: { p50: number; p99: number; p999: number; max: number }) => `${v.p50.toFixed(1)} ms | ${v.p99.toFixed(1)} ms | ${v.p999.toFixed(1)} ms | ${v.max.toFixed(1)} ms`;
    line(`| Event-loop delay, store writing | ${d(ss.loopDelay)} |`);
    line(`| Event-loop delay, same load, writes off | ${d(ss.baselineLoopDelay)} |`);
    line();
    line(`Longest piece of the store's writes: ${ss.longestWriteMs.toFixed(2)} ms; the loop's longest delay while the forced compaction ran: ${ss.compactionLoopDelayMaxMs.toFixed(1)} ms. The journal grew by ${(ss.journalBytesPerSecond / 1024).toFixed(0)} KB a second, and the writes cost ${ss.cpuMsPerSecond.toFixed(1)} ms of CPU a second more than the same load without them. The snapshot is ${mb(ss.snapshotBytes)} MB. Before the journal the store rewrote every session as one document at most once a second: its \`JSON.stringify\` alone held the loop for ${ss.wholeRewriteMs.toFixed(1)} ms in one piece at ${int(ss.sessions)} sessions, then steno wrote the file. Delays beyond the longest piece, in both rows alike, are garbage collection and the machine's other processes.`);
    line();
  }

  if (so) {
    const h = so.probe.health;
    const res = so.probe.residents;
    line('## 7. Soak: a mixed flood at the webhook\'s capacity');
    line();
    line(`The real server (as in section 8, with ADMIN_TOKEN set and the default limits) for ${so.seconds} s under autocannon at full speed on ${so.connections} connections, requests in turns of ten: six new messages from ${FLOODERS} flooding accounts (each far past the per-sender limit of 20 a minute), a WeChat retry of one of them, a message with a forged signature, a replay of one of 500 messages captured at the start (within their timestamp window), and an anonymous junk question to \`/api/ask\`, all from one address. Beside it, in a process of its own: /healthz every 50 ms, 100 residents each sending a question every 5 s to the webhook, and an admin polling \`/admin/api/stats?days=7\` every 2 s.`);
    line();
    line(`${int(so.requests)} requests, ${int(so.rps)} a second; ${so.errors} connection errors, ${so.timeouts} timeouts. Responses by kind:`);
    line();
    line('| Kind | Responses by status |');
    line('|---|---|');
    for (const kind of KINDS) line(`| ${kind} | ${Object.entries(so.statuses[kind]).map(([status, n]) => `${status}: ${int(n)}`).join(', ') || '—'} |`);
    line();
    line(`/healthz: ${int(h.count)} probes, p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms, max ${h.max.toFixed(1)} ms, ${h.failed} failed. Residents: ${int(res.sent)} questions, ${int(res.answered)} answered (p99 ${res.p99.toFixed(0)} ms), ${res.lost.length} lost${res.lost.length ? ` (${res.lost.slice(0, 5).map((l) => l.why).join('; ')})` : ''}, ${so.residentsNotLogged} missing from questions.jsonl after the server stopped. Admin: ${so.probe.admin.polls} polls, ${so.probe.admin.ok} answered 200, p50 ${s(so.probe.admin.p50)}, max ${s(so.probe.admin.max)} (the statistics are computed in a worker thread and reused for 15 s). The server's event-loop delay over the last stretch: p99 ${so.server.loopDelayP99Ms.toFixed(0)} ms, max ${so.server.loopDelayMaxMs.toFixed(0)} ms; peak RSS ${mb(so.server.maxRssBytes)} MB, sessions at the end ${so.server.sessions === null ? '?' : int(so.server.sessions)}.${so.server.statsWorker ? ` The statistics thread ran ${so.server.statsWorker.computations} computations; the largest heap one left was ${mb(so.server.statsWorker.maxHeapTotal)} MB (${mb(so.server.statsWorker.maxHeapUsed)} MB used).` : ''}${so.server.atPeak ? ` At the peak the main thread's heap was ${mb(so.server.atPeak.heapTotal)} MB committed (${mb(so.server.atPeak.heapUsed)} MB used).` : ''}`);
    line();
  }

  if (w) {
    line('## 8. Webhook under load');
    line();
    line(`autocannon (programmatic) in the bench process against a server in its own process, on 127.0.0.1, ${w.connections} connections, no pipelining. Every request is a text message as WeChat POSTs it (ToUserName, FromUserName, CreateTime, MsgType, Content, MsgId in CDATA), signed over the current timestamp, from 10,000 OpenIDs in turn with a new MsgId each and the bench questions in turn. The real server is \`startServer\` with WECHAT_TOKEN set (plain mode), the bot on the real report and a fresh DATA_DIR, logger at warn. The floor is a bare \`node:http\` server that reads the body, verifies the signature, parses and checks the XML with the same xml.ts and replies with a fixed text ("收到"). "Real, every message read afresh" is the real server with the engine\'s kept readings turned off: what the webhook holds if no question were ever asked twice.`);
    line();
    line(`The four servers run side by side; each had a 2 s warm-up, then ${w.rounds.length} rounds each loaded them one after the other (floor, real, stub, real read afresh) for ${w.rounds[0] ? (w.rounds[0].floor.durationS).toFixed(0) : '?'} s. The machine\'s other load comes and goes, so ratios are taken within a round and the median round is reported.`);
    line();
    line('| Round | floor req/s | stub req/s | real req/s | real, read afresh, req/s | real ÷ floor | read afresh ÷ floor | CPU per request: floor / stub / real / read afresh |');
    line('|---:|---:|---:|---:|---:|---:|---:|---|');
    w.rounds.forEach((round, i) =>
      line(
        `| ${i + 1} | ${int(round.floor.rps)} | ${int(round.stubbed.rps)} | ${int(round.throughput.rps)} | ${int(round.cold.rps)} | ${pct(round.throughput.rps / round.floor.rps)} | ${pct(round.cold.rps / round.floor.rps)} | ` +
          `${cpuOf(round.floor)} / ${cpuOf(round.stubbed)} / ${cpuOf(round.throughput)} / ${cpuOf(round.cold)} |`,
      ),
    );
    line();
    if (w.readings) {
      const replied = w.readings.replied ?? 0;
      const all = w.readings.read + w.readings.kept + replied;
      line(`The real server read ${int(w.readings.read)} of its ${int(all)} messages afresh; ${((100 * replied) / Math.max(1, all)).toFixed(1)}% were answered with the reply kept for the same question after the same answer (bot.ts, up to 2,000 replies; the load's senders each ask the questions in the same order, so these repeat far more than a county's residents would), the other ${((100 * w.readings.kept) / Math.max(1, all)).toFixed(1)}% were questions it had read before (the load asks the bench\'s ${r.core[0]?.questions ?? ''} questions in turn), whose reading, ranking and composed text the engine keeps (up to 4,000 questions, per knowledge base, per year). Official-account traffic repeats the same way (menu clicks, the same few questions), but not this much: the read-afresh server shows the other end, ${pct(w.coldShare)} of the floor.`);
      line();
    }
    line('Median rounds:');
    line();
    line('| Server | Requests | req/s | p50 | p99 | max | Errors | Timeouts | Non-2xx | "success" instead of an answer | Server CPU per request | Server event-loop delay p99 / max |');
    line('|---|---:|---:|---|---|---|---:|---:|---:|---:|---|---|');
    const row = (name: string, l: LoadResult) =>
      line(
        `| ${name} | ${int(l.requests)} | ${int(l.rps)} | ${l.latencyP50} ms | ${l.latencyP99} ms | ${l.latencyMax} ms | ${l.errors} | ${l.timeouts} | ${l.non2xx} | ${l.emptyReplies} | ` +
          `${l.serverCpuUsPerRequest ? us(l.serverCpuUsPerRequest) : '—'} | ${l.loopDelayMaxMs !== undefined ? `${l.loopDelayP99Ms!.toFixed(0)} / ${l.loopDelayMaxMs.toFixed(0)} ms` : '—'} |`,
      );
    row('bare (floor), max rate', w.floor);
    row('app with a stub bot, max rate', w.stubbed);
    row('real, max rate', w.throughput);
    row('real, every message read afresh, max rate', w.cold);
    row('real, 200 req/s (overallRate)', w.fixedRate);
    row('real, retries (3 deliveries each)', w.retry);
    line();
    if (w.floor.serverCpuUsPerRequest && w.stubbed.serverCpuUsPerRequest && w.throughput.serverCpuUsPerRequest) {
      const f = w.floor.serverCpuUsPerRequest;
      const st = w.stubbed.serverCpuUsPerRequest;
      const re = w.throughput.serverCpuUsPerRequest;
      line('Where the real server\'s CPU per request goes (max-rate runs):');
      line();
      line('| Part | CPU per request | Share |');
      line('|---|---|---|');
      line(`| What any webhook must do (the floor: HTTP, signature, XML) | ${us(f)} | ${((f / re) * 100).toFixed(0)}% |`);
      line(`| The webhook around the bot: retry cache, reply deadline, reply XML (stub − floor) | ${us(st - f)} | ${(((st - f) / re) * 100).toFixed(0)}% |`);
      line(`| The bot: rate limit, engine, store (real − stub) | ${us(re - st)} | ${(((re - st) / re) * 100).toFixed(0)}% |`);
      line(`| Total, real server | ${us(re)} | 100% |`);
      line();
    }
    line(`At a fixed rate autocannon gives each connection its share of the rate (200 / ${w.connections} per second) and sends it as fast as it is answered at the start of each second, so the 200 req/s run is bursty, not evenly spaced; latencies are corrected for coordinated omission.`);
    line();
    line(`Retries: ${int(w.retry.messages)} messages from distinct OpenIDs, each delivered 3 times with the identical query string and body (three passes over the messages on 20 connections, so a copy arrives both while the first answer is in flight and after it is cached). \`bot.answer\` was called ${int(w.retry.botCalls)} times for ${int(w.retry.distinct)} distinct (user, question) pairs: ${int(w.retry.duplicates)} duplicate answers. Replies to the copies of one message that differed from the first: ${int(w.retry.differingReplies)}.`);
    line();
    line(`After the load runs the real server held ${w.server.sessions === null ? '?' : int(w.server.sessions)} sessions; RSS ${mb(w.server.rssBytes)} MB, heapUsed ${mb(w.server.heapUsedBytes)} MB.`);
    line();
  }
  if (st) {
    line('## 9. The webhook against both stores (embedded files, Redis)');
    line();
    line(`The real server (as in section 8) twice, in turn: with its state in DATA_DIR's files (one instance), and with REDIS_URL's state - sessions, the per-user limit, WeChat's retry cache and the question log - in a redis-server ${st.runs.find((run) => run.redisVersion)?.redisVersion ?? ''} started by the bench on 127.0.0.1 (no persistence). Each first gets one message from each of 10,000 OpenIDs (so 10,000 live sessions), then ${st.runs[0]?.rate ?? 500} messages/s from the same OpenIDs, each a new MsgId, twice for ${st.runs[0] ? st.runs[0].steady.durationS.toFixed(0) : '?'} s: as Poisson arrivals, open loop (bench/paced.ts: each message sent at its scheduled time on one of up to 64 keep-alive connections, whether or not the earlier ones are answered; latency from the scheduled time, so a late send counts), and by autocannon on 20 connections, whose fixed rate is a budget per connection per second spent as fast as the server answers: the second's 500 messages arrive in a burst at about 3,000 a second, and its p99 is how long the last of a burst queues. The budget is on the first.`);
    line();
    line('| Store | live sessions | msg/s | p50 | p99 | max | errors | send lag p99 | server CPU per message | server waited for a CPU | event-loop delay p99 / max | calls to Redis per message | commands Redis ran per message | Redis CPU per message | peak RSS |');
    line('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const perS = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} ms/s`);
    for (const run of st.runs) {
      const l = run.steady;
      const redisCol = (v: number | undefined, digits: number, unit = '') => (v === undefined ? '—' : `${v.toFixed(digits)}${unit}`);
      line(`| ${run.store} | ${int(run.sessions)} | ${int(l.rps)} | ${l.latencyP50.toFixed(1)} ms | ${l.latencyP99.toFixed(1)} ms | ${l.latencyMax.toFixed(0)} ms | ${l.errors + l.non2xx} | ${l.sendLagP99.toFixed(1)} ms | ${run.serverCpuUsPerMessage.toFixed(0)} µs | ${perS(run.runqueueWaitMsPerS.steady)} | ${run.loopDelayP99Ms.toFixed(0)} / ${run.loopDelayMaxMs.toFixed(0)} ms | ${redisCol(run.redisCallsPerMessage, 2)} | ${redisCol(run.redisCommandsPerMessage, 2)} | ${redisCol(run.redisCpuUsPerMessage, 0, ' µs')} | ${mb(run.maxRssBytes)} MB |`);
    }
    line();
    line('The same servers under autocannon at the same rate (bursts):');
    line();
    line('| Store | msg/s | p50 | p99 | max | errors | server waited for a CPU |');
    line('|---|---:|---:|---:|---:|---:|---:|');
    for (const run of st.runs) {
      const l = run.atRate;
      line(`| ${run.store} | ${int(l.rps)} | ${l.latencyP50} ms | ${l.latencyP99} ms | ${l.latencyMax} ms | ${l.errors + l.non2xx + l.timeouts} | ${perS(run.runqueueWaitMsPerS.atRate)} |`);
    }
    line();
    line("\"Waited for a CPU\" is the time the server's threads were ready to run but queued behind other processes (Linux schedstat, summed over the server's threads, per second of the run): on this 2-core machine shared with other developers' test runs, a message that arrives while the server waits for a CPU waits with it, and no change to the server shortens that.");
    line();
    line(`The cost of the Redis round trips: ${st.redisCostUsPerMessage.toFixed(0)} µs more of the server's CPU per message than the embedded store, ${st.redisLatencyCostMs >= 0 ? '+' : ''}${st.redisLatencyCostMs.toFixed(0)} ms at the median. A new message waits on one round trip before it is answered: one script claims its MsgId and, when the claim is won, makes the sender's rate-limit hit and reads the session (store/redis-prefetch.ts; before, three round trips in turn: the claim; the limit and the session read; the session's write). The session's write is not waited for: it is written to the connection before the reply is sent, and Redis runs one connection's commands in order, so the resident's next message finds it on this instance, and on another one once the reply was read. Keeping the reply for other instances is sent without waiting, and the log's records go out in a batch every 100 ms. Commands issued in the same turn of the event loop share one write (ioredis' auto-pipelining), so under load the round trips per message are fewer than the calls.`);
    line();
  }

  line(analysis(r));
  return out.join('\n');
}

interface MemoryCheck {
  ok: boolean;
  summary: string;
  explanation: string;
}

/**
 * The store keeps at most 50,000 sessions and 100,000 log records in memory: heap may grow while the
 * log fills and must be flat once it is full. Judged on the sessions (= users), on the bytes kept
 * per log record while it fills, and on the growth after the log is full.
 */
function boundedMemory(mem: MemoryResult): MemoryCheck {
  const samples = mem.samples;
  const at = (q: number) => samples.find((p) => p.questions >= q) ?? samples[samples.length - 1]!;
  const seen = samples.find((p) => p.sessions >= mem.users) ?? samples[1] ?? samples[0]!;
  const headline = at(Math.min(100_000, mem.questions));
  const lastSample = samples[samples.length - 1]!;
  const logGrowth = headline.logEntries - seen.logEntries;
  const heapGrowth = headline.heapUsedBytes - seen.heapUsedBytes;
  const perRecord = logGrowth > 0 ? heapGrowth / logGrowth : 0;
  // The log is full when its count stops rising; from then on nothing should grow.
  const full = samples.find((p, i) => i > 1 && p.logEntries > 0 && p.logEntries < samples[i - 1]!.logEntries * 1.01);
  const plateauFrom = full ? samples[samples.indexOf(full) - 1]! : null;
  const plateauHeap = plateauFrom ? lastSample.heapUsedBytes - plateauFrom.heapUsedBytes : null;
  const plateauRss = plateauFrom ? lastSample.rssBytes - plateauFrom.rssBytes : null;
  const sessionsOk = lastSample.sessions === mem.users;
  const ok = sessionsOk && perRecord < 2048 && (plateauHeap === null || plateauHeap < 5 * 1024 * 1024);
  const after = plateauFrom ? samples.slice(samples.indexOf(plateauFrom)) : [];
  const rssLow = Math.min(...after.map((p) => p.rssBytes));
  const rssHigh = Math.max(...after.map((p) => p.rssBytes));
  const plateauText = plateauFrom
    ? ` Once the log was full (${int(plateauFrom.questions)} questions on), heapUsed changed by ${mb(plateauHeap!)} MB over ${int(lastSample.questions - plateauFrom.questions)} more questions: what is kept is flat.` +
      (rssHigh - rssLow > 32 * 1024 * 1024
        ? ` RSS did not stay flat (between ${mb(rssLow)} and ${mb(rssHigh)} MB): from then on questions.jsonl is compacted about every 10,000 questions, and each compaction builds the whole file as one string; the allocator keeps those pages (see "What dominates the cost").`
        : ` RSS moved by ${mb(plateauRss!)} MB.`)
    : ' The log did not reach its bound in this run, so the samples cannot show the plateau.';
  return {
    ok,
    summary:
      `${int(headline.questions)} questions: sessions ${int(headline.sessions)}, heapUsed ${mb(headline.heapUsedBytes)} MB, RSS ${mb(headline.rssBytes)} MB; ` +
      (plateauFrom
        ? `${int(plateauFrom.questions)} → ${int(lastSample.questions)} questions (log full): heapUsed ${plateauHeap! >= 0 ? '+' : ''}${mb(plateauHeap!)} MB, RSS ${plateauRss! >= 0 ? '+' : ''}${mb(plateauRss!)} MB (compactions)`
        : `${int(perRecord)} B per log record`),
    explanation:
      `Sessions stop at the number of users (${int(lastSample.sessions)}; the store's bound is 50,000). While the question log fills (${int(seen.questions)} → ${int(headline.questions)} questions) heapUsed grows by ${mb(heapGrowth)} MB for ${int(logGrowth)} more records kept in memory, ` +
      `${int(perRecord)} bytes per record: the log's retention (100,000 records or 90 days) is what memory grows with, about ${mb(perRecord * 100_000)} MB when full.` +
      plateauText,
  };
}

/**
 * Where the time goes and what to change in src/. The attributions come from `node --cpu-prof` and
 * inspector profiles taken while writing the bench, at the commit named; the figures are this run's.
 */
/** What the profiles of 2026-12-01 (issue 14's budgets) showed; figures from those runs, not this one. */
const ISSUE_14_PROFILES = [
  "**Profiles for issue 14's budgets** (2026-12-01, commits 67d4b74 to this one, on this 2-core machine while two other developers' test suites ran: load average 2 to 7).",
  '',
  "*The webhook at 500 messages/s with 10,000 sessions.* A CPU profile of the embedded store's server (`--cpu-prof`, 200 µs sampling) under autocannon's fixed rate shows it busy for 300-400 ms at the start of every second and idle after: autocannon spends each connection's share of the second as fast as it is answered, so the second's 500 messages arrive at about 3,000 a second, and 20 connections queue behind one another. No piece of the store's own work was long: session journal pieces under 2.2 ms (section 6), scavenges 1.5-2 ms, no full collection on the main thread in the measured run (`--trace-gc`). The longest stretches without a sample (up to 40 ms, 153 gaps over 3 ms in 16 s) are the process not running: it waited for a CPU. Measured directly (schedstat), the server's threads waited 171 ms a second for a CPU under autocannon and 349 ms a second under Poisson arrivals in the same process (load 4.7); that run's p99 was 338 ms. So the budget is now judged on Poisson arrivals (bench/paced.ts), autocannon's figure is kept beside it, and each run says how long the server waited for a CPU.",
  '',
  "*Peak RSS.* In a heap snapshot of the soak's server after 35 s the live heap was 78 MB: strings 28 MB, of them the retry cache's kept XML replies (10.7 MB in 20,392, with 2 MB of keys), the question log's questions and times (about 6.5 MB), the modules' sources; arrays 18 MB, objects 11 MB, code 11 MB. RSS at its peak (381 MB) was the main thread's heap, 187 MB committed (149 MB used, 32 MB of it the young generation), over about 195 MB besides: V8 lets the old generation grow to twice the live set at this rate of allocation before collecting it. Beside the main thread, the statistics worker the admin's polling starts held about 48 MB (the same 45 s soak: 369 MB with the admin polling, 321 MB without). The servers of the load runs ran their source under tsx until this run, which kept every module's transpiled text and source map and compiled the worker's modules again: compiled as `npm start` runs them, the same max-rate run peaks about 20 MB lower (313 → 291 MB). The Redis store's server holds the same live set as the embedded one (74 MB in a snapshot) but more garbage at its peak (heapUsed 136-161 MB against about 100 MB): each message read its session back from Redis and parsed it into a second copy, and read its own log record back from the stream and parsed it; both are now recognised without parsing (store/redis-sessions.ts, store/redis-log.ts). What changed the peaks: the server now bounds V8's heap growth between full collections to 50% (`startServer`, `--heap-growing-percent`; at 3,000 messages a second the peak went from 322 to 288 MB at the same CPU per message, 238 against 222 µs, and a young generation of 4 MB instead of 16 would take 17 MB more off, at startup only). From the full run before these changes to this one: the real server under load 410 → 307 MB, the Redis store's server 373 → 300 MB, the embedded store's 286 → 264 MB; the soak's stays at 400 MB (heap 207 MB committed at the peak, the rest 193 MB: the statistics worker, polled every 2 s and recomputing every 15 s over the log's 60,000 records, is the difference from the other servers' 150 MB).",
  '',
  "*Second round* (2026-12-01 afternoon, commits fba39a6 on, the same machine at load average 4 to 13: figures within one run). **Redis:** a new message waited on three round trips in turn; now on one: the script that claims its MsgId also makes the sender's rate-limit hit and reads the session when the claim is won (store/redis-prefetch.ts; a hit the bot does not take, for an event, is taken back), and the session's write goes onto the connection at once without being waited for. In the stores phase (two runs of each, before and after, alternating): calls to Redis per message 5.02 → 3.02, commands Redis ran 12.03 → 11.02-11.05, the Redis store's server CPU per message 1,025 and 757 µs → 546 and 601 µs (the embedded store's 338-487 µs in the same runs); Redis' own CPU per message 120-125 µs either way. The p99 at 500 messages/s could not be judged on this machine then: the servers waited 0.6-1.2 s of every second for a CPU. **Webhook** (`--cpu-prof` of the real server at full speed, bench/profile-webhook.ts): 20% of the samples were `writev`, the response's write (the floor's too), 11% parsing the XML (the floor's too), 15% `bot.answer`; of the webhook around the bot, the reply deadline's timer and Promise.race took 1.2%, the retry cache (lru-cache 1.5%, the seen keys' hashing 0.7%), the retry key's JSON.stringify 0.7%, the query string 0.7%; no logging (warn level logs nothing per message). Changed: one timer for every reply deadline (channels/official-account/deadline.ts), the key written out directly, one hash per new message; each is 1-2% of the request, below what this machine's load lets a throughput run resolve, and the real server's cost beyond the floor is mostly `bot.answer`. **Peak RSS:** the statistics worker held every parsed record of the log; it now reads the log twice and holds only tallies (admin/stats-worker.ts, `StatsAccumulator`): over 100,000 records (bench/stats-memory.ts) the statistics raised the process's peak RSS by 75 MB before and 47 MB after, the thread's heap 62 → 29 MB, and with every record a distinct unanswered wording (a flood) 96 → 90 MB (then the tallies are the memory). In 60 s soaks here the admin polling added 45 MB to the peak (307 against 262 MB, 680 req/s); with the new worker the soak peaked at 318-321 MB at 1,150-1,540 req/s, of it the main thread's heap 138-142 MB committed, 32 MB of that the young generation. V8 reads `--max-semi-space-size` only at start (set at run time it changed nothing): the real server at about 1,800 requests a second for 10 s (bench/profile-webhook.ts) peaked at 281 MB with the default and 252-257 MB with `--max-semi-space-size=4` (a young generation of 8 MB), at 283 against 325-403 µs of CPU per request on a machine too busy to tell that apart.",
    "*The answering path* (answering cost, 20 rounds): `engine.respond` p50 16× jieba.cut at 1, 10 and 100 reports (67-74 µs against 4.2-4.7 µs), `bot.answer` 24×; over per-question medians the p99 is 14× (engine) and 18× (bot). What the engine spends is in src/answer and src/language, which another developer was changing for answer quality; only the store's part of `bot.answer` (about a third of what it adds) was in reach here.",
  '',
  "*Third round* (2026-12-01 evening, commits fb2fc27 on, load average 10 to 30: server-level A/B runs could not be read, so each change was measured in one process alternating the builds, by CPU time: bench/bot-overhead.ts). **The question log past its bound** dropped its oldest records with `splice(0, n)` on arrays of 100,000 records and their sizes at every flush: about 2 ms every 200 messages, in one piece of the event loop (store/record-window.ts keeps the dropped records at the front until they are a sixteenth of the log, then drops them in one splice); the Redis log also serialised each record twice. **User keys**: two generations of 5,000 missed on every message when 10,000 senders write in turn (the webhook and stores phases do): an HMAC each; now two of 10,000 (well under a megabyte). **Maps used as queues** (sessions past 50,000, the per-user limit past 100,000 senders, the web API's addresses past 20,000): `keys().next()` from the front walked every slot deleted since V8 last rebuilt the table, 60 µs a message and growing under a flood of new senders; one iterator kept per map (store/oldest-key.ts). Together, `bot.answer` with a canned engine: 10,000 senders in turn 21-24 → 12.5-13.8 µs of CPU, a new sender every message 66 → 29 µs. **Redis:** a WeChat message's session and its reply kept for other instances leave in one write to the socket (before the reply is sent, as before); before, the session was a write of its own and the reply's waited for the next auto-pipeline. Where the real server's time goes at full speed (profile, 10,000 senders in turn): `writev` of the response a quarter of it (the floor's too), the XML parse a sixth (the floor's too), `bot.answer` a sixth, of which the engine on kept readings two thirds (composing again when the sender has a session: p50 4.8 µs, mean 32 µs in process), garbage collection 5%. The real server's `writev` costs about 40% more per request than the stub's, for replies not much longer: probably wake-ups (the slower a server answers, the more of its writes wake a sleeping client), not measured here.",
].join('\n');

function analysis(r: BenchResults): string {
  const out: string[] = [];
  const line = (text = '') => out.push(text);
  const one = r.core.find((c) => c.reports === 1);
  const hundred = r.core.find((c) => c.reports === 100);
  const startCore = r.startup.core.filter((c) => c.reports === 1);
  const startCore100 = r.startup.core.filter((c) => c.reports === 100);
  const startServer = r.startup.server.filter((c) => c.reports === 1).map((c) => c.firstAnswerMs);
  const wechaty = r.startup.core.map((c) => c.wechatyImportMs).filter((v): v is number => v !== null);
  const w = r.webhook;
  const mem = r.memory;

  line('## What dominates the cost');
  line();
  line(ISSUE_14_PROFILES);
  line();
  line(`Profiles (\`node --cpu-prof\`, inspector sessions in the server) were taken on 2026-11-27 at commit ${PROFILED_AT} while writing the bench; re-profile after changing src/. The figures quoted are this run's.`);
  line();
  line(
    '**Answering in process.** `engine.respond` at 1 report: ranking (`Engine.rank` → `SearchIndex.search`) about a third of the time, understanding (`normalise` with opencc traditional → simplified, jieba `cutForSearch`, cue reading) a little under a third, composing the answer (`answerEntry`, `statText`, `rows`) about an eighth, typo correction (`correctTypos` → `SearchIndex.correct`, fuse.js) about a tenth. The slowest questions are long sentences (many terms to rank and to try for typos) and statistics whose answer lists a whole table row.' +
      (one && hundred
        ? ` From 1 to 100 reports the entries stay the same (${int(one.entries)} → ${int(hundred.entries)}: one entry per table row, holding that row's figures from every report) and p50 grows ${x(hundred.engine.p50 / one.engine.p50)}: at 100 reports \`hasYear\` (\`entry.stats.some((s) => s.year === year)\`, called by \`withYear\` on the top hits) and \`statText\`'s scans over the years walk every report's figures of the row, a fifth to a quarter of the time together. If the knowledge base grows further, index each entry's figures by year once in the Engine constructor.`
        : ''),
  );
  line();
  if (one) {
    line(`**bot.answer over engine.respond** (+${us(one.bot.p50 - one.engine.p50)} at p50, 1 report). The two columns are timed in different passes, \`engine.respond\` without a session: the gap is not all the store's. Timed inside the same \`bot.answer\` calls (the engine's call timed on its own, 30 rounds, 2026-12-01, load 18), what the bot adds around the engine is 14 µs at p50 (p90 40-46 µs), and the engine inside \`bot.answer\` takes 114 µs at p50 where its own pass takes 97: the same work with colder caches, between the store's writes. With the sessions of the conversations threaded through \`engine.respond\` directly its p50 stays within a few µs of the sessionless pass. Of the 14 µs: a new sender's HMAC user key (3-6 µs; every conversation here is a new sender), the per-user limit, the hourly quota, the session get and set and the log record (under 1 µs each), the async call. With the engine replaced by a canned reply (bench/bot-overhead.ts: two builds in one process, alternated; the log past its bound) \`bot.answer\` costs 21-24 µs of CPU before the third round and 12.5-13.8 µs after with 10,000 senders in turn, 66 → 29 µs with a new sender every message (see the third round above).`);
    line();
  }
  const busy = (r.machine.loadStart[0] ?? 0) > r.machine.cores / 2;
  if (busy) {
    line(`**Raw p99.** The machine was shared (load average ${r.machine.loadStart[0]?.toFixed(1)} on ${r.machine.cores} cores at the start): a timed call is sometimes descheduled for milliseconds, which inflates every raw p99 including jieba's. The p99 over per-question medians (section 1) is the steadier figure for the slowest questions.`);
    line();
  }
  if (startCore.length) {
    const imports = median(startCore.map((c) => c.imported));
    const bot = median(startCore.map((c) => c.botCreated - c.imported));
    const late = median(startServer) > BUDGETS.startupMs || median(startCore.map((c) => c.wallMs)) > BUDGETS.startupMs;
    const transpiled = (r.startup.transpiled ?? []).map((c) => c.firstAnswerMs);
    line(
      `**Start-up.** \`npm start\` runs JavaScript compiled by \`npm ci\` (scripts/build.mjs), so nothing is transpiled at start. Core, 1 report: median ${s(median(startCore.map((c) => c.wallMs)))} from spawn to answer, of which ${s(imports)} until the modules are imported and ${s(bot)} in \`createBot\`. A profile of the compiled start (\`node --cpu-prof\`, commit 41062c1, about 0.6 s of CPU to the first answer) splits it: node itself 0.07 s; loading modules about 0.2 s, most of it compiling and linking some 350 ES module files (zod alone, for config.ts, is 99 files and 0.05 s; yaml 73 files and 0.03 s; then hono and @hono/node-server, fast-xml-parser, which only /wechat needs, pino, opencc-js, chokidar); \`jieba.load\` 0.19 s, linear in the dictionary's words (2.1 µs each: the 80,000 that \`src/language/dictionary.ts\` keeps; 40,000 would load in 0.09 s); the knowledge base and its entries about 0.05 s; the first answer 0.02 s.` +
        (startCore100.length ? ` At 100 reports \`createBot\` takes ${s(median(startCore100.map((c) => c.botCreated - c.imported)))}: parsing and validating a hundred reports.` : '') +
        (startServer.length ? ` The server (\`${r.startup.command}\`) answers after ${s(median(startServer))}; it loads the HTTP app on top (importing server.ts: ${s(median(r.startup.core.map((c) => c.serverImportMs ?? 0)))}) and imports Wechaty only when WECHATY_PUPPET is set` : '') +
        (wechaty.length ? ` (then importing \`channels/wechaty.ts\` adds about ${s(median(wechaty))}: wechaty's dependency tree, rxjs, request, jimp, jsqr, …).` : '.') +
        (transpiled.length ? ` Transpiled at start (\`${r.startup.transpiledCommand}\`) the same server answers after ${s(median(transpiled))}: tsx's loader and esbuild on every module.` : '') +
        ' The trimmed dictionary is cached under node_modules/.cache/gongkai/ and written by the build, so the first start after `npm ci` does not spend 2.6-3 s sorting jieba\'s 349,000 words (measured with the cache removed).' +
        (late ? ' Over budget in this run: with other processes on the machine, start-up is mostly waiting for the CPU (compare the wall and CPU columns in section 3).' : ''),
    );
    line();
  }
  if (mem) {
    const jump = mem.samples.reduce(
      (best, p, i) => (i > 0 && p.rssBytes - mem.samples[i - 1]!.rssBytes > best.delta ? { delta: p.rssBytes - mem.samples[i - 1]!.rssBytes, at: p.questions } : best),
      { delta: 0, at: 0 },
    );
    line(
      `**Memory.** Most of a process's RSS is node, the modules and jieba's dictionary (${mb(mem.samples[0]!.rssBytes)} MB before the first question in the memory run). The question log keeps up to 100,000 records in memory and the sessions up to 50,000, both bounded. ` +
        (jump.delta > 32 * 1024 * 1024 && jump.at > 100_000
          ? `The largest step in RSS (+${mb(jump.delta)} MB by ${int(jump.at)} questions) comes once questions.jsonl passes 110% of its bound and is compacted (written in pieces of 2,000 records, so it is the records themselves, not one string of the whole file). `
          : '') +
        `Sessions are no longer rewritten whole each second: only the sessions that changed are appended to a journal, folded into a new snapshot in pieces of 250 in the background (section 6).`,
    );
    line();
  }
  if (w?.floor.serverCpuUsPerRequest && w.stubbed.serverCpuUsPerRequest && w.throughput.serverCpuUsPerRequest && one) {
    const f = w.floor.serverCpuUsPerRequest;
    const st = w.stubbed.serverCpuUsPerRequest;
    const re = w.throughput.serverCpuUsPerRequest;
    line(
      `**Webhook throughput** (${pct(w.share)} of the floor in the median round, budget ≥ ${pct(BUDGETS.throughputShare)}). Per request the floor costs ${us(f)} of CPU, the same server with a stub bot ${us(st)}, the real server ${us(re)}. ` +
        `${pct(BUDGETS.throughputShare)} of the floor's throughput leaves about ${us(f / BUDGETS.throughputShare)} per request in all. Six changes ${w.share >= BUDGETS.throughputShare ? 'brought the real server within that' : 'brought the real server closer'}, from 15% of the floor (653 µs per request at commit 7a43252): ` +
        `the engine keeps the reading of a question it has seen (understanding, typo fixes, ranking, composed text: \`engine.respond\` on a question asked before takes ${one.engineRepeat ? us(one.engineRepeat.p50) : '?'} at p50, against ${us(one.engine.p50)} read afresh); ` +
        `node:http serves /wechat itself instead of through Hono, whose web Request and Response objects cost more than the webhook's own checks; the browser security headers are left off the webhook's XML; the retry cache and the question log's file adapter stopped using structures (a Map evicted from the front, a WeakSet of every record) that slowed every message and every garbage collection; the incoming message's fields are copied out of the request body, which the parser's sliced strings kept alive for every logged question, session and rate-limit entry; and the question log compacts its file at 1.5 times its bound instead of 1.1 (a full log rewrote ten records for every message appended). ` +
        `With every message read afresh the server reaches ${pct(w.coldShare)} of the floor (${cpuOf(w.cold)} per request): answering a new question costs about ${us(one.bot.mean)} in process, more than the floor's whole request.`,
    );
    line();
    line(
      `What the real server spends beyond the floor, in profiles: writing the longer reply to the socket (the floor answers "收到"; an answer averages about 200 characters), garbage collection of the records the store keeps (question log, sessions, replies kept for retries), the rate limiter, the session store and the question log, and the webhook's retry cache and reply deadline. Parsing the XML and the HTTP request are in the floor too.`,
    );
    line();
  }
  if (w && mem) {
    const fr = w.fixedRate;
    line(
      `**Latency at 200 req/s.** p99 ${fr.latencyP99} ms (budget < ${BUDGETS.p99AtRateMs} ms), with the server's event loop delayed by up to ${fr.loopDelayMaxMs?.toFixed(0) ?? '?'} ms (p99 ${fr.loopDelayP99Ms?.toFixed(0) ?? '?'} ms). ` +
        `What adds up: autocannon sends each connection's share of the second in a burst (up to 10 requests queue behind one another at ${us(fr.serverCpuUsPerRequest ?? 0)} each), and garbage collection pauses the loop now and then (the server held ${w.server.sessions === null ? '?' : int(w.server.sessions)} sessions at the end; their writes hold the loop for at most the longest piece of section 6)` +
        (busy ? '; and on this shared machine the server itself is descheduled now and then.' : '.') +
        ' Cheaper requests shorten the queue.',
    );
    line();
  }
  return out.join('\n');
}

/** The commit the profiles quoted in the analysis were taken at. */
const PROFILED_AT = '4a9bfeb';
