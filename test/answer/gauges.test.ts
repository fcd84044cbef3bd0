// The conversation sets as regression gauges, in process (seconds, not the CLI's minute): our own
// paraphrases, the blind-written sets (test data written from the documents by writers who never
// saw the bot), our own wordings of every kind of issue 10, and the public and traffic sets that
// ship in eval/. The floors are below today's rates: they catch a change that breaks a
// kind of question, not the last conversation.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/answer/engine.ts';
import { gauge, loadSet } from './helpers/gauge.ts';
import { countyEngine } from './helpers/conversation.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await countyEngine('2026-06-01T12:00:00+08:00');
}, 60_000);

const SETS: Array<[string, string, number]> = [
  ['our paraphrases', 'test/fixtures/eval/dev-questions.jsonl', 0.97],
  ['the blind-written development set', 'test/fixtures/eval/blind-tune.jsonl', 0.9],
  ['our wordings of each kind of issue 10', 'test/fixtures/eval/kinds.jsonl', 0.95],
  ['our wordings of the kinds of round 3 (narrative halves, reported replies, urgency, units, 这两个)', 'test/fixtures/eval/kinds3.jsonl', 0.9],
  ['the blind set of round 2 (written by a writer who never saw the bot; its even lines were tuned on)', 'test/fixtures/eval/blind-tune2.jsonl', 0.85],
  ['the blind set of round 3 (its even lines tuned on, its odd lines kept as a holdout)', 'test/fixtures/eval/blind-tune3.jsonl', 0.88],
  ['the blind set of round 4 (scored untouched first; its even lines tuned on, its odd lines kept as a holdout)', 'test/fixtures/eval/blind-tune4.jsonl', 0.88],
  ['the judging set of stop 17 that was shown to a helper (judge4, written blind; now tuned on)', 'test/fixtures/eval/blind-tune5.jsonl', 0.9],
  ['the last clean judging set of stop 17 (judge5, written blind; its failures read afterwards, now tuned on)', 'test/fixtures/eval/blind-tune6.jsonl', 0.9],
  ['our wordings of the kinds of round 6 (matters named with our words, contacts and channels, absent figures, social)', 'test/fixtures/eval/kinds6.jsonl', 0.95],
  ['our wordings of the kinds of round 7 (items after an article, shares and averages computed, longer follow-ups, no word back)', 'test/fixtures/eval/kinds7.jsonl', 0.95],
  ['blind tune set 7 of round 19 (written from the documents alone; tuned on)', 'test/fixtures/eval/blind-tune7.jsonl', 0.8],
  ['blind tune set 8 of round 19 (follow-ups, table meanings, borrowed words; tuned on)', 'test/fixtures/eval/blind-tune8.jsonl', 0.74],
  ['blind set 9 of round 19 (a judging set, scored before tuning at 129/160, now read)', 'test/fixtures/eval/blind-tune9.jsonl', 0.8],
  ['our wordings of the kinds of round 8 (English through the glossary, time words, names no report gives, rhetorical questions)', 'test/fixtures/eval/kinds8.jsonl', 0.95],
  ['our wordings of the kinds of round 9 (zero rows, again, from when, a limit or figure named, the form explained)', 'test/fixtures/eval/kinds9.jsonl', 0.95],
  ['the public set', 'eval/questions.public.jsonl', 1],
  ['the traffic set', 'eval/questions.traffic.jsonl', 0.9],
];

describe('conversation sets', () => {
  for (const [name, path, floor] of SETS) {
    it(`${name} passes at ${floor * 100}% or more`, () => {
      const { rate, failed } = gauge(engine, loadSet(path));
      expect(rate, failed.join('\n')).toBeGreaterThanOrEqual(floor);
    });
  }
});
