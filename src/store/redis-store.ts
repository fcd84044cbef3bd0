// The store of one account when REDIS_URL is set: sessions, the question log and feedback in Redis
// under the account's namespace (redis-sessions.ts, redis-log.ts), behind the same Store interface
// as the embedded files. DATA_DIR is still the account's: the salt's local copy, the record of
// knowledge edits, and the storage check.
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log.ts';
import type { Store, StoreOptions } from './data-dir.ts';
import { StorageHealth } from './health.ts';
import { RedisQuestionLog } from './redis-log.ts';
import { sharedSalt, type RedisLink } from './redis-link.ts';
import type { Prefetch } from './redis-prefetch.ts';
import { RedisSessionStore } from './redis-sessions.ts';
import type { StreamTail } from './redis-stream.ts';
import { loadSalt, userKeyer } from './user-id.ts';

export interface RedisStoreContext {
  link: RedisLink;
  tail: StreamTail;
  namespace: string;
  /** Where a WeChat message's claim leaves the sender's session (redis-prefetch.ts). */
  prefetch?: Prefetch | undefined;
}

async function saltFor(dataDir: string, context: RedisStoreContext, logger: Logger, given: string | undefined): Promise<string> {
  if (given !== undefined && given !== '') return given;
  const local = () => loadSalt(dataDir, { logger });
  const shared = await sharedSalt(context.link, context.namespace, local);
  if (shared !== undefined) return shared;
  logger.warn(
    { namespace: context.namespace },
    'Redis 无法访问，用本机的 salt：其他实例的会话对不上，直到本实例在 Redis 可用时重启；设置 DATA_SALT 可避免 / Redis unreachable at start: the local salt is used, so sessions do not match the other instances until a restart with Redis up; DATA_SALT avoids this',
  );
  return local();
}

export async function openRedisStore<S extends object>(dataDir: string, context: RedisStoreContext, options: StoreOptions<S>): Promise<Store<S>> {
  const { logger } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const userKey = userKeyer(await saltFor(dataDir, context, logger, options.salt));
  const now = options.now ?? Date.now;
  const health = new StorageHealth(dataDir, { logger, now, minFreeBytes: options.minFreeBytes, checkIntervalMs: options.healthCheckIntervalMs });
  await health.check();
  const sessions = new RedisSessionStore<S>({
    link: context.link,
    namespace: context.namespace,
    logger,
    userKey,
    now,
    ttlMs: options.sessionTtlMs,
    maxSessions: options.maxSessions,
    validate: options.validateSession,
    prefetch: context.prefetch,
  });
  const log = new RedisQuestionLog({
    link: context.link,
    namespace: context.namespace,
    logger,
    userKey,
    now,
    maxAgeMs: options.logMaxAgeMs,
    maxEntries: options.logMaxEntries,
    maxBytes: options.logMaxBytes,
    maxPerUserPerHour: options.logMaxPerUserPerHour,
    maxQuestionLength: options.logMaxQuestionLength,
  });
  await log.start(context.tail);
  return {
    sessions,
    log,
    userKey,
    health: () => health.status(),
    async flush() {
      await Promise.all([sessions.flush(), log.flush()]);
    },
    async close() {
      health.stop();
      await Promise.all([sessions.close(), log.close()]);
    },
  };
}
