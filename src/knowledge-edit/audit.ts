// The record of knowledge edits made from the admin page: DATA_DIR/knowledge-edits.jsonl, one JSON
// line per edit or undo, appended, mode 0600 (it names staff and quotes residents' wordings).
//
// An edit line holds the insertion itself and the SHA-256 of the file before and after, so that
// undo can check the file is still exactly as the edit left it and give back the old bytes.
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { Plan } from './wording.ts';

export const AUDIT_FILE = 'knowledge-edits.jsonl';

export interface EditRecord {
  type: 'edit';
  id: string;
  /** ISO 8601. */
  time: string;
  /** The label of the admin token used. */
  who: string;
  kind: 'question' | 'synonym';
  file: Plan['file'];
  target: string;
  targetLabel: string;
  wording: string;
  description: string;
  offset: number;
  inserted: string;
  /** SHA-256 (hex) of the file before and after. */
  before: string;
  after: string;
}

export interface UndoRecord {
  type: 'undo';
  id: string;
  time: string;
  who: string;
  /** The edit undone. */
  edit: string;
}

export type AuditRecord = EditRecord | UndoRecord;

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export const newEditId = () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

const isString = (v: unknown): v is string => typeof v === 'string';

function isRecord(value: unknown): value is AuditRecord {
  const r = value as Record<string, unknown> | null;
  if (!r || !isString(r.id) || !isString(r.time) || !isString(r.who)) return false;
  if (r.type === 'undo') return isString(r.edit);
  return r.type === 'edit' && (r.kind === 'question' || r.kind === 'synonym') && isString(r.file) && isString(r.inserted) &&
    typeof r.offset === 'number' && isString(r.before) && isString(r.after) && isString(r.wording);
}

export class EditAudit {
  readonly file: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, private readonly logger: Logger) {
    this.file = path.join(dataDir, AUDIT_FILE);
  }

  /** Appends a record; the file is created 0600, and made so if it was not. */
  append(record: AuditRecord): Promise<void> {
    const run = this.#queue.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await appendFile(this.file, `${JSON.stringify(record)}\n`, { encoding: 'utf8', mode: 0o600, flag: 'a' });
      await chmod(this.file, 0o600);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Every record, oldest first; unreadable lines are skipped with a warning. */
  async read(): Promise<AuditRecord[]> {
    await this.#queue;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: AuditRecord[] = [];
    let damaged = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (isRecord(value)) records.push(value);
        else damaged++;
      } catch {
        damaged++;
      }
    }
    if (damaged > 0) this.logger.warn({ file: AUDIT_FILE, damaged }, 'admin: unreadable lines in the edit record skipped');
    return records;
  }
}
