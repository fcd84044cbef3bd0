// The checks of ../shared/eval/score.mjs, applied in process: a conversation set run through an
// engine, one session per conversation, as `ask --jsonl` runs it for the scorer.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Engine, Session } from '../../../src/answer/engine.ts';
import type { Answer } from '../../../src/answer/types.ts';

export interface Turn {
  q: string;
  all?: string[];
  any?: string[];
  any2?: string[];
  none?: string[];
  re?: string[];
  answered?: boolean;
}

export interface Conversation {
  id: string;
  turns: Turn[];
}

export function loadSet(path: string | URL): Conversation[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Conversation);
}

const normalise = (s: string) => s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1').normalize('NFKC').replace(/\s+/g, '');

/** What is wrong with one reply against one turn's checks (empty: it passes). */
export function problems(turn: Turn, answer: Answer): string[] {
  const text = normalise(answer.reply);
  const found: string[] = [];
  for (const s of turn.all ?? []) if (!text.includes(normalise(s))) found.push(`missing "${s}"`);
  for (const key of ['any', 'any2'] as const) {
    const list = turn[key];
    if (list && !list.some((s) => text.includes(normalise(s)))) found.push(`none of ${JSON.stringify(list)}`);
  }
  for (const s of turn.none ?? []) if (text.includes(normalise(s))) found.push(`must not contain "${s}"`);
  for (const r of turn.re ?? []) if (!new RegExp(r).test(text)) found.push(`no match for /${r}/`);
  if (typeof turn.answered === 'boolean' && answer.answered !== turn.answered) found.push(`answered=${answer.answered}, expected ${turn.answered}`);
  return found;
}

/** Runs every conversation; returns the ids that failed with why, and the pass rate. */
export function gauge(engine: Engine, set: Conversation[]): { rate: number; failed: string[] } {
  const failed: string[] = [];
  for (const c of set) {
    let session: Session | undefined;
    const why: string[] = [];
    for (const t of c.turns) {
      const { answer, session: next } = engine.respond(t.q, session);
      session = next;
      for (const p of problems(t, answer)) why.push(`${t.q}: ${p}`);
    }
    if (why.length) failed.push(`${c.id} ${why.join('; ')}`);
  }
  return { rate: set.length ? (set.length - failed.length) / set.length : 1, failed };
}

/** Each conversation of a set as a test of its own, on the engine `engine()` returns once built. */
export function conversationTests(path: string, engine: () => Engine): void {
  for (const c of loadSet(path)) {
    it(c.id, () => {
      const { failed } = gauge(engine(), [c]);
      expect(failed, failed.join('\n')).toEqual([]);
    });
  }
}
