// One account as the server mounts it: its chat page, JSON API, webhook and admin page at its own
// paths (the default account at the root paths, an account of ACCOUNTS_FILE under its id), with
// its own limits and retry cache. server.ts mounts every account on one app.
import { readFileSync } from 'node:fs';
import type { Hono, MiddlewareHandler } from 'hono';
import type { Bot } from './answer/types.ts';
import type { AdminToken, WechatCredentials } from './accounts.ts';
import { createWebApi } from './channels/web/api.ts';
import { clientLimits } from './channels/web/client-limit.ts';
import type { WebhookHandler } from './channels/official-account/webhook.ts';
import type { KnowledgeReloader } from './channels/admin/routes.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { StateBackend } from './store/backend.ts';

type WebhookModules = typeof import('./channels/official-account/webhook.ts') & typeof import('./channels/official-account/node-listener.ts');
type AdminModules = typeof import('./channels/admin/routes.ts') & typeof import('./admin/stats-service.ts');

// The webhook and the admin page are loaded only when some account has them configured (a
// token): fast-xml-parser, the admin's statistics and knowledge editing cost ~60 ms of every start
// that a chat page alone does not need. Loaded before the app is built, so that their first
// request is as fast as any other.
const channels: { webhook?: WebhookModules; admin?: AdminModules } = {};

/** Which optional channels an app needs. */
export interface ChannelNeeds {
  webhook: boolean;
  admin: boolean;
}

/** Loads the optional channels `needs` names (by default both); createApp needs those it mounts. */
export async function loadChannels(needs: ChannelNeeds = { webhook: true, admin: true }): Promise<void> {
  const webhook = needs.webhook && !channels.webhook
    ? Promise.all([import('./channels/official-account/webhook.ts'), import('./channels/official-account/node-listener.ts')]).then(([w, l]) => {
        channels.webhook = { ...w, ...l };
      })
    : undefined;
  const admin = needs.admin && !channels.admin
    ? Promise.all([import('./channels/admin/routes.ts'), import('./admin/stats-service.ts')]).then(([r, s]) => {
        channels.admin = { ...r, ...s };
      })
    : undefined;
  await Promise.all([webhook, admin]);
}

/** A channel loaded by loadChannels; a programming error otherwise, named as such. */
export function channel<K extends keyof typeof channels>(name: K): NonNullable<(typeof channels)[K]> {
  const loaded = channels[name];
  if (!loaded) throw new Error(`the ${name} channel is configured but was not loaded: await loadChannels() before createApp()`);
  return loaded as NonNullable<(typeof channels)[K]>;
}

/** One account as the server mounts it. */
export interface AccountApp {
  /** The path segment; "" for the default account at the root paths. */
  id: string;
  bot: Bot;
  /** The chat page's header (CHAT_TITLE, or the file's title); unset ⇒ the bot's. */
  title?: string | undefined;
  wechat: WechatCredentials;
  adminTokens: AdminToken[];
  /** Where the account's record of knowledge edits lives. */
  dataDir: string;
  reloader?: KnowledgeReloader | undefined;
  backend?: StateBackend | undefined;
  /** Built from `wechat` when absent. */
  webhook?: WebhookHandler | undefined;
}

/** Where an account is served. */
export function accountPaths(id: string): { page: string; api: string; wechat: string; admin: string } {
  if (id === '') return { page: '/', api: '/api', wechat: '/wechat', admin: '/admin' };
  return { page: `/${id}/`, api: `/api/${id}`, wechat: `/wechat/${id}`, admin: `/${id}/admin` };
}

export const DEFAULT_TITLE = '政府信息公开问答';

export const WEBHOOK_NOT_CONFIGURED =
  '公众号接口尚未配置：请在环境变量或 .env 中设置 WECHAT_TOKEN（以及安全模式所需的 WECHAT_APPID、WECHAT_ENCODING_AES_KEY）后重启。\n' +
  'The WeChat official-account webhook is not configured: set WECHAT_TOKEN (and WECHAT_APPID, ' +
  'WECHAT_ENCODING_AES_KEY for safe mode) in the environment or .env, then restart.\n';

export const ACCOUNT_WEBHOOK_NOT_CONFIGURED = (id: string) =>
  `账号 ${id} 的公众号接口尚未配置：请在账号文件（ACCOUNTS_FILE）里为它填写 wechat_token（安全模式还要 wechat_appid、wechat_encoding_aes_key）后重启。\n` +
  `The official-account webhook of account ${id} is not configured: give it wechat_token (and wechat_appid, wechat_encoding_aes_key for safe mode) in ACCOUNTS_FILE, then restart.\n`;

/** Why a token is easy to guess, or null. The admin API shows every question residents asked. */
export function adminTokenWeakness(token: string): string | null {
  if ([...token].length < 20) return 'shorter than 20 characters';
  if (new Set(token).size < 10) return 'fewer than 10 distinct characters';
  return null;
}

/**
 * The page's title: CHAT_TITLE if configured, else a `title` the bot offers (the core knows the
 * body's name from its knowledge files; the Bot interface does not require it), else a generic one.
 */
export function chatTitle(bot: Bot, config: Pick<Config, 'chatTitle'>): string {
  if (config.chatTitle) return config.chatTitle;
  const offered = (bot as Bot & { title?: unknown }).title;
  return typeof offered === 'string' && offered.trim() !== '' ? offered.trim() : DEFAULT_TITLE;
}

const pageFile = (name: string) => readFileSync(new URL(`./channels/web/${name}`, import.meta.url), 'utf8');

/** The chat page's files, read once per app. */
export function chatPages(): { html: string; css: string; js: string } {
  return { html: pageFile('page.html'), css: pageFile('page.css'), js: pageFile('page.js') };
}


/** An account's webhook, checked against its own credentials only; undefined without a token. */
export function accountWebhook(account: AccountApp, logger: Logger): WebhookHandler | undefined {
  const { token, appId, encodingAESKey, previousEncodingAESKey } = account.wechat;
  if (!token) return undefined;
  return channel('webhook').createWebhookHandler({
    token,
    appId,
    encodingAESKey,
    previousEncodingAESKey,
    bot: account.bot,
    logger: account.id === '' ? logger : logger.child({ account: account.id }),
    shareReplies: account.backend?.shareReplies,
  });
}

/** The chat page of an account: its styles, script and API under its own paths. */
function accountPage(html: string, id: string): string {
  if (id === '') return html;
  return html
    .replace('href="/page.css"', `href="/${id}/page.css"`)
    .replace('src="/page.js"', `src="/${id}/page.js"`)
    .replace('<meta name="gongkai-api" content="/api">', `<meta name="gongkai-api" content="/api/${id}">`);
}

export interface MountContext {
  config: Config;
  logger: Logger;
  page: { html: string; css: string; js: string };
  /** Wrong admin tokens per address, shared by every account's admin page. */
  attempts: MiddlewareHandler;
}

/** An account's chat page, API, webhook and admin page at its paths. */
export function mountAccount(app: Hono, account: AccountApp, { config, logger, page, attempts }: MountContext): void {
  const { bot, id } = account;
  const paths = accountPaths(id);
  const base = id === '' ? '' : `/${id}`;
  const log = id === '' ? logger : logger.child({ account: id });
  const limits = clientLimits({ limits: config.limits.clients, trustedProxies: config.limits.trustedProxies, backend: account.backend });
  for (const path of [paths.page, `${base}/page.css`, `${base}/page.js`, `${paths.api}/info`]) app.use(path, limits.page);
  app.use(`${paths.api}/ask`, limits.ask);

  const noCache = { 'Cache-Control': 'no-cache' };
  const html = accountPage(page.html, id);
  app.get(paths.page, (c) => c.html(html, 200, noCache));
  if (id !== '') app.get(base, (c) => c.redirect(paths.page, 301));
  app.get(`${base}/page.css`, (c) => c.body(page.css, 200, { ...noCache, 'Content-Type': 'text/css; charset=utf-8' }));
  app.get(`${base}/page.js`, (c) => c.body(page.js, 200, { ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.route(paths.api, createWebApi({ bot, logger: log, title: chatTitle(bot, { chatTitle: account.title }) }));

  if (account.webhook) {
    app.route(paths.wechat, channel('webhook').createWebhook(account.webhook));
  } else {
    app.all(paths.wechat, (c) => c.text(id === '' ? WEBHOOK_NOT_CONFIGURED : ACCOUNT_WEBHOOK_NOT_CONFIGURED(id), 503));
  }

  const adminTokens = account.adminTokens;
  if (adminTokens.length === 0) return;
  const { configureStats, createAdmin, isAdminBot } = channel('admin');
  // Channel tests serve a bot without engine or store: there is nothing to administer then.
  if (!isAdminBot(bot)) {
    log.warn('an admin token is set but this bot has no engine or store: /admin stays off');
    return;
  }
  for (const { label, token } of adminTokens) {
    const weakness = adminTokenWeakness(token);
    const name = id !== '' ? `${id} 的 admin_tokens（${label}）` : token === config.adminToken ? 'ADMIN_TOKEN' : `ADMIN_TOKENS（${label}）`;
    if (weakness) {
      log.warn({ weakness, label }, `${name} 太容易猜到（${weakness}），请换成至少 20 位的随机串 / ${name} is weak (${weakness}): use a long random string`);
    }
  }
  configureStats(bot.store.log, config.limits.stats);
  app.use(`${paths.admin}/api/*`, attempts);
  app.route(paths.admin, createAdmin({ bot, tokens: adminTokens, logger: log, reloader: account.reloader, dataDir: account.dataDir, base: paths.admin }));
  app.get(`${paths.admin}/`, (c) => c.redirect(paths.admin, 301));
}
