// Reads DATA_DIR the way an operator (or the next start) would after a crash, independently of
// the store's own reader: sessions.json must be whole JSON, and the session journals newer than it
// (sessions.<n>.journal) are replayed over it, each allowed one torn last line; questions.jsonl may
// end in one torn line (an append cut short) but every line before it must be a record.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isLogRecord, QUESTIONS_FILE, type LogRecord } from '../../../src/store/question-log.ts';
import { SESSIONS_FILE, type SessionsDocument } from '../../../src/store/sessions.ts';

export interface DataFiles {
  /**
   * sessions.json with its journals replayed; null when it does not exist yet. Throws (failing the
   * test) when it is not JSON, or a journal line before the last is not.
   */
  sessions: SessionsDocument | null;
  records: LogRecord[];
  /** Lines before the last that do not parse as records: must be none. */
  damaged: string[];
  /** The last line, when it is not a whole record (a torn append). */
  tornTail: string | null;
  files: string[];
}

export function readDataFiles(dataDir: string): DataFiles {
  const files = readdirSync(dataDir);
  const sessionsFile = path.join(dataDir, SESSIONS_FILE);
  const sessions = existsSync(sessionsFile) ? (JSON.parse(readFileSync(sessionsFile, 'utf8')) as SessionsDocument) : null;
  if (sessions) {
    const journals = files
      .map((name) => /^sessions\.(\d+)\.journal$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined && Number(n) >= (sessions.journal ?? 0))
      .map(Number)
      .sort((a, b) => a - b);
    for (const n of journals) {
      const lines = readFileSync(path.join(dataDir, `sessions.${n}.journal`), 'utf8').split('\n');
      const last = lines.pop() ?? '';
      const changes = lines.map((line) => JSON.parse(line) as { k: string; t?: number; v?: object; d?: 1 });
      try {
        if (last !== '') changes.push(JSON.parse(last) as { k: string; t?: number; v?: object; d?: 1 });
      } catch {
        // a torn last line: the append the kill cut short
      }
      for (const c of changes) {
        if (c.d === 1) delete sessions.sessions[c.k];
        else sessions.sessions[c.k] = { updatedAt: c.t!, value: c.v! };
      }
    }
  }
  const records: LogRecord[] = [];
  const damaged: string[] = [];
  let tornTail: string | null = null;
  const questionsFile = path.join(dataDir, QUESTIONS_FILE);
  if (existsSync(questionsFile)) {
    const lines = readFileSync(questionsFile, 'utf8').split('\n');
    const last = lines.pop() ?? '';
    const parse = (line: string): LogRecord | null => {
      try {
        const value: unknown = JSON.parse(line);
        return isLogRecord(value) ? value : null;
      } catch {
        return null;
      }
    };
    for (const line of lines) {
      const record = parse(line);
      if (record) records.push(record);
      else damaged.push(line);
    }
    if (last !== '') {
      const record = parse(last);
      if (record) records.push(record);
      else tornTail = last;
    }
  }
  return { sessions, records, damaged, tornTail, files };
}
