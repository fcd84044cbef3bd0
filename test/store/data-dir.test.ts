import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/data-dir.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const storeModule = fileURLToPath(new URL('../../src/store/data-dir.ts', import.meta.url));
const logModule = fileURLToPath(new URL('../../src/log.ts', import.meta.url));

/** Every file under `root`, recursively, as bytes. */
async function allFiles(root: string): Promise<{ name: string; bytes: Buffer }[]> {
  const out: { name: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.push({ name: path.relative(root, full), bytes: await readFile(full) });
  }
  return out;
}

/** Files that contain `text` raw (UTF-8) or JSON-escaped. */
async function filesContaining(root: string, text: string): Promise<string[]> {
  const forms = [Buffer.from(text, 'utf8'), Buffer.from(JSON.stringify(text).slice(1, -1), 'utf8')];
  return (await allFiles(root)).filter((f) => forms.some((form) => f.bytes.includes(form))).map((f) => f.name);
}

describe('openStore: privacy', () => {
  it('no file under DATA_DIR holds a raw user id', async () => {
    const ids = ['oABCD1234openid', '张三', 'web:6f1c2a9e-session'];
    const store = await openStore<{ last: string }>(dir, { logger: silentLogger });
    for (const id of ids) {
      store.sessions.set(id, { last: '怎么申请' });
      store.log.append({ channel: 'wechat', userId: id, question: '怎么申请', intent: 'guide', entry: 'apply', confidence: 0.9, answered: true });
      expect(store.log.feedback(id, 'useful')).toBe(true);
    }
    await store.close();
    // A restart that reads and rewrites everything (feedback after reopen, session update).
    const again = await openStore<{ last: string }>(dir, { logger: silentLogger });
    for (const id of ids) {
      expect(again.sessions.get(id)).toEqual({ last: '怎么申请' });
      again.sessions.set(id, { last: '多少' });
      expect(again.log.feedback(id, 'useless')).toBe(true);
    }
    await again.close();

    const files = (await allFiles(dir)).map((f) => f.name).sort();
    expect(files).toEqual(['questions.jsonl', 'salt', 'sessions.json']);
    for (const id of ids) expect(await filesContaining(dir, id)).toEqual([]);
    // And the keys are there instead.
    const key = again.userKey('oABCD1234openid');
    expect((await filesContaining(dir, key)).sort()).toEqual(['questions.jsonl', 'sessions.json']);
  });

  it('property: any user id and question round-trip through the log; ids never appear raw', async () => {
    const marker = '\u2602'; // never generated in questions below, so the id cannot hide inside one
    const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    const question = fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !s.includes(marker));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(anyText, { minLength: 1, maxLength: 4 }), fc.array(question, { minLength: 1, maxLength: 4 }), async (rawIds, questions) => {
        const ids = rawIds.map((id) => `${marker}${id}`);
        const root = await mkdtemp(path.join(tmpdir(), 'store-prop-'));
        try {
          const store = await openStore<{ q: string }>(root, { logger: silentLogger });
          const expected: { user: string; question: string }[] = [];
          ids.forEach((id, i) => {
            for (const text of questions) {
              store.log.append({ channel: 'web', userId: id, question: text, intent: 'unknown', entry: null, confidence: 0, answered: false });
              expected.push({ user: store.userKey(id), question: text });
            }
            store.sessions.set(id, { q: questions[i % questions.length] as string });
          });
          await store.close();

          const again = await openStore<{ q: string }>(root, { logger: silentLogger });
          expect(again.log.entries().map((e) => ({ user: e.user, question: e.question }))).toEqual(expected);
          ids.forEach((id, i) => {
            expect(again.sessions.get(id)).toEqual({ q: questions[i % questions.length] });
            expect(again.log.feedback(id, 'useful')).toBe(true);
          });
          await again.close();
          for (const id of ids) expect(await filesContaining(root, id)).toEqual([]);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('openStore: robustness', () => {
  it('starts fresh on corrupt files, warns, and keeps serving', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'salt'), 'garbage');
    await writeFile(path.join(dir, 'sessions.json'), '\u0000\u0000\u0000');
    await writeFile(path.join(dir, 'questions.jsonl'), 'not json at all\n\u0000\u0000');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const store = await openStore(dir, { logger });
    const names = await readdir(dir);
    for (const name of ['salt', 'sessions.json', 'questions.jsonl']) {
      expect(names.some((n) => n.startsWith(`${name}.corrupt-`))).toBe(true);
    }
    expect(lines.length).toBeGreaterThanOrEqual(3);
    store.sessions.set('u', { a: 1 });
    store.log.append({ channel: 'cli', userId: 'u', question: 'hi', intent: 'greeting', confidence: 1, answered: false });
    await store.close();
    const again = await openStore(dir, { logger: silentLogger });
    expect(again.sessions.get('u')).toEqual({ a: 1 });
    expect(again.log.entries()).toHaveLength(1);
    await again.close();
  });

  /** Runs `body` in a child Node process (TypeScript through tsx) with `store` opened on `dir`. */
  function child(body: string, killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
    const code = `
      const { openStore } = await import(${JSON.stringify(storeModule)});
      const { silentLogger } = await import(${JSON.stringify(logModule)});
      const store = await openStore(${JSON.stringify(dir)}, { logger: silentLogger, sessionWriteIntervalMs: 5, logFlushIntervalMs: 5, logBatchSize: 50 });
      ${body}
    `;
    return new Promise((resolve) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (killAfterMs !== undefined && stdout.includes('running')) setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
      });
      // A child that does not exit by itself (a timer keeping it alive) is killed, failing the test.
      const guard = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.on('exit', (code, signal) => {
        clearTimeout(guard);
        resolve({ code, signal, stderr, stdout });
      });
    });
  }

  it('the process exits by itself with the store open (timers are unref\'d)', async () => {
    const result = await child(`
      store.sessions.set('u', { a: 1 });
      store.log.append({ channel: 'cli', userId: 'u', question: 'q', intent: 'unknown', confidence: 0, answered: false });
      await store.flush();
      store.sessions.set('u', { a: 2 });
    `);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 20_000);

  it('kill -9 during busy writing never leaves a file the store cannot open', async () => {
    for (let round = 0; round < 3; round++) {
      const result = await child(`
        let i = 0;
        console.log('running');
        for (;;) {
          i++;
          store.sessions.set('user-' + (i % 500), { i, text: 'x'.repeat(200) });
          store.log.append({ channel: 'cli', userId: 'user-' + (i % 500), question: '问题 ' + i, intent: 'unknown', confidence: 0, answered: false });
          if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
        }
      `, 150 + round * 100);
      expect(result.signal).toBe('SIGKILL');
      // sessions.json is always whole JSON (steno: temp + rename).
      const text = await readFile(path.join(dir, 'sessions.json'), 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
      const store = await openStore(dir, { logger });
      expect(store.sessions.size).toBeGreaterThan(0);
      expect(store.log.entries().length).toBeGreaterThan(0);
      await store.close();
      // At most a truncated last line of the log; never a corrupt file moved aside.
      expect((await readdir(dir)).filter((n) => n.includes('.corrupt-'))).toEqual([]);
      expect(lines.every((l) => l.includes('truncated'))).toBe(true);
    }
  }, 60_000);
});

describe('openStore: file modes and storage health', () => {
  it('creates every file 0600 and DATA_DIR 0700', async () => {
    const data = path.join(dir, 'data');
    const store = await openStore<{ a: number }>(data, { logger: silentLogger, sessionWriteIntervalMs: 1 });
    store.sessions.set('u', { a: 1 });
    store.log.append({ channel: 'cli', userId: 'u', question: 'q', intent: 'unknown', confidence: 0, answered: false });
    await store.flush();
    const { stat } = await import('node:fs/promises');
    const modes = async () => Object.fromEntries(await Promise.all((await readdir(data)).map(async (n) => [n, (await stat(path.join(data, n))).mode & 0o777] as const)));
    expect(Object.values(await modes()).every((m) => m === 0o600), JSON.stringify(await modes())).toBe(true);
    await store.close();
    expect(Object.values(await modes()).every((m) => m === 0o600), JSON.stringify(await modes())).toBe(true);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
  });

  it('reports a write that fails, and recovers when it succeeds again', async () => {
    const { mkdir, rmdir, unlink } = await import('node:fs/promises');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const store = await openStore(dir, { logger, logFlushIntervalMs: 1 });
    expect(store.health()).toMatchObject({ ok: true, problems: [] });
    // The log file replaced by a directory: every append fails (EISDIR), as on a broken disk.
    store.log.append({ channel: 'cli', userId: 'u', question: 'one', intent: 'unknown', confidence: 0, answered: false });
    await store.flush();
    await unlink(path.join(dir, 'questions.jsonl'));
    await mkdir(path.join(dir, 'questions.jsonl'));
    store.log.append({ channel: 'cli', userId: 'u', question: 'two', intent: 'unknown', confidence: 0, answered: false });
    await store.flush();
    await store.flush();
    const status = store.health();
    expect(status.ok).toBe(false);
    expect(status.problems).toEqual([expect.objectContaining({ file: 'questions.jsonl', code: 'EISDIR' })]);
    // Logged once, not at every retry.
    expect(lines.filter((l) => l.includes('storage degraded'))).toHaveLength(1);
    await rmdir(path.join(dir, 'questions.jsonl'));
    await store.flush();
    expect(store.health().ok).toBe(true);
    expect(lines.some((l) => l.includes('storage recovered'))).toBe(true);
    await store.close();
    const again = await openStore(dir, { logger: silentLogger });
    expect(again.log.entries().map((e) => e.question)).toEqual(['two']);
    await again.close();
  });

  it('counts a DATA_DIR with less free space than the minimum as degraded', async () => {
    const store = await openStore(dir, { logger: silentLogger, minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(store.health()).toMatchObject({ ok: false, problems: [expect.objectContaining({ file: '.', code: 'LOW_SPACE' })] });
    expect(store.health().freeBytes).toBeGreaterThan(0);
    await store.close();
  });
});
