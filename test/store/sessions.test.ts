import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/data-dir.ts';
import { compactJsonFile } from '../../src/store/json-file.ts';
import { openSessions, type SessionsDocument } from '../../src/store/sessions.ts';
import { userKeyer } from '../../src/store/user-id.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-sessions-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real lowdb file adapter, counting writes. */
function countingAdapter(file: string): Adapter<SessionsDocument> & { writes: number } {
  const inner = compactJsonFile<SessionsDocument>(file);
  const counter = {
    writes: 0,
    read: () => inner.read(),
    write: async (data: SessionsDocument) => {
      counter.writes++;
      await inner.write(data);
    },
  };
  return counter;
}

function clock(start = Date.UTC(2024, 0, 1)) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('sessions', () => {
  it('set/get/delete survive reopen after close', async () => {
    const a = await openStore<{ step: number; topic?: string }>(dir, { logger: silentLogger });
    a.sessions.set('oABCD1234openid', { step: 1, topic: '依申请公开' });
    a.sessions.set('张三', { step: 2 });
    a.sessions.set('gone', { step: 3 });
    a.sessions.delete('gone');
    expect(a.sessions.get('张三')).toEqual({ step: 2 });
    await a.close();

    const b = await openStore<{ step: number; topic?: string }>(dir, { logger: silentLogger });
    expect(b.sessions.get('oABCD1234openid')).toEqual({ step: 1, topic: '依申请公开' });
    expect(b.sessions.get('张三')).toEqual({ step: 2 });
    expect(b.sessions.get('gone')).toBeUndefined();
    await b.close();
  });

  it('expires after the idle TTL, in memory and in the file', async () => {
    const c = clock();
    const file = path.join(dir, 'sessions.json');
    const opts = { logger: silentLogger, userKey: userKeyer('s'), now: c.now, ttlMs: 30 * 60_000 };
    const s = await openSessions<{ n: number }>(file, opts);
    s.set('u1', { n: 1 });
    s.set('u2', { n: 2 });
    c.t += 20 * 60_000;
    s.set('u2', { n: 3 }); // u2 active again
    c.t += 15 * 60_000; // u1 idle 35 min, u2 idle 15 min
    expect(s.get('u1')).toBeUndefined();
    expect(s.get('u2')).toEqual({ n: 3 });
    await s.close();
    const doc = JSON.parse(await readFile(file, 'utf8')) as SessionsDocument;
    expect(Object.keys(doc.sessions)).toEqual([userKeyer('s')('u2')]);

    // Expired on disk: dropped at open.
    c.t += 31 * 60_000;
    const again = await openSessions<{ n: number }>(file, opts);
    expect(again.get('u2')).toBeUndefined();
    expect(again.size).toBe(0);
    await again.close();
    expect((JSON.parse(await readFile(file, 'utf8')) as SessionsDocument).sessions).toEqual({});
  });

  it('the sweep drops expired sessions without a get', async () => {
    const c = clock();
    const file = path.join(dir, 'sessions.json');
    const s = await openSessions<{ n: number }>(file, { logger: silentLogger, userKey: userKeyer('s'), now: c.now, ttlMs: 1000, sweepIntervalMs: 20, writeIntervalMs: 10 });
    s.set('u1', { n: 1 });
    await s.flush();
    c.t += 2000;
    await sleep(100);
    expect(s.size).toBe(0);
    await s.close();
    expect((JSON.parse(await readFile(file, 'utf8')) as SessionsDocument).sessions).toEqual({});
  });

  it('evicts the least recently set beyond the cap', async () => {
    const c = clock();
    const s = await openSessions<{ n: number }>(path.join(dir, 'sessions.json'), { logger: silentLogger, userKey: userKeyer('s'), now: c.now, maxSessions: 3 });
    for (const u of ['a', 'b', 'c']) {
      s.set(u, { n: 1 });
      c.t += 1;
    }
    s.set('a', { n: 2 }); // a is now the most recent
    s.set('d', { n: 1 });
    expect(s.size).toBe(3);
    expect(s.get('b')).toBeUndefined();
    expect(s.get('a')).toEqual({ n: 2 });
    expect(s.get('c')).toEqual({ n: 1 });
    await s.close();
  });

  it('batches writes: 100 quick set() calls cause at most 2 file writes; flush() writes at once', async () => {
    const file = path.join(dir, 'sessions.json');
    const adapter = countingAdapter(file);
    const s = await openSessions<{ n: number }>(file, { logger: silentLogger, userKey: userKeyer('s'), writeIntervalMs: 150, adapter });
    for (let i = 0; i < 100; i++) {
      s.set(`user-${i % 7}`, { n: i });
      if (i % 10 === 0) await sleep(1);
    }
    expect(adapter.writes).toBe(0);
    await sleep(400);
    expect(adapter.writes).toBeGreaterThanOrEqual(1);
    expect(adapter.writes).toBeLessThanOrEqual(2);
    const doc = JSON.parse(await readFile(file, 'utf8')) as SessionsDocument;
    expect(Object.keys(doc.sessions)).toHaveLength(7);

    const before = adapter.writes;
    s.set('user-x', { n: -1 });
    await s.flush();
    expect(adapter.writes).toBe(before + 1);
    expect(Object.keys((JSON.parse(await readFile(file, 'utf8')) as SessionsDocument).sessions)).toHaveLength(8);
    await s.flush(); // nothing pending: no write
    expect(adapter.writes).toBe(before + 1);
    await s.close();
  });

  it('moves a corrupt sessions.json aside, warns, and keeps working', async () => {
    const file = path.join(dir, 'sessions.json');
    await writeFile(file, '{"version":1,"sessions":{"abc":{"updatedAt":1,');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const store = await openStore<{ n: number }>(dir, { logger });
    const files = await readdir(dir);
    const aside = files.filter((f) => f.startsWith('sessions.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(path.join(dir, aside[0] as string), 'utf8')).toContain('"updatedAt":1,');
    expect(lines.some((l) => JSON.parse(l).level === 40 && l.includes('sessions.json'))).toBe(true);

    store.sessions.set('u', { n: 1 });
    expect(store.sessions.get('u')).toEqual({ n: 1 });
    await store.close();
    const doc = JSON.parse(await readFile(file, 'utf8')) as SessionsDocument;
    expect(Object.keys(doc.sessions)).toHaveLength(1);
  });

  it('treats valid JSON of the wrong shape as corrupt too', async () => {
    await writeFile(path.join(dir, 'sessions.json'), '[1,2,3]');
    const store = await openStore(dir, { logger: silentLogger });
    expect((await readdir(dir)).some((f) => f.startsWith('sessions.json.corrupt-'))).toBe(true);
    await store.close();
  });
});
