// Per-client limits for the chat page and its JSON API, as Hono middleware.
//
// Anyone can call /api/ask, and without a "user" every request got a fresh anonymous id: one
// client rotating or omitting ids filled the question log and the session store with junk and
// pushed residents' history and follow-up context out of their bounds. So, before the bot sees a
// request:
//   - each address may ask `askPerMinute` questions and load the page's files `pagePerMinute` times;
//   - each user id may ask `userAskPerMinute` questions (the bot's own per-user limit, answered as
//     HTTP should be: 429 with Retry-After instead of a 200 saying "too fast");
//   - each address may start `sessionsPerAddress` conversations within the session TTL: a new user
//     id (or a request without one) past that is refused, the address's known users go on.
// The address is the socket's, or the client's from X-Forwarded-For when the socket belongs to a
// configured trusted proxy (proxy-addr walks the header from the right, trusting only those hops).
// WeChat's messages do not come this way: the webhook is limited per sender by the bot.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import proxyaddr from 'proxy-addr';
import { localLimits, type LimitBackend } from '../../answer/rate-limit.ts';
import { DEFAULT_SESSION_TTL_MS } from '../../store/sessions.ts';
import { MAX_BODY_BYTES, MAX_USER_CHARS } from './api.ts';

export interface ClientLimits {
  askPerMinute: number;
  pagePerMinute: number;
  userAskPerMinute: number;
  sessionsPerAddress: number;
}

export interface ClientLimitOptions {
  limits: ClientLimits;
  /** Proxies whose X-Forwarded-For is believed (see config TRUSTED_PROXIES). */
  trustedProxies: readonly string[];
  /** How long a session counts against its address. Default the session TTL (30 minutes). */
  sessionTtlMs?: number;
  /** Addresses tracked at most (the least recent forgotten first). Default 20,000. */
  maxAddresses?: number;
  now?: () => number;
  /** Where the counts are kept: this process (default) or Redis, shared by every instance. */
  backend?: LimitBackend | undefined;
}

export const TOO_FAST = (seconds: number) => `您发送得太快了，请 ${seconds} 秒后再试。`;
export const TOO_MANY_SESSIONS = (seconds: number) =>
  `来自您所在网络的对话太多了，请 ${seconds} 秒后再试；继续已有的对话不受影响。`;

/** The Node request under a Hono context served by @hono/node-server (absent in app.request()). */
export function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming?.socket ? env.incoming : undefined;
}

/** The client's address: the socket's, or X-Forwarded-For's as far as trusted proxies vouch for it. */
export function addressResolver(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req) => proxyaddr(req, trust);
}

export function clientLimits(options: ClientLimitOptions): { ask: MiddlewareHandler; page: MiddlewareHandler } {
  const now = options.now ?? Date.now;
  const { limits } = options;
  const maxAddresses = options.maxAddresses ?? 20_000;
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const address = addressResolver(options.trustedProxies);
  const backend = options.backend ?? localLimits(now);
  const asks = backend.limiter('ask', limits.askPerMinute, 60_000, maxAddresses);
  const pages = backend.limiter('page', limits.pagePerMinute, 60_000, maxAddresses);
  const users = backend.limiter('user-ask', limits.userAskPerMinute, 60_000);
  const sessions = backend.admission('sessions', limits.sessionsPerAddress, ttl, maxAddresses);

  const refuse = (c: Context, seconds: number, text: string, json: boolean) => {
    c.header('Retry-After', String(seconds));
    return json ? c.json({ error: text }, 429) : c.text(text, 429);
  };

  const page: MiddlewareHandler = async (c, next) => {
    const req = incomingOf(c);
    // In-process calls (tests, tools) have no client to limit.
    if (req === undefined) return next();
    const wait = await pages.hit(address(req));
    if (wait > 0) return refuse(c, wait, TOO_FAST(wait), false);
    return next();
  };

  const ask: MiddlewareHandler = async (c, next) => {
    const req = incomingOf(c);
    if (req === undefined || c.req.method !== 'POST') return next();
    const addr = address(req);
    const tooFast = await asks.hit(addr);
    if (tooFast > 0) return refuse(c, tooFast, TOO_FAST(tooFast), true);
    const user = await userOf(c);
    const userWait = user === undefined ? 0 : await users.hit(user);
    if (userWait > 0) return refuse(c, userWait, TOO_FAST(userWait), true);
    const wait = await sessions.admit(addr, user);
    if (wait > 0) return refuse(c, wait, TOO_MANY_SESSIONS(wait), true);
    return next();
  };

  return { ask, page };
}

/**
 * The "user" the body names, when the body declares its length and is within the API's limit
 * (the text read is kept by Hono for the API to read again). A body of unknown length or with no
 * usable user is taken as a new anonymous client: the stricter reading.
 */
async function userOf(c: Context): Promise<string | undefined> {
  const declared = c.req.header('content-length');
  if (!declared || !/^\d+$/.test(declared) || Number(declared) > MAX_BODY_BYTES) return undefined;
  try {
    const body = JSON.parse(await c.req.text()) as { user?: unknown } | null;
    const user = typeof body?.user === 'string' ? body.user.trim() : '';
    return user !== '' && [...user].length <= MAX_USER_CHARS ? user : undefined;
  } catch {
    return undefined;
  }
}
