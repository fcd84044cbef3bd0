// The staff's admin page and its JSON API, mounted at /admin only when ADMIN_TOKEN is set (without
// it nothing here exists and /admin answers 404).
//
//   GET  /admin                      the page; holds no data (page.css and the *.js modules beside it)
//   GET  /admin/api/stats?days=N     → 200 stats of the question log (N 1–366, default 30); 400 bad N
//   POST /admin/api/test {question}  → 200 how the engine reads and ranks it, its band and the reply
//                                        it would give — no session or log is touched; 400 / 413
//   GET  /admin/api/findings         → 200 the validator's findings and the reload status
//   POST /admin/api/reload           → 200 {ok,message,findings,status}; 503 without a reloader; 500
//   GET  /admin/api/review?days=N    → 200 answered questions with the lowest confidence, entries named
//   knowledge edits (the clerk's loop): see edit-routes.ts
//   /admin/api/* without `Authorization: Bearer <token>` (ADMIN_TOKEN or one of ADMIN_TOKENS) → 401 {error}
//
// The page keeps the token in sessionStorage and sends it as a bearer header: no cookie is ever
// set, so another site cannot make a browser act here (no CSRF). The token's label is who made
// an edit.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Engine } from '../../answer/engine.ts';
import { bodyNames } from '../../language/body-names.ts';
import { labelEntries } from '../../admin/stats.ts';
import { statsOf } from '../../admin/stats-service.ts';
import type { AdminToken } from '../../config.ts';
import { KnowledgeEditor } from '../../knowledge-edit/editor.ts';
import type { Finding } from '../../knowledge/types.ts';
import type { Logger } from '../../log.ts';
import type { QuestionLog } from '../../store/question-log.ts';
import { editRoutes } from './edit-routes.ts';
import { uncertainAnswers } from './review.ts';

/** What the admin API reads of the running bot (a `RunningBot` has it). */
export interface AdminBot {
  readonly engine: Engine;
  readonly store: { readonly log: Pick<QuestionLog, 'entries' | 'feedbackEntries'> };
}

/** Reloads the knowledge directory into the running bot (written elsewhere; injected). */
export interface KnowledgeReloader {
  /** `reason` names who asked, for the log ("admin"). */
  reload(reason?: string): Promise<{ ok: boolean; message: string; findings: Finding[] }>;
  status(): { loadedAt: string; ok: boolean; message: string };
}

export interface AdminOptions {
  bot: AdminBot;
  /** ADMIN_TOKEN alone (label "admin")… */
  token?: string | undefined;
  /** …or every token with its label. */
  tokens?: AdminToken[] | undefined;
  logger: Logger;
  reloader?: KnowledgeReloader | undefined;
  /** Where the record of edits lives (DATA_DIR); without it, edits answer 503. */
  dataDir?: string | undefined;
  /** The knowledge directory edits write to; default: the one the bot's knowledge base was loaded from. */
  knowledgeDir?: string | undefined;
  now?: () => number;
  /** Where the page is mounted: "/admin" (default), or "/<id>/admin" for an account of ACCOUNTS_FILE. */
  base?: string | undefined;
}

/** What the routes know about the request: the label of the token it came with. */
export type AdminEnv = { Variables: { who: string } };

export const MAX_TEST_BODY_BYTES = 16 * 1024;
export const MAX_TEST_QUESTION_CHARS = 2000;

export const ADMIN_ERRORS = {
  noToken: '需要登录：请在请求头 Authorization: Bearer <口令> 中提供管理口令（ADMIN_TOKEN）。',
  badToken: '管理口令不正确。',
  days: 'days 必须是 1–366 的整数。',
  notJson: '请求格式不对：请发送 JSON，例如 {"question": "怎么申请政府信息公开？"}',
  noQuestion: '请填写要测试的问题（question，1–2000 字）。',
  tooLarge: `请求太大了，不能超过 ${MAX_TEST_BODY_BYTES / 1024} KB。`,
  noReloader: '这个服务没有配置知识库重新加载功能，修改知识库文件后请重启服务。',
  reloadFailed: '重新加载知识库时出错，原来的知识库仍在使用。详情见服务日志。',
} as const;

export const BAND_LABELS = { answer: '直接回答', suggest: '您是不是想问', fallback: '兜底' } as const;
type Band = keyof typeof BAND_LABELS;

/** True when `bot` exposes what the admin API needs: the FakeBot of channel tests does not. */
export function isAdminBot(bot: unknown): bot is AdminBot {
  const b = bot as Partial<AdminBot> | null;
  return typeof b?.engine?.explain === 'function' && typeof b.store?.log?.entries === 'function';
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The label of the token `header` carries, or null. Every token is compared, whichever matches. */
export function tokenLabel(header: string | undefined, tokens: readonly AdminToken[]): string | null {
  let label: string | null = null;
  for (const t of tokens) if (bearerMatches(header, t.token) && label === null) label = t.label;
  return label;
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token)) && given !== '';
}

const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

export function createAdmin(options: AdminOptions): Hono<AdminEnv> {
  const { bot, logger, reloader } = options;
  const tokens = options.tokens ?? (options.token ? [{ label: 'admin', token: options.token }] : []);
  const now = options.now ?? Date.now;
  const admin = new Hono<AdminEnv>();
  // The page names its files by absolute path; an account's page is served under its own.
  const base = options.base ?? '/admin';
  const page = base === '/admin' ? asset('page.html') : asset('page.html').replaceAll('"/admin/', `"${base}/`);
  const assets: Record<string, [string, string]> = {
    'page.css': [asset('page.css'), 'text/css; charset=utf-8'],
    'page.js': [asset('page.js'), 'text/javascript; charset=utf-8'],
    'charts.js': [asset('charts.js'), 'text/javascript; charset=utf-8'],
    'dom.js': [asset('dom.js'), 'text/javascript; charset=utf-8'],
    'hit-test.js': [asset('hit-test.js'), 'text/javascript; charset=utf-8'],
    'fix.js': [asset('fix.js'), 'text/javascript; charset=utf-8'],
  };

  const pageHeaders = { 'Cache-Control': 'no-cache', 'X-Robots-Tag': 'noindex, nofollow' };
  admin.get('/', (c) => c.html(page, 200, pageHeaders));
  for (const [name, [body, type]] of Object.entries(assets)) {
    admin.get(`/${name}`, (c) => c.body(body, 200, { ...pageHeaders, 'Content-Type': type }));
  }

  admin.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex, nofollow');
    const header = c.req.header('Authorization');
    const who = tokenLabel(header, tokens);
    if (who === null) {
      c.header('WWW-Authenticate', 'Bearer realm="admin"');
      return c.json({ error: header ? ADMIN_ERRORS.badToken : ADMIN_ERRORS.noToken }, 401);
    }
    c.set('who', who);
    await next();
  });

  const period = (raw: string | undefined) => {
    const days = raw === undefined ? 30 : Number(raw);
    return Number.isInteger(days) && days >= 1 && days <= 366 ? days : null;
  };

  admin.get('/api/stats', async (c) => {
    const days = period(c.req.query('days'));
    if (days === null) return c.json({ error: ADMIN_ERRORS.days }, 400);
    const { kb } = bot.engine;
    const engine = bot.engine;
    const stats = await statsOf(bot.store.log, {
      now: now(),
      days,
      synonyms: kb.synonyms,
      ignored: bodyNames([kb.contacts.body, ...kb.reports.map((r) => r.body)]),
    });
    return c.json(labelEntries(stats, (id) => engine.entry(id)?.question));
  });

  admin.get('/api/review', (c) => {
    const days = period(c.req.query('days'));
    if (days === null) return c.json({ error: ADMIN_ERRORS.days }, 400);
    const engine = bot.engine;
    const uncertain = uncertainAnswers(bot.store.log.entries(), { now: now(), days });
    return c.json({ uncertain: uncertain.map((r) => ({ ...r, entryLabel: engine.entry(r.entry)?.question ?? null })) });
  });

  const editor =
    options.dataDir !== undefined
      ? new KnowledgeEditor({
          knowledgeDir: options.knowledgeDir ?? bot.engine.kb.dir,
          dataDir: options.dataDir,
          reloader,
          questions: () => bot.store.log.entries(),
          thresholds: () => bot.engine.thresholds,
          logger,
        })
      : null;
  editRoutes(admin, { bot, editor, logger });

  admin.post(
    '/api/test',
    bodyLimit({ maxSize: MAX_TEST_BODY_BYTES, onError: (c) => c.json({ error: ADMIN_ERRORS.tooLarge }, 413) }),
    async (c) => {
      const read = await readQuestion(c);
      if ('error' in read) return c.json({ error: read.error }, 400);
      const { question } = read;
      const engine = bot.engine;
      const { thresholds } = engine;
      const bandOf = (score: number): Band => (score >= thresholds.answer ? 'answer' : score >= thresholds.suggest ? 'suggest' : 'fallback');
      // explain() without a session is pure: nothing is logged, no conversation is started. Its
      // band and reason are those of the reply it gives.
      const explained = engine.explain(question);
      const answer = explained.answer;
      return c.json({
        question,
        terms: explained.terms,
        band: explained.band,
        bandLabel: BAND_LABELS[explained.band],
        scoreBand: explained.scoreBand,
        reason: explained.reason,
        action: explained.action,
        thresholds: { answer: thresholds.answer, suggest: thresholds.suggest },
        hits: explained.hits.slice(0, 10).map((h) => ({ ...h, band: bandOf(h.score), bandLabel: BAND_LABELS[bandOf(h.score)] })),
        reply: { text: answer.reply, intent: answer.intent, answered: answer.answered, confidence: answer.confidence, entry: answer.entry ?? null },
      });
    },
  );

  admin.get('/api/findings', (c) => {
    const { kb } = bot.engine;
    const counts = { error: 0, warning: 0, info: 0 };
    for (const f of kb.findings) counts[f.level]++;
    return c.json({
      findings: kb.findings,
      counts,
      knowledge: { reports: kb.reports.length, stats: kb.stats.length, passages: kb.passages.length, topics: kb.topics.length },
      reload: reloader ? reloader.status() : null,
    });
  });

  admin.post('/api/reload', async (c) => {
    if (!reloader) return c.json({ error: ADMIN_ERRORS.noReloader }, 503);
    try {
      const result = await reloader.reload('admin');
      logger.info({ ok: result.ok, findings: result.findings.length }, 'admin: knowledge reloaded');
      return c.json({ ok: result.ok, message: result.message, findings: result.findings, status: reloader.status() });
    } catch (error) {
      logger.error({ err: error }, 'admin: knowledge reload failed');
      return c.json({ error: ADMIN_ERRORS.reloadFailed }, 500);
    }
  });

  return admin;
}

/** The trimmed question of a `{"question": "..."}` body, or the error to answer with. */
async function readQuestion(c: Context): Promise<{ question: string } | { error: string }> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    return { error: ADMIN_ERRORS.notJson };
  }
  const question = (body as { question?: unknown } | null)?.question;
  const trimmed = typeof question === 'string' ? question.trim() : '';
  if (trimmed === '' || [...trimmed].length > MAX_TEST_QUESTION_CHARS) return { error: ADMIN_ERRORS.noQuestion };
  return { question: trimmed };
}
