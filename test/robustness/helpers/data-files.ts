// Reads DATA_DIR the way an operator (or the next start) would after a crash, independently of
// the store's own reader: sessions.json must be whole JSON; questions.jsonl may end in one torn
// line (an append cut short) but every line before it must be a record.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isLogRecord, QUESTIONS_FILE, type LogRecord } from '../../../src/store/question-log.ts';
import { SESSIONS_FILE, type SessionsDocument } from '../../../src/store/sessions.ts';

export interface DataFiles {
  /** Null when the file does not exist yet. Throws (failing the test) when it is not JSON. */
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
