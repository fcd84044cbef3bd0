// The knowledge bases of a start-up, read on a worker thread while the main thread imports the
// rest of the start path and loads jieba's dictionary (~0.2 s of native code that nothing else can
// share): the guide's YAML, the reports' parsing and the synonyms then take the start no time of
// their own (issue 13). Measured at a load average of 14 on 2 cores: the same CPU in all as reading
// them here, 0.17 s less on the main thread. With a single core the worker could only take turns
// with the main thread, so there the base is read on this thread as before. The worker runs the
// same loadKnowledge; the bases come back by structured clone
// (plain data: maps, sets, arrays), findings and all. A directory the worker could not load
// (loadKnowledge throws only for an unreadable one), or a worker that fails, is read again on
// this thread: the outcome is the one the bot always had.
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KnowledgeBase } from './knowledge-base.ts';

/** What the worker posts, one message per directory, in order. */
export type KnowledgeMessage = { index: number; kb: KnowledgeBase } | { index: number; failed: string };

/** Whether a worker can run beside the main thread: this process may use two cores or more. */
export function secondCore(cores = os.availableParallelism()): boolean {
  return cores >= 2;
}

// Compiled .js under `npm start`; .ts under vitest, where the worker needs tsx (as in report-file.ts).
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const WORKER_URL = new URL(`./knowledge-thread-worker${EXT}`, import.meta.url);

function spawnWorker(dirs: string[]): Worker {
  const options = { workerData: { dirs }, stdout: false, stderr: false };
  if (EXT !== '.ts') return new Worker(WORKER_URL, options);
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

const onThisThread = (dir: string) => import('./knowledge-base.ts').then((m) => m.loadKnowledge(dir));

/**
 * Starts reading every directory on one worker; each promise is that directory's base. `here`
 * reads a directory on this thread (the fallback; a test seam).
 */
export function loadKnowledgeInBackground(dirs: string[], here: (dir: string) => Promise<KnowledgeBase> = onThisThread): Promise<KnowledgeBase>[] {
  const slots = dirs.map(() => {
    let resolve!: (kb: Promise<KnowledgeBase> | KnowledgeBase) => void;
    const promise = new Promise<KnowledgeBase>((r) => (resolve = r));
    return { promise, resolve, done: false };
  });
  /** Settles a directory once: `kb` is called only for a directory not yet delivered. */
  const deliver = (index: number, kb: () => Promise<KnowledgeBase> | KnowledgeBase) => {
    const slot = slots[index];
    if (!slot || slot.done) return;
    slot.done = true;
    slot.resolve(kb());
  };
  // Whatever the worker does not deliver (it failed, or exited early) is read here, and only that.
  const fallBack = () => dirs.forEach((dir, i) => deliver(i, () => here(dir)));
  let worker: Worker;
  try {
    worker = spawnWorker(dirs);
  } catch {
    fallBack();
    return slots.map((s) => s.promise);
  }
  worker.on('message', (message: KnowledgeMessage) => {
    deliver(message.index, () => ('kb' in message ? message.kb : here(dirs[message.index]!)));
    if (slots.every((s) => s.done)) void worker.terminate();
  });
  worker.once('error', fallBack);
  worker.once('exit', fallBack);
  return slots.map((s) => s.promise);
}
