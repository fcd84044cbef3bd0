// Profiling aid (not part of `npm run bench`): the real server of the webhook phase at full speed,
// under extra node flags, e.g.
//   PROFILE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npx tsx bench/profile-webhook.ts [real|stub|bare] [redisUrl]
// prints the load's throughput and the server's CPU per request.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { webhookServer } from './children.ts';
import { generateKnowledge } from './generate.ts';
import { load } from './load.ts';
import { loadConversations, ROOT } from './questions.ts';

const mode = process.argv[2] ?? 'real';
const redisUrl = process.argv[3];
const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const work = await mkdtemp(join(os.tmpdir(), 'gongkai-profile-'));
const knowledge = join(work, 'knowledge');
await generateKnowledge(join(ROOT, 'knowledge'), knowledge, 1);
const questions = loadConversations().flat();
const dataDir = await mkdtemp(join(work, 'data-'));
const { child, port, stats } = await webhookServer([mode, knowledge, dataDir, ...(redisUrl ? [redisUrl] : [])], {
  execArgv: (process.env.PROFILE_ARGS ?? '').split(' ').filter(Boolean),
});
await load({ port, connections: 10, duration: 2 }, questions, 1);
const before = await stats();
const run = await load({ port, connections: 10, duration: seconds }, questions, 2);
const after = await stats();
const cpu = (after.cpuMicros - before.cpuMicros) / run.requests;
const waited = after.runqueueWaitMicros !== null && before.runqueueWaitMicros !== null ? (after.runqueueWaitMicros - before.runqueueWaitMicros) / 1000 / run.durationS : null;
console.log(`${mode}: ${Math.round(run.rps)} req/s, p99 ${run.latencyP99} ms, ${cpu.toFixed(0)} µs CPU/request, waited ${waited?.toFixed(0)} ms/s for a CPU, maxRSS ${(after.maxRssBytes / 1e6).toFixed(1)} MB, errors ${run.errors}, non2xx ${run.non2xx}`);
child.send({ cmd: 'stop' });
await child.exited;
