// The clerk's edits to the knowledge files from the admin page: preview, save, undo, history.
//
// Save: the file is read, the edit planned on its bytes (wording.ts), the whole knowledge
// directory as it would be is loaded and must have no error, then the file is replaced
// atomically (temp file + rename), the running bot reloads, and the edit is recorded with who
// made it. A reload that refuses the new files puts the old bytes back. Undo is the same with
// the insertion taken out again, and only while the file is exactly as the edit left it.
// One operation at a time: two clerks saving at once must not interleave read and write.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Thresholds } from '../answer/engine.ts';
import type { Finding } from '../knowledge/types.ts';
import type { Logger } from '../log.ts';
import type { QuestionEntry } from '../store/question-log.ts';
import { EditAudit, newEditId, sha256, type EditRecord } from './audit.ts';
import { candidateKnowledge } from './candidate.ts';
import type { Effects } from './effects.ts';
import { askedQuestions, PREVIEW_QUESTIONS, previewEffects } from './preview.ts';
import { EditProblem, fileOf, GUIDE_FILE, planEdit, revertInsertion, type Plan } from './wording.ts';

export interface EditReloader {
  reload(reason?: string): Promise<{ ok: boolean; message: string; findings: Finding[] }>;
}

export interface KnowledgeEditorOptions {
  knowledgeDir: string;
  dataDir: string;
  reloader?: EditReloader | undefined;
  /** The question log's entries, oldest first (read only). */
  questions: () => readonly QuestionEntry[];
  thresholds: () => Thresholds;
  logger: Logger;
  /** Distinct logged questions a preview re-answers at most. */
  previewQuestions?: number;
}

export interface EditSummary {
  kind: EditRecord['kind'];
  file: Plan['file'];
  target: string;
  targetLabel: string;
  wording: string;
  description: string;
}

export interface PreviewResult {
  edit: EditSummary;
  /** SHA-256 of the file previewed against: a save with it is refused if the file changed since. */
  base: string;
  effects: Effects;
  /** Distinct questions in the log (effects.checked of them were re-answered). */
  logged: number;
  /** Errors the knowledge directory would have: a save is refused while there are any. */
  errors: Finding[];
}

export interface EditView extends EditSummary {
  id: string;
  time: string;
  who: string;
  undone: { time: string; who: string } | null;
  /** The file is still exactly as this edit left it. */
  undoable: boolean;
}

export interface SaveResult {
  edit: EditView;
  message: string;
}

const NO_RELOADER = '这个服务没有配置知识库重新加载功能，不能在这里修改；请在服务器上编辑知识库文件后重启服务。';

/** Replaces `file` by `bytes` atomically; the temp file is a dotfile, which the reloader's watcher ignores. */
async function writeAtomic(file: string, bytes: Buffer, mode: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w', mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export class KnowledgeEditor {
  readonly audit: EditAudit;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: KnowledgeEditorOptions) {
    this.audit = new EditAudit(options.dataDir, options.logger);
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #path(file: string): string {
    return path.join(this.options.knowledgeDir, file);
  }

  async #read(file: Plan['file']): Promise<Buffer> {
    try {
      return await readFile(this.#path(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // A missing synonym table is started; a guide cannot be.
      if (file === GUIDE_FILE) throw new EditProblem(404, `知识目录里没有 ${GUIDE_FILE}，没有可以加问法的主题。`);
      return Buffer.alloc(0);
    }
  }

  async #errorsWith(file: string, bytes: Buffer): Promise<Finding[]> {
    const kb = await candidateKnowledge(this.options.knowledgeDir, file, bytes);
    return kb.findings.filter((f) => f.level === 'error');
  }

  preview(request: unknown): Promise<PreviewResult> {
    return this.#exclusive(async () => {
      const file = fileOf(request);
      const before = await this.#read(file);
      const plan = planEdit(request, before);
      const { questions, total } = askedQuestions(this.options.questions(), this.options.previewQuestions ?? PREVIEW_QUESTIONS, plan.wording);
      const [effects, errors] = await Promise.all([
        previewEffects({ dir: this.options.knowledgeDir, file, bytes: plan.after, questions, thresholds: this.options.thresholds() }),
        this.#errorsWith(file, plan.after),
      ]);
      return { edit: summary(request, plan), base: sha256(before), effects, logged: total, errors };
    });
  }

  /** Writes `after` in place of `before`, reloads, and puts `before` back if the reload refuses. */
  async #replace(file: Plan['file'], before: Buffer, after: Buffer, reason: string): Promise<string> {
    const reloader = this.options.reloader;
    if (!reloader) throw new EditProblem(503, NO_RELOADER);
    const errors = await this.#errorsWith(file, after);
    if (errors.length > 0) {
      const listed = errors.slice(0, 3).map((f) => `${f.document}（${f.location}）：${f.message}`).join('；');
      throw new EditProblem(422, `知识库现在有 ${errors.length} 处错误，改正之前不能保存：${listed}`);
    }
    const target = this.#path(file);
    const mode = await stat(target).then((s) => s.mode & 0o777, () => 0o644);
    await writeAtomic(target, after, mode);
    const result = await reloader.reload(reason);
    if (result.ok) return result.message;
    await writeAtomic(target, before, mode);
    await reloader.reload(`${reason}-restore`).catch(() => undefined);
    throw new EditProblem(422, `修改没有生效，文件已恢复原样。${result.message}`);
  }

  save(request: unknown, who: string, base?: string): Promise<SaveResult> {
    return this.#exclusive(async () => {
      const file = fileOf(request);
      const before = await this.#read(file);
      if (base !== undefined && sha256(before) !== base) {
        throw new EditProblem(409, `预览之后 ${file} 又被改过了，请重新预览再保存。`);
      }
      const plan = planEdit(request, before);
      const message = await this.#replace(file, before, plan.after, 'admin-edit');
      const record: EditRecord = {
        type: 'edit',
        id: newEditId(),
        time: new Date().toISOString(),
        who,
        ...summary(request, plan),
        offset: plan.offset,
        inserted: plan.inserted,
        before: sha256(before),
        after: sha256(plan.after),
      };
      await this.audit.append(record);
      this.options.logger.info({ edit: record.id, who, file, target: record.target }, `admin: ${record.description}`);
      return { edit: { ...view(record), undone: null, undoable: true }, message };
    });
  }

  undo(id: string, who: string): Promise<SaveResult> {
    return this.#exclusive(async () => {
      const records = await this.audit.read();
      const edit = records.find((r): r is EditRecord => r.type === 'edit' && r.id === id);
      if (!edit) throw new EditProblem(404, `没有编号为“${id}”的修改记录。`);
      const undone = records.find((r) => r.type === 'undo' && r.edit === id);
      if (undone) throw new EditProblem(409, `这项修改已经在 ${undone.time} 由 ${undone.who} 撤销了。`);
      const current = await this.#read(edit.file);
      const before = sha256(current) === edit.after ? revertInsertion(current, edit) : null;
      if (!before || sha256(before) !== edit.before) {
        throw new EditProblem(409, `${edit.file} 在这项修改之后又被改过（后来的修改或在服务器上的编辑），不能自动撤销；请先撤销后来的修改，或在服务器上手工改回。`);
      }
      const message = await this.#replace(edit.file, current, before, 'admin-undo');
      await this.audit.append({ type: 'undo', id: newEditId(), time: new Date().toISOString(), who, edit: id });
      this.options.logger.info({ edit: id, who, file: edit.file }, `admin: undone: ${edit.description}`);
      return { edit: { ...view(edit), undone: { time: new Date().toISOString(), who }, undoable: false }, message };
    });
  }

  /** Edits newest first, with whether each was undone and can still be. */
  async history(limit = 50): Promise<EditView[]> {
    const records = await this.audit.read();
    const undone = new Map(records.flatMap((r) => (r.type === 'undo' ? [[r.edit, { time: r.time, who: r.who }] as const] : [])));
    const edits = records.filter((r): r is EditRecord => r.type === 'edit').reverse().slice(0, limit);
    const hashes = new Map<string, string>();
    for (const file of new Set(edits.map((e) => e.file))) hashes.set(file, sha256(await this.#read(file).catch(() => Buffer.alloc(0))));
    return edits.map((e) => ({ ...view(e), undone: undone.get(e.id) ?? null, undoable: !undone.has(e.id) && hashes.get(e.file) === e.after }));
  }
}

function summary(request: unknown, plan: Plan): EditSummary {
  const kind = (request as { kind: EditRecord['kind'] }).kind;
  return { kind, file: plan.file, target: plan.target, targetLabel: plan.targetLabel, wording: plan.wording, description: plan.description };
}

function view(record: EditRecord): Omit<EditView, 'undone' | 'undoable'> {
  const { id, time, who, kind, file, target, targetLabel, wording, description } = record;
  return { id, time, who, kind, file, target, targetLabel, wording, description };
}
