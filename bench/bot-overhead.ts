// Profiling aid (not part of `npm run bench`): what bot.answer costs around the engine - rate
// limit, session store, question log, user keys - with the engine replaced by a canned reply, for
// two builds in one process, alternated in batches of 1,000 messages and timed by CPU, so that a
// busy machine's load falls on both alike. Run from the repository root, e.g.
//   npx tsx bench/bot-overhead.ts /tmp/before/dist "$PWD/dist" [senders=10000] [messages=300000]
// (a build of another commit: `git worktree add` it or copy its dist/). Senders write in turn;
// 1,000,000 makes every message a new sender.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [distA, distB, usersArg, totalArg] = process.argv.slice(2);
async function make(dist: string) {
  const { createBot } = await import(`${dist}/answer/bot.js`);
  const { silentLogger } = await import(`${dist}/log.js`);
  const bot = await createBot({ knowledgeDir: 'knowledge', dataDir: await mkdtemp(join(tmpdir(), 'ab-')), logger: silentLogger, readingCache: 0 });
  const engine = bot.engine as any;
  const real = engine.respond('2019年行政处罚有多少件？', undefined);
  engine.respond = () => ({ answer: { ...real.answer }, session: { ...real.session } });
  return bot;
}
const bots = [await make(distA!), await make(distB!)];
const users = Number(usersArg ?? 10000);
const total = Number(totalArg ?? 300000);
const counters = [0, 0];
const cpu = [0, 0];
let sink = 0;
async function batch(k: number, n: number, measure: boolean) {
  const bot = bots[k]!;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const j = counters[k]!++;
    sink += (await bot.answer('2019年行政处罚有多少件？', `oUser-${j % users}`, { channel: 'wechat' })).reply.length;
    if (j % 10 === 9) await new Promise<void>((r) => setImmediate(r));
  }
  const c = process.cpuUsage(c0);
  if (measure) cpu[k]! += c.user + c.system;
}
for (let r = 0; r < 20; r++) { await batch(0, 2000, false); await batch(1, 2000, false); }
const start = [...counters];
for (let done = 0; done < total; done += 2000) { await batch(0, 1000, true); await batch(1, 1000, true); }
const per = (k: number) => (cpu[k]! / (counters[k]! - start[k]!)).toFixed(2);
console.log(`users ${users}: A ${per(0)} µs CPU/answer, B ${per(1)} µs CPU/answer (${counters[0]! - start[0]!} each)`);
for (const b of bots) await b.close();
