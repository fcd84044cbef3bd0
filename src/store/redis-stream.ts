// Reading Redis streams: following several at once as they grow (one connection for every account
// of the process), and reading one whole in bounded pages (the stats worker, the stats command).
import { Redis } from 'ioredis';
import type { RedisLink } from './redis-link.ts';

/** One stream entry's id and its "d" field (a record's JSON line). */
export interface StreamEntry {
  id: string;
  data: string;
}

type Reply = Array<[string, Array<[string, string[]]>]> | null;

/** The "d" field of an entry's flat [field, value, …] list. */
function dataOf(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'd') return fields[i + 1];
  return undefined;
}

/**
 * Follows streams with XREAD BLOCK on a connection of its own (a blocked read would hold up every
 * other command on the shared one). Each stream is followed from the id it was added with; while
 * Redis is down the loop waits and then goes on from where it was.
 */
export class StreamTail {
  static readonly BLOCK_MS = 1000;
  static readonly COUNT = 1000;
  readonly #link: RedisLink;
  readonly #client: Redis;
  readonly #streams = new Map<string, { last: string; onEntries: (entries: StreamEntry[]) => void }>();
  #running = false;
  #closed = false;

  constructor(link: RedisLink) {
    this.#link = link;
    // A blocked XREAD waits up to BLOCK_MS: the shared connection's command timeout would cut it.
    this.#client = link.client.duplicate({ commandTimeout: StreamTail.BLOCK_MS * 3, lazyConnect: true });
    this.#client.on('error', () => undefined); // the shared link reports Redis' state
  }

  follow(key: string, from: string, onEntries: (entries: StreamEntry[]) => void): void {
    this.#streams.set(key, { last: from, onEntries });
    if (!this.#running) void this.#loop();
  }

  async #loop(): Promise<void> {
    this.#running = true;
    await this.#client.connect().catch(() => undefined);
    while (!this.#closed) {
      if (this.#client.status !== 'ready') {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const keys = [...this.#streams.keys()];
      const ids = keys.map((key) => this.#streams.get(key)!.last);
      let reply: Reply;
      try {
        reply = (await this.#client.xread('COUNT', StreamTail.COUNT, 'BLOCK', StreamTail.BLOCK_MS, 'STREAMS', ...keys, ...ids)) as Reply;
      } catch (err) {
        if (this.#closed) break;
        this.#link.failed(err);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const [key, entries] of reply ?? []) {
        const stream = this.#streams.get(key);
        if (!stream || entries.length === 0) continue;
        stream.last = entries[entries.length - 1]![0];
        const read: StreamEntry[] = [];
        for (const [id, fields] of entries) {
          const data = dataOf(fields);
          if (data !== undefined) read.push({ id, data });
        }
        stream.onEntries(read);
      }
    }
    this.#running = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#client.disconnect();
  }
}

/**
 * Every entry of `key` from the oldest (or from id `from`, inclusive, to id `to`), in pages of
 * `count` (XRANGE with an exclusive start after the first page).
 */
export async function* readStream(client: Redis, key: string, count = 2000, from = '-', to = '+'): AsyncGenerator<StreamEntry> {
  let start = from;
  for (;;) {
    const page = (await client.xrange(key, start, to, 'COUNT', count)) as Array<[string, string[]]>;
    for (const [id, fields] of page) {
      const data = dataOf(fields);
      if (data !== undefined) yield { id, data };
    }
    if (page.length < count) return;
    start = `(${page[page.length - 1]![0]}`;
  }
}

/**
 * The JSON lines of the stream at `key` on the Redis at `url`, read in pages over a connection of
 * its own (another thread, or a command next to a running server), closed at the end.
 */
export async function* streamLines(url: string, key: string): AsyncGenerator<string> {
  for await (const entry of streamEntries(url, key)) yield entry.data;
}

/** The entries of the stream at `key` on the Redis at `url` (from id `from` to id `to`), as streamLines reads them. */
export async function* streamEntries(url: string, key: string, from = '-', to = '+'): AsyncGenerator<StreamEntry> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 10_000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    yield* readStream(client, key, 2000, from, to);
  } finally {
    client.disconnect();
  }
}
