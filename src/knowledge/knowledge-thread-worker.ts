// Worker thread body: loads each knowledge directory of workerData.dirs in turn (knowledge-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { loadKnowledge } from './knowledge-base.ts';
import type { KnowledgeMessage } from './knowledge-thread.ts';

const { dirs } = workerData as { dirs: string[] };
for (const [index, dir] of dirs.entries()) {
  let message: KnowledgeMessage;
  try {
    message = { index, kb: await loadKnowledge(dir) };
  } catch (error) {
    message = { index, failed: String(error) };
  }
  parentPort?.postMessage(message);
}
