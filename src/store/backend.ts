// Where an account's state lives: the embedded files under its DATA_DIR (one instance), or Redis
// when REDIS_URL is set (any number of instances behind a load balancer). Each account gets its
// own backend: its own files, or its own namespace of keys in the one Redis connection the process
// shares. The bot, the web API's limits and the webhook's retry cache take it as they are built.
// The Redis side (ioredis and its stores) is in shared-redis.ts, imported only when REDIS_URL is set:
// a single instance does not load it at start-up.
import { localLimits, type LimitBackend } from '../answer/rate-limit.ts';
import type { ReplyCache, ReplyStore, SharedReplyOptions } from '../channels/official-account/dedup.ts';
import { openStore, type Store, type StoreOptions } from './data-dir.ts';

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
