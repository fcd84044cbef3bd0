// Everything the bot writes lives under one DATA_DIR:
//
//   salt                32 random bytes as hex, unless DATA_SALT is given
//   sessions.json       snapshot of the conversation sessions by user key
//   sessions.<n>.journal the sessions changed since, appended in batches (see session-journal.ts)
//   questions.jsonl     question log + feedback (lowdb over JSON lines, batched appends)
//   *.corrupt-<time>    damaged files moved aside at start-up
//
// No file holds a raw user id: every record is keyed by `userKey(id)` = HMAC-SHA256(salt, id).
// Every file is created 0600 and the directory 0700: the log is what residents asked.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import { StorageHealth, type StorageStatus } from './health.ts';
import { openQuestionLog, QUESTIONS_FILE, type QuestionLog } from './question-log.ts';
import { openSessions, type SessionStore } from './sessions.ts';
import { loadSalt, userKeyer } from './user-id.ts';

/** The bounds an operator sets (config.ts reads them from the environment). */
export interface StoreLimits {
  /** Sessions kept at most. Default 50,000. */
  maxSessions?: number | undefined;
  /** Question log retention. Defaults 90 days, 100,000 records, 48 MB. */
  logMaxAgeMs?: number | undefined;
  logMaxEntries?: number | undefined;
  logMaxBytes?: number | undefined;
  /** Records one user may have logged in an hour. Default 120. */
  logMaxPerUserPerHour?: number | undefined;
  /** Questions are logged cut to this many characters. Default 200. */
  logMaxQuestionLength?: number | undefined;
  /** DATA_DIR with less free space than this counts as full (/healthz). Default 16 MB. */
  minFreeBytes?: number | undefined;
}

export interface StoreOptions<S extends object = Record<string, unknown>> extends StoreLimits {
  logger: Logger;
  /** DATA_SALT; when absent or empty the salt is kept in DATA_DIR/salt. */
  salt?: string | undefined;
  /** Clock, epoch milliseconds (session expiry, log times, retention). */
  now?: () => number;
  /** Session idle TTL. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Minimum time between two appends to the session journal. Default 1000 ms. */
  sessionWriteIntervalMs?: number;
  /** Checks each session read back from disk, field by field (default: any object). */
  validateSession?: ((value: unknown) => S | null) | undefined;
  /** Question log batching. Defaults 500 ms and 200 records. */
  logFlushIntervalMs?: number;
  logBatchSize?: number;
  /** How often DATA_DIR itself is checked for being writable and not full. Default 10 s. */
  healthCheckIntervalMs?: number;
}

export interface Store<S extends object = Record<string, unknown>> {
  sessions: SessionStore<S>;
  log: QuestionLog;
  /** HMAC-SHA256(salt, userId), 32 hex characters. */
  userKey(userId: string): string;
  /** Whether everything is being written (for /healthz). */
  health(): StorageStatus;
  /** Writes everything pending now. */
  flush(): Promise<void>;
  /** Flushes and clears all timers; call on shutdown (SIGTERM/SIGINT). */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the store under `dataDir`. Damaged files are moved aside with a
 * warning and the store starts fresh; it throws only when DATA_DIR itself cannot be created or
 * written.
 */
export async function openStore<S extends object = Record<string, unknown>>(dataDir: string, options: StoreOptions<S>): Promise<Store<S>> {
  const { logger } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const salt = await loadSalt(dataDir, { logger, salt: options.salt });
  const userKey = userKeyer(salt);
  const now = options.now ?? Date.now;
  const health = new StorageHealth(dataDir, { logger, now, minFreeBytes: options.minFreeBytes, checkIntervalMs: options.healthCheckIntervalMs });
  await health.check();

  const sessions = await openSessions<S>(dataDir, {
    logger,
    userKey,
    now,
    health,
    ttlMs: options.sessionTtlMs,
    maxSessions: options.maxSessions,
    writeIntervalMs: options.sessionWriteIntervalMs,
    validate: options.validateSession,
  });
  const log = await openQuestionLog(path.join(dataDir, QUESTIONS_FILE), {
    logger,
    userKey,
    now,
    health,
    maxAgeMs: options.logMaxAgeMs,
    maxEntries: options.logMaxEntries,
    maxBytes: options.logMaxBytes,
    maxPerUserPerHour: options.logMaxPerUserPerHour,
    maxQuestionLength: options.logMaxQuestionLength,
    flushIntervalMs: options.logFlushIntervalMs,
    batchSize: options.logBatchSize,
  });

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
