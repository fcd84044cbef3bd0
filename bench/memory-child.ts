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
  /** sessions.json at the end, with every user's session in it (bytes). */
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

await bot.close();
const sessionFileBytes = (await stat(join(dataDir, 'sessions.json')).catch(() => ({ size: 0 }))).size;
const result: MemoryResult = { samples, gc: gc !== undefined, maxRssBytes: process.resourceUsage().maxRSS * 1024, users, questions: total, totalMs, rateLimited, sessionFileBytes };
process.send?.({ result });
