// `npm start`: configuration → logger → core → HTTP server (chat page, /api/ask, /wechat, /healthz)
// → Wechaty bot when WECHATY_PUPPET is set. Runs with no configuration at all.
// SIGINT/SIGTERM: stop accepting, let answers in flight finish, stop Wechaty, stop watching the
// knowledge directory, close the core (which flushes sessions and logs), exit 0.
// Knowledge files are reloaded when they change, on SIGHUP and from the admin page's button.
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
  logger.info({ url: `${url}/api/ask` }, `问答接口 / question API: POST ${url}/api/ask`);
  if (config.wechat.token) {
    const mode = config.wechat.encodingAESKey ? 'safe mode (安全模式)' : 'plain text mode (明文模式)';
    logger.info({ url: `${url}/wechat`, mode }, `公众号接口 / official-account webhook: ${url}/wechat, ${mode}`);
  } else {
    logger.warn(
      { url: `${url}/wechat` },
      '公众号接口未启用：没有设置 WECHAT_TOKEN，/wechat 回复 503 / official-account webhook off: WECHAT_TOKEN is not set, /wechat answers 503',
    );
  }
  logger.info({ url: `${url}/healthz` }, `健康检查 / health check: ${url}/healthz`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    logger.info(`在本机可以打开 / on this machine open: http://localhost:${new URL(url).port}/`);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);

  const bot = await createBot({
    knowledgeDir: config.knowledgeDir,
    dataDir: config.dataDir,
    logger,
    salt: config.dataSalt,
    store: config.limits.store,
  });
  const reloader = createReloader({ dir: config.knowledgeDir, bot, logger });
  process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
  void reloader.ready.then(() =>
    logger.info({ dir: config.knowledgeDir }, '知识目录改动后自动重新载入，也可发送 SIGHUP / knowledge directory watched for changes; SIGHUP reloads'),
  );
  // Built apart from the call so this compiles whether or not createApp declares `reloader` yet
  // (the admin page's reload button uses it); a literal would fail the excess-property check.
  const serverOptions = { bot, config, logger, reloader };
  const server = await startServer(serverOptions);
  logEndpoints(logger, config, server.url);

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
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, '正在关闭 / shutting down');
    try {
      await server.close();
      await wechaty?.stop().catch((error: unknown) => logger.error({ err: error }, 'wechaty stop failed'));
      await reloader.close();
      await bot.close();
      logger.info('已关闭 / stopped');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      logger.flush();
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`启动失败 / start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
