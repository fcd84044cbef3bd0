// File helpers shared by the store: atomic whole-file writes and moving a corrupt file aside.

import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
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
 * Resolves with the bytes written.
 */
export async function writeFileAtomic(file: string, data: string | Iterable<string> | AsyncIterable<string>, mode = 0o600): Promise<number> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let bytes = 0;
  try {
    const handle = await open(temp, 'w', mode);
    try {
      // Pieces are written one by one, so a large file never has to be one string in memory.
      if (typeof data === 'string') {
        await handle.writeFile(data, 'utf8');
        bytes = Buffer.byteLength(data, 'utf8');
      } else {
        // writeFile goes on from the current position and, unlike write, until every byte is out.
        for await (const piece of data) {
          await handle.writeFile(piece, 'utf8');
          bytes += Buffer.byteLength(piece, 'utf8');
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  return bytes;
}
