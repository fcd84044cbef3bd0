/**
 * The webhook served straight from node:http. Every message a resident sends through the official
 * account arrives here, so this route skips the web framework the pages and the JSON API use:
 * building web Request and Response objects for it cost more than all the checks the webhook makes.
 * Everything the webhook decides is in createWebhookHandler; this file only carries bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log.ts';
import { READ_ERROR, TOO_LARGE, decodeBody, declaredTooLarge, type BodyResult, type WebhookHandler, type WebhookRequest } from './webhook.ts';

/** True for the webhook's own path, with or without a query string. */
export function isWebhookPath(url: string | undefined, path = '/wechat'): boolean {
  if (!url || !url.startsWith(path)) return false;
  const rest = url.charCodeAt(path.length);
  return Number.isNaN(rest) || rest === 63; /* ? */
}

/** The query's parameters, the first value of each (as Hono's `c.req.query()` gives them). */
function queryOf(url: string): Record<string, string> {
  const at = url.indexOf('?');
  const query: Record<string, string> = {};
  if (at < 0) return query;
  for (const [key, value] of new URLSearchParams(url.slice(at + 1))) if (!(key in query)) query[key] = value;
  return query;
}

/** Reads the body, refusing more than `limit` bytes without buffering them. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (declaredTooLarge(req.headers['content-length'], limit)) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (result: BodyResult): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        // Stop taking the body in; the connection is closed once the refusal is sent.
        req.pause();
        done(TOO_LARGE);
      } else chunks.push(chunk);
    };
    const onEnd = (): void => done(decodeBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    const onError = (): void => done(READ_ERROR);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onError);
  });
}

/** A node:http request listener for the webhook's path. */
export function webhookListener(handle: WebhookHandler, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const request: WebhookRequest = { method: req.method ?? 'GET', query: queryOf(req.url ?? ''), readBody: (limit) => readBody(req, limit) };
    void handle(request).then((response) => {
      const headers: Record<string, string | number> = {
        'Content-Type': response.contentType,
        'Content-Length': Buffer.byteLength(response.body),
        'X-Content-Type-Options': 'nosniff',
      };
      // A body left unread (refused, or larger than allowed) would keep the connection busy.
      if (!req.complete) headers['Connection'] = 'close';
      res.writeHead(response.status, headers);
      res.end(req.method === 'HEAD' ? undefined : response.body);
    }).catch((err: unknown) => {
      // The handler never rejects; this is the response itself failing. Never take the server down.
      logger.error({ err }, 'wechat webhook could not send its response');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('internal error');
      else res.destroy();
    });
  };
}
