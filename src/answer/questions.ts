import { ASKING } from './read.ts';
import { RHETORICAL } from '../language/cues.ts';
import { shorten, MAX_REPLY } from './compose.ts';
import type { Reply } from './reply.ts';
import type { Answer } from './types.ts';

/**
 * Messages that ask more than one thing ("网站发了多少条 另外申请要钱吗"): how they split into
 * questions, and how the replies to each make one reply.
 */

/** A message asking more than this many things is answered on its first ones. */
export const MAX_QUESTIONS = 3;
/** The longest piece of a message read as a question of its own; a longer one is a story. */
const MAX_QUESTION_LENGTH = 30;
/** A piece of a message this short leans on the one before it ("要带啥"). */
export const SHORT_QUESTION = 8;

export interface Question {
  /** The question with the pieces before it that ask nothing (its context). */
  text: string;
  /** The question piece alone, when the context may lead it astray; null when it is `text`. */
  alone: string | null;
}

/**
 * The questions of a message as the resident separated them, or null when it asks one. A piece
 * without a question word is the context of the question after it; a question told with a long
 * story before it is read by its question piece alone (the story is read with the whole message).
 */
export function questionsOf(pieces: readonly string[]): Question[] | null {
  const groups: Array<{ text: string; last: string; pieces: number }> = [];
  let pending = '';
  let count = 0;
  for (const p of pieces) {
    pending += pending ? ` ${p}` : p;
    count++;
    // "几千块", "好几回" say how many, "那几件" points back: they do not ask it; "骗谁呢" asks nothing.
    if (ASKING.test((p.includes('几') ? p.replace(/几[千百十]|好几|[这那]几/g, '') : p).replace(RHETORICAL, ''))) {
      groups.push({ text: pending, last: p, pieces: count });
      pending = '';
      count = 0;
    }
  }
  if (pending && groups.length) groups[groups.length - 1]!.text += ` ${pending}`;
  if (groups.length < 2) return null;
  return groups
    .slice(0, MAX_QUESTIONS)
    .map((g) => (g.text.length > MAX_QUESTION_LENGTH ? { text: g.last, alone: null } : { text: g.text, alone: g.pieces > 1 ? g.last : null }));
}

/** The replies' sources, one per document and section: at the place of its first, the last given. */
function distinctSources(replies: readonly Reply[]): Answer['sources'] {
  const bySection = new Map<string, Answer['sources'][number]>();
  for (const r of replies) for (const s of r.answer.sources) bySection.set(`${s.document}|${s.section ?? ''}`, s);
  return [...bySection.values()];
}

/** One reply answering each question of a message, in the order asked, within one message. */
export function combine(replies: readonly Reply[]): Reply {
  const room = Math.floor((MAX_REPLY - replies.length * 5) / replies.length);
  const text = replies.map((r, i) => `（${i + 1}）${shorten(r.answer.reply, room)}`).join('\n');
  const last = replies.at(-1)!;
  const answer: Answer = {
    ...last.answer,
    reply: text.slice(0, MAX_REPLY),
    answered: replies.some((r) => r.answer.answered),
    confidence: Math.min(...replies.map((r) => r.answer.confidence)),
    sources: distinctSources(replies),
  };
  delete answer.detail;
  const related = [...new Set(replies.flatMap((r) => r.answer.related ?? []))];
  if (related.length) answer.related = related;
  else delete answer.related;
  return { answer, session: { ...last.session, detail: undefined } };
}
