// Start-up to first answer of the core in a fresh process, running what `npm start` runs: the
// modules compiled to dist/ (scripts/build.mjs), under plain node. This file is JavaScript so
// that no TypeScript loader (tsx) is in the process to slow the imports down.
// Everything from the process's own start (node, module loading, jieba's dictionary, the knowledge
// base, the store) to one answer. argv: knowledgeDir, dataDir. Sends {answered}, then {result}
// (bench/report.ts StartupResult) with milestones in ms since the process started.
import { performance } from 'node:perf_hooks';

const [knowledgeDir, dataDir] = process.argv.slice(2);
if (!knowledgeDir || !dataDir) throw new Error('usage: startup-child.mjs <knowledgeDir> <dataDir>');

const { createBot } = await import('../dist/answer/bot.js');
const { silentLogger } = await import('../dist/log.js');
const imported = performance.now();
const bot = await createBot({ knowledgeDir, dataDir, logger: silentLogger });
const botCreated = performance.now();
const answer = await bot.answer('2019年行政处罚有多少件？', 'startup-user', { channel: 'bench' });
const firstAnswer = performance.now();
const cpu = process.cpuUsage();
// The parent stops its clock here; what follows is extra measurement.
process.send?.({ answered: true });
await bot.close();

async function importTime(path) {
  const start = performance.now();
  try {
    await import(path);
  } catch {
    return null;
  }
  return performance.now() - start;
}
const serverImportMs = await importTime('../dist/server.js');
const wechatyImportMs = await importTime('../dist/channels/wechaty.js');

process.send?.({
  result: {
    imported,
    botCreated,
    firstAnswer,
    reply: answer.reply.slice(0, 60),
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverImportMs,
    wechatyImportMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  },
});
