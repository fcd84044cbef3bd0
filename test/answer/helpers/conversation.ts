// One resident's conversation: each question asked with the session the previous answer left,
// as a channel keeps it between messages.
import { Engine, type Session } from '../../../src/answer/engine.ts';
import { loadKnowledge } from '../../../src/knowledge/knowledge-base.ts';
import type { Answer } from '../../../src/answer/types.ts';

export function converse(engine: Engine, ...questions: string[]): Answer[] {
  let session: Session | undefined;
  return questions.map((q) => {
    const r = engine.respond(q, session);
    session = r.session;
    return r.answer;
  });
}

/** The engine on the county's real knowledge, with its clock fixed at `now` (an ISO time). */
export async function countyEngine(now: string): Promise<Engine> {
  return new Engine(await loadKnowledge('knowledge'), () => new Date(now));
}
