// The questions every measurement uses: the public evaluation set's turns (eval/) and bench/questions.txt.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC_SET = new URL('../eval/questions.public.jsonl', import.meta.url);
const OWN_SET = new URL('./questions.txt', import.meta.url);

/** A resident's turns, in order; single questions are one-turn conversations. */
export type Conversation = string[];

export function loadConversations(): Conversation[] {
  const out: Conversation[] = [];
  for (const line of readFileSync(PUBLIC_SET, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const item = JSON.parse(line) as { turns: Array<{ q: string }> };
    out.push(item.turns.map((t) => t.q));
  }
  for (const line of readFileSync(OWN_SET, 'utf8').split('\n')) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    out.push(text.split(' || ').map((t) => t.trim()));
  }
  return out;
}

export const flatten = (conversations: Conversation[]): string[] => conversations.flat();
