// Whether DATA_DIR can still be written. A full or read-only disk used to show only in the logs
// while /healthz said ok: the bot went on answering and quietly stopped keeping sessions and the
// question log. Every writer reports its failures and successes here, and a periodic check looks
// at the directory itself (writable, free space) so that a fault shows even while nothing is
// being written.
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import type { Logger } from '../log.ts';

export interface StorageProblem {
  /** The file or directory concerned, relative to DATA_DIR ("." for the directory itself). */
  file: string;
  /** ENOSPC, EROFS, EACCES, EISDIR, … or LOW_SPACE. */
  code: string;
  message: string;
  /** ISO 8601: when this problem was first seen. */
  since: string;
}

export interface StorageStatus {
  /** False while any write fails or the directory is read-only or nearly full. */
  ok: boolean;
  problems: StorageProblem[];
  /** Bytes available to this process in DATA_DIR's file system, when known. */
  freeBytes: number | null;
}

export interface HealthOptions {
  logger: Logger;
  /** Below this many free bytes DATA_DIR counts as full. Default 16 MB. */
  minFreeBytes?: number;
  /** How often the directory itself is checked. Default 10 s; 0 disables the timer. */
  checkIntervalMs?: number;
  now?: () => number;
}

export const DEFAULT_MIN_FREE_BYTES = 16 * 1024 * 1024;

export class StorageHealth {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #minFree: number;
  readonly #now: () => number;
  readonly #problems = new Map<string, StorageProblem>();
  #freeBytes: number | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(dir: string, options: HealthOptions) {
    this.#dir = dir;
    this.#logger = options.logger;
    this.#minFree = Math.max(0, options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES);
    this.#now = options.now ?? Date.now;
    const every = options.checkIntervalMs ?? 10_000;
    if (every > 0) {
      this.#timer = setInterval(() => void this.check(), every);
      this.#timer.unref();
    }
  }

  /** A write to `file` failed: logged once per file and kind of error, not at every retry. */
  failed(file: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
    const message = err instanceof Error ? err.message : String(err);
    this.#set(`write:${file}`, { file, code, message });
  }

  /** A write to `file` succeeded: any problem it had is over. */
  succeeded(file: string): void {
    this.#clear(`write:${file}`);
  }

  /** Looks at DATA_DIR itself: can it be written, and how much room is left. Never throws. */
  async check(): Promise<StorageStatus> {
    try {
      await access(this.#dir, constants.W_OK);
      this.#clear('dir:writable');
    } catch (err) {
      this.#set('dir:writable', { file: '.', code: (err as NodeJS.ErrnoException).code ?? 'EACCES', message: `DATA_DIR is not writable: ${(err as Error).message}` });
    }
    try {
      const fs = await statfs(this.#dir);
      this.#freeBytes = fs.bavail * fs.bsize;
      if (this.#freeBytes < this.#minFree) {
        this.#set('dir:space', { file: '.', code: 'LOW_SPACE', message: `DATA_DIR has ${this.#freeBytes} bytes free, less than ${this.#minFree}` });
      } else this.#clear('dir:space');
    } catch {
      this.#freeBytes = null;
    }
    return this.status();
  }

  status(): StorageStatus {
    return { ok: this.#problems.size === 0, problems: [...this.#problems.values()], freeBytes: this.#freeBytes };
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #set(key: string, problem: Omit<StorageProblem, 'since'>): void {
    const known = this.#problems.get(key);
    if (known?.code === problem.code) return;
    this.#problems.set(key, { ...problem, since: new Date(this.#now()).toISOString() });
    this.#logger.error({ file: problem.file, code: problem.code, err: { message: problem.message } }, 'store: storage degraded; answers go on, what is not written is kept in memory and retried');
  }

  #clear(key: string): void {
    const known = this.#problems.get(key);
    if (known === undefined) return;
    this.#problems.delete(key);
    this.#logger.warn({ file: known.file, code: known.code }, 'store: storage recovered');
  }
}
