// One resident's conversation: each question asked with the session the previous answer left,
// as a channel keeps it between messages.
import type { Engine, Session } from '../../../src/answer/engine.ts';
import type { Answer } from '../../../src/answer/types.ts';

export function converse(engine: Engine, ...questions: string[]): Answer[] {
  let session: Session | undefined;
  return questions.map((q) => {
    const r = engine.respond(q, session);
    session = r.session;
    return r.answer;
  });
}
