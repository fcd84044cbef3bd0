// The stats computation in a worker thread (see stats-service.ts): reads the question log from
// where the running bot keeps it, applies the same retention, computes and posts the report. The
// main thread only flushes the log and receives a small result, so /healthz and WeChat's messages
// never wait for it.
import { parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../log.ts';
import { JsonlFile } from '../store/jsonl-file.ts';
import { isLogRecord, recordBytes, recordId, retainedFrom, type FeedbackEntry, type LogRecord, type LogSource, type QuestionEntry } from '../store/question-log.ts';
import { computeStats, type StatsOptions } from './stats.ts';

export interface StatsJob {
  /** Read the records from here… */
  source?: LogSource | undefined;
  /** …or take these (a log without a file). */
  records?: { questions: readonly QuestionEntry[]; feedback: readonly FeedbackEntry[] } | undefined;
  options: StatsOptions & { now: number };
}

async function records(job: StatsJob): Promise<{ questions: readonly QuestionEntry[]; feedback: readonly FeedbackEntry[] }> {
  if (job.records || !job.source) return job.records ?? { questions: [], feedback: [] };
  const { file, retention } = job.source;
  const all = (await new JsonlFile<LogRecord>(file, { logger: silentLogger, validate: isLogRecord, idOf: recordId }).read()) ?? [];
  const sizes = all.map(recordBytes);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const questions: QuestionEntry[] = [];
  const feedback: FeedbackEntry[] = [];
  for (let i = retainedFrom(all, retention, job.options.now, sizes, total); i < all.length; i++) {
    const record = all[i]!;
    if (record.type === 'question') questions.push(record);
    else feedback.push(record);
  }
  return { questions, feedback };
}

const job = workerData as StatsJob;
const { questions, feedback } = await records(job);
parentPort!.postMessage(computeStats(questions, feedback, job.options));
