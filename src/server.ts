// The HTTP face of the bot: the chat page, its JSON API, the official-account webhook and a health
// check, on one Hono app that tests call in-process and `startServer` serves with Node's http.
//
//   GET  /             chat page (page.html, page.css, page.js; CSP forbids inline script)
//   POST /api/ask      see channels/web/api.ts
//   GET  /api/info     {"title","welcome"}
//   GET  /healthz      {"ok":true}
//   *    /wechat       official-account webhook when WECHAT_TOKEN is set, else 503 with a note
//   *    /admin        staff page and API when ADMIN_TOKEN or ADMIN_TOKENS is set, else 404 (see channels/admin/routes.ts)
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Bot } from './answer/types.ts';
import { createWebApi } from './channels/web/api.ts';
import { createWebhook, createWebhookHandler, type WebhookHandler } from './channels/official-account/webhook.ts';
import { isWebhookPath, webhookListener } from './channels/official-account/node-listener.ts';
import { createAdmin, isAdminBot, type KnowledgeReloader } from './channels/admin/routes.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';

export interface AppOptions {
  bot: Bot;
  config: Config;
  logger: Logger;
  /** Backs the admin page's reload button; without it the button answers 503. */
  reloader?: KnowledgeReloader | undefined;
  /** The webhook to mount on /wechat; by default one is made from config.wechat. */
  webhook?: WebhookHandler | undefined;
}

export const DEFAULT_TITLE = '政府信息公开问答';

export const WEBHOOK_NOT_CONFIGURED =
  '公众号接口尚未配置：请在环境变量或 .env 中设置 WECHAT_TOKEN（以及安全模式所需的 WECHAT_APPID、WECHAT_ENCODING_AES_KEY）后重启。\n' +
  'The WeChat official-account webhook is not configured: set WECHAT_TOKEN (and WECHAT_APPID, ' +
  'WECHAT_ENCODING_AES_KEY for safe mode) in the environment or .env, then restart.\n';

const NOT_FOUND = '找不到这个地址。';
const INTERNAL_ERROR = '抱歉，系统暂时出了点问题，请稍后再试。';

/**
 * The page's title: CHAT_TITLE if configured, else a `title` the bot offers (the core knows the
 * body's name from its knowledge files; the Bot interface does not require it), else a generic one.
 */
export function chatTitle(bot: Bot, config: Config): string {
  if (config.chatTitle) return config.chatTitle;
  const offered = (bot as Bot & { title?: unknown }).title;
  return typeof offered === 'string' && offered.trim() !== '' ? offered.trim() : DEFAULT_TITLE;
}

const pageFile = (name: string) => readFileSync(new URL(`./channels/web/${name}`, import.meta.url), 'utf8');

/** The official-account webhook for this configuration, or undefined without WECHAT_TOKEN. */
export function configuredWebhook({ bot, config, logger }: AppOptions): WebhookHandler | undefined {
  const { token, appId, encodingAESKey, previousEncodingAESKey } = config.wechat;
  return token ? createWebhookHandler({ token, appId, encodingAESKey, previousEncodingAESKey, bot, logger }) : undefined;
}

export function createApp(options: AppOptions): Hono {
  const { bot, config, logger, reloader } = options;
  const app = new Hono();
  const page = { html: pageFile('page.html'), css: pageFile('page.css'), js: pageFile('page.js') };

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

  const noCache = { 'Cache-Control': 'no-cache' };
  app.get('/', (c) => c.html(page.html, 200, noCache));
  app.get('/page.css', (c) => c.body(page.css, 200, { ...noCache, 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/page.js', (c) =>
    c.body(page.js, 200, { ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/api', createWebApi({ bot, logger, title: chatTitle(bot, config) }));

  const webhook = options.webhook ?? configuredWebhook(options);
  if (webhook) {
    app.route('/wechat', createWebhook(webhook));
  } else {
    app.all('/wechat', (c) => c.text(WEBHOOK_NOT_CONFIGURED, 503));
  }

  const adminTokens = config.adminTokens ?? (config.adminToken ? [{ label: 'admin', token: config.adminToken }] : []);
  if (adminTokens.length > 0) {
    // Channel tests serve a bot without engine or store: there is nothing to administer then.
    if (isAdminBot(bot)) {
      app.route('/admin', createAdmin({ bot, tokens: adminTokens, logger, reloader, dataDir: config.dataDir }));
      app.get('/admin/', (c) => c.redirect('/admin', 301));
    } else logger.warn('an admin token is set but this bot has no engine or store: /admin stays off');
  }

  app.notFound((c) => c.json({ error: NOT_FOUND }, 404));
  app.onError((error, c) => {
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: INTERNAL_ERROR }, 500);
  });
  return app;
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

export function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const { config, logger } = options;
  // One webhook (one retry cache) behind both paths: node:http takes /wechat, Hono the rest.
  const webhook = options.app ? undefined : (options.webhook ?? configuredWebhook(options));
  const app = options.app ?? createApp({ ...options, webhook });
  const toWebhook = webhook ? webhookListener(webhook, logger) : undefined;
  return new Promise((resolve, reject) => {
    const toHono = getRequestListener(app.fetch, { hostname: config.host });
    const server = createServer((req, res) => (toWebhook && isWebhookPath(req.url) ? toWebhook(req, res) : toHono(req, res)));
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
