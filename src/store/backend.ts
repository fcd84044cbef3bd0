// Where an account's state lives: the embedded files under its DATA_DIR (one instance), or Redis
// when REDIS_URL is set (any number of instances behind a load balancer). Each account gets its
// own backend: its own files, or its own namespace of keys in the one Redis connection the process
// shares. The bot, the web API's limits and the webhook's retry cache take it as they are built.
import { localLimits, type LimitBackend } from '../answer/rate-limit.ts';
import type { ReplyCache, ReplyStore, SharedReplyOptions } from '../channels/official-account/dedup.ts';
import { openStore, type Store, type StoreOptions } from './data-dir.ts';
import { redisLimits } from './redis-limits.ts';
import { RedisLink, redactUrl, type RedisLinkOptions, type RedisStatus } from './redis-link.ts';
import { SharedReplies } from './redis-replies.ts';
import { openRedisStore } from './redis-store.ts';
import { StreamTail } from './redis-stream.ts';

export interface StateBackend extends LimitBackend {
  readonly kind: 'embedded' | 'redis';
  openStore<S extends object>(dataDir: string, options: StoreOptions<S>): Promise<Store<S>>;
  /** The webhook's retry cache shared between instances; undefined: this process's alone. */
  shareReplies: ((local: ReplyCache<string>, reply: SharedReplyOptions) => ReplyStore<string>) | undefined;
}

/** `now`: the limits' clock (the stores take theirs from their options). */
export function embeddedBackend(now: () => number = Date.now): StateBackend {
  const limits = localLimits(now);
  return {
    kind: 'embedded',
    openStore: (dataDir, options) => openStore(dataDir, options),
    shareReplies: undefined,
    limiter: limits.limiter,
    admission: limits.admission,
  };
}

/** The process's one link to Redis and its stream reader, shared by every account. */
export class SharedRedis {
  readonly link: RedisLink;
  readonly tail: StreamTail;

  private constructor(link: RedisLink) {
    this.link = link;
    this.tail = new StreamTail(link);
  }

  /** Connects (waiting briefly); a Redis that does not answer yet means a degraded start, not a failed one. */
  static async open(url: string, options: RedisLinkOptions): Promise<SharedRedis> {
    const link = new RedisLink(url, options);
    await link.connect();
    if (link.up) options.logger.info({ redis: redactUrl(url) }, `共享状态在 Redis / shared state in Redis: ${redactUrl(url)}`);
    return new SharedRedis(link);
  }

  status(): RedisStatus {
    return this.link.status();
  }

  backend(namespace: string): StateBackend {
    const limits = redisLimits(this.link, namespace);
    return {
      kind: 'redis',
      openStore: (dataDir, options) => openRedisStore(dataDir, { link: this.link, tail: this.tail, namespace }, options),
      shareReplies: (local, reply) => new SharedReplies(local, { link: this.link, namespace, ...reply }),
      limiter: limits.limiter,
      admission: limits.admission,
    };
  }

  async close(): Promise<void> {
    await this.tail.close();
    await this.link.close();
  }
}

