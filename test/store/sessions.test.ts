import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/data-dir.ts';
import { createBot } from '../../src/answer/bot.ts';
import { openSessions, SESSIONS_FILE, type SessionsDocument } from '../../src/store/sessions.ts';
import { userKeyer } from '../../src/store/user-id.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-sessions-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clock(start = Date.UTC(2024, 0, 1)) {
  const c = { t: start, now: () => c.t };
  return c;
}

const snapshot = async () => JSON.parse(await readFile(path.join(dir, SESSIONS_FILE), 'utf8')) as SessionsDocument;
const journals = async () => (await readdir(dir)).filter((f) => /^sessions\.\d+\.journal$/.test(f)).sort();
const journalLines = async () => {
  const lines: string[] = [];
  for (const name of await journals()) lines.push(...(await readFile(path.join(dir, name), 'utf8')).split('\n').filter((l) => l !== ''));
  return lines;
};

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
    const opts = { logger: silentLogger, userKey: userKeyer('s'), now: c.now, ttlMs: 30 * 60_000 };
    const s = await openSessions<{ n: number }>(dir, opts);
    s.set('u1', { n: 1 });
    s.set('u2', { n: 2 });
    c.t += 20 * 60_000;
    s.set('u2', { n: 3 }); // u2 active again
    c.t += 15 * 60_000; // u1 idle 35 min, u2 idle 15 min
    expect(s.get('u1')).toBeUndefined();
    expect(s.get('u2')).toEqual({ n: 3 });
    await s.close();
    const doc = await snapshot();
    expect(Object.keys(doc.sessions)).toEqual([userKeyer('s')('u2')]);

    // Expired on disk: dropped at open.
    c.t += 31 * 60_000;
    const again = await openSessions<{ n: number }>(dir, opts);
    expect(again.get('u2')).toBeUndefined();
    expect(again.size).toBe(0);
    await again.close();
    expect((await snapshot()).sessions).toEqual({});
  });

  it('the sweep drops expired sessions without a get', async () => {
    const c = clock();
    const s = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: userKeyer('s'), now: c.now, ttlMs: 1000, sweepIntervalMs: 20, writeIntervalMs: 10 });
    s.set('u1', { n: 1 });
    await s.flush();
    c.t += 2000;
    await sleep(100);
    expect(s.size).toBe(0);
    await s.close();
    expect((await snapshot()).sessions).toEqual({});
  });

  it('evicts the least recently set beyond the cap', async () => {
    const c = clock();
    const s = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: userKeyer('s'), now: c.now, maxSessions: 3 });
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

  it('batches writes: 100 quick set() calls on 7 users append 7 lines once; flush() appends at once', async () => {
    const s = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: userKeyer('s'), writeIntervalMs: 150 });
    for (let i = 0; i < 100; i++) {
      s.set(`user-${i % 7}`, { n: i });
      if (i % 10 === 0) await sleep(1);
    }
    expect(await journalLines()).toEqual([]);
    await sleep(400);
    const lines = (await journalLines()).map((l) => JSON.parse(l) as { k: string; v: { n: number } });
    expect(lines).toHaveLength(7);
    expect(lines.map((l) => l.v.n).sort((a, b) => a - b)).toEqual([93, 94, 95, 96, 97, 98, 99]);

    s.set('user-x', { n: -1 });
    await s.flush();
    expect(await journalLines()).toHaveLength(8);
    await s.flush(); // nothing pending: no write
    expect(await journalLines()).toHaveLength(8);
    await s.close();
    // Closing folds the journal into the snapshot.
    expect(await journals()).toEqual([]);
    expect(Object.keys((await snapshot()).sessions)).toHaveLength(8);
  });

  it('with 2,000 sessions kept, a change appends that one session, never the others', async () => {
    const key = userKeyer('s');
    const s = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: key, writeIntervalMs: 10 });
    for (let i = 0; i < 2_000; i++) s.set(`user-${i}`, { n: i });
    await s.flush();
    const before = await journalLines();
    const snapshotBytes = (await readFile(path.join(dir, SESSIONS_FILE))).length;
    s.set('user-7', { n: -7 });
    s.delete('user-8');
    await s.flush();
    const added = (await journalLines()).slice(before.length).map((l) => JSON.parse(l));
    expect(added).toEqual([
      { k: key('user-7'), t: expect.any(Number), v: { n: -7 } },
      { k: key('user-8'), d: 1 },
    ]);
    // The snapshot was not rewritten for it.
    expect((await readFile(path.join(dir, SESSIONS_FILE))).length).toBe(snapshotBytes);
    await s.close();
    const again = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: key });
    expect(again.size).toBe(1_999);
    expect(again.get('user-7')).toEqual({ n: -7 });
    expect(again.get('user-8')).toBeUndefined();
    await again.close();
  });

  it('compacts the journal once it outgrows the sessions, and every crash point reads back whole', async () => {
    const key = userKeyer('s');
    const open = () => openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: key, writeIntervalMs: 1 });
    const s = await open();
    // 10 sessions changed 700 times: 7,000 lines, past COMPACT_MIN_LINES and 2 × 10 sessions.
    for (let round = 0; round < 700; round++) {
      for (let u = 0; u < 10; u++) s.set(`u${u}`, { n: round });
      await s.flush();
    }
    await sleep(50); // the compaction runs in the background
    expect((await journalLines()).length).toBeLessThan(5_000);
    const doc = await snapshot();
    expect(doc.version).toBe(2);
    // Every journal left is the snapshot's or newer: older ones were deleted after the rename.
    for (const name of await journals()) expect(Number(/\d+/.exec(name)![0])).toBeGreaterThanOrEqual(doc.journal!);

    // A crash between the snapshot's rename and the deletion: a stale journal saying otherwise.
    await writeFile(path.join(dir, `sessions.${doc.journal! - 1}.journal`), `${JSON.stringify({ k: key('u0'), d: 1 })}\n`);
    // A crash mid-append: a torn last line in the current journal.
    await writeFile(path.join(dir, `sessions.${doc.journal! + 5}.journal`), `${JSON.stringify({ k: key('u1'), t: Date.now(), v: { n: 1234 } })}\n{"k":"${key('u2')}","t":17`);
    await s.close().catch(() => undefined);
    const again = await open();
    expect(again.get('u0')).toEqual({ n: 699 });
    expect(again.get('u1')).toEqual({ n: 1234 });
    expect(again.get('u2')).toEqual({ n: 699 });
    expect(again.size).toBe(10);
    await again.close();
  });

  it('drops a stored session whose fields have the wrong type, with a warning, and keeps the rest', async () => {
    const key = userKeyer('s');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const now = Date.now();
    const doc = {
      version: 1,
      sessions: {
        [key('bad')]: { updatedAt: now, value: { suggestions: 'not a list' } },
        [key('bad-years')]: { updatedAt: now, value: { entry: 'stat:x', years: ['2019'] } },
        [key('bad-time')]: { updatedAt: 'yesterday', value: {} },
        [key('good')]: { updatedAt: now, value: { entry: 'guide:apply', years: [2019], suggestions: ['怎样申请'] } },
      },
    };
    await writeFile(path.join(dir, SESSIONS_FILE), JSON.stringify(doc));
    const { parseSession } = await import('../../src/store/session-shape.ts');
    const s = await openSessions(dir, { logger, userKey: key, validate: parseSession });
    expect(s.get('good')).toEqual({ entry: 'guide:apply', years: [2019], suggestions: ['怎样申请'] });
    for (const user of ['bad', 'bad-years', 'bad-time']) expect(s.get(user), user).toBeUndefined();
    expect(lines.map((l) => JSON.parse(l) as { msg: string; invalid?: number }).find((l) => /wrong type/.test(l.msg))?.invalid).toBe(3);
    await s.close();
  });

  it('accepts every session the engine writes, so a restart never drops a resident\'s context', async () => {
    const { parseSession } = await import('../../src/store/session-shape.ts');
    const { Engine } = await import('../../src/answer/engine.ts');
    const { loadKnowledge } = await import('../../src/knowledge/knowledge-base.ts');
    const engine = new Engine(await loadKnowledge('knowledge'), () => new Date('2026-06-01T12:00:00+08:00'), undefined, { readingCache: 0 });
    const conversations = [
      ['行政处罚和行政强制各多少', '比上年呢', '详细'],
      ['2019年行政处罚有多少件', '那2018年呢', '自然人呢'],
      ['申请要多久', '详细'],
      ['行政处罚', '1'],
    ];
    for (const turns of conversations) {
      let session: Record<string, unknown> | undefined;
      for (const q of turns) {
        session = engine.respond(q, session as never).session as Record<string, unknown>;
        expect(parseSession(JSON.parse(JSON.stringify(session))), `${turns.join(' / ')}: ${JSON.stringify(session)}`).not.toBeNull();
      }
    }
  });

  it('a session of the right overall shape with a wrong inner type no longer breaks that user\'s answers', async () => {
    // "1" after 您是不是想问 reads session.suggestions: a string there made every "1" of this user throw.
    const salt = 'a'.repeat(64);
    await writeFile(path.join(dir, 'salt'), salt);
    await writeFile(path.join(dir, SESSIONS_FILE), JSON.stringify({ version: 1, sessions: { [userKeyer(salt)('resident')]: { updatedAt: Date.now(), value: { suggestions: 'abc' } } } }));
    const bot = await createBot({ knowledgeDir: 'knowledge', dataDir: dir, logger: silentLogger });
    try {
      const answer = await bot.answer('1', 'resident', { channel: 'test' });
      expect(answer.reply.length).toBeGreaterThan(0);
    } finally {
      await bot.close();
    }
  });

  it('creates every session file 0600', async () => {
    const s = await openSessions<{ n: number }>(dir, { logger: silentLogger, userKey: userKeyer('s'), writeIntervalMs: 1 });
    s.set('u', { n: 1 });
    await s.flush();
    for (const name of [SESSIONS_FILE, ...(await journals())]) expect((await stat(path.join(dir, name))).mode & 0o777, name).toBe(0o600);
    await s.close();
    expect((await stat(path.join(dir, SESSIONS_FILE))).mode & 0o777).toBe(0o600);
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
    const doc = await snapshot();
    expect(Object.keys(doc.sessions)).toHaveLength(1);
  });

  it('treats valid JSON of the wrong shape as corrupt too', async () => {
    await writeFile(path.join(dir, 'sessions.json'), '[1,2,3]');
    const store = await openStore(dir, { logger: silentLogger });
    expect((await readdir(dir)).some((f) => f.startsWith('sessions.json.corrupt-'))).toBe(true);
    await store.close();
  });
});
