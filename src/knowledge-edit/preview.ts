// The preview of an edit: which earlier logged questions would get a different answer. The log's
// distinct questions (newest first, bounded) go to a child process (preview-runner.ts) that
// answers them on the knowledge base as it is and as it would be.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Thresholds } from '../answer/engine.ts';
import type { QuestionEntry } from '../store/question-log.ts';
import type { AskedQuestion, Effects } from './effects.ts';
import type { RunnerInput } from './preview-runner.ts';

/** Distinct questions re-answered at most: a few seconds in the child. */
export const PREVIEW_QUESTIONS = 3000;
export const PREVIEW_TIMEOUT_MS = 60_000;

/** Replies to these answer nothing on their own: the session they followed is not replayed. */
const NOT_QUESTIONS = new Set(['feedback', 'greeting', 'thanks', 'help']);
const FOLLOW_UP = /^(\d{1,2}|详细|更多)$/;

/**
 * The distinct questions of the log (white space collapsed), most recently asked first, with how
 * often each was asked; `first` (the wording being added) always among them.
 */
export function askedQuestions(entries: readonly QuestionEntry[], limit = PREVIEW_QUESTIONS, first?: string): { questions: AskedQuestion[]; total: number } {
  const seen = new Map<string, { question: string; count: number; last: number }>();
  entries.forEach((entry, i) => {
    if (NOT_QUESTIONS.has(entry.intent) || entry.question.startsWith('[菜单]')) return;
    const question = entry.question.trim().replace(/\s+/g, ' ');
    if (question === '' || FOLLOW_UP.test(question)) return;
    const row = seen.get(question);
    if (row) {
      row.count++;
      row.last = i;
    } else seen.set(question, { question, count: 1, last: i });
  });
  const rows = [...seen.values()].sort((a, b) => b.last - a.last);
  const questions = rows.slice(0, limit).map(({ question, count }) => ({ question, count }));
  if (first && !questions.some((q) => q.question === first)) questions.unshift({ question: first, count: seen.get(first)?.count ?? 0 });
  return { questions, total: seen.size };
}

function runnerCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const runner = path.join(path.dirname(here), `preview-runner${path.extname(here)}`);
  if (path.extname(here) !== '.ts') return [runner];
  let loader = 'tsx';
  try {
    loader = import.meta.resolve('tsx');
  } catch {
    // resolved from the working directory then
  }
  return ['--import', loader, runner];
}

export interface PreviewInput {
  dir: string;
  file: string;
  bytes: Buffer;
  questions: AskedQuestion[];
  thresholds: Thresholds;
  timeoutMs?: number;
}

export function previewEffects(input: PreviewInput): Promise<Effects> {
  const payload: RunnerInput = {
    dir: path.resolve(input.dir),
    file: input.file,
    content: input.bytes.toString('base64'),
    questions: input.questions,
    thresholds: input.thresholds,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, runnerCommand(), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), input.timeoutMs ?? PREVIEW_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as Effects);
        } catch (error) {
          reject(error);
        }
        return;
      }
      const why = signal === 'SIGKILL' ? `timed out after ${input.timeoutMs ?? PREVIEW_TIMEOUT_MS} ms` : `exit ${code ?? signal}`;
      reject(new Error(`preview runner failed (${why}): ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
    });
    child.stdin.on('error', () => undefined); // a child that died early: its exit says why
    child.stdin.end(JSON.stringify(payload));
  });
}
