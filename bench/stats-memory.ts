// Measuring aid (not part of `npm run bench`): what the admin statistics cost in memory over a full
// question log. A store in a temporary DATA_DIR gets `STATS_RECORDS` questions (default 100,000, the
// log's bound) from 10,000 users, a tenth of them (one in `STATS_UNANSWERED_EVERY`) unanswered wordings of their own; then the
// statistics are computed `STATS_RUNS` times (default 3) as the admin page asks for them (a worker
// thread reading the file). Prints the process's peak RSS before and after, and the thread's heap.
//   npx tsx bench/stats-memory.ts
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

const dist = <T>(path: string): Promise<T> => import(new URL(`../dist/${path}.js`, import.meta.url).href) as Promise<T>;
const { openStore } = await dist<typeof import('../src/store/data-dir.ts')>('store/data-dir');
const service = await dist<typeof import('../src/admin/stats-service.ts')>('admin/stats-service');
const { silentLogger } = await dist<typeof import('../src/log.ts')>('log');

const records = Number(process.env.STATS_RECORDS ?? 100_000);
const runs = Number(process.env.STATS_RUNS ?? 3);
const dir = await mkdtemp(join(os.tmpdir(), 'gongkai-stats-memory-'));
const store = await openStore(dir, { logger: silentLogger, logMaxPerUserPerHour: 1_000_000 });
const WORDS = ['怎么申请政府信息公开', '2019年行政处罚有多少件', '申请后多久答复', '收费吗', '联系电话是多少', '马铃薯补贴怎么领', '低保怎么办理'];
for (let i = 0; i < records; i++) {
  const unanswered = i % Number(process.env.STATS_UNANSWERED_EVERY ?? 10) === 0;
  store.log.append({
    channel: i % 3 === 0 ? 'web' : 'wechat',
    userId: `oUser${i % 10_000}`,
    question: unanswered ? `我想问一下第${i}号村的${WORDS[i % WORDS.length]}` : WORDS[i % WORDS.length]!,
    intent: unanswered ? 'unknown' : 'statistic',
    entry: unanswered ? null : `stat:${i % 50}`,
    confidence: unanswered ? 0 : 0.5 + (i % 50) / 100,
    answered: !unanswered,
  });
  if (i % 5000 === 0) await store.log.flush();
}
await store.log.flush();
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
const peak = () => process.resourceUsage().maxRSS * 1024;
const before = peak();
const started = performance.now();
let stats: Awaited<ReturnType<typeof service.statsOf>> | undefined;
for (let run = 0; run < runs; run++) {
  service.configureStats(store.log, { cacheMs: 0 });
  stats = await service.statsOf(store.log, { now: Date.now(), days: 7 });
}
const worker = (service as { statsWorkerMemory?: { computations: number; maxHeapTotal: number; maxHeapUsed: number } }).statsWorkerMemory;
console.log(
  `${records} records, ${runs} computations in ${((performance.now() - started) / 1000).toFixed(2)} s: peak RSS ${mb(before)} MB before, ${mb(peak())} MB after (+${mb(peak() - before)} MB); ` +
    `${stats?.totals.messages} messages counted, ${stats?.grouping.wordings} unanswered wordings` +
    (worker ? `; the thread's largest heap ${mb(worker.maxHeapTotal)} MB (${mb(worker.maxHeapUsed)} MB used)` : ''),
);
await store.close();
await rm(dir, { recursive: true, force: true });
process.exit(0);
