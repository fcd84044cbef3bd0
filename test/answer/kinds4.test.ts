// Our wordings of the kinds of issue 10's round 4 (test/fixtures/eval/kinds4.jsonl), each
// conversation a test of its own: a figure asked with a detail the report does not list, colloquial
// names of outcome rows, money asked of a row that counts items, two years of which one is held,
// 乡镇/部门 as what is counted, complaints, social follow-ups, the not-disclosed topic.
import { beforeAll, describe } from 'vitest';
import type { Engine } from '../../src/answer/engine.ts';
import { conversationTests } from './helpers/gauge.ts';
import { countyEngine } from './helpers/conversation.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await countyEngine('2026-06-01T12:00:00+08:00');
}, 60_000);

describe('kinds of round 4', () => {
  conversationTests('test/fixtures/eval/kinds4.jsonl', () => engine);
});
