// One knowledge base, one fresh process: jieba's cut (the floor), engine.respond (the pure core)
// and bot.answer (core plus store) on the same questions. A process per size keeps jieba's
// process-wide dictionary and the heap of one run out of the next.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jieba from 'nodejieba';
import { loadConversations } from './questions.ts';
import { percentile, summarise, type Summary } from './stats.ts';

// The code timed is what `npm start` runs: compiled to dist/ by tsc (bench/run.ts builds it from
// the source being measured). Under tsx every function a hot path makes (an arrow kept in a
// const, a callback in an object) goes through esbuild's keepNames helper, a defineProperty per
// closure that the compiled code does not pay: 4% of engine.respond in a profile.
const dist = <T>(path: string): Promise<T> => import(new URL(`../dist/${path}.js`, import.meta.url).href) as Promise<T>;
const { createBot } = await dist<typeof import('../src/answer/bot.ts')>('answer/bot');
const { Engine } = await dist<typeof import('../src/answer/engine.ts')>('answer/engine');
const { silentLogger } = await dist<typeof import('../src/log.ts')>('log');

export interface CoreResult {
  knowledgeDir: string;
  reports: number;
  stats: number;
  passages: number;
  entries: number;
  vocabulary: number;
  findings: { error: number; warning: number };
  questions: number;
  /** bot.answer replies refused by the per-user rate limit (should be 0: they would be cheap). */
  rateLimited: number;
  loadMs: number;
  jieba: Summary;
  cutForSearch: Summary;
  engine: Summary;
  /** engine.respond on a question it has read before (its reading kept): the repeat cost. */
  engineRepeat: Summary;
  bot: Summary;
  /**
   * p99 over the questions of each question's median time (µs): the cost of the slowest questions
   * without the scheduler's pauses, which on a busy machine land in the raw p99.
   */
  questionP99: { jieba: number; engine: number; bot: number };
  /** The questions engine.respond spends longest on (median µs over the rounds). */
  slowest: Array<{ question: string; p50: number }>;
  maxRssBytes: number;
  heapUsedBytes: number;
}

const [knowledgeDir, roundsArg] = process.argv.slice(2);
if (!knowledgeDir) throw new Error('usage: core-child.ts <knowledgeDir> [rounds]');
const rounds = Number(roundsArg ?? 40);
const WARM_UP_ROUNDS = 5;
const progress = (text: string) => process.send?.({ progress: text });

const dataDir = await mkdtemp(join(tmpdir(), 'gongkai-bench-core-'));
const loadStart = process.hrtime.bigint();
// Every message read afresh: the cost of answering a question, not of remembering one. The
// engine's kept readings are timed on their own (engineRepeat).
const bot = await createBot({ knowledgeDir, dataDir, logger: silentLogger, readingCache: 0 });
const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
const kb = bot.engine.kb;

const conversations = loadConversations();
const questions = conversations.flat();
const n = questions.length;
const jiebaNs = new Float64Array(rounds * n);
const searchNs = new Float64Array(rounds * n);
const engineNs = new Float64Array(rounds * n);
const repeatNs = new Float64Array(rounds * n);
const botNs = new Float64Array(rounds * n);

// Keeps results alive so no call can be optimised away.
let sink = 0;
let rateLimited = 0;

function timeSync(target: Float64Array, offset: number, run: (q: string) => unknown): void {
  for (let i = 0; i < n; i++) {
    const q = questions[i]!;
    const start = process.hrtime.bigint();
    const out = run(q);
    target[offset + i] = Number(process.hrtime.bigint() - start);
    sink += Array.isArray(out) ? out.length : 1;
  }
}

async function timeBot(target: Float64Array | null, offset: number, round: number): Promise<void> {
  let i = 0;
  for (let c = 0; c < conversations.length; c++) {
    const user = `bench-${round}-${c}`;
    for (const q of conversations[c]!) {
      const start = process.hrtime.bigint();
      const answer = await bot.answer(q, user, { channel: 'bench' });
      if (target) target[offset + i] = Number(process.hrtime.bigint() - start);
      if (answer.intent === 'rate-limited') rateLimited++;
      sink += answer.reply.length;
      i++;
    }
    // Now and then the event loop turns so that the store's timers and file writes run as they
    // would between messages in production, outside the timing. Not after every call: a turn of
    // the loop cools the caches, and jieba and the engine are timed back to back too.
    if (c % 10 === 9) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const engine = bot.engine;
const remembering = new Engine(kb, () => new Date());
for (let r = 0; r < WARM_UP_ROUNDS; r++) {
  for (const q of questions) {
    sink += jieba.cut(q).length + engine.tokenizer.cut(q).length;
    sink += engine.respond(q, undefined).answer.reply.length;
    sink += remembering.respond(q, undefined).answer.reply.length;
  }
  await timeBot(null, 0, -1 - r);
}

for (let r = 0; r < rounds; r++) {
  const offset = r * n;
  timeSync(jiebaNs, offset, (q) => jieba.cut(q));
  timeSync(searchNs, offset, (q) => engine.tokenizer.cut(q));
  timeSync(engineNs, offset, (q) => engine.respond(q, undefined));
  timeSync(repeatNs, offset, (q) => remembering.respond(q, undefined));
  await timeBot(botNs, offset, r);
  if (r % 10 === 9) progress(`${r + 1}/${rounds} rounds`);
}

const result: CoreResult = {
  knowledgeDir,
  reports: kb.reports.length,
  stats: kb.stats.length,
  passages: kb.passages.length,
  entries: countEntries(),
  vocabulary: engine.index.vocabulary.size,
  findings: {
    error: kb.findings.filter((f) => f.level === 'error').length,
    warning: kb.findings.filter((f) => f.level === 'warning').length,
  },
  questions: n,
  rateLimited,
  loadMs,
  jieba: summarise(jiebaNs),
  cutForSearch: summarise(searchNs),
  engine: summarise(engineNs),
  engineRepeat: summarise(repeatNs),
  bot: summarise(botNs),
  questionP99: { jieba: questionP99(jiebaNs), engine: questionP99(engineNs), bot: questionP99(botNs) },
  slowest: slowest(5),
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  heapUsedBytes: process.memoryUsage().heapUsed,
};

function medians(samples: Float64Array): number[] {
  return questions.map((_, i) => summarise(Float64Array.from({ length: rounds }, (_, r) => samples[r * n + i]!)).p50);
}

function questionP99(samples: Float64Array): number {
  return percentile(medians(samples).sort((a, b) => a - b), 99);
}

function slowest(count: number): Array<{ question: string; p50: number }> {
  const engine = medians(engineNs);
  return questions
    .map((question, i) => ({ question, p50: engine[i]! }))
    .sort((a, b) => b.p50 - a.p50)
    .slice(0, count);
}

function countEntries(): number {
  // Element access reaches the private map: the count is a figure for the report, not an API.
  return engine['entries'].size;
}

await bot.close();
await rm(dataDir, { recursive: true, force: true });
if (sink === -1) console.log(sink);
process.send?.({ result });
