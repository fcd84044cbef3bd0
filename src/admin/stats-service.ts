// The admin page's statistics, off the event loop. Grouping unanswered questions grows faster than
// linearly with them, and anyone can send unanswered questions: computed on the main thread, 53,000
// of them froze the process (and every WeChat message) for three minutes. Here the report is
// computed in a worker thread that reads the log itself, within a time budget, one computation at
// a time per log, and a result is reused for `cacheMs`.
import { Worker } from 'node:worker_threads';
import type { QuestionLog } from '../store/question-log.ts';
import { DEFAULT_MAX_GROUPED, type Stats, type StatsOptions } from './stats.ts';
import type { StatsJob } from './stats-worker.ts';

export interface StatsLimits {
  /** Unanswered wordings grouped at most (the newest). Default 3,000. */
  maxGrouped: number;
  /** A computation running longer is stopped. Default 20 s. */
  timeBudgetMs: number;
  /** A result is reused for this long. Default 15 s. */
  cacheMs: number;
}

export const DEFAULT_STATS_LIMITS: StatsLimits = { maxGrouped: DEFAULT_MAX_GROUPED, timeBudgetMs: 20_000, cacheMs: 15_000 };

/**
 * Heap of the statistics worker. It holds tallies, not records (stats-worker.ts): at the log's
 * default bound of 100,000 records its heap was 32 MB, and 72 MB when every record was a distinct
 * unanswered wording (a flood of junk), measured by bench/stats-memory.ts.
 */
const WORKER_HEAP_MB = 128;

export class StatsUnavailable extends Error {
  override readonly name = 'StatsUnavailable';
}

type LogView = Pick<QuestionLog, 'entries' | 'feedbackEntries'> & Partial<Pick<QuestionLog, 'flush' | 'source'>>;

interface Service {
  limits: StatsLimits;
  cache: Map<string, { at: number; stats: Promise<Stats> }>;
  /** The computation running or last run: the next one starts after it. */
  queue: Promise<unknown>;
}

const services = new WeakMap<object, Service>();

function serviceOf(log: LogView): Service {
  let service = services.get(log);
  if (service === undefined) {
    service = { limits: DEFAULT_STATS_LIMITS, cache: new Map(), queue: Promise.resolve() };
    services.set(log, service);
  }
  return service;
}

/** Reports kept for reuse for `log` (for tests: each is freed once its cache time is over). */
export function keptReports(log: LogView): number {
  return services.get(log)?.cache.size ?? 0;
}

/** Sets the limits for `log`'s statistics (the server does, from config). */
export function configureStats(log: LogView, limits: Partial<StatsLimits>): void {
  const service = serviceOf(log);
  service.limits = { ...service.limits, ...limits };
  service.cache.clear();
}

export interface StatsRequest extends Omit<StatsOptions, 'now' | 'maxGrouped'> {
  now: number;
}

/**
 * The report over `log`, computed in a worker thread, or the one computed less than `cacheMs`
 * ago for the same request. Rejects with StatsUnavailable when it runs past the time budget.
 */
export function statsOf(log: LogView, request: StatsRequest): Promise<Stats> {
  const service = serviceOf(log);
  const { limits } = service;
  const key = JSON.stringify([request.days, request.limit, request.lowConfidence, request.utcOffsetMinutes, request.threshold]);
  const cached = service.cache.get(key);
  if (cached && request.now - cached.at < limits.cacheMs) return cached.stats;
  // A report no longer reusable is let go at once: each period asked for kept its own until asked again.
  for (const [k, kept] of service.cache) if (request.now - kept.at >= limits.cacheMs) service.cache.delete(k);
  const stats = service.queue.then(async () => {
    await log.flush?.();
    const source = log.source?.();
    const job: StatsJob = {
      source,
      // A log without a file (tests, tools) hands its records over; the server's has a file.
      records: source ? undefined : { questions: log.entries(), feedback: log.feedbackEntries() },
      options: { ...request, maxGrouped: limits.maxGrouped, ignored: request.ignored ? [...request.ignored] : undefined },
    };
    return runWorker(job, limits.timeBudgetMs);
  });
  service.queue = stats.catch(() => undefined);
  const entry = { at: request.now, stats };
  service.cache.set(key, entry);
  // …and when nobody asks again, once its time is up (a report is up to a few hundred KB).
  const expire = setTimeout(() => {
    if (service.cache.get(key) === entry) service.cache.delete(key);
  }, limits.cacheMs);
  expire.unref();
  // A failure is not kept: the next request tries again.
  stats.catch(() => {
    if (service.cache.get(key) === entry) service.cache.delete(key);
  });
  return stats;
}

/**
 * The worker for this module as it runs: stats-worker.ts under tsx (its loader registered in the
 * worker, which does not inherit it), stats-worker.js once compiled.
 */
function startWorker(): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const url = new URL(`./stats-worker${typescript ? '.ts' : '.js'}`, import.meta.url);
  // A computation that would need more is stopped rather than allowed to take the machine's memory.
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 8 } };
  if (!typescript) return new Worker(url, options);
  // tsx's ESM entry (its CommonJS one registers a path that does not exist in a worker).
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/**
 * The one statistics thread, started on first use and stopped 1 s after its last computation: the
 * page's requests for one report (several periods, sent together) share it, and between the page's
 * recomputations (every `cacheMs`) its heap and modules (25-40 MB resident in the soak) are given
 * back rather than held beside the server's own peak. At 5 s it sat idle for a third of every 15 s
 * an admin watched the page. Starting it costs about 0.1 s of CPU per recomputation.
 */
interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (s: Stats) => void; reject: (e: Error) => void }>;
  idle?: NodeJS.Timeout;
}
let thread: Thread | undefined;
let nextJob = 0;

/** What the statistics thread's computations took: their count and the largest heap one left (bytes). */
export const statsWorkerMemory = { computations: 0, maxHeapTotal: 0, maxHeapUsed: 0 };
const IDLE_MS = 1_000;

function stopThread(reason: Error): void {
  const current = thread;
  if (!current) return;
  thread = undefined;
  if (current.idle) clearTimeout(current.idle);
  for (const { reject } of current.pending.values()) reject(reason);
  void current.worker.terminate();
}

function runWorker(job: StatsJob, budgetMs: number): Promise<Stats> {
  if (!thread) {
    const worker = startWorker();
    // Never what keeps the process running.
    worker.unref();
    const current: Thread = { worker, pending: new Map() };
    worker.on('message', (m: { id: number; stats?: Stats; error?: string; heap?: { total: number; used: number } }) => {
      if (m.heap) {
        statsWorkerMemory.computations++;
        statsWorkerMemory.maxHeapTotal = Math.max(statsWorkerMemory.maxHeapTotal, m.heap.total);
        statsWorkerMemory.maxHeapUsed = Math.max(statsWorkerMemory.maxHeapUsed, m.heap.used);
      }
      const waiting = current.pending.get(m.id);
      if (!waiting) return;
      current.pending.delete(m.id);
      if (m.stats) waiting.resolve(m.stats);
      else waiting.reject(new StatsUnavailable(`statistics failed: ${m.error}`));
    });
    worker.on('error', (err) => {
      if (thread === current) stopThread(err);
    });
    worker.on('exit', (code) => {
      if (thread === current) stopThread(new StatsUnavailable(`the statistics worker stopped (exit code ${code})`));
    });
    thread = current;
  }
  const current: Thread = thread;
  if (current.idle) clearTimeout(current.idle);
  const id = nextJob++;
  return new Promise<Stats>((resolve, reject) => {
    const timer = setTimeout(() => stopThread(new StatsUnavailable(`statistics took longer than ${budgetMs} ms and were stopped`)), budgetMs);
    const done = () => {
      clearTimeout(timer);
      if (thread === current && current.pending.size === 0) {
        current.idle = setTimeout(() => stopThread(new StatsUnavailable('idle')), IDLE_MS);
        current.idle.unref();
      }
    };
    current.pending.set(id, {
      resolve: (stats) => {
        done();
        resolve(stats);
      },
      reject: (err) => {
        done();
        reject(err);
      },
    });
    current.worker.postMessage({ id, job });
  });
}
