// Bounded memory: many questions from many users through bot.answer with the real store, sampling
// memory after a forced GC (run with --expose-gc) so that the samples show what is retained, not
// what happens to be garbage. argv: knowledgeDir, dataDir, questions, users, sampleEvery.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createBot } from '../src/answer/bot.ts';
import { silentLogger } from '../src/log.ts';
import { loadConversations } from './questions.ts';

export interface MemorySample {
  questions: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  sessions: number;
  logEntries: number;
  elapsedMs: number;
}

export interface MemoryResult {
  samples: MemorySample[];
  gc: boolean;
  maxRssBytes: number;
  users: number;
  questions: number;
  totalMs: number;
  rateLimited: number;
  /** One rewrite of sessions.json with every user's session (median of 5, ms of CPU). */
  sessionWriteCpuMs: number;
  sessionFileBytes: number;
}

const [knowledgeDir, dataDir, totalArg, usersArg, everyArg] = process.argv.slice(2);
if (!knowledgeDir || !dataDir) throw new Error('usage: memory-child.ts <knowledgeDir> <dataDir> [questions] [users] [every]');
const total = Number(totalArg ?? 100_000);
const users = Number(usersArg ?? 10_000);
const every = Number(everyArg ?? 10_000);

const gc = (globalThis as { gc?: () => void }).gc;
const bot = await createBot({ knowledgeDir, dataDir, logger: silentLogger });
const conversations = loadConversations();
const started = performance.now();

const turnOfTheLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function sample(questions: number): MemorySample {
  gc?.();
  const m = process.memoryUsage();
  return {
    questions,
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    externalBytes: m.external,
    sessions: bot.store.sessions.size,
    logEntries: bot.store.log.entries().length,
    elapsedMs: performance.now() - started,
  };
}

// Each user walks through the conversations in turn, so follow-ups meet the session they expect
// and every user keeps a session; user i's k-th message is conversation (i + k) mod C.
const samples: MemorySample[] = [sample(0)];
let rateLimited = 0;
const turn = new Array<number>(users).fill(0);
const position = new Array<number>(users).fill(0);
for (let i = 0; i < total; i++) {
  const u = i % users;
  const c = (u + position[u]!) % conversations.length;
  const turns = conversations[c]!;
  const answer = await bot.answer(turns[turn[u]!]!, `memory-user-${u}`, { channel: 'bench' });
  if (answer.intent === 'rate-limited') rateLimited++;
  if (++turn[u]! >= turns.length) {
    turn[u] = 0;
    position[u]!++;
  }
  // In production every message arrives in its own turn of the event loop; without this the
  // store's appends and trims (I/O callbacks, timers) would never run and the log would only grow.
  await turnOfTheLoop();
  if ((i + 1) % every === 0) {
    samples.push(sample(i + 1));
    process.send?.({ progress: `${i + 1}/${total} questions` });
  }
}
const totalMs = performance.now() - started;

// sessions.json is rewritten whole (at most once a second) whenever a session changes: its cost
// with every user's session in it is what sustained traffic pays each second.
const writes: number[] = [];
for (let k = 0; k < 5; k++) {
  await bot.store.sessions.flush();
  bot.store.sessions.set('memory-user-0', bot.store.sessions.get('memory-user-0') ?? {});
  const before = process.cpuUsage();
  await bot.store.sessions.flush();
  const used = process.cpuUsage(before);
  writes.push((used.user + used.system) / 1000);
}
const sessionWriteCpuMs = writes.sort((a, b) => a - b)[2]!;
const sessionFileBytes = (await stat(join(dataDir, 'sessions.json')).catch(() => ({ size: 0 }))).size;
await bot.close();
const result: MemoryResult = { samples, gc: gc !== undefined, maxRssBytes: process.resourceUsage().maxRSS * 1024, users, questions: total, totalMs, rateLimited, sessionWriteCpuMs, sessionFileBytes };
process.send?.({ result });
