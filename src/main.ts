// `npm start`: configuration → logger → core → HTTP server (chat page, /api/ask, /wechat, /admin,
// /healthz) → Wechaty bot when WECHATY_PUPPET is set. Runs with no configuration at all.
// `npm start` runs this file compiled (dist/main.js) under npm: the first log line gives this
// process's own pid (and PID_FILE, when set, holds it). npm passes SIGINT and SIGTERM on to the
// bot (the start script execs it, so the bot is npm's child), but not SIGHUP, which kills npm.
// SIGINT/SIGTERM: stop accepting, let answers in flight finish, stop Wechaty, stop watching the
// knowledge directory, close the core (which flushes sessions and logs), exit 0. A signal during
// start-up is acted on once start-up is done.
// Knowledge files are reloaded when they change, on SIGHUP and from the admin page's button.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBot } from './answer/bot.ts';
import type { WechatyHandle } from './channels/wechaty.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createReloader } from './knowledge/reloader.ts';
import { createLogger, type Logger } from './log.ts';
import { startServer } from './server.ts';

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

  const bot = await createBot({
    knowledgeDir: config.knowledgeDir,
    dataDir: config.dataDir,
    logger,
    salt: config.dataSalt,
    store: config.limits.store,
  });
  const reloader = createReloader({ dir: config.knowledgeDir, bot, logger });
  reload = (reason) => void reloader.reload(reason);
  void reloader.ready.then(() =>
    logger.info({ dir: config.knowledgeDir }, '知识目录改动后自动重新载入，也可发送 SIGHUP / knowledge directory watched for changes; SIGHUP reloads'),
  );
  // Built apart from the call so this compiles whether or not createApp declares `reloader` yet
  // (the admin page's reload button uses it); a literal would fail the excess-property check.
  const serverOptions = { bot, config, logger, reloader };
  const server = await startServer(serverOptions);
  logEndpoints(logger, config, server.url);
  if (config.pidFile) writePidFile(config.pidFile, logger);

  let wechaty: WechatyHandle | undefined;
  if (config.wechaty.puppet) {
    try {
      // Wechaty and its puppets take about a second to load: only when a puppet is configured.
      const { startWechatyBot } = await import('./channels/wechaty.ts');
      wechaty = await startWechatyBot({
        bot,
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
      await reloader.close();
      await bot.close();
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
