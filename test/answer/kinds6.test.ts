// Our wordings of the kinds of issue 10's round 6 (test/fixtures/eval/kinds6.jsonl, none of them a
// sentence the round tuned on), each conversation a test of its own: matters named with the words
// of disclosure (流量费, 信息费, 公开招聘, 村务公开, 个体户年报, 公开招标, 12345热线) declined for the
// whole message; a matter only in a remark after the question is not its subject; the phone written
// by its sound (电化), the area code asked from elsewhere, other ways when the phone or the portal
// fails, the channels, the e-mail and the archives' address not held; measures no report holds
// asked as data or as a standard (人口数据, 补偿标准); a township's count; rude remarks, what the
// bot answers, thanks with a form of address; a resident bounced between bodies.
import { beforeAll, describe } from 'vitest';
import type { Engine } from '../../src/answer/engine.ts';
import { conversationTests } from './helpers/gauge.ts';
import { countyEngine } from './helpers/conversation.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await countyEngine('2026-06-01T12:00:00+08:00');
}, 60_000);

describe('kinds of round 6', () => {
  conversationTests('test/fixtures/eval/kinds6.jsonl', () => engine);
});
