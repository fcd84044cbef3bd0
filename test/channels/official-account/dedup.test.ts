import { describe, expect, it } from 'vitest';
import { ReplyCache, SeenKeys, dedupKey } from '../../../src/channels/official-account/dedup.ts';

const base = { toUserName: 'gh_a', fromUserName: 'oUser', createTime: '1714037059' };

describe('dedupKey', () => {
  it('uses MsgId for messages', () => {
    const a = dedupKey({ ...base, msgType: 'text', msgId: '9223372036854775807' });
    expect(dedupKey({ ...base, createTime: '1', msgType: 'text', msgId: '9223372036854775807' })).toBe(a);
    // adjacent 64-bit ids that collide as JS numbers stay distinct
    expect(dedupKey({ ...base, msgType: 'text', msgId: '9223372036854775806' })).not.toBe(a);
  });

  it("writes a message's key as the JSON of its parts, whatever the account id holds (the keys other instances hash)", () => {
    for (const toUserName of ['gh_a', 'gh_1f2e.x@y:z-', 'gh_"quoted"', 'gh_\\back', 'gh_\u0001ctl', 'gh_中文', 'gh_\ud800']) {
      expect(dedupKey({ ...base, toUserName, msgType: 'text', msgId: '9223372036854775807' })).toBe(JSON.stringify(['msg', toUserName, '9223372036854775807']));
    }
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

  it('keeps a settled entry until its expiry, and a pending one however long it takes', async () => {
    // A clock like Date.now's, counted from some start: ms since the epoch, never 0.
    const start = 1_714_037_059_000;
    let now = start;
    const cache = new ReplyCache<string>({ now: () => now });
    cache.getOrStart('done', async () => 'x', start + 1000);
    let release!: (v: string) => void;
    cache.getOrStart('pending', () => new Promise<string>((r) => (release = r)), start + 1000);
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
    // Settled past its expiry: not kept, and not started again either while its window lasts.
    expect(cache.has('pending')).toBe(false);
    expect(cache.getOrStart('pending', async () => 'again').replay).toBe(true);
  });

  it("keeps a reply for WeChat's retries (30 s), and the message's key alone for the rest of its window", async () => {
    const start = 1_714_037_059_000;
    let now = start;
    const cache = new ReplyCache<string>({ now: () => now });
    let calls = 0;
    const produce = async (): Promise<string> => `reply ${++calls}`;
    const first = cache.getOrStart('m', produce, start + 600_000);
    expect(await first.promise).toBe('reply 1');
    // The third delivery comes about 15 s after the first: the same reply.
    now = start + 15_000;
    const retry = cache.getOrStart('m', produce, start + 600_000);
    expect(retry.started).toBe(false);
    expect(await retry.promise).toBe('reply 1');
    now = start + 29_999;
    expect(cache.has('m')).toBe(true);
    // The reply's bytes are let go; the message is still known until its window ends.
    now = start + 30_001;
    expect(cache.has('m')).toBe(false);
    expect(cache.getOrStart('m', produce, start + 600_000)).toMatchObject({ replay: true, started: false });
    // Replies past their 30 s are let go even when nothing asks for them again.
    await cache.getOrStart('other', produce, start + 600_000).promise;
    now = start + 70_000;
    await cache.getOrStart('third', produce, start + 600_000).promise;
    expect(cache.size).toBe(1);
    now = start + 599_000;
    expect(cache.getOrStart('m', produce, start + 600_000).replay).toBe(true);
    expect(calls).toBe(3);
  });

  it('a message seen within its window is never started twice, whatever came between', async () => {
    let now = 1_714_037_059_000;
    // Room for about 50 replies of 1,000 characters.
    const cache = new ReplyCache<string>({ maxBytes: 50 * 2_300, now: () => now });
    let calls = 0;
    const reply = (i: number) => async () => {
      calls++;
      return `${i}`.padEnd(1_000, '答');
    };
    const first = cache.getOrStart('first', reply(-1), now + 600_000);
    expect(await first.promise).toMatch(/^-1/);
    for (let i = 0; i < 20_000; i++) {
      now += 1;
      await cache.getOrStart(`k${i}`, reply(i), now + 600_000).promise;
    }
    // The byte budget holds the newest replies only…
    expect(cache.size).toBeGreaterThan(40);
    expect(cache.size).toBeLessThan(60);
    expect(cache.has('k19999')).toBe(true);
    expect(cache.has('first')).toBe(false);
    // …but the first message is still known: its retry is not answered again.
    expect(cache.getOrStart('first', reply(-2), now + 600_000)).toMatchObject({ replay: true, started: false });
    expect(calls).toBe(20_001);
    // Once its window is over, the key is forgotten too.
    now += 610_000;
    expect(cache.getOrStart('first', reply(-3)).started).toBe(true);
  });

  it('evicts the least recently used reply first when over its bytes', async () => {
    const cache = new ReplyCache<string>({ maxBytes: 2 * 2_500 });
    const big = (c: string) => async () => c.repeat(1_000);
    await cache.getOrStart('a', big('a')).promise;
    await cache.getOrStart('b', big('b')).promise;
    cache.getOrStart('a', big('a')); // touch a
    await cache.getOrStart('c', big('c')).promise;
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('c')).toBe(true);
  });
});

describe('SeenKeys', () => {
  it('knows every key it was given until its expiry, in a few bytes a key', () => {
    let now = 1_714_037_059_000;
    const seen = new SeenKeys(() => now);
    const keys = 60_000;
    const key = (i: number) => `["msg","gh_a","${7_000_000_000_000 + i * 1_000}"]`;
    // Spread over a 600 s window, as a webhook at full speed meets them.
    let added = 0;
    for (let i = 0; i < keys; i++) if (seen.addNew(key(i), now + 300_000 + (i % 60) * 5_000)) added++;
    expect(added).toBe(keys);
    expect(seen.size).toBe(keys);
    // Each key answers "seen" (after all the tables grew), and a new one does not.
    let again = 0;
    for (let i = 0; i < keys; i++) if (seen.addNew(key(i), now + 600_000)) again++;
    expect(again).toBe(0);
    expect(seen.addNew('["msg","gh_a","1"]', now + 600_000)).toBe(true);
    // 8-byte slots at most 70% full, at least 35% after a doubling: under 24 bytes a key
    // (a Set of numbers took 52).
    expect(seen.bytes / keys).toBeLessThan(24);
    expect(seen.bytes / keys).toBeGreaterThanOrEqual(8 / 0.7);
    // Past the window every table is dropped, and the keys can be started again.
    now += 700_000;
    expect(seen.addNew(key(0), now + 1_000)).toBe(true);
    expect(seen.size).toBe(1);
  });

  it('keeps keys that probe past each other in one table as it grows', () => {
    const now = 1_714_037_059_000;
    const seen = new SeenKeys(() => now);
    // Keys in one table, more than its first 64 slots: probing and growth both run.
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    for (const k of keys) expect(seen.addNew(k, now + 1_000)).toBe(true);
    for (const k of keys) expect(seen.addNew(k, now + 1_000)).toBe(false);
  });
});
