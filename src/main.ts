// `npm start`: configuration → logger → Redis when REDIS_URL is set → one core per account (the
// default one of the environment variables, then each of ACCOUNTS_FILE) → HTTP server (chat page,
// /api/ask, /wechat, /admin, /healthz, and the same under each account's id) → Wechaty bot when
// WECHATY_PUPPET is set (default account). Runs with no configuration at all.
// `npm start` runs this file compiled (dist/main.js) under npm: the first log line gives this
// process's own pid (and PID_FILE, when set, holds it). npm passes SIGINT and SIGTERM on to the
// bot (the start script execs it, so the bot is npm's child), but not SIGHUP, which kills npm.
// SIGINT/SIGTERM: stop accepting, let answers in flight finish, stop Wechaty, stop watching the
// knowledge directory, close the core (which flushes sessions and logs), exit 0. A signal during
// start-up is acted on once start-up is done.
// Knowledge files are reloaded when they change, on SIGHUP (every account) and from each admin
// page's button.
// Only the configuration and the logger are imported before the configuration is read: a bad
// variable is refused at once, before the server, the core and jieba are loaded (the rest of the
// start path is imported in main(), each part only when it is used; see README "Performance").
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_NAMESPACE, type AccountConfig } from './accounts.ts';
import type { RunningBot } from './answer/bot.ts';
import type { WechatyHandle } from './channels/wechaty.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { KnowledgeBase } from './knowledge/knowledge-base.ts';
import type { Reloader } from './knowledge/reloader.ts';
import { loadKnowledgeInBackground, secondCore } from './knowledge/knowledge-thread.ts';
import { createLogger, type Logger } from './log.ts';
import type { accountPaths as AccountPaths } from './server.ts';
import type { StateBackend } from './store/backend.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(1);
    }
    throw error;
  }
}

/** The start log's lines for an account of ACCOUNTS_FILE: where it is served, and what is off. */
function logAccount(logger: Logger, account: AccountConfig, url: string, accountPaths: typeof AccountPaths): void {
  const paths = accountPaths(account.id);
  const wechat = account.wechat.token
    ? `${url}${paths.wechat} (${account.wechat.encodingAESKey ? 'safe mode 安全模式' : 'plain text mode 明文模式'})`
    : `${url}${paths.wechat} 未启用 / off (no wechat_token)`;
  const admin = account.adminTokens.length > 0 ? `${url}${paths.admin}` : `${url}${paths.admin} 未启用 / off (no admin_tokens)`;
  logger.info(
    { account: account.id, page: `${url}${paths.page}`, api: `${url}${paths.api}`, wechat: `${url}${paths.wechat}`, admin: `${url}${paths.admin}`, knowledgeDir: account.knowledgeDir },
    `账号 ${account.id} / account ${account.id}: 聊天页面 / chat page ${url}${paths.page}, 问答接口 / API POST ${url}${paths.api}/ask, ` +
      `公众号接口 / webhook ${wechat}, 管理页面 / admin ${admin}`,
  );
}

function logEndpoints(logger: Logger, config: Config, url: string): void {
  logger.info({ url: `${url}/` }, `聊天页面 / chat page: ${url}/`);
  logger.info({ url: `${url}/api` }, `问答接口 / question API: POST ${url}/api/ask, GET ${url}/api/info`);
  if (config.wechat.token) {
    const mode = config.wechat.encodingAESKey ? 'safe mode (安全模式)' : 'plain text mode (明文模式)';
    logger.info({ url: `${url}/wechat`, mode }, `公众号接口 / official-account webhook: ${url}/wechat, ${mode}`);
  } else {
    logger.warn(
      { url: `${url}/wechat` },
      '公众号接口未启用：没有设置 WECHAT_TOKEN，/wechat 回复 503 / official-account webhook off: WECHAT_TOKEN is not set, /wechat answers 503',
    );
  }
  if (config.adminToken) {
    logger.info({ url: `${url}/admin` }, `管理页面 / admin page: ${url}/admin`);
  } else {
    logger.info({ url: `${url}/admin` }, '管理页面未启用：没有设置 ADMIN_TOKEN，/admin 回复 404 / admin page off: ADMIN_TOKEN is not set, /admin answers 404');
  }
  logger.info({ url: `${url}/healthz` }, `健康检查 / health check: ${url}/healthz`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    logger.info(`在本机可以打开 / on this machine open: http://localhost:${new URL(url).port}/`);
  }
}

/** Written whole (a reader never sees half a pid); a previous bot still running is only warned about. */
function writePidFile(file: string, logger: Logger): void {
  const previous = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  if (Number.isInteger(previous) && previous > 0 && previous !== process.pid && isRunning(previous)) {
    logger.warn({ pidFile: file, previous }, `PID_FILE ${file} 里的进程 ${previous} 还在运行，现改写为本进程 / PID_FILE ${file} named running process ${previous}; now this one`);
  }
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`);
  renameSync(temp, file);
}

function removePidFile(file: string): void {
  try {
    // Another bot may have taken the file over since: only our own pid is removed.
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  } catch {
    // already gone
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel, config.logFormat);
  // With a second core, every account's knowledge is read on a worker thread while this one
  // imports the start path and loads jieba's dictionary; otherwise each core reads its own.
  const dirs = [config.knowledgeDir, ...config.accounts.map((a) => a.knowledgeDir)];
  const knowledge: Array<Promise<KnowledgeBase> | undefined> = secondCore() ? loadKnowledgeInBackground(dirs) : dirs.map(() => undefined);

  // Installed before the pid is printed and anything slow happens, so that a signal during
  // start-up neither kills the process half-way (SIGHUP's default) nor is lost.
  let shutdown: ((signal: string) => Promise<void>) | undefined;
  let stopRequested: string | undefined;
  let reload: ((reason: string) => void) | undefined;
  const onStop = (signal: string) => {
    if (shutdown) void shutdown(signal);
    else stopRequested ??= signal;
  };
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGHUP', () => {
    if (reload) reload('SIGHUP');
    else logger.info('SIGHUP：正在启动，知识库正在载入 / SIGHUP during start-up: the knowledge is being loaded now');
  });
  logger.info(
    { pid: process.pid },
    `进程号 / pid ${process.pid}: kill -HUP ${process.pid} 重新载入知识库 / reloads the knowledge; kill -TERM ${process.pid} 停止 / stops the bot`,
  );

  for (const warning of config.warnings) logger.warn(warning);
  const [{ createBot }, { accountPaths, startServer }, { createReloader }, { embeddedBackend }, { loadDictionary }] = await Promise.all([
    import('./answer/bot.ts'),
    import('./server.ts'),
    import('./knowledge/reloader.ts'),
    import('./store/backend.ts'),
    import('./language/dictionary.ts'),
  ]);
  // One connection for every account; each account has its own namespace of keys in it.
  // ioredis is loaded only by a deployment that uses it.
  const opening = config.redis ? import('./store/shared-redis.ts').then((m) => m.SharedRedis.open(config.redis!.url, { logger, prefix: config.redis!.prefix })) : undefined;
  // Every core needs it and it is ~0.2 s of native code on this thread: loaded here, while the
  // knowledge thread reads and Redis connects.
  loadDictionary();
  const shared = await opening;
  const backendFor = (namespace: string): StateBackend => (shared ? shared.backend(namespace) : embeddedBackend());

  const backend = backendFor(DEFAULT_NAMESPACE);
  const open = (i: number, dataDir: string, log: Logger, state: StateBackend): Promise<RunningBot> =>
    createBot({ knowledgeDir: dirs[i]!, knowledge: knowledge[i], dataDir, logger: log, salt: config.dataSalt, store: config.limits.store, backend: state });
  const backends = config.accounts.map((account) => backendFor(account.namespace));
  const [bot, ...accountBots] = await Promise.all([
    open(0, config.dataDir, logger, backend),
    ...config.accounts.map((account, i) => open(i + 1, account.dataDir, logger.child({ account: account.id }), backends[i]!)),
  ]);
  const reloader = createReloader({ dir: config.knowledgeDir, bot: bot!, logger });
  const accounts = config.accounts.map((account, i) => {
    const accountBot = accountBots[i]!;
    const accountReloader = createReloader({ dir: account.knowledgeDir, bot: accountBot, logger: logger.child({ account: account.id }) });
    return { account, bot: accountBot, reloader: accountReloader, backend: backends[i]! };
  });
  const reloaders: Reloader[] = [reloader, ...accounts.map((a) => a.reloader)];
  reload = (reason) => {
    for (const r of reloaders) void r.reload(reason);
  };
  void Promise.all(reloaders.map((r) => r.ready)).then(() =>
    logger.info({ dir: config.knowledgeDir, accounts: accounts.length }, `知识目录改动后自动重新载入，也可发送 SIGHUP${accounts.length > 0 ? '（所有账号）' : ''} / knowledge directory watched for changes; SIGHUP reloads${accounts.length > 0 ? ' every account' : ''}`),
  );
  const server = await startServer({
    bot: bot!,
    config,
    logger,
    reloader,
    backend,
    shared,
    accounts: accounts.map(({ account, bot: accountBot, reloader: accountReloader, backend: accountBackend }) => ({
      id: account.id,
      bot: accountBot,
      title: account.title,
      wechat: account.wechat,
      adminTokens: account.adminTokens,
      dataDir: account.dataDir,
      reloader: accountReloader,
      backend: accountBackend,
    })),
  });
  logEndpoints(logger, config, server.url);
  for (const { account } of accounts) logAccount(logger, account, server.url, accountPaths);
  if (config.pidFile) writePidFile(config.pidFile, logger);

  let wechaty: WechatyHandle | undefined;
  if (config.wechaty.puppet) {
    try {
      // Wechaty and its puppets take about a second to load: only when a puppet is configured.
      const { startWechatyBot } = await import('./channels/wechaty.ts');
      wechaty = await startWechatyBot({
        bot: bot!,
        logger,
        puppet: config.wechaty.puppet,
        puppetOptions: config.wechaty.puppetToken ? { token: config.wechaty.puppetToken } : undefined,
        // the login session is kept next to the other data: <DATA_DIR>/wechaty.memory-card.json
        name: path.join(config.dataDir, 'wechaty'),
      });
      logger.info({ puppet: config.wechaty.puppet }, `Wechaty 已启动 / Wechaty started with ${config.wechaty.puppet}`);
    } catch (error) {
      // The web page and webhook keep working without Wechaty.
      logger.error(
        { err: error, puppet: config.wechaty.puppet },
        `Wechaty 启动失败（是否已安装 ${config.wechaty.puppet}？）/ Wechaty failed to start (is ${config.wechaty.puppet} installed?)`,
      );
    }
  } else {
    logger.info('Wechaty 未启用：没有设置 WECHATY_PUPPET / Wechaty off: WECHATY_PUPPET is not set');
  }

  let stopping = false;
  shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, '正在关闭 / shutting down');
    try {
      await server.close();
      await wechaty?.stop().catch((error: unknown) => logger.error({ err: error }, 'wechaty stop failed'));
      await Promise.all(reloaders.map((r) => r.close()));
      await Promise.all([bot!, ...accountBots].map((b) => b!.close()));
      await shared?.close();
      if (config.pidFile) removePidFile(config.pidFile);
      logger.info('已关闭 / stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      logger.flush();
      process.exit(1);
    }
  };
  if (stopRequested) await shutdown(stopRequested);
}

main().catch((error: unknown) => {
  process.stderr.write(`启动失败 / start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
