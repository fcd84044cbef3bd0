import { describe, expect, it } from 'vitest';
import { ReplyCache, dedupKey } from '../../../src/channels/official-account/dedup.ts';

const base = { toUserName: 'gh_a', fromUserName: 'oUser', createTime: '1714037059' };

describe('dedupKey', () => {
  it('uses MsgId for messages', () => {
    const a = dedupKey({ ...base, msgType: 'text', msgId: '9223372036854775807' });
    expect(dedupKey({ ...base, createTime: '1', msgType: 'text', msgId: '9223372036854775807' })).toBe(a);
    // adjacent 64-bit ids that collide as JS numbers stay distinct
    expect(dedupKey({ ...base, msgType: 'text', msgId: '9223372036854775806' })).not.toBe(a);
  });

  it('uses FromUserName + CreateTime + Event + EventKey for events', () => {
    const click = { ...base, msgType: 'event', event: 'CLICK', eventKey: 'guide' };
    const k = dedupKey(click);
    expect(dedupKey({ ...click })).toBe(k);
    expect(dedupKey({ ...click, eventKey: 'contact' })).not.toBe(k);
    expect(dedupKey({ ...click, createTime: '1714037060' })).not.toBe(k);
    expect(dedupKey({ ...click, fromUserName: 'oOther' })).not.toBe(k);
    expect(dedupKey({ ...click, event: 'VIEW' })).not.toBe(k);
    // a separator inside a field cannot forge another key
    expect(dedupKey({ ...click, event: 'CLICK|guide', eventKey: '' })).not.toBe(dedupKey({ ...click, event: 'CLICK', eventKey: '|guide' }));
  });
});

describe('ReplyCache', () => {
  it('starts the work once and shares the promise', async () => {
    const cache = new ReplyCache<string>();
    let calls = 0;
    const produce = async (): Promise<string> => {
      calls++;
      return 'reply';
    };
    const first = cache.getOrStart('k', produce);
    const second = cache.getOrStart('k', produce);
    expect(first.started).toBe(true);
    expect(second.started).toBe(false);
    expect(second.promise).toBe(first.promise);
    expect(await second.promise).toBe('reply');
    expect(cache.getOrStart('k', produce).started).toBe(false);
    expect(calls).toBe(1);
  });

  it('keeps a rejection as the settled value (no second attempt)', async () => {
    const cache = new ReplyCache<string>();
    let calls = 0;
    const produce = (): Promise<string> => {
      calls++;
      return Promise.reject(new Error('boom'));
    };
    await expect(cache.getOrStart('k', produce).promise).rejects.toThrow('boom');
    await expect(cache.getOrStart('k', produce).promise).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('expires settled entries after the TTL, but never a pending one', async () => {
    // A clock like Date.now's, counted from some start: ms since the epoch, never 0.
    const start = 1_714_037_059_000;
    let now = start;
    const cache = new ReplyCache<string>({ ttlMs: 1000, now: () => now });
    cache.getOrStart('done', async () => 'x');
    let release!: (v: string) => void;
    cache.getOrStart('pending', () => new Promise<string>((r) => (release = r)));
    await Promise.resolve();
    await Promise.resolve();
    now = start + 999;
    expect(cache.has('done')).toBe(true);
    now = start + 5000;
    expect(cache.has('done')).toBe(false);
    expect(cache.has('pending')).toBe(true);
    release('y');
    await Promise.resolve();
    await Promise.resolve();
    now = start + 5999;
    expect(cache.has('pending')).toBe(true);
    now = start + 6001;
    expect(cache.has('pending')).toBe(false);
  });

  it('stays bounded: memory is flat however many messages arrive', async () => {
    let now = 1_714_037_059_000;
    const cache = new ReplyCache<number>({ maxEntries: 100, ttlMs: 60_000, now: () => now });
    for (let i = 0; i < 10_000; i++) {
      now += 1;
      cache.getOrStart(`k${i}`, async () => i);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.has('k9999')).toBe(true);
    expect(cache.has('k0')).toBe(false);
  });

  it('evicts the least recently used entry first', () => {
    const cache = new ReplyCache<number>({ maxEntries: 2 });
    cache.getOrStart('a', async () => 1);
    cache.getOrStart('b', async () => 2);
    cache.getOrStart('a', async () => 1); // touch a
    cache.getOrStart('c', async () => 3);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });

  it('starts the work afresh for a message whose entry expired', async () => {
    let now = 1_714_037_059_000;
    const cache = new ReplyCache<number>({ maxEntries: 10_000, ttlMs: 100, now: () => now });
    for (let i = 0; i < 50; i++) cache.getOrStart(`old${i}`, async () => i);
    await Promise.resolve();
    await Promise.resolve();
    now += 1000;
    for (let i = 0; i < 50; i++) expect(cache.getOrStart(`old${i}`, async () => -i).started).toBe(true);
    expect(await cache.getOrStart('old7', async () => 0).promise).toBe(-7);
  });
});
