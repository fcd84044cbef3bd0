// Pseudonymous user keys. No file under DATA_DIR holds a raw user id (WeChat OpenID, nickname,
// web session id): everything is keyed by HMAC-SHA256(salt, id). The salt is DATA_SALT when given,
// otherwise 32 random bytes generated on first start and kept in DATA_DIR/salt (mode 0600).

import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.ts';
import { moveAside, writeFileAtomic } from './json-file.ts';

/** Hex characters kept of the HMAC: 128 bits, plenty against collisions among residents. */
export const USER_KEY_LENGTH = 32;

export const SALT_FILE = 'salt';

const SALT_PATTERN = /^[0-9a-f]{64}$/;

/** HMAC-SHA256(salt, id) as hex, truncated to 32 characters. The id is hashed as UTF-8. */
export function userKey(salt: string | KeyObject, userId: string): string {
  return createHmac('sha256', salt).update(userId, 'utf8').digest('hex').slice(0, USER_KEY_LENGTH);
}

/**
 * Keys kept: two generations of 10,000, so that a sender seen within the last 10,000 others (the
 * budget's 10,000 live sessions) is never hashed again. With generations of 5,000 a webhook
 * answering 10,000 residents in turn missed on every message: an HMAC (3-6 µs, a sixth of what
 * the store adds to a message) each time. The keys cost well under a megabyte.
 */
const KEY_CACHE = 20_000;

/**
 * `userKey` bound to one salt. Every message looks its sender up two or three times (session,
 * log), so recent keys are kept rather than hashed again: up to KEY_CACHE in two generations, the
 * older dropped whole when the newer is full. (A Map trimmed one oldest key at a time leaves its
 * deleted slots at the front, and every later `keys().next()` walked them: 10-25 µs a message
 * once the cache was full.) The salt is turned into a key once, not for every hash.
 */
export function userKeyer(salt: string): (userId: string) => string {
  const secret = createSecretKey(Buffer.from(salt, 'utf8'));
  let recent = new Map<string, string>();
  let older = new Map<string, string>();
  return (userId) => {
    let key = recent.get(userId);
    if (key !== undefined) return key;
    key = older.get(userId) ?? userKey(secret, userId);
    if (recent.size >= KEY_CACHE / 2) {
      older = recent;
      recent = new Map();
    }
    recent.set(userId, key);
    return key;
  };
}

export interface SaltOptions {
  logger: Logger;
  /** DATA_SALT from the environment; when non-empty it is used and DATA_DIR/salt is not touched. */
  salt?: string | undefined;
}

/**
 * The salt for `userKey`. Reads DATA_DIR/salt (64 hex characters), generating it on first start.
 * A salt file with anything else in it is moved aside with a warning and a new salt generated
 * (earlier keys then no longer match: sessions and "last answer" links start afresh).
 * Never throws for a bad file; throws only when a new salt cannot be written at all.
 */
export async function loadSalt(dataDir: string, options: SaltOptions): Promise<string> {
  if (options.salt !== undefined && options.salt !== '') return options.salt;
  const file = path.join(dataDir, SALT_FILE);
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      await moveAside(file, options.logger, `unreadable salt: ${(err as Error).message}`);
    }
  }
  if (text !== null) {
    const salt = text.trim();
    if (SALT_PATTERN.test(salt)) {
      await chmod(file, 0o600).catch(() => undefined);
      return salt;
    }
    await moveAside(file, options.logger, 'salt file is not 64 hex characters');
  }
  const salt = randomBytes(32).toString('hex');
  await writeFileAtomic(file, `${salt}\n`, 0o600);
  await chmod(file, 0o600).catch(() => undefined);
  options.logger.info({ file: SALT_FILE }, 'store: generated a new salt for user keys');
  return salt;
}
