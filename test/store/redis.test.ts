// The shared state against a real redis-server (issue 14.2), in process: two "instances" are two
// links to the same Redis, each with its own local state, as two server processes would have.
// What Redis holds is read back with a client of the test's own.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyCache } from '../../src/channels/official-account/dedup.ts';
import { silentLogger } from '../../src/log.ts';
import type { StateBackend } from '../../src/store/backend.ts';
import { SharedRedis } from '../../src/store/shared-redis.ts';
import type { Store } from '../../src/store/data-dir.ts';
import type { RedisQuestionLog } from '../../src/store/redis-log.ts';
import { SharedReplies } from '../../src/store/redis-replies.ts';
import { userKey } from '../../src/store/user-id.ts';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis.ts';

const skip = skipWithoutRedis('store/redis.test');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

describe.skipIf(skip)('shared state in Redis', { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let probe: Redis;
  const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-redis-store-'));
  const links: SharedRedis[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    probe = new Redis(redis.url);
  });
  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    for (const link of links) await link.close();
    probe?.disconnect();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One instance: its own link, data directory and backend for the namespace. */
  async function instance(namespace: string, name: string, options: { sessionTtlMs?: number; logMaxEntries?: number } = {}): Promise<{ backend: StateBackend; store: Store; shared: SharedRedis }> {
    const shared = await SharedRedis.open(redis.url, { logger: silentLogger });
    links.push(shared);
    const backend = shared.backend(namespace);
    const store = await backend.openStore<Record<string, unknown>>(path.join(dir, `${namespace}-${name}`), { logger: silentLogger, ...options });
    stores.push(store);
    return { backend, store, shared };
  }

  it('sessions: set on one instance, read on the other, keyed by the salted user hash with the TTL as expiry', async () => {
    const a = await instance('sessions', 'a', { sessionTtlMs: 1500 });
    const b = await instance('sessions', 'b', { sessionTtlMs: 1500 });
    await a.store.sessions.set('oResident0001', { entry: 'stat:行政处罚', years: [2019] });
    expect(await b.store.sessions.get('oResident0001')).toEqual({ entry: 'stat:行政处罚', years: [2019] });
    // Both instances took the salt stored in Redis, so they hash a user alike.
    const salt = await probe.get('gongkai:sessions:salt');
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    expect(a.store.userKey('oResident0001')).toBe(userKey(salt!, 'oResident0001'));
    expect(b.store.userKey('oResident0001')).toBe(a.store.userKey('oResident0001'));
    const key = `gongkai:sessions:s:${userKey(salt!, 'oResident0001')}`;
    const ttl = await probe.pttl(key);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1500);
    expect((await probe.keys('gongkai:sessions:*')).join(' ')).not.toContain('oResident0001');
    // Idle past the TTL: gone from Redis and from both instances.
    await sleep(1700);
    expect(await probe.exists(key)).toBe(0);
    expect(await b.store.sessions.get('oResident0001')).toBeUndefined();
    expect(await a.store.sessions.get('oResident0001')).toBeUndefined();
  });

  it("sessions: reading back its own write gives this instance's copy, not a parsed second one; a newer write elsewhere still wins", async () => {
    const a = await instance('own', 'a');
    const b = await instance('own', 'b');
    const session = { entry: 'stat:行政处罚', years: [2019] };
    await a.store.sessions.set('oOwn', session);
    // The same object: the copy here shares what the engine's kept readings hold (memory), and
    // the text from Redis was not parsed into another (CPU).
    expect(await a.store.sessions.get('oOwn')).toBe(session);
    await sleep(5);
    await b.store.sessions.set('oOwn', { entry: 'guide:apply', years: [] });
    expect(await a.store.sessions.get('oOwn')).toEqual({ entry: 'guide:apply', years: [] });
  });

  it('the per-user limit is one budget across instances', async () => {
    const a = await instance('limits', 'a');
    const b = await instance('limits', 'b');
    const onA = a.backend.limiter('user', 3, 60_000);
    const onB = b.backend.limiter('user', 3, 60_000);
    expect([await onA.hit('oSender'), await onB.hit('oSender'), await onA.hit('oSender')]).toEqual([0, 0, 0]);
    const wait = await onB.hit('oSender');
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await onA.hit('oSender')).toBeGreaterThan(0);
    expect(await onA.hit('oSomeoneElse')).toBe(0);
    // The address's conversations too: 2 allowed, known users go on, a third new one waits.
    const admitA = a.backend.admission('sessions', 2, 60_000, 100);
    const admitB = b.backend.admission('sessions', 2, 60_000, 100);
    expect(await admitA.admit('10.0.0.9', 'u1')).toBe(0);
    expect(await admitB.admit('10.0.0.9', undefined)).toBe(0);
    expect(await admitB.admit('10.0.0.9', 'u1')).toBe(0);
    expect(await admitA.admit('10.0.0.9', 'u2')).toBeGreaterThan(0);
  });

  it('a message is answered once; a delivery on the other instance while the first is still answering waits for and gets the same reply', async () => {
    const a = await instance('replies', 'a');
    const b = await instance('replies', 'b');
    const waits: string[] = [];
    const cacheA = a.backend.shareReplies!(new ReplyCache<string>(), { none: 'success', onWait: () => waits.push('a') });
    const cacheB = b.backend.shareReplies!(new ReplyCache<string>(), { none: 'success', onWait: () => waits.push('b') });
    let calls = 0;
    const produce = (reply: string, ms: number) => async () => {
      calls++;
      await sleep(ms);
      return reply;
    };
    const expires = Date.now() + 60_000;
    const first = cacheA.getOrStart('msg-1', produce('<xml>reply one</xml>', 400), expires);
    await sleep(50); // A has claimed it and is answering
    const second = cacheB.getOrStart('msg-1', produce('<xml>second answer</xml>', 0), expires);
    const third = cacheA.getOrStart('msg-1', produce('<xml>third answer</xml>', 0), expires);
    expect(await Promise.all([first.promise, second.promise, third.promise])).toEqual(['<xml>reply one</xml>', '<xml>reply one</xml>', '<xml>reply one</xml>']);
    expect(calls).toBe(1);
    expect(waits).toEqual(['b']);
    // Later deliveries on either instance get the kept reply without answering again.
    const fresh = b.backend.shareReplies!(new ReplyCache<string>(), { none: 'success' });
    expect(await fresh.getOrStart('msg-1', produce('again', 0), expires).promise).toBe('<xml>reply one</xml>');
    expect(calls).toBe(1);
    // A claim whose reply is no longer kept is a replay: no second answer.
    const hashed = createHash('sha256').update('msg-1').digest('base64url').slice(0, 22);
    expect(await probe.exists(`gongkai:replies:wx:${hashed}`, `gongkai:replies:wxr:${hashed}`)).toBe(2);
    await probe.del(`gongkai:replies:wxr:${hashed}`);
    await probe.set(`gongkai:replies:wx:${hashed}`, String(Date.now() - 120_000), 'PX', 60_000);
    const restarted = b.backend.shareReplies!(new ReplyCache<string>(), { none: 'success' });
    expect(await restarted.getOrStart('msg-1', produce('again', 0), expires).promise).toBe('success');
    expect(calls).toBe(1);
  });

  it('a delivery that gave up waiting for the other instance gets the reply at the next try, still without a second answer', async () => {
    const a = await instance('slow', 'a');
    const b = await instance('slow', 'b');
    const cacheA = a.backend.shareReplies!(new ReplyCache<string>(), { none: 'success' });
    const cacheB = new SharedReplies(new ReplyCache<string>(), { link: b.shared.link, namespace: 'slow', none: 'success', waitMs: 150 });
    let calls = 0;
    const slow = async () => {
      calls++;
      await sleep(400);
      return '<xml>slow reply</xml>';
    };
    const expires = Date.now() + 60_000;
    const first = cacheA.getOrStart('msg-slow', slow, expires);
    await sleep(30);
    expect(await cacheB.getOrStart('msg-slow', slow, expires).promise).toBe('success'); // gave up after 150 ms
    expect(await first.promise).toBe('<xml>slow reply</xml>');
    await sleep(50);
    expect(await cacheB.getOrStart('msg-slow', slow, expires).promise).toBe('<xml>slow reply</xml>');
    expect(calls).toBe(1);
  });

  it('the question log is one stream: each instance sees the other\'s records, feedback follows an answer given elsewhere, the stream is bounded', async () => {
    const a = await instance('log', 'a', { logMaxEntries: 50 });
    const b = await instance('log', 'b', { logMaxEntries: 50 });
    const entry = a.store.log.append({ channel: 'wechat', userId: 'oAsker', question: '2019年行政处罚有多少件', intent: 'statistic', entry: 'stat:x', confidence: 0.9, answered: true });
    b.store.log.append({ channel: 'web', userId: 'webUser', question: '怎么申请', intent: 'guide', entry: 'guide:apply', confidence: 0.8, answered: true });
    await until(() => b.store.log.entries().some((e) => e.id === entry.id) && a.store.log.entries().some((e) => e.question === '怎么申请'), 'both instances see both questions');
    expect(b.store.log.feedback('oAsker', 'useful')).toBe(true);
    await until(() => a.store.log.feedbackEntries().some((f) => f.answer === entry.id), 'feedback given on B is seen on A');
    for (let i = 0; i < 300; i++) a.store.log.append({ channel: 'web', userId: `u${i % 7}`, question: `问题 ${i}`, intent: 'unknown', entry: null, confidence: 0, answered: false });
    await a.store.log.flush();
    // MAXLEN ~ trims whole nodes: near the bound, never far above it.
    expect(await probe.xlen('gongkai:log:log')).toBeLessThan(250);
    await until(() => b.store.log.entries().length + b.store.log.feedbackEntries().length === 50, 'B keeps the newest 50 as A does');
    expect(a.store.log.entries().length + a.store.log.feedbackEntries().length).toBe(50);
  });

  it('the question log: a record whose question quotes an "id" key is still read by its real id', async () => {
    const a = await instance('quoted', 'a');
    const b = await instance('quoted', 'b');
    const quoted = a.store.log.append({ channel: 'web', userId: 'oQuoter', question: '{"id":"x"} 是什么', intent: 'unknown', entry: null, confidence: 0, answered: false });
    await until(() => b.store.log.entries().some((e) => e.id === quoted.id && e.question === '{"id":"x"} 是什么'), 'B reads the record');
    expect(a.store.log.entries().filter((e) => e.id === quoted.id)).toHaveLength(1);
  });

  it('an instance started while Redis is down starts degraded, answers from local state, and joins when Redis comes up', async () => {
    await redis.stop();
    const late = await instance('late', 'a');
    expect(late.shared.status().ok).toBe(false);
    await late.store.sessions.set('oEarly', { entry: 'local' });
    expect(await late.store.sessions.get('oEarly')).toEqual({ entry: 'local' });
    const early = late.store.log.append({ channel: 'web', userId: 'oEarly', question: '启动时 Redis 不在', intent: 'unknown', entry: null, confidence: 0, answered: false });
    await redis.start();
    await until(() => late.shared.status().ok, 'the late instance reaches Redis', 10_000);
    await until(async () => (await probe.xlen('gongkai:late:log')) === 1, 'its waiting record is written', 10_000);
    const other = await instance('late', 'b');
    await until(() => other.store.log.entries().some((e) => e.id === early.id), 'another instance reads it');
  });

  it('Redis away: sessions and limits go on locally, the log waits in memory; it all resumes when Redis is back', async () => {
    const a = await instance('outage', 'a');
    const b = await instance('outage', 'b');
    const limiter = a.backend.limiter('user', 2, 60_000);
    await a.store.sessions.set('oStays', { entry: 'before' });
    await redis.stop();
    await until(() => !a.shared.status().ok && !b.shared.status().ok, 'both see Redis down');
    expect(a.shared.status()).toMatchObject({ ok: false, since: expect.any(String) });
    // Answers go on from local state.
    expect(await a.store.sessions.get('oStays')).toEqual({ entry: 'before' });
    await a.store.sessions.set('oStays', { entry: 'during' });
    expect(await a.store.sessions.get('oStays')).toEqual({ entry: 'during' });
    expect([await limiter.hit('oFast'), await limiter.hit('oFast')]).toEqual([0, 0]);
    expect(await limiter.hit('oFast')).toBeGreaterThan(0);
    const during = a.store.log.append({ channel: 'wechat', userId: 'oStays', question: '停机时的问题', intent: 'unknown', entry: null, confidence: 0, answered: false });
    await a.store.log.flush();
    expect((a.store.log as RedisQuestionLog).pending).toBe(1);

    await redis.start();
    await until(() => a.shared.status().ok && b.shared.status().ok, 'both see Redis again', 10_000);
    await until(async () => (a.store.log as RedisQuestionLog).pending === 0, 'the waiting record is written');
    await until(() => b.store.log.entries().some((e) => e.id === during.id), "B reads the record A kept during the outage", 10_000);
    // The session changed during the outage is the newest copy; written again, it is shared again.
    expect(await a.store.sessions.get('oStays')).toEqual({ entry: 'during' });
    await a.store.sessions.set('oStays', { entry: 'after' });
    expect(await b.store.sessions.get('oStays')).toEqual({ entry: 'after' });
  });
});
