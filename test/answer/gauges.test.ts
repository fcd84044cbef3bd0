// The conversation sets as regression gauges, in process (seconds, not the CLI's minute): our own
// paraphrases, the blind-written development set (test data written from the documents by a writer
// who never saw the bot), our own wordings of every kind of issue 10, and - when the shared
// directory is there - the public and traffic sets. The floors are below today's rates: they catch
// a change that breaks a kind of question, not the last conversation.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { Engine } from '../../src/answer/engine.ts';
import { gauge, loadSet } from './helpers/gauge.ts';

const today = () => new Date('2026-06-01T12:00:00+08:00');
let engine: Engine;

beforeAll(async () => {
  engine = new Engine(await loadKnowledge('knowledge'), today);
}, 60_000);

const SETS: Array<[string, string, number]> = [
  ['our paraphrases', 'test/fixtures/eval/dev-questions.jsonl', 0.97],
  ['the blind-written development set', 'test/fixtures/eval/blind-tune.jsonl', 0.9],
  ['our wordings of each kind of issue 10', 'test/fixtures/eval/kinds.jsonl', 0.95],
  ['the public set', shared('questions.public.jsonl'), 1],
  ['the traffic set', shared('questions.traffic.jsonl'), 0.9],
];

/** The shared evaluation directory next to the repository (a worktree sits one level deeper). */
function shared(file: string): string {
  return ['../shared/eval', '../../shared/eval'].map((d) => `${d}/${file}`).find((p) => existsSync(p)) ?? `../shared/eval/${file}`;
}

describe('conversation sets', () => {
  for (const [name, path, floor] of SETS) {
    it.runIf(existsSync(path))(`${name} passes at ${floor * 100}% or more`, () => {
      const { rate, failed } = gauge(engine, loadSet(path));
      expect(rate, failed.join('\n')).toBeGreaterThanOrEqual(floor);
    });
  }
});
