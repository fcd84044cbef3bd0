// Answers worth a second look: those the bot gave with the least confidence. Every answer clears
// the answering threshold, so a fixed floor ("below 0.6") is often empty while wrong answers went
// out at 0.7; the lowest few of the period always show where matching was weakest.
import type { QuestionEntry } from '../../store/question-log.ts';

export interface UncertainAnswer {
  question: string;
  entry: string;
  /** The lowest confidence it was answered with. */
  confidence: number;
  count: number;
  lastTime: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `limit` answered questions of the last `days` days with the lowest confidence, one row per question and entry. */
export function uncertainAnswers(entries: readonly QuestionEntry[], { now, days, limit = 10 }: { now: number; days: number; limit?: number }): UncertainAnswer[] {
  const since = now - days * DAY_MS;
  const rows = new Map<string, UncertainAnswer>();
  for (const e of entries) {
    // Confidence 1 is an exact pick (a menu key, an option's number, 详细): nothing to doubt.
    if (!e.answered || !e.entry || e.confidence >= 1 || Date.parse(e.time) < since) continue;
    const question = e.question.trim().replace(/\s+/g, ' ');
    const key = `${e.entry}\u0000${question}`;
    const row = rows.get(key);
    if (!row) rows.set(key, { question, entry: e.entry, confidence: e.confidence, count: 1, lastTime: e.time });
    else {
      row.count++;
      row.confidence = Math.min(row.confidence, e.confidence);
      if (e.time > row.lastTime) row.lastTime = e.time;
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.confidence - b.confidence || b.count - a.count || (a.question < b.question ? -1 : 1))
    .slice(0, limit);
}
