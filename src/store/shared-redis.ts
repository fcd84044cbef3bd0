// The process's one connection to Redis (REDIS_URL), shared by every account, and the backend
// each account's state lives in there.
import type { StateBackend } from './backend.ts';
import { redisLimits } from './redis-limits.ts';
import { RedisLink, redactUrl, type RedisLinkOptions, type RedisStatus } from './redis-link.ts';
import { Prefetch } from './redis-prefetch.ts';
import { SharedReplies } from './redis-replies.ts';
import { openRedisStore } from './redis-store.ts';
import { StreamTail } from './redis-stream.ts';

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

  /** One account's state. Its limits, sessions and retry cache share one Prefetch: a message's claim reads the sender's limit and session. */
  backend(namespace: string): StateBackend {
    const prefetch = new Prefetch(this.link);
    const limits = redisLimits(this.link, namespace, Date.now, prefetch);
    return {
      kind: 'redis',
      openStore: (dataDir, options) => openRedisStore(dataDir, { link: this.link, tail: this.tail, namespace, prefetch }, options),
      shareReplies: (local, reply) => new SharedReplies(local, { link: this.link, namespace, prefetch, ...reply }),
      limiter: limits.limiter,
      admission: limits.admission,
    };
  }

  async close(): Promise<void> {
    await this.tail.close();
    await this.link.close();
  }
}

