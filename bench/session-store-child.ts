// The embedded session store at N sessions under steady changes: how long the event loop is held
// by its writes (journal appends each second, compactions into a new snapshot), measured with
// monitorEventLoopDelay at 1 ms resolution, beside what one rewrite of every session as a whole
// document (the store before the journal) held it for. argv: knowledgeDir, dataDir, sessions,
// seconds, changes per second.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Engine, type Session } from '../src/answer/engine.ts';
import { loadKnowledge } from '../src/knowledge/knowledge-base.ts';
import { silentLogger } from '../src/log.ts';
import { openStore } from '../src/store/data-dir.ts';
import { parseSession } from '../src/store/session-shape.ts';
import { loadConversations } from './questions.ts';

export interface SessionStoreResult {
  sessions: number;
  seconds: number;
  changesPerSecond: number;
  changes: number;
  compactions: number;
  /** Event-loop delay while the store appended and compacted (ms). */
  loopDelay: { p50: number; p99: number; p999: number; max: number };
  /** Delay while a compaction ran (one forced halfway, plus any the journal's growth started). */
  compactionLoopDelayMaxMs: number;
  /** The same load with the store's writes off: what the machine, GC and the load loop cost alone. */
  baselineLoopDelay: { p50: number; p99: number; p999: number; max: number };
  /** The longest piece of the store's own synchronous work (an append's or a snapshot's), ms. */
  longestWriteMs: number;
  /** CPU the store's writes add per second (with writes − without). */
  cpuMsPerSecond: number;
  journalBytesPerSecond: number;
  snapshotBytes: number;
  /** One JSON.stringify of every session as one document: what the old store did each second, in one piece. */
  wholeRewriteMs: number;
  maxRssBytes: number;
}

const [knowledgeDir, dataDir, sessionsArg, secondsArg, rateArg] = process.argv.slice(2);
if (!knowledgeDir || !dataDir) throw new Error('usage: session-store-child.ts <knowledgeDir> <dataDir> [sessions] [seconds] [changes/s]');
const count = Number(sessionsArg ?? 10_000);
const seconds = Number(secondsArg ?? 20);
const rate = Number(rateArg ?? 500);

// Sessions as the engine leaves them after the bench's conversations, not made-up shapes.
const engine = new Engine(await loadKnowledge(knowledgeDir));
const shapes: Session[] = [];
for (const turns of loadConversations()) {
  let session: Session | undefined;
  for (const q of turns) {
    session = engine.respond(q, session).session;
    shapes.push(session);
  }
}

const store = await openStore<Session>(dataDir, { logger: silentLogger, validateSession: parseSession });
const sessions = store.sessions as typeof store.sessions & { compactions: number; longestWriteMs: number; compact(): Promise<void> };
for (let i = 0; i < count; i++) sessions.set(`user-${i}`, shapes[i % shapes.length]!);
await store.flush();
await sessions.compact();
const compactionsBefore = sessions.compactions;
// What filling the store left over is collected before the measurement, not during it.
(globalThis as { gc?: () => void }).gc?.();

const journalBytes = async () => {
  let total = 0;
  for (const name of await readdir(dataDir)) if (name.endsWith('.journal')) total += (await stat(join(dataDir, name))).size;
  return total;
};

const summary = (h: ReturnType<typeof monitorEventLoopDelay>) => ({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, p999: h.percentile(99.9) / 1e6, max: h.max / 1e6 });

/** `seconds` of changes at `rate`; with `writes`, the store appends and compacts (one forced halfway). */
async function run(writes: boolean) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const duringCompaction = monitorEventLoopDelay({ resolution: 1 });
  const set = writes ? (user: string, value: Session) => sessions.set(user, value) : (user: string, value: Session) => void shadow.set(user, { updatedAt: Date.now(), value });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  let changes = 0;
  let journalWritten = 0;
  let lastJournal = await journalBytes();
  const started = performance.now();
  let forced = false;
  const sampler = setInterval(() => {
    void journalBytes().then((now) => {
      // A compaction deletes the old journal: count what the new one holds.
      journalWritten += now >= lastJournal ? now - lastJournal : now;
      lastJournal = now;
    });
  }, 1000);
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.floor((elapsed / 1000) * rate) - changes;
      for (let k = 0; k < due; k++) {
        const u = Math.floor(Math.random() * count);
        set(`user-${u}`, shapes[(u + changes + k) % shapes.length]!);
      }
      changes += Math.max(0, due);
      if (writes && !forced && elapsed > (seconds * 1000) / 2) {
        forced = true;
        duringCompaction.enable();
        void sessions.compact().then(() => duringCompaction.disable());
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  clearInterval(sampler);
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  return { loop: summary(loop), compaction: duringCompaction.max / 1e6, changes, cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / seconds, journalBytesPerSecond: journalWritten / seconds };
}

/** Where the baseline's changes go: a map like the store's, never written. */
const shadow = new Map<string, { updatedAt: number; value: Session }>();
const baseline = await run(false);
(globalThis as { gc?: () => void }).gc?.();
const measured = await run(true);
await store.flush();
const whole = performance.now();
const doc: Record<string, unknown> = {};
for (let i = 0; i < count; i++) doc[store.userKey(`user-${i}`)] = { updatedAt: Date.now(), value: shapes[i % shapes.length] };
JSON.stringify({ version: 1, sessions: doc });
const wholeRewriteMs = performance.now() - whole;

const result: SessionStoreResult = {
  sessions: count,
  seconds,
  changesPerSecond: rate,
  changes: measured.changes,
  compactions: sessions.compactions - compactionsBefore,
  loopDelay: measured.loop,
  compactionLoopDelayMaxMs: measured.compaction,
  baselineLoopDelay: baseline.loop,
  longestWriteMs: sessions.longestWriteMs,
  cpuMsPerSecond: measured.cpuMsPerSecond - baseline.cpuMsPerSecond,
  journalBytesPerSecond: measured.journalBytesPerSecond,
  snapshotBytes: (await stat(join(dataDir, 'sessions.json'))).size,
  wholeRewriteMs,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
await store.close();
process.send?.({ result });
