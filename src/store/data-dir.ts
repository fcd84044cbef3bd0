// Everything the bot writes lives under one DATA_DIR:
//
//   salt              32 random bytes as hex (mode 0600), unless DATA_SALT is given
//   sessions.json     conversation sessions by user key (lowdb, rewritten atomically, batched)
//   questions.jsonl   question log + feedback (lowdb over JSON lines, batched appends)
//   *.corrupt-<time>  damaged files moved aside at start-up
//
// No file holds a raw user id: every record is keyed by `userKey(id)` = HMAC-SHA256(salt, id).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import { openQuestionLog, QUESTIONS_FILE, type QuestionLog } from './question-log.ts';
import { openSessions, SESSIONS_FILE, type SessionStore } from './sessions.ts';
import { loadSalt, userKeyer } from './user-id.ts';

export interface StoreOptions {
  logger: Logger;
  /** DATA_SALT; when absent or empty the salt is kept in DATA_DIR/salt. */
  salt?: string | undefined;
  /** Clock, epoch milliseconds (session expiry, log times, retention). */
  now?: () => number;
  /** Session idle TTL. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Sessions kept in memory at most. Default 50,000. */
  maxSessions?: number;
  /** Minimum time between two writes of sessions.json. Default 1000 ms. */
  sessionWriteIntervalMs?: number;
  /** Question log retention. Defaults 90 days and 100,000 records. */
  logMaxAgeMs?: number;
  logMaxEntries?: number;
  /** Question log batching. Defaults 500 ms and 200 records. */
  logFlushIntervalMs?: number;
  logBatchSize?: number;
}

export interface Store<S extends object = Record<string, unknown>> {
  sessions: SessionStore<S>;
  log: QuestionLog;
  /** HMAC-SHA256(salt, userId), 32 hex characters. */
  userKey(userId: string): string;
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
export async function openStore<S extends object = Record<string, unknown>>(dataDir: string, options: StoreOptions): Promise<Store<S>> {
  const { logger } = options;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const salt = await loadSalt(dataDir, { logger, salt: options.salt });
  const userKey = userKeyer(salt);
  const now = options.now ?? Date.now;

  const sessions = await openSessions<S>(path.join(dataDir, SESSIONS_FILE), {
    logger,
    userKey,
    now,
    ttlMs: options.sessionTtlMs,
    maxSessions: options.maxSessions,
    writeIntervalMs: options.sessionWriteIntervalMs,
  });
  const log = await openQuestionLog(path.join(dataDir, QUESTIONS_FILE), {
    logger,
    userKey,
    now,
    maxAgeMs: options.logMaxAgeMs,
    maxEntries: options.logMaxEntries,
    flushIntervalMs: options.logFlushIntervalMs,
    batchSize: options.logBatchSize,
  });

  return {
    sessions,
    log,
    userKey,
    async flush() {
      await Promise.all([sessions.flush(), log.flush()]);
    },
    async close() {
      await Promise.all([sessions.close(), log.close()]);
    },
  };
}
