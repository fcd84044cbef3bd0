// The preview's child process: reads {dir, file, content, questions, thresholds} as JSON on stdin,
// answers the questions on the knowledge base as it is and as it would be with `content` in
// `file`, and writes the Effects as JSON on stdout.
//
// A process of its own because jieba's dictionary is process-wide and only grows: a candidate's
// synonyms would stay in the serving bot's dictionary even when the edit is never saved. It also
// keeps the re-answering (seconds for thousands of questions) off the bot's event loop.
import { Engine, type Thresholds } from '../answer/engine.ts';
import { loadKnowledge } from '../knowledge/knowledge-base.ts';
import { candidateKnowledge } from './candidate.ts';
import { compareAnswers, type AskedQuestion } from './effects.ts';

export interface RunnerInput {
  dir: string;
  file: string;
  /** The edited file, base64. */
  content: string;
  questions: AskedQuestion[];
  thresholds: Thresholds;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function run(): Promise<void> {
  const input = JSON.parse(await readStdin()) as RunnerInput;
  const today = () => new Date();
  const options = { readingCache: 0 };
  const current = new Engine(await loadKnowledge(input.dir), today, input.thresholds, options);
  const candidate = new Engine(await candidateKnowledge(input.dir, input.file, Buffer.from(input.content, 'base64')), today, input.thresholds, options);
  const effects = await compareAnswers(current, candidate, input.questions);
  process.stdout.write(JSON.stringify(effects));
}

run().catch((error: unknown) => {
  process.stderr.write(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
