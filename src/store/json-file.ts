// File helpers shared by the store: atomic whole-file writes, moving a corrupt file aside, and
// opening a lowdb JSON document that never throws on a bad file.

import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Logger } from '../log.ts';

/** Filesystem-safe timestamp for `<name>.corrupt-<timestamp>`: 2024-05-01T12-30-00-000Z. */
function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Renames `file` to `<file>.corrupt-<timestamp>` and logs a warning. Returns the new path, or
 * null when the file could not be moved (logged too; never throws).
 */
export async function moveAside(file: string, logger: Logger, reason: string): Promise<string | null> {
  let target = `${file}.corrupt-${stamp()}`;
  try {
    // Two corrupt files in the same millisecond are unlikely; a suffix keeps them apart anyway.
    if (await exists(target)) target = `${target}-${randomBytes(2).toString('hex')}`;
    await rename(file, target);
    logger.warn({ file: path.basename(file), movedTo: path.basename(target), reason }, 'store: corrupt data file moved aside, starting fresh');
    return target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    logger.error({ file: path.basename(file), reason, err }, 'store: corrupt data file could not be moved aside');
    return null;
  }
}

/**
 * Replaces `file` with `data` atomically: writes a temporary file in the same directory, fsyncs
 * it and renames it over the target. A crash at any point leaves either the old or the new file.
 */
export async function writeFileAtomic(file: string, data: string | Iterable<string>, mode = 0o600): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w', mode);
    try {
      // Pieces are written one by one, so a large file never has to be one string in memory.
      if (typeof data === 'string') await handle.writeFile(data, 'utf8');
      else for (const piece of data) await handle.write(piece, null, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * lowdb adapter for one JSON document, written compactly (no indentation: the sessions file can
 * hold tens of thousands of entries). It is lowdb's own DataFile, so writes go through steno:
 * temp file + rename, never a partially written target.
 */
export function compactJsonFile<T>(file: string): Adapter<T> {
  return new DataFile<T>(file, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) });
}

export interface OpenJsonOptions<T> {
  logger: Logger;
  /** Fresh document, used for a missing or corrupt file. */
  defaults: () => T;
  /** Checks the parsed document; returns it (possibly repaired) or null when it is unusable. */
  validate: (data: unknown) => T | null;
  /** Adapter to use instead of `compactJsonFile(file)` (tests count writes through this). */
  adapter?: Adapter<T>;
}

/**
 * Opens a lowdb document. A missing file gives the defaults; a file that cannot be read or parsed,
 * or does not validate, is moved aside (`<name>.corrupt-<timestamp>`, warning logged) and the
 * defaults are used. Never throws for a bad file.
 */
export async function openJsonDb<T>(file: string, options: OpenJsonOptions<T>): Promise<Low<T>> {
  const { logger, defaults, validate } = options;
  const db = new Low<T>(options.adapter ?? compactJsonFile<T>(file), defaults());
  let raw: T | null;
  try {
    raw = await db.adapter.read();
  } catch (err) {
    await moveAside(file, logger, err instanceof Error ? err.message : String(err));
    return db;
  }
  if (raw === null) return db; // no file yet
  const valid = validate(raw);
  if (valid === null) {
    await moveAside(file, logger, 'unexpected document shape');
    return db;
  }
  db.data = valid;
  return db;
}
