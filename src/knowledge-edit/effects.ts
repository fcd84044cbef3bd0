// What an edit would change: earlier questions answered by the knowledge base as it is and as it
// would be, side by side, each without a session (as if asked first), so that only the edit
// differs. Used by the preview's child process (preview-runner.ts).
import type { Engine } from '../answer/engine.ts';
import type { Answer } from '../answer/types.ts';
import { INTENT_LABELS } from '../admin/stats.ts';

/** An answer as staff read it: what it answered, by the entry's name rather than its id. */
export interface AnswerSummary {
  answered: boolean;
  intent: string;
  entry: string | null;
  /** The entry's name ("申请要收费吗"), the choices offered, or what kind of reply it was. */
  label: string;
  /** The reply's beginning. */
  reply: string;
}

export type ChangeKind = 'fixed' | 'broken' | 'changed';

export interface Change {
  question: string;
  /** How often it was asked in the log. */
  count: number;
  kind: ChangeKind;
  before: AnswerSummary;
  after: AnswerSummary;
}

export interface AskedQuestion {
  question: string;
  count: number;
}

export interface Effects {
  /** Distinct questions re-answered. */
  checked: number;
  fixed: number;
  broken: number;
  changed: number;
  /** Broken first (they need a second look), then fixed, then others; most asked first. */
  changes: Change[];
}

const REPLY_CHARS = 120;
/** Changes listed at most; the counts cover all. */
export const MAX_CHANGES = 200;

export function summarise(engine: Engine, answer: Answer): AnswerSummary {
  const entry = answer.entry ?? null;
  const name = entry ? engine.entry(entry)?.question : undefined;
  const label = answer.options?.length
    ? `您是不是想问：${answer.options.join(' / ')}`
    : answer.answered && name
      ? name
      : INTENT_LABELS[answer.intent] ?? answer.intent;
  const chars = [...answer.reply];
  return {
    answered: answer.answered,
    intent: answer.intent,
    entry,
    label,
    reply: chars.length > REPLY_CHARS ? `${chars.slice(0, REPLY_CHARS).join('')}…` : answer.reply,
  };
}

function kindOf(before: Answer, after: Answer): ChangeKind | null {
  if (before.reply === after.reply && (before.entry ?? null) === (after.entry ?? null) && before.answered === after.answered) return null;
  if (!before.answered && after.answered) return 'fixed';
  if (before.answered && !after.answered) return 'broken';
  return 'changed';
}

const ORDER: Record<ChangeKind, number> = { broken: 0, fixed: 1, changed: 2 };

/**
 * Re-answers `questions` on both engines. `pause` is awaited between questions so that a caller
 * sharing its thread can let other work through.
 */
export async function compareAnswers(current: Engine, candidate: Engine, questions: readonly AskedQuestion[], pause?: () => Promise<void>): Promise<Effects> {
  const changes: Change[] = [];
  for (const { question, count } of questions) {
    const before = current.respond(question, undefined).answer;
    const after = candidate.respond(question, undefined).answer;
    const kind = kindOf(before, after);
    if (kind) changes.push({ question, count, kind, before: summarise(current, before), after: summarise(candidate, after) });
    if (pause) await pause();
  }
  const tally = (kind: ChangeKind) => changes.filter((c) => c.kind === kind).length;
  changes.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || b.count - a.count || (a.question < b.question ? -1 : 1));
  return { checked: questions.length, fixed: tally('fixed'), broken: tally('broken'), changed: tally('changed'), changes: changes.slice(0, MAX_CHANGES) };
}
