// The clerk's loop on the admin API: what can be edited, the preview of an edit, saving, the
// record of edits and undo (the work is in knowledge-edit/editor.ts).
//
//   GET  /admin/api/knowledge          → 200 {who, editing, topics:[{id,title,questions}], synonyms:[{canonical,aliases}], intents}
//   POST /admin/api/edits/preview      {kind:"question",topic,wording} | {kind:"synonym",canonical,wording}
//                                      → 200 {edit, base, effects:{checked,fixed,broken,changed,changes}, logged, errors}
//   POST /admin/api/edits              the same and {base} → 201 {edit, message}; 409 the file changed since the preview
//   GET  /admin/api/edits              → 200 {edits:[{id,time,who,description,…,undone,undoable}]}
//   POST /admin/api/edits/:id/undo     → 200 {edit, message}; 404 unknown; 409 the file changed since
//   Refusals: 400 bad request, 404 no such topic, 409 conflict, 422 the files would not read right,
//   503 editing is not configured; always {error} in Chinese.
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { INTENT_LABELS } from '../../admin/stats.ts';
import type { KnowledgeEditor } from '../../knowledge-edit/editor.ts';
import { EditProblem } from '../../knowledge-edit/wording.ts';
import type { Logger } from '../../log.ts';
import type { AdminBot, AdminEnv } from './routes.ts';

export const MAX_EDIT_BODY_BYTES = 16 * 1024;

export const EDIT_ERRORS = {
  off: '这个服务没有配置知识库目录和数据目录，不能在后台修改知识库。',
  notJson: '请求格式不对：请发送 JSON，例如 {"kind": "question", "topic": "fees", "wording": "办这个要花钱吗"}。',
  tooLarge: `请求太大了，不能超过 ${MAX_EDIT_BODY_BYTES / 1024} KB。`,
  failed: '修改知识库时出错，知识库没有改动。详情见服务日志。',
} as const;

export interface EditRouteOptions {
  bot: AdminBot;
  editor: KnowledgeEditor | null;
  logger: Logger;
}

async function readBody(c: Context): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = JSON.parse(await c.req.text());
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function editRoutes(admin: Hono<AdminEnv>, { bot, editor, logger }: EditRouteOptions): void {
  const limit = bodyLimit({ maxSize: MAX_EDIT_BODY_BYTES, onError: (c) => c.json({ error: EDIT_ERRORS.tooLarge }, 413) });

  /** Runs an editor call, turning its refusals into answers and anything else into a logged 500. */
  async function attempt<T>(c: Context<AdminEnv>, work: (editor: KnowledgeEditor) => Promise<T>, status: 200 | 201 = 200) {
    if (!editor) return c.json({ error: EDIT_ERRORS.off }, 503);
    try {
      return c.json(await work(editor), status);
    } catch (error) {
      if (error instanceof EditProblem) return c.json({ error: error.message }, error.status);
      logger.error({ err: error, who: c.get('who') }, 'admin: knowledge edit failed');
      return c.json({ error: EDIT_ERRORS.failed }, 500);
    }
  }

  admin.get('/api/knowledge', (c) => {
    const { kb } = bot.engine;
    const synonyms = new Map<string, string[]>();
    for (const [alias, canonical] of kb.synonyms) synonyms.set(canonical, [...(synonyms.get(canonical) ?? []), alias]);
    return c.json({
      who: c.get('who'),
      editing: editor !== null,
      topics: kb.topics.map((t) => ({ id: t.id, title: t.title, questions: t.questions })),
      synonyms: [...synonyms].map(([canonical, aliases]) => ({ canonical, aliases })),
      intents: INTENT_LABELS,
    });
  });

  admin.post('/api/edits/preview', limit, async (c) => {
    const body = await readBody(c);
    if (!body) return c.json({ error: EDIT_ERRORS.notJson }, 400);
    return attempt(c, (e) => e.preview(body));
  });

  admin.post('/api/edits', limit, async (c) => {
    const body = await readBody(c);
    if (!body) return c.json({ error: EDIT_ERRORS.notJson }, 400);
    const base = typeof body.base === 'string' ? body.base : undefined;
    return attempt(c, (e) => e.save(body, c.get('who'), base), 201);
  });

  admin.get('/api/edits', (c) => attempt(c, async (e) => ({ edits: await e.history() })));

  admin.post('/api/edits/:id/undo', (c) => attempt(c, (e) => e.undo(c.req.param('id'), c.get('who'))));
}
