// The stats computation in a worker thread (see stats-service.ts): reads the question log from
// where the running bot keeps it (its file, or the Redis stream every instance writes to), applies
// the same retention, computes and posts the report. The main thread only flushes the log and
// receives a small result, so /healthz and WeChat's messages never wait for it.
//
// The log is read twice and never held: a first pass notes each record's place, time and size
// (what retention needs to find the oldest record kept), a second reads the kept records again
// and adds each to the tallies (StatsAccumulator), so the thread's memory is the tallies', not the
// records'. Both passes read the same records: the file through one open descriptor up to the
// length it had at the start (appends after that wait for the next report; a compaction replaces
// the path, not the file this descriptor reads), the stream up to the last entry of the first pass.
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { isLogRecord, type FeedbackEntry, type LogRecord, type LogSource, type QuestionEntry } from '../store/question-log.ts';
import { retainedAt } from '../store/retention.ts';
import { computeStats, StatsAccumulator, type Stats, type StatsOptions } from './stats.ts';

export interface StatsJob {
  /** Read the records from here… */
  source?: LogSource | undefined;
  /** …or take these (a log without a file). */
  records?: { questions: readonly QuestionEntry[]; feedback: readonly FeedbackEntry[] } | undefined;
  options: StatsOptions & { now: number };
}

/** One pass over the log: each line with a place that grows along the log (line number, or stream id). */
interface Reader {
  lines(): AsyncIterable<{ at: number; line: string }>;
  close(): Promise<void>;
}

async function fileReader(file: string): Promise<Reader> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: async function* () {}, close: async () => undefined };
    throw err;
  }
  const { size } = await handle.stat();
  return {
    async *lines() {
      if (size === 0) return;
      const input = handle.createReadStream({ encoding: 'utf8', start: 0, end: size - 1, autoClose: false });
      let at = 0;
      for await (const line of createInterface({ input, crlfDelay: Infinity })) yield { at: at++, line };
    },
    close: () => handle.close(),
  };
}

/** A stream id "ms-seq" as one number that orders like the ids (seq below 4096 within a ms). */
const idOrder = (id: string): number => {
  const dash = id.indexOf('-');
  return Number(id.slice(0, dash)) * 4096 + Math.min(4095, Number(id.slice(dash + 1)));
};

async function streamReader(url: string, key: string): Promise<Reader> {
  // ioredis is loaded only by a thread that reads a stream: a file's reader does without it.
  const { streamEntries } = await import('../store/redis-stream.ts');
  let last = '+';
  let passes = 0;
  return {
    async *lines() {
      // The second pass stops where the first did: entries added since wait for the next report.
      const to = passes++ === 0 ? '+' : last;
      if (to !== '+' || passes === 1) {
        for await (const entry of streamEntries(url, key, '-', to)) {
          if (passes === 1) last = entry.id;
          yield { at: idOrder(entry.id), line: entry.data };
        }
      }
    },
    close: async () => undefined,
  };
}

function parse(line: string): LogRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const record: unknown = JSON.parse(line);
    return isLogRecord(record) ? record : undefined;
  } catch {
    return undefined; // a torn or damaged line, as the bot's own reader skips it
  }
}

/** The report over the records retention keeps, each id once, read as described above. */
async function statsOfSource(source: LogSource, options: StatsOptions & { now: number }): Promise<Stats> {
  const reader = source.kind === 'redis' ? await streamReader(source.url, source.key) : await fileReader(source.file);
  try {
    // Pass 1: where each record kept is, its time and size; and the answers feedback judges.
    const places: number[] = [];
    // Epoch ms, not the records' time strings in objects: 8 bytes a record instead of about 70
    // (5 MB of the thread's heap at the log's bound of 100,000 records).
    const times: number[] = [];
    const sizes: number[] = [];
    let total = 0;
    const judged = new Set<string>();
    let seen: Set<string> | undefined = new Set<string>();
    const { maxEntries, maxBytes } = source.retention;
    for await (const { at, line } of reader.lines()) {
      const record = parse(line);
      if (record === undefined) continue;
      if (record.id !== undefined) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
      }
      if (record.type === 'feedback') judged.add(record.answer);
      places.push(at);
      times.push(Date.parse(record.time));
      const size = Buffer.byteLength(line, 'utf8') + 1;
      sizes.push(size);
      total += size;
      // A file past its bound (compaction failing) must not grow this: drop what can no longer be
      // kept, in batches rather than one shift per line.
      if (places.length > maxEntries * 1.25 || total > maxBytes * 1.25) {
        let drop = Math.max(0, places.length - maxEntries);
        let bytes = total;
        for (let i = 0; i < drop; i++) bytes -= sizes[i]!;
        while (drop < places.length && bytes > maxBytes) bytes -= sizes[drop++]!;
        places.splice(0, drop);
        times.splice(0, drop);
        sizes.splice(0, drop);
        total = bytes;
      }
    }
    seen = undefined;
    const start = retainedAt((i) => times[i]!, times.length, source.retention, options.now, sizes, total);
    times.length = 0;
    sizes.length = 0;
    // Pass 2: the kept records into the tallies.
    const stats = new StatsAccumulator(options, judged);
    let next = start;
    for await (const { at, line } of reader.lines()) {
      if (next >= places.length) break;
      while (next < places.length && places[next]! < at) next++; // gone since the first pass (trimmed)
      if (places[next] !== at) continue; // not kept: too old, a duplicate, or not a record
      next++;
      const record = parse(line);
      if (record === undefined) continue;
      if (record.type === 'question') stats.question(record);
      else stats.feedback(record);
    }
    return stats.finish();
  } finally {
    await reader.close();
  }
}

function statsOf(job: StatsJob): Promise<Stats> {
  if (job.records || !job.source) {
    const { questions, feedback } = job.records ?? { questions: [], feedback: [] };
    return Promise.resolve(computeStats(questions, feedback, job.options));
  }
  return statsOfSource(job.source, job.options);
}

// One thread serves every computation in turn, so that loading (and under tsx compiling) the
// modules is paid once, not for every report.
parentPort!.on('message', (message: { id: number; job: StatsJob }) => {
  void statsOf(message.job).then(
    (stats) => {
      // The thread's heap as the computation leaves it, before its tallies can be collected.
      const heap = getHeapStatistics();
      parentPort!.postMessage({ id: message.id, stats, heap: { total: heap.total_heap_size, used: heap.used_heap_size } });
    },
    (err: unknown) => parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
