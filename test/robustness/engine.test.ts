// Issue 6.3: `engine.respond` is the one function every channel calls with raw user text. For any
// string, and for any conversation, it must answer with something a channel can send as is.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, Engine, type Reply, type Session } from '../../src/answer/engine.ts';
import { MAX_REPLY } from '../../src/answer/compose.ts';
import { anyText, hostileText, longText } from './helpers/strings.ts';
import { TODAY, twoYearKnowledge, type TwoYearKnowledge } from './helpers/knowledge.ts';

const INTENTS = ['statistic', 'guide', 'contact', 'narrative', 'greeting', 'thanks', 'help', 'feedback', 'clarify', 'out-of-scope', 'unknown'];

/** Every question of our paraphrase set, follow-ups included. */
function devQuestions(): string[] {
  const file = new URL('../fixtures/eval/dev-questions.jsonl', import.meta.url);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .flatMap((line) => (JSON.parse(line) as { turns: Array<{ q: string }> }).turns.map((t) => t.q));
}

let k: TwoYearKnowledge;
let engine: Engine;
/** Questions the engine answers with "您是不是想问", found from the knowledge base itself. */
let clarifiers: string[];

beforeAll(async () => {
  k = await twoYearKnowledge();
  engine = k.engine;
  const candidates = new Set<string>([
    ...k.kb.words,
    ...k.kb.synonyms.keys(),
    ...k.kb.stats.flatMap((s) => [s.item, s.column]),
    ...k.kb.topics.flatMap((t) => [t.title, ...t.questions]),
  ]);
  clarifiers = [...candidates].filter((c) => c && engine.respond(c, undefined).answer.intent === 'clarify');
}, 120_000);
afterAll(() => k.remove());


function checkReply({ answer, session }: Reply): void {
  expect(typeof answer.reply).toBe('string');
  expect(answer.reply.trim().length).toBeGreaterThan(0);
  expect(answer.reply.length).toBeLessThanOrEqual(MAX_REPLY);
  expect(typeof answer.answered).toBe('boolean');
  expect(Number.isFinite(answer.confidence)).toBe(true);
  expect(answer.confidence).toBeGreaterThanOrEqual(0);
  expect(answer.confidence).toBeLessThanOrEqual(1);
  expect(INTENTS).toContain(answer.intent);
  expect(Array.isArray(answer.sources)).toBe(true);
  // The session is written to sessions.json: it must survive JSON unchanged in meaning.
  expect(() => JSON.stringify(session)).not.toThrow();
}

describe('respond(text) without a session', () => {
  it('answers any string with a sendable reply', () => {
    fc.assert(
      fc.property(anyText, (s) => checkReply(engine.respond(s, undefined))),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('answers 5,000-character strings', () => {
    fc.assert(
      fc.property(longText, (s) => checkReply(engine.respond(s, undefined))),
      // Shrinking a 5,000-character counterexample answers it thousands of times (minutes):
      // report the first one as found.
      { numRuns: 30, endOnFailure: true },
    );
  }, 60_000);

  it('quotes an unknown subject within MAX_REPLY, however long it is', () => {
    // 214 characters: a resident pasting a long question about something the reports do not cover.
    const reply = engine.respond(`${'马铃薯种植补贴'.repeat(30)}在哪里办`, undefined).answer.reply;
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY);
  });

  it('answers a real question hidden among hostile characters', () => {
    fc.assert(
      fc.property(hostileText(10), hostileText(10), (before, after) => {
        checkReply(engine.respond(`${before}2019年行政处罚有多少件${after}`, undefined));
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});

describe('respond() through a conversation', () => {
  const digits = fc.oneof(
    fc.integer({ min: 0, max: 12 }).map(String),
    fc.constantFrom('1', '2', '3', '二', '三', '第2个', '第一个', '３', '10', '99', '-1', '1.5', '1。', '选1', '0'),
  );
  const followUps = fc.constantFrom(
    '2019年行政处罚有多少件', '那2020年呢', '2035年呢', '去年呢', '比上年呢', '2019年和2020年比呢', '自然人呢', '商业企业呢',
    '微博呢', '怎么申请政府信息公开', '申请后多久答复', '收费吗', '电话是多少', '存在的问题', '下一步打算',
    '详细', '更多', '有用', '没用', '谢谢', '你好', '帮助', '?', '', ' ',
  );
  type Step = { kind: 'text'; text: string } | { kind: 'clarify'; at: number; pick: string } | { kind: 'restart' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: anyText.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 4, arbitrary: followUps.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 2, arbitrary: fc.constant({ kind: 'text' as const, text: '详细' }) },
    { weight: 2, arbitrary: digits.map((text) => ({ kind: 'text' as const, text })) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('clarify' as const), at: fc.nat(), pick: digits }) },
    // The store hands back what JSON kept of the session (undefined fields gone).
    { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  );

  it('found questions that get "您是不是想问" in this knowledge base', () => {
    expect(clarifiers.length).toBeGreaterThan(0);
    expect(engine.respond(clarifiers[0]!, undefined).answer.intent).toBe('clarify');
  }, 60_000);

  it('never throws, whatever the order of messages, and honours a picked suggestion', () => {
    let offers = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let session: Session | undefined;
        const say = (text: string): Reply => {
          const before = session;
          const reply = engine.respond(text, before);
          checkReply(reply);
          // One or two digits pick an option; "2019" is a question about a year.
          const picked = /^\d{1,2}$/.test(text) ? Number(text) : null;
          const offered = before?.suggestions ?? [];
          if (picked !== null && offered.length > 0) {
            if (picked >= 1 && picked <= offered.length) expect(reply.answer.entry).toBe(offered[picked - 1]);
            else expect(reply.answer.intent).toBe('clarify');
          }
          session = reply.session;
          return reply;
        };
        for (const s of steps) {
          if (s.kind === 'restart') session = session && (JSON.parse(JSON.stringify(session)) as Session);
          else if (s.kind === 'text') say(s.text);
          else {
            // Usually "您是不是想问"; what came before may lead elsewhere, which is fine too.
            const offer = say(clarifiers[s.at % clarifiers.length]!);
            if (offer.answer.intent === 'clarify') {
              expect(offer.session.suggestions?.length).toBeGreaterThan(0);
              offers++;
            }
            say(s.pick);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(offers, 'numbered suggestions were offered and answered').toBeGreaterThan(100);
  }, 60_000);

  it('answers every conversation exactly as an engine that reads each message afresh', () => {
    // The engine keeps readings of questions it has seen (Engine.read) and composed answers by what
    // they depend on (Engine.content): neither may ever change an answer or a session, whatever
    // came before in the conversation or in earlier ones.
    const fresh = new Engine(k.kb, () => TODAY, DEFAULT_THRESHOLDS, { readingCache: 0, composedCache: 0 });
    const asked = fc.constantFrom(...devQuestions()).map((text) => ({ kind: 'text' as const, text }));
    fc.assert(
      fc.property(fc.array(fc.oneof(step, asked), { minLength: 1, maxLength: 12 }), (steps) => {
        let cachedSession: Session | undefined;
        let freshSession: Session | undefined;
        const say = (text: string): Reply => {
          const a = engine.respond(text, cachedSession);
          const b = fresh.respond(text, freshSession);
          expect(a).toEqual(b);
          cachedSession = a.session;
          freshSession = b.session;
          return a;
        };
        for (const s of steps) {
          if (s.kind === 'restart') cachedSession = freshSession = cachedSession && (JSON.parse(JSON.stringify(cachedSession)) as Session);
          else if (s.kind === 'text') say(s.text);
          else {
            say(clarifiers[s.at % clarifiers.length]!);
            say(s.pick);
          }
        }
      }),
      { numRuns: 500 },
    );
  }, 120_000);
});
