// The stats computation in a worker thread (see stats-service.ts): reads the question log from
// where the running bot keeps it (its file, or the Redis stream every instance writes to), applies
// the same retention, computes and posts the report. The
// main thread only flushes the log and receives a small result, so /healthz and WeChat's messages
// never wait for it. The file is read a line at a time (the stream a page at a time) and only the
// newest records retention can keep are held, so the worker's memory is that of the records kept.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parentPort } from 'node:worker_threads';
import { isLogRecord, retainedFrom, type FeedbackEntry, type LogRecord, type LogSource, type QuestionEntry } from '../store/question-log.ts';
import { streamLines } from '../store/redis-stream.ts';
import { computeStats, type StatsOptions } from './stats.ts';

export interface StatsJob {
  /** Read the records from here… */
  source?: LogSource | undefined;
  /** …or take these (a log without a file). */
  records?: { questions: readonly QuestionEntry[]; feedback: readonly FeedbackEntry[] } | undefined;
  options: StatsOptions & { now: number };
}

/** The log's records as JSON lines, oldest first: the file a line at a time, or the stream a page at a time. */
function linesOf(source: LogSource): AsyncIterable<string> {
  if (source.kind === 'redis') return streamLines(source.url, source.key);
  return createInterface({ input: createReadStream(source.file, { encoding: 'utf8' }), crlfDelay: Infinity });
}

/** The newest records of the log within count and bytes, each id once, oldest first. */
async function readRetained(source: LogSource): Promise<{ records: LogRecord[]; sizes: number[]; total: number }> {
  const { maxEntries, maxBytes } = source.retention;
  let records: LogRecord[] = [];
  let sizes: number[] = [];
  let total = 0;
  const seen = new Set<string>();
  const lines = linesOf(source);
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue; // a torn or damaged line, as the bot's own reader skips it
      }
      if (!isLogRecord(record)) continue;
      if (record.id !== undefined) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
      }
      const size = Buffer.byteLength(line, 'utf8') + 1;
      records.push(record);
      sizes.push(size);
      total += size;
      // Drop what can no longer be kept, in batches rather than one shift per line.
      if (records.length > maxEntries * 1.25 || total > maxBytes * 1.25) {
        let drop = Math.max(0, records.length - maxEntries);
        let bytes = total;
        for (let i = 0; i < drop; i++) bytes -= sizes[i]!;
        while (drop < records.length && bytes > maxBytes) bytes -= sizes[drop++]!;
        records = records.slice(drop);
        sizes = sizes.slice(drop);
        total = bytes;
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { records, sizes, total };
}

async function recordsOf(job: StatsJob): Promise<{ questions: readonly QuestionEntry[]; feedback: readonly FeedbackEntry[] }> {
  if (job.records || !job.source) return job.records ?? { questions: [], feedback: [] };
  const { records, sizes, total } = await readRetained(job.source);
  const questions: QuestionEntry[] = [];
  const feedback: FeedbackEntry[] = [];
  for (let i = retainedFrom(records, job.source.retention, job.options.now, sizes, total); i < records.length; i++) {
    const record = records[i]!;
    if (record.type === 'question') questions.push(record);
    else feedback.push(record);
  }
  return { questions, feedback };
}

// One thread serves every computation in turn, so that loading (and under tsx compiling) the
// modules is paid once, not for every report.
parentPort!.on('message', (message: { id: number; job: StatsJob }) => {
  void recordsOf(message.job).then(
    ({ questions, feedback }) => parentPort!.postMessage({ id: message.id, stats: computeStats(questions, feedback, message.job.options) }),
    (err: unknown) => parentPort!.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
