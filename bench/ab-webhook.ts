// Profiling aid (not part of `npm run bench`): the real webhook server of two builds against the
// bare floor, loaded in turn (floor, A, B) for rounds of a few seconds, so that the machine's other
// load falls on all three alike. Prints each round's CPU per request and the floor ÷ real ratios by
// CPU time, then their medians. Run from the repository root, e.g.
//   npx tsx bench/ab-webhook.ts "$PWD/node_modules/.base-dist" "$PWD/dist" [rounds=6] [seconds=3]
// (a build of another commit copied under node_modules/, so that its packages resolve).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { webhookServer, type WebhookServer } from './children.ts';
import { generateKnowledge } from './generate.ts';
import { load } from './load.ts';
import { loadConversations, ROOT } from './questions.ts';

const [distA, distB, roundsArg, secondsArg] = process.argv.slice(2);
if (!distA || !distB) throw new Error('usage: ab-webhook.ts <distA> <distB> [rounds] [seconds]');
const rounds = Number(roundsArg ?? 6);
const seconds = Number(secondsArg ?? 3);
const work = await mkdtemp(join(os.tmpdir(), 'gongkai-ab-'));
const knowledge = join(work, 'knowledge');
await generateKnowledge(join(ROOT, 'knowledge'), knowledge, 1);
const questions = loadConversations().flat();

async function start(mode: string, dist: string | undefined): Promise<WebhookServer> {
  const saved = process.env.BENCH_DIST;
  if (dist) process.env.BENCH_DIST = dist;
  else delete process.env.BENCH_DIST;
  try {
    return await webhookServer([mode, knowledge, await mkdtemp(join(work, 'data-'))]);
  } finally {
    if (saved === undefined) delete process.env.BENCH_DIST;
    else process.env.BENCH_DIST = saved;
  }
}

const servers = { floor: await start('bare', undefined), A: await start('real', distA), B: await start('real', distB) };
let run = 1;
for (const server of Object.values(servers)) await load({ port: server.port, connections: 10, duration: 2 }, questions, run++);
const cpu: Record<string, number[]> = { floor: [], A: [], B: [] };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let r = 0; r < rounds; r++) {
  const line: string[] = [];
  for (const [name, server] of Object.entries(servers)) {
    const before = await server.stats();
    const result = await load({ port: server.port, connections: 10, duration: seconds }, questions, run++);
    const after = await server.stats();
    const us = (after.cpuMicros - before.cpuMicros) / result.requests;
    cpu[name]!.push(us);
    line.push(`${name} ${us.toFixed(0)} µs (${Math.round(result.rps)} req/s, ${result.errors + result.non2xx} bad)`);
  }
  const f = cpu.floor!.at(-1)!;
  console.log(`round ${r + 1}: ${line.join(', ')}; floor÷A ${((100 * f) / cpu.A!.at(-1)!).toFixed(0)}%, floor÷B ${((100 * f) / cpu.B!.at(-1)!).toFixed(0)}%`);
}
const ratio = (name: string) => median(cpu.floor!.map((f, i) => f / cpu[name]![i]!));
console.log(`median CPU/request: floor ${median(cpu.floor!).toFixed(0)} µs, A ${median(cpu.A!).toFixed(0)} µs, B ${median(cpu.B!).toFixed(0)} µs; median floor÷real: A ${(100 * ratio('A')).toFixed(0)}%, B ${(100 * ratio('B')).toFixed(0)}%; median B÷A ${(100 * median(cpu.B!.map((b, i) => b / cpu.A![i]!))).toFixed(0)}%`);
for (const server of Object.values(servers)) {
  server.child.send({ cmd: 'stop' });
  await server.child.exited;
}
