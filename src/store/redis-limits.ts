// Rate limits shared by every instance: a resident or an address has one budget however the load
// balancer spreads its requests. Each check is one script run (one round trip), on Redis' clock so
// that the instances' clocks do not matter:
//
//   <prefix>:<namespace>:rl:<name>:<hashed key>   sorted set of the hits within the window
//   <prefix>:<namespace>:as:<name>:<hashed addr>  sorted set of the conversations an address started
//
// Keys are hashed (a WeChat OpenID, a web user id or an address is not kept in Redis as such).
// While Redis does not answer, the same limits are counted in this process alone.
import { createHash } from 'node:crypto';
import { localLimits, type LimitBackend, type Limiter, type SessionAdmission } from '../answer/rate-limit.ts';
import type { RedisLink } from './redis-link.ts';
import { PREFETCHED_LIMITER, type Prefetch } from './redis-prefetch.ts';

/**
 * The sliding window as a Lua function, shared with the claim script that prefetches a message's
 * hit (redis-replies.ts). Returns 0 when allowed (and the hit recorded), else the ms until the
 * oldest hit leaves the window.
 */
export const SLIDING_HIT_LUA = `
local function hit(key, window, max, member)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < max then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
    return 0
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end`;

// KEYS[1]; ARGV[1] window ms, ARGV[2] max, ARGV[3] a member unique to this hit.
const HIT = `${SLIDING_HIT_LUA}
return hit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3])`;

// KEYS[1]; ARGV[1] ttl ms, ARGV[2] max, ARGV[3] user member ('' for a new anonymous one), ARGV[4] anonymous member.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
if ARGV[3] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + ttl - now)
end
local member = ARGV[3]
if member == '' then member = ARGV[4] end
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], ttl)
return 0`;

/** The client with the scripts below defined on it. */
interface Scripted {
  gongkaiHit(key: string, windowMs: string, max: string, member: string): Promise<number>;
  gongkaiAdmit(key: string, ttlMs: string, max: string, user: string, anonymous: string): Promise<number>;
}

export const hashed = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);
let hits = 0;
/** A member no other hit of any instance has: the process's start and a counter. */
const PROCESS = `${process.pid.toString(36)}.${Date.now().toString(36)}`;
export const uniqueMember = () => `${PROCESS}.${(hits++).toString(36)}`;

function define(link: RedisLink): Scripted {
  const client = link.client;
  if (!('gongkaiHit' in client)) client.defineCommand('gongkaiHit', { numberOfKeys: 1, lua: HIT });
  if (!('gongkaiAdmit' in client)) client.defineCommand('gongkaiAdmit', { numberOfKeys: 1, lua: ADMIT });
  return client as unknown as Scripted;
}

const seconds = (ms: number) => (ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0);

/**
 * LimitBackend over Redis for one account's namespace, falling back to this process's counts. With
 * `prefetch`, the per-user limiter's hit may already have been made by a message's claim.
 */
export function redisLimits(link: RedisLink, namespace: string, now: () => number = Date.now, prefetch?: Prefetch): LimitBackend {
  const scripts = define(link);
  const local = localLimits(now);
  return {
    limiter(name, max, windowMs, maxKeys): Limiter {
      const fallback = local.limiter(name, max, windowMs, maxKeys);
      const window = String(windowMs);
      const most = String(max);
      const keyOf = (key: string) => link.key(namespace, `rl:${name}:${hashed(key)}`);
      if (prefetch !== undefined && name === PREFETCHED_LIMITER) prefetch.limiter = { name, windowMs, max, keyOf, member: uniqueMember };
      return {
        max,
        hit: (key) => {
          const prefetched = prefetch?.takeHit(name, key);
          if (prefetched !== undefined) return seconds(prefetched);
          return link.attempt(
            async () => seconds(await scripts.gongkaiHit(keyOf(key), window, most, uniqueMember())),
            async () => fallback.hit(key),
          );
        },
      };
    },
    admission(name, max, ttlMs, maxAddresses): SessionAdmission {
      const fallback = local.admission(name, max, ttlMs, maxAddresses);
      const ttl = String(ttlMs);
      const most = String(max);
      return {
        admit: (address, user) =>
          link.attempt(
            async () =>
              seconds(
                await scripts.gongkaiAdmit(link.key(namespace, `as:${name}:${hashed(address)}`), ttl, most, user === undefined ? '' : hashed(user), uniqueMember()),
              ),
            async () => fallback.admit(address, user),
          ),
      };
    },
  };
}
