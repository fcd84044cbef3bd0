// The HTTP face of the bot: the chat page, its JSON API, the official-account webhook and a health
// check, on one Hono app that tests call in-process and `startServer` serves with Node's http.
//
//   GET  /             chat page (page.html, page.css, page.js; CSP forbids inline script)
//   POST /api/ask      see channels/web/api.ts
//   GET  /api/info     {"title","welcome"}
//   GET  /healthz      {"ok":true}; 503 {"ok":false,"storage":{...}} while DATA_DIR cannot be written;
//                      "degraded":true with "redis":{...} while REDIS_URL's Redis does not answer
//   *    /wechat       official-account webhook when WECHAT_TOKEN is set, else 503 with a note
//   *    /admin        staff page and API when ADMIN_TOKEN or ADMIN_TOKENS is set, else 404 (see channels/admin/routes.ts)
// Those are the default account's (the environment variables). Every account of ACCOUNTS_FILE has
// the same under its id: /<id>/, /api/<id>/ask, /api/<id>/info, /wechat/<id>, /<id>/admin, each
// with its own bot, store, credentials, tokens, retry cache and limits (mounted by account-routes.ts).
// A known path asked with another method answers 405 with Allow; limits per client, per
// connection and per admin attempt are config.limits (README "Limits").
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import proxyaddr from 'proxy-addr';
import { accountWebhook, channel, chatPages, loadChannels, mountAccount, type AccountApp, type ChannelNeeds } from './account-routes.ts';
import { RateLimiter } from './answer/rate-limit.ts';
import type { Bot } from './answer/types.ts';
import { addressResolver, incomingOf } from './channels/web/client-limit.ts';
import type { WebhookHandler } from './channels/official-account/webhook.ts';
import type { KnowledgeReloader } from './channels/admin/routes.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { StateBackend } from './store/backend.ts';
import type { StorageStatus } from './store/health.ts';
import type { RedisStatus } from './store/redis-link.ts';

export {
  ACCOUNT_WEBHOOK_NOT_CONFIGURED,
  accountPaths,
  adminTokenWeakness,
  chatTitle,
  loadChannels,
  DEFAULT_TITLE,
  WEBHOOK_NOT_CONFIGURED,
  type AccountApp,
} from './account-routes.ts';

export interface AppOptions {
  bot: Bot;
  config: Config;
  logger: Logger;
  /** Backs the admin page's reload button; without it the button answers 503. */
  reloader?: KnowledgeReloader | undefined;
  /** The webhook to mount on /wechat; by default one is made from config.wechat. */
  webhook?: WebhookHandler | undefined;
  /** Where the default account's limits and retry cache live (default: this process). */
  backend?: StateBackend | undefined;
  /** The accounts of ACCOUNTS_FILE, each mounted under its id. */
  accounts?: AccountApp[] | undefined;
  /** Redis, when state is shared: /healthz says whether it answers. */
  shared?: { status(): RedisStatus } | undefined;
}

const NOT_FOUND = '找不到这个地址。';
const METHOD_NOT_ALLOWED = '这个地址不支持这种请求方式。';
const INTERNAL_ERROR = '抱歉，系统暂时出了点问题，请稍后再试。';
export const ADMIN_LOCKED = (seconds: number) => `管理口令错误次数过多，请 ${seconds} 秒后再试。`;

/** The store's health, when the bot has a store that reports it. */
function storageOf(bot: Bot): StorageStatus | undefined {
  const store = (bot as Bot & { store?: { health?: () => StorageStatus } }).store;
  return typeof store?.health === 'function' ? store.health() : undefined;
}

/** True when the error is the client going away mid-request: not a fault of ours. */
function clientAborted(c: Context, error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return incomingOf(c)?.destroyed === true || c.req.raw.signal?.aborted === true || (e?.code === 'ECONNRESET' && e.message === 'aborted');
}

/** The official-account webhook for this configuration, or undefined without WECHAT_TOKEN. */
export function configuredWebhook({ bot, config, logger, backend }: AppOptions): WebhookHandler | undefined {
  return accountWebhook({ id: '', bot, wechat: config.wechat, adminTokens: [], dataDir: config.dataDir, backend }, logger);
}

/** The default account (from the environment) first, then the file's, each webhook built once. */
function appAccounts(options: AppOptions): AccountApp[] {
  const { bot, config, logger } = options;
  const adminTokens = config.adminTokens ?? (config.adminToken ? [{ label: 'admin', token: config.adminToken }] : []);
  const root: AccountApp = {
    id: '',
    bot,
    title: config.chatTitle,
    wechat: config.wechat,
    adminTokens,
    dataDir: config.dataDir,
    reloader: options.reloader,
    backend: options.backend,
    webhook: options.webhook ?? configuredWebhook(options),
  };
  return [root, ...(options.accounts ?? []).map((a) => ({ ...a, webhook: a.webhook ?? accountWebhook(a, logger) }))];
}

export function createApp(options: AppOptions): Hono {
  const { config, logger } = options;
  const app = new Hono();
  const page = chatPages();
  const accounts = appAccounts(options);

  const browserHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    // HSTS is the TLS-terminating proxy's decision, not ours (we may be served over plain http).
    strictTransportSecurity: false,
    referrerPolicy: 'no-referrer',
  });
  // The webhook answers WeChat's servers, never a browser: its replies are XML that nothing
  // renders, and the headers cost a tenth of its time per message under load.
  app.use('*', (c, next) => (/^\/wechat(\/|$)/.test(c.req.path) ? next() : browserHeaders(c, next)));

  app.get('/healthz', (c) => {
    // Degraded storage is a 503 so that monitoring and load balancers see it: the bot still
    // answers, but sessions and the question log are no longer being kept. Redis away is not:
    // every instance shares it, so taking them out of the balancer would stop all answers, and
    // each answers from local state meanwhile.
    const redis = options.shared?.status();
    const degraded = redis && !redis.ok ? { degraded: true, redis } : {};
    const failing = accounts.flatMap((a) => {
      const storage = storageOf(a.bot);
      return storage !== undefined && !storage.ok ? [[a.id, storage] as const] : [];
    });
    if (failing.length === 0) return c.json({ ok: true, ...degraded });
    const perAccount = accounts.length > 1 ? { accounts: Object.fromEntries(failing.map(([id, storage]) => [id === '' ? 'default' : id, storage])) } : {};
    return c.json({ ok: false, storage: failing[0]![1], ...perAccount, ...degraded }, 503);
  });

  // Wrong admin tokens count per address across every account's admin page.
  const attempts = adminAttempts(config, logger);
  for (const account of accounts) mountAccount(app, account, { config, logger, page, attempts });

  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length === 0) return c.json({ error: NOT_FOUND }, 404);
    return c.json({ error: METHOD_NOT_ALLOWED }, 405, { Allow: allowed.join(', ') });
  });
  app.onError((error, c) => {
    if (clientAborted(c, error)) {
      // Nobody is left to answer; thousands of these are a client's doing, not an error of ours.
      logger.debug({ method: c.req.method, path: c.req.path }, 'request aborted by the client');
      return c.body(null, 400);
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: INTERNAL_ERROR }, 500);
  });
  return app;
}

/** The methods some route answers on `path` (exact, static routes), with HEAD beside GET. */
function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method !== 'ALL' && route.path === path) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * Wrong admin tokens from one address: after `maxFailedAttempts` within 15 minutes, every admin
 * API request from it answers 429 until the oldest failure is 15 minutes old. A guess per few
 * minutes instead of thousands per second.
 */
function adminAttempts(config: Config, logger: Logger) {
  const windowMs = 15 * 60_000;
  const failures = new RateLimiter(config.limits.admin.maxFailedAttempts, windowMs);
  const address = addressResolver(config.limits.trustedProxies);
  return async (c: Context, next: () => Promise<void>) => {
    const req = incomingOf(c);
    const addr = req ? address(req) : 'in-process';
    const wait = failures.retryAfter(addr);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return c.json({ error: ADMIN_LOCKED(wait) }, 429);
    }
    await next();
    if (c.res.status === 401 && c.req.header('Authorization')) {
      failures.allow(addr);
      if (failures.retryAfter(addr) > 0) logger.warn({ address: addr }, 'admin: too many wrong tokens from one address; paused');
    }
  };
}

export interface ServerHandle {
  /** e.g. "http://0.0.0.0:8080" (no trailing slash). */
  url: string;
  port: number;
  host: string;
  server: Server;
  /**
   * Stops accepting connections, lets requests in flight finish (answers included), and resolves
   * once all are done; connections still open after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartServerOptions extends AppOptions {
  /** Serve this app instead of `createApp(options)`. */
  app?: Hono;
}

/**
 * How far V8 lets the heap grow past what survived its last full collection, in percent. Left to
 * itself, under a busy webhook's rate of allocation (replies kept for retries, sessions, log
 * records: all outlive the young generation and die in the old one) V8 let the old generation
 * reach twice the live set: peak RSS 322 MB at 3,000 messages a second, 284 MB with 50%, for the
 * same CPU per message (bench profiles of 2026-12-01, BENCHMARKS.md "What dominates the cost").
 */
export const HEAP_GROWING_PERCENT = 50;

/** Sets the heap's growth for this process; V8 reads it at every full collection. */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** The optional channels the server of `options` mounts: a webhook or an admin page of any account. */
function channelNeeds(options: StartServerOptions): ChannelNeeds {
  if (options.app) return { webhook: false, admin: false };
  const { config } = options;
  const accounts = options.accounts ?? [];
  return {
    webhook: Boolean(options.webhook ?? config.wechat.token) || accounts.some((a) => a.webhook ?? a.wechat.token),
    admin: Boolean(config.adminTokens?.length ?? config.adminToken) || accounts.some((a) => a.adminTokens.length > 0),
  };
}

export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const { config, logger } = options;
  await loadChannels(channelNeeds(options));
  // The process that serves the webhook holds every message's state for a while.
  limitHeapGrowth();
  const http = config.limits.http;
  // One webhook (one retry cache) per account behind both paths: node:http takes /wechat and
  // /wechat/<id>, Hono the rest.
  const webhook = options.app ? undefined : (options.webhook ?? configuredWebhook(options));
  const accounts = options.app ? [] : (options.accounts ?? []).map((a) => ({ ...a, webhook: a.webhook ?? accountWebhook(a, logger) }));
  const app = options.app ?? createApp({ ...options, webhook, accounts });
  const listener = (handle: WebhookHandler) => channel('webhook').webhookListener(handle, logger);
  const toWebhook = webhook ? listener(webhook) : undefined;
  const isWebhookPath = toWebhook ? channel('webhook').isWebhookPath : () => false;
  const toAccountWebhook = new Map(accounts.flatMap((a) => (a.webhook ? [[a.id, listener(a.webhook)] as const] : [])));
  /** The listener of an account's /wechat/<id>, or undefined (Hono then answers). */
  const accountListener = (url: string | undefined) => {
    if (toAccountWebhook.size === 0 || url === undefined || !url.startsWith('/wechat/')) return undefined;
    const query = url.indexOf('?');
    return toAccountWebhook.get(url.slice(8, query < 0 ? undefined : query));
  };
  return new Promise((resolve, reject) => {
    const toHono = getRequestListener(app.fetch, { hostname: config.host });
    // Node's defaults held a body trickled a byte at a time for five minutes and slow headers for a
    // minute, checked only every 30 s. Timeouts are checked at a tenth of the shortest of them.
    const server = createServer(
      {
        headersTimeout: http.headersTimeoutMs,
        requestTimeout: http.requestTimeoutMs,
        keepAliveTimeout: http.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(http.headersTimeoutMs / 10))),
      },
      (req, res) => {
        if (toWebhook && isWebhookPath(req.url)) return toWebhook(req, res);
        const account = accountListener(req.url);
        return account ? account(req, res) : toHono(req, res);
      },
    );
    server.maxConnections = http.maxConnections;
    limitConnectionsPerAddress(server, http.maxConnectionsPerAddress, config.limits.trustedProxies);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      server.on('error', (error) => logger.error({ err: error }, 'http server error'));
      const { port } = server.address() as AddressInfo;
      const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
      resolve({
        url: `http://${hostInUrl}:${port}`,
        port,
        host: config.host,
        server,
        close: (graceMs = 10_000) => closeServer(server, graceMs),
      });
    });
    server.listen(config.port, config.host);
  });
}

/**
 * Closes a connection at once when its address already has `max` open, so one client cannot hold
 * every connection the server takes. Trusted proxies carry everyone's connections and are exempt.
 */
function limitConnectionsPerAddress(server: Server, max: number, trustedProxies: readonly string[]): void {
  const open = new Map<string, number>();
  const trusted = proxyaddr.compile([...trustedProxies]);
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (trustedProxies.length > 0 && trusted(address, 0)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    // Keep-alive connections that finish their request while we wait are closed as they go idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
