// Profiling aid (not part of `npm run bench`): the stores phase's scenario for one store, with the
// server child under extra node flags, e.g.
//   PROFILE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx bench/profile-store.ts embedded
// prints the load's latency and the server's event-loop delay and CPU per message.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { webhookServer } from './children.ts';
import { generateKnowledge } from './generate.ts';
import { freshMessages, load, OPENIDS } from './load.ts';
import { paced } from './paced.ts';
import { loadConversations, ROOT } from './questions.ts';

const store = process.argv[2] ?? 'embedded';
const redisUrl = process.argv[3];
const seconds = Number(process.env.PROFILE_SECONDS ?? 15);
const rate = Number(process.env.PROFILE_RATE ?? 500);
const work = await mkdtemp(join(os.tmpdir(), 'gongkai-profile-'));
const knowledge = join(work, 'knowledge');
await generateKnowledge(join(ROOT, 'knowledge'), knowledge, 1);
const questions = loadConversations().flat();
const dataDir = await mkdtemp(join(work, 'data-'));
const { child, port, stats } = await webhookServer(['real', knowledge, dataDir, ...(store === 'redis' && redisUrl ? [redisUrl] : [])], {
  execArgv: (process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean),
});
const warm = await load({ port, connections: 20, amount: OPENIDS }, questions, 1);
const before = await stats();
console.log(`warm-up: p99 ${warm.latencyP99} ms; sessions ${before.sessions}; loop p99/max ${before.loopDelayP99Ms.toFixed(1)}/${before.loopDelayMaxMs.toFixed(1)} ms`);
const run = await load({ port, connections: Number(process.env.PROFILE_CONNECTIONS ?? 20), duration: seconds, overallRate: rate }, questions, 2);
const after = await stats();
console.log("atPeak", JSON.stringify(Object.fromEntries(Object.entries(after.atPeak ?? {}).map(([k, v]) => [k, Math.round(v / 1048576)]))));
console.log(
  `${store}: ${run.rps.toFixed(0)} msg/s p50 ${run.latencyP50} p99 ${run.latencyP99} max ${run.latencyMax} ms; ` +
    `server CPU ${((after.cpuMicros - before.cpuMicros) / run.requests).toFixed(0)} µs/message; loop p99/max ${after.loopDelayP99Ms.toFixed(1)}/${after.loopDelayMaxMs.toFixed(1)} ms; ` +
    `RSS ${(after.rssBytes / 1048576).toFixed(0)} MB (peak ${(after.maxRssBytes / 1048576).toFixed(0)}), heapUsed ${(after.heapUsedBytes / 1048576).toFixed(0)} MB`,
);
if (process.env.PROFILE_SNAPSHOT) {
  // With PROFILE_ARGS='--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=…': a heap snapshot now.
  child.process.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.PROFILE_SNAPSHOT) * 1000));
}
if (process.env.PROFILE_PACED !== "0") {
const before2 = await stats();
const steady = await paced({ port, rate, durationS: seconds, connections: 50, message: freshMessages(questions, 3) });
const after2 = await stats();
console.log(
  `${store} paced: ${steady.rps.toFixed(0)} msg/s p50 ${steady.latencyP50.toFixed(1)} p99 ${steady.latencyP99.toFixed(1)} max ${steady.latencyMax.toFixed(1)} ms, send lag p99 ${steady.sendLagP99.toFixed(1)} ms, errors ${steady.errors}/${steady.non2xx}/${steady.emptyReplies}; ` +
    `server CPU ${((after2.cpuMicros - before2.cpuMicros) / steady.requests).toFixed(0)} µs/message; loop p99/max ${after2.loopDelayP99Ms.toFixed(1)}/${after2.loopDelayMaxMs.toFixed(1)} ms; ` +
    `run-queue wait ${(((after2.runqueueWaitMicros ?? 0) - (before2.runqueueWaitMicros ?? 0)) / 1000 / seconds).toFixed(0)} ms/s (bursty run: ${(((after.runqueueWaitMicros ?? 0) - (before.runqueueWaitMicros ?? 0)) / 1000 / seconds).toFixed(0)} ms/s)`,
);
}
child.send({ cmd: "stop" });
await child.exited;
await rm(work, { recursive: true, force: true });
