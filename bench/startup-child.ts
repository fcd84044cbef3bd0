// Start-up to first answer of the core in a fresh process: everything from the process's own start
// (node, tsx, module loading, jieba's dictionary, the knowledge base, the store) to one answer.
// argv: knowledgeDir, dataDir. Sends {result} with milestones in ms since the process started.
import { performance } from 'node:perf_hooks';

export interface StartupResult {
  /** ms from process start (performance.timeOrigin) to each milestone. */
  imported: number;
  /** createBot done: knowledge base, jieba's dictionary (on first use), index, store. */
  botCreated: number;
  firstAnswer: number;
  reply: string;
  /** CPU time (user + system) of the process up to the first answer, in ms. */
  cpuMs: number;
  /**
   * After the answer, what importing the rest of what `npm start` imports costs (ms), to split the
   * server's start-up: the HTTP app, and the Wechaty channel. null when the module is not there.
   */
  serverImportMs: number | null;
  wechatyImportMs: number | null;
  maxRssBytes: number;
}

const [knowledgeDir, dataDir] = process.argv.slice(2);
if (!knowledgeDir || !dataDir) throw new Error('usage: startup-child.ts <knowledgeDir> <dataDir>');

const { createBot } = await import('../src/answer/bot.ts');
const { silentLogger } = await import('../src/log.ts');
const imported = performance.now();
const bot = await createBot({ knowledgeDir, dataDir, logger: silentLogger });
const botCreated = performance.now();
const answer = await bot.answer('2019年行政处罚有多少件？', 'startup-user', { channel: 'bench' });
const firstAnswer = performance.now();
const cpu = process.cpuUsage();
// The parent stops its clock here; what follows is extra measurement.
process.send?.({ answered: true });
await bot.close();

async function importTime(path: string): Promise<number | null> {
  const start = performance.now();
  try {
    await import(path);
  } catch {
    return null;
  }
  return performance.now() - start;
}
const serverImportMs = await importTime('../src/server.ts');
const wechatyImportMs = await importTime('../src/channels/wechaty.ts');

const result: StartupResult = {
  imported,
  botCreated,
  firstAnswer,
  reply: answer.reply.slice(0, 60),
  cpuMs: (cpu.user + cpu.system) / 1000,
  serverImportMs,
  wechatyImportMs,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
process.send?.({ result });
