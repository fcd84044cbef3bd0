// The web channel's JSON API: a thin adapter from HTTP to `bot.answer()`.
//
//   POST /ask   {"question": string, "user"?: string}
//               → 200 {"reply","answered","intent","confidence","sources"} and, when they apply,
//                 "options" (the numbered choices of 您是不是想问), "detail" (true: 详细 gives more),
//                 "related" (questions the reply points to)
//               → 400 {"error"} bad JSON, not an object, missing/empty/too long question, bad user
//               → 413 {"error"} body over 16 KB
//               → 500 {"error"} the core failed (logged; no details leave the server)
//   GET  /info  → 200 {"title","welcome"} for the chat page's header and first bubble
//
// A request without "user" is answered under a fresh anonymous id ("anon-<uuid>"), so it starts a
// new conversation: follow-ups ("那2020年呢？") only work when the client keeps sending one id, as
// the chat page does with the id it keeps in localStorage.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Bot } from '../../answer/types.ts';
import type { Logger } from '../../log.ts';

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_QUESTION_CHARS = 2000;
export const MAX_USER_CHARS = 128;

/** Error texts shown to residents; tests import them rather than repeat them. */
export const ERRORS = {
  notJson: '请求格式不对：请发送 JSON，例如 {"question": "怎么申请政府信息公开？"}',
  notObject: '请求格式不对：JSON 应该是一个对象，例如 {"question": "怎么申请政府信息公开？"}',
  noQuestion: '请填写要问的问题（question）。',
  questionType: '问题（question）必须是文字。',
  emptyQuestion: '问题不能是空的，请输入要问的内容。',
  questionTooLong: `问题太长了，请控制在 ${MAX_QUESTION_CHARS} 字以内。`,
  userType: `用户标识（user）必须是 1–${MAX_USER_CHARS} 个字符的文字。`,
  tooLarge: `请求太大了，不能超过 ${MAX_BODY_BYTES / 1024} KB。`,
  failed: '抱歉，系统暂时出了点问题，请稍后再试。',
} as const;

export interface WebApiOptions {
  bot: Bot;
  logger: Logger;
  /** Header of the chat page. */
  title: string;
}

type Parsed = { ok: true; question: string; user: string } | { ok: false; error: string };

/** Checks the body of POST /ask; pure, so that it can be tested on its own. */
export function parseAskBody(text: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: ERRORS.notJson };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: ERRORS.notObject };
  const { question, user } = body as Record<string, unknown>;
  if (question === undefined || question === null) return { ok: false, error: ERRORS.noQuestion };
  if (typeof question !== 'string') return { ok: false, error: ERRORS.questionType };
  const trimmed = question.trim();
  if (trimmed === '') return { ok: false, error: ERRORS.emptyQuestion };
  if ([...trimmed].length > MAX_QUESTION_CHARS) return { ok: false, error: ERRORS.questionTooLong };
  if (user !== undefined && user !== null) {
    if (typeof user !== 'string' || user.trim() === '' || [...user].length > MAX_USER_CHARS) {
      return { ok: false, error: ERRORS.userType };
    }
    return { ok: true, question: trimmed, user: user.trim() };
  }
  return { ok: true, question: trimmed, user: `anon-${randomUUID()}` };
}

export function createWebApi({ bot, logger, title }: WebApiOptions): Hono {
  const api = new Hono();

  api.post(
    '/ask',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: ERRORS.tooLarge }, 413) }),
    async (c) => {
      const parsed = parseAskBody(await c.req.text());
      if (!parsed.ok) return c.json({ error: parsed.error }, 400);
      try {
        const answer = await bot.answer(parsed.question, parsed.user, { channel: 'web' });
        const { reply, answered, intent, confidence, sources, options, detail, related } = answer;
        return c.json({ reply, answered, intent, confidence, sources, options, detail, related });
      } catch (error) {
        logger.error({ err: error, channel: 'web' }, 'answer failed');
        return c.json({ error: ERRORS.failed }, 500);
      }
    },
  );

  api.get('/info', (c) => {
    let welcome = '';
    try {
      welcome = bot.welcome();
    } catch (error) {
      logger.error({ err: error }, 'welcome failed');
    }
    return c.json({ title, welcome });
  });

  return api;
}
