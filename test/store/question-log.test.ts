import { execFileSync, spawn } from 'node:child_process';
import { appendFile, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { isoTime, openQuestionLog, recordBytes, type QuestionInput, type QuestionLogOptions } from '../../src/store/question-log.ts';
import { userKeyer } from '../../src/store/user-id.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-log-'));
  file = path.join(dir, 'questions.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DAY = 24 * 60 * 60 * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clock(start = Date.UTC(2024, 0, 1)) {
  const c = { t: start, now: () => c.t };
  return c;
}

function q(userId: string, question: string, extra: Partial<QuestionInput> = {}): QuestionInput {
  return { channel: 'wechat', userId, question, intent: 'guide', entry: 'apply', confidence: 0.8, answered: true, ...extra };
}

function options(extra: Partial<QuestionLogOptions> = {}): QuestionLogOptions {
  return { logger: silentLogger, userKey: userKeyer('test-salt'), ...extra };
}

async function fileLines(): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

async function head(bytes: number): Promise<Buffer> {
  const h = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await h.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

describe('question log', () => {
  it('stores entries with user keys and survives reopen', async () => {
    const log = await openQuestionLog(file, options());
    const e = log.append(q('oABCD1234openid', '怎么申请政府信息公开？', { entry: undefined, answered: false, intent: 'unknown', confidence: 0.1 }));
    expect(e).toMatchObject({ type: 'question', channel: 'wechat', user: userKeyer('test-salt')('oABCD1234openid'), entry: null, answered: false });
    expect(e.id).toMatch(/^[\w-]{7,}$/);
    expect(new Date(e.time).toISOString()).toBe(e.time);
    log.append(q('张三', '2019年收到多少申请'));
    await log.close();

    const again = await openQuestionLog(file, options());
    expect(again.entries().map((x) => x.question)).toEqual(['怎么申请政府信息公开？', '2019年收到多少申请']);
    expect(again.entries()[0]).toEqual(e);
    await again.close();
  });

  it('appends in batches without rewriting the file', async () => {
    const log = await openQuestionLog(file, options({ flushIntervalMs: 20 }));
    for (let i = 0; i < 10; i++) log.append(q(`u${i}`, `q${i}`));
    await sleep(80); // the timer flushes
    expect(await fileLines()).toHaveLength(10);
    const first = await stat(file);
    // Tamper with the first record on disk (same length, still valid): a rewrite from memory would undo it.
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"question":"q0"', '"question":"Q0"'));
    const prefix = await head(200);

    for (let i = 10; i < 25; i++) log.append(q(`u${i}`, `q${i}`));
    await log.flush();
    const second = await stat(file);
    expect(second.ino).toBe(first.ino);
    expect(second.size).toBeGreaterThan(first.size);
    expect((await head(200)).equals(prefix)).toBe(true);
    expect((await readFile(file, 'utf8')).startsWith(text.replace('"question":"q0"', '"question":"Q0"'))).toBe(true);
    expect(await fileLines()).toHaveLength(25);
    await log.close();
  });

  it('appends at once when the batch size is reached, one append per batch', async () => {
    const log = await openQuestionLog(file, options({ flushIntervalMs: 60_000, batchSize: 5 }));
    for (let i = 0; i < 5; i++) log.append(q('u', `q${i}`));
    await sleep(30);
    expect(await fileLines()).toHaveLength(5);
    for (let i = 5; i < 7; i++) log.append(q('u', `q${i}`));
    await sleep(30);
    expect(await fileLines()).toHaveLength(5); // below the batch size: waits for the timer
    await log.close();
    expect(await fileLines()).toHaveLength(7);
  });

  it('joins a flush asked while a write is queued to that write, which takes every record pending when it starts', async () => {
    const log = await openQuestionLog(file, options({ flushIntervalMs: 60_000 }));
    log.append(q('u', 'q0'));
    const first = log.flush();
    log.append(q('u', 'q1'));
    // One queued write, not one more link per flush: a busy log asked for one at every message.
    expect(log.flush()).toBe(first);
    await first;
    expect((await fileLines()).map((l) => (JSON.parse(l) as { question: string }).question)).toEqual(['q0', 'q1']);
    log.append(q('u', 'q2'));
    const later = log.flush();
    expect(later).not.toBe(first);
    await log.close();
    expect(await fileLines()).toHaveLength(3);
  });

  it('keeps at most maxEntries, compacting the file only past half the bound again', async () => {
    const log = await openQuestionLog(file, options({ maxEntries: 10 }));
    for (let i = 0; i < 10; i++) log.append(q('u', `q${i}`));
    await log.flush();
    for (let i = 10; i < 15; i++) log.append(q('u', `q${i}`));
    await log.flush();
    expect(log.entries().map((e) => e.question)).toEqual(Array.from({ length: 10 }, (_, i) => `q${i + 5}`));
    expect(await fileLines()).toHaveLength(15); // within the slack (1.5 × 10): not rewritten
    const ino = (await stat(file)).ino;
    log.append(q('u', 'q15'));
    await log.flush(); // 16 lines > 15: compacted atomically (new inode)
    expect(await fileLines()).toHaveLength(10);
    expect((await stat(file)).ino).not.toBe(ino);
    for (let i = 12; i < 30; i++) log.append(q('u', `q${i}`));
    await log.close();

    const again = await openQuestionLog(file, options({ maxEntries: 10 }));
    expect(again.entries().map((e) => e.question)).toEqual(Array.from({ length: 10 }, (_, i) => `q${i + 20}`));
    expect(await fileLines()).toHaveLength(10);
    await again.close();
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]); // no temp files left
  });

  it('a full log drops from the front batch after batch, past the point where it lets the dropped records go', async () => {
    // maxEntries 2,000, 200 per batch: 8,000 records drop 6,000 from the front, which crosses the
    // window's shedding point (record-window.ts) several times.
    const log = await openQuestionLog(file, options({ maxEntries: 2_000, maxPerUserPerHour: 100_000, flushIntervalMs: 60_000 }));
    for (let i = 0; i < 8_000; i++) {
      log.append(q(`u${i % 37}`, `q${i}`));
      if (i % 200 === 199) await log.flush();
      // Memory is trimmed at each flush: the last one kept q2200-q4199, then 122 more came.
      if (i === 4_321) expect(log.entries().map((e) => e.question)).toEqual(Array.from({ length: 2_122 }, (_, j) => `q${j + 2_200}`));
    }
    await log.flush();
    const kept = Array.from({ length: 2_000 }, (_, j) => `q${j + 6_000}`);
    expect(log.entries().map((e) => e.question)).toEqual(kept);
    expect(log.bytes).toBe(log.entries().reduce((sum, e) => sum + recordBytes(e), 0));
    expect(log.lastAnswer('u3')?.question).toBe(`q${7_999 - ((7_999 - 3) % 37)}`);
    await log.close();
    const again = await openQuestionLog(file, options({ maxEntries: 2_000 }));
    expect(again.entries().map((e) => e.question)).toEqual(kept);
    await again.close();
  });

  it('drops entries older than maxAge, in memory and (at start-up) in the file', async () => {
    const c = clock();
    const log = await openQuestionLog(file, options({ now: c.now }));
    log.append(q('u', 'old'));
    c.t += 50 * DAY;
    log.append(q('u', 'middle'));
    await log.flush();
    c.t += 45 * DAY; // 'old' is 95 days old
    log.append(q('u', 'new'));
    await log.close();
    expect(log.entries().map((e) => e.question)).toEqual(['middle', 'new']);

    c.t += 50 * DAY; // 'middle' is 95 days old
    const again = await openQuestionLog(file, options({ now: c.now }));
    expect(again.entries().map((e) => e.question)).toEqual(['new']);
    expect((await fileLines()).map((l) => JSON.parse(l).question)).toEqual(['new']);
    await again.close();
  });

  it('compacts the file when its oldest record is 10% past maxAge', async () => {
    const c = clock();
    const log = await openQuestionLog(file, options({ now: c.now, maxAgeMs: 10 * DAY }));
    log.append(q('u', 'a'));
    await log.flush();
    c.t += 10.5 * DAY;
    log.append(q('u', 'b'));
    await log.flush();
    expect(await fileLines()).toHaveLength(2); // within slack
    c.t += 1 * DAY;
    log.append(q('u', 'c'));
    await log.flush();
    expect((await fileLines()).map((l) => JSON.parse(l).question)).toEqual(['b', 'c']);
    await log.close();
  });

  it('skips a truncated last line with a warning, and later appends stay readable', async () => {
    const log = await openQuestionLog(file, options());
    log.append(q('u1', 'first'));
    log.append(q('u2', 'second'));
    await log.close();
    await appendFile(file, '{"type":"question","time":"2024-01-01T00:00:00.000Z","chan');

    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const again = await openQuestionLog(file, options({ logger }));
    expect(again.entries().map((e) => e.question)).toEqual(['first', 'second']);
    expect(lines.some((l) => l.includes('truncated'))).toBe(true);
    again.append(q('u3', 'third'));
    await again.close();

    const third = await openQuestionLog(file, options());
    expect(third.entries().map((e) => e.question)).toEqual(['first', 'second', 'third']);
    await third.close();
    expect((await readdir(dir)).some((f) => f.includes('corrupt'))).toBe(false);
  });

  it('moves a file with damaged lines aside and keeps the good records', async () => {
    const log = await openQuestionLog(file, options());
    log.append(q('u1', 'good'));
    await log.close();
    await appendFile(file, 'garbage line\n{"type":"question"}\n');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const again = await openQuestionLog(file, options({ logger }));
    expect(again.entries().map((e) => e.question)).toEqual(['good']);
    expect((await readdir(dir)).some((f) => f.startsWith('questions.jsonl.corrupt-'))).toBe(true);
    expect(await fileLines()).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    await again.close();
  });

  it('cuts very long questions', async () => {
    const log = await openQuestionLog(file, options({ maxQuestionLength: 5 }));
    expect(log.append(q('u', '😀😀😀😀😀😀😀')).question).toBe('😀😀😀😀😀');
    await log.close();
  });
});

describe('feedback', () => {
  it('attaches to the user\'s most recent answer, also after reopen; false without one', async () => {
    const log = await openQuestionLog(file, options());
    expect(log.feedback('oABCD1234openid', 'useful')).toBe(false);
    log.append(q('oABCD1234openid', 'first question'));
    const second = log.append(q('oABCD1234openid', 'second question'));
    log.append(q('张三', 'other user'));
    expect(log.feedback('oABCD1234openid', 'useless')).toBe(true);
    expect(log.feedbackEntries()).toEqual([
      expect.objectContaining({ type: 'feedback', answer: second.id, verdict: 'useless', question: 'second question', user: second.user }),
    ]);
    await log.close();

    const again = await openQuestionLog(file, options());
    expect(again.feedbackEntries()).toHaveLength(1);
    expect(again.entries()).toHaveLength(3);
    expect(again.feedback('oABCD1234openid', 'useful')).toBe(true);
    expect(again.feedbackEntries()[1]).toMatchObject({ answer: second.id, verdict: 'useful' });
    expect(again.feedback('someone else', 'useful')).toBe(false);
    await again.close();
  });
});

describe('retention a flood cannot turn into the loss of history', () => {
  it('one sender past its hourly limit is answered but not logged: the others\' records stay', async () => {
    const c = clock();
    const log = await openQuestionLog(file, options({ now: c.now, maxEntries: 1_000, maxPerUserPerHour: 50 }));
    for (let i = 0; i < 200; i++) log.append(q(`resident-${i}`, `居民的问题 ${i}`));
    await log.flush();
    // One WeChat account sends 5,000 messages (each refused as too fast, but each was logged).
    for (let i = 0; i < 5_000; i++) log.append(q('flooder', `垃圾 ${i}`, { intent: 'rate-limited', answered: false }));
    await log.flush();
    const kept = log.entries();
    expect(kept.filter((e) => e.question.startsWith('居民的问题'))).toHaveLength(200);
    expect(kept.filter((e) => e.question.startsWith('垃圾'))).toHaveLength(50);
    // The next hour the sender may be logged again.
    c.t += 61 * 60_000;
    log.append(q('flooder', '一小时后'));
    expect(log.entries().at(-1)?.question).toBe('一小时后');
    await log.close();
    const again = await openQuestionLog(file, options({ now: c.now, maxEntries: 1_000 }));
    expect(again.entries().filter((e) => e.question.startsWith('居民的问题'))).toHaveLength(200);
    await again.close();
  });

  it('is bounded by bytes as well as by count, and stores questions clipped to 200 characters by default', async () => {
    const log = await openQuestionLog(file, options({ maxBytes: 60_000, maxPerUserPerHour: 10_000 }));
    for (let i = 0; i < 2_000; i++) log.append(q(`u${i % 50}`, `${i} ${'长'.repeat(1_000)}`));
    await log.flush();
    expect(log.entries().every((e) => [...e.question].length <= 200)).toBe(true);
    expect(log.bytes).toBeLessThanOrEqual(60_000);
    expect(log.entries().length).toBeGreaterThan(50);
    // The newest are the ones kept.
    expect(log.entries().at(-1)?.question.startsWith('1999 ')).toBe(true);
    expect((await stat(file)).size).toBeLessThanOrEqual(60_000 * 1.5);
    await log.close();
    const again = await openQuestionLog(file, options({ maxBytes: 60_000 }));
    expect(again.bytes).toBeLessThanOrEqual(60_000);
    await again.close();
  });
});

describe('store faults', () => {
  it('an append cut short by a full disk is retried without duplicating the records that got out', async () => {
    // A real short write: the child's file-size limit (RLIMIT_FSIZE, set from outside with
    // prlimit) lets an append write part of its lines and fail with EFBIG; then the limit is lifted,
    // as when space is freed, and the log retries.
    const code = `
      const { openStore } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/store/data-dir.ts', import.meta.url)))});
      const { silentLogger } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/log.ts', import.meta.url)))});
      const { stat } = await import('node:fs/promises');
      const store = await openStore(${JSON.stringify(dir)}, { logger: silentLogger, logBatchSize: 1000, logFlushIntervalMs: 60000 });
      const lines = (async function* () { for await (const chunk of process.stdin) yield chunk; })();
      const ask = (i) => store.log.append({ channel: 'cli', userId: 'u', question: i, intent: 'unknown', confidence: 0, answered: false });
      for (let i = 0; i < 10; i++) ask('first ' + i);
      await store.flush();
      console.log('size ' + (await stat(${JSON.stringify(file)})).size);
      await lines.next();
      for (let i = 0; i < 10; i++) ask('second ' + i);
      await store.flush();
      console.log('after ' + JSON.stringify(store.health?.()));
      await lines.next();
      await store.close();
      console.log('done');
      process.exit(0);
    `;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const waitFor = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            proc.stdout.off('data', onData);
            resolve(m);
          }
        };
        const onData = (d: Buffer) => {
          out += d.toString();
          check();
        };
        proc.stdout.on('data', onData);
        proc.once('exit', () => reject(new Error(`child exited: ${out}\n${err}`)));
        check();
      });
    const size = Number((await waitFor(/size (\d+)/))[1]);
    execFileSync('prlimit', ['--pid', String(proc.pid), `--fsize=${size + Math.floor(size * 0.35)}:unlimited`]);
    proc.stdin.write('go\n');
    const after = (await waitFor(/after (.*)/))[1]!;
    expect(after).toContain('EFBIG');
    execFileSync('prlimit', ['--pid', String(proc.pid), '--fsize=unlimited:unlimited']);
    proc.stdin.write('go\n');
    await waitFor(/done/);
    const lines = await fileLines();
    const records = lines.map((l) => JSON.parse(l) as { id: string; question: string });
    expect(records.map((r) => r.question)).toEqual([...Array.from({ length: 10 }, (_, i) => `first ${i}`), ...Array.from({ length: 10 }, (_, i) => `second ${i}`)]);
    expect(new Set(records.map((r) => r.id)).size).toBe(20);
  }, 20_000);

  it('records written twice are read once', async () => {
    const log = await openQuestionLog(file, options());
    log.append(q('u', 'once'));
    log.feedback('u', 'useful');
    await log.close();
    const lines = await fileLines();
    await appendFile(file, `${lines.join('\n')}\n`);
    const warnings: string[] = [];
    const again = await openQuestionLog(file, options({ logger: pino({ level: 'warn' }, { write: (l: string) => void warnings.push(l) }) }));
    expect(again.entries()).toHaveLength(1);
    expect(again.feedbackEntries()).toHaveLength(1);
    expect(warnings.some((w) => /written twice/.test(w))).toBe(true);
    await again.close();
  });
});

describe('records made cheaply', () => {
  it('isoTime writes what toISOString writes', () => {
    const times = [0, 1, 9, 10, 99, 100, 999, 1_000, 1_001, Date.UTC(2024, 0, 1) - 1, Date.UTC(2024, 0, 1), Date.UTC(2026, 11, 1, 14, 36, 5, 7), 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 1.5];
    for (let i = 0; i < 2_000; i++) times.push(Date.UTC(2026, 0, 1) + i * 37 + Math.floor(i / 7) * 999);
    for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
  });

  it('counts records appended but not yet written in its bytes, and writes each as it was appended', async () => {
    const c = clock();
    const log = await openQuestionLog(file, options({ now: c.now, flushIntervalMs: 60_000 }));
    for (let i = 0; i < 5; i++) {
      c.t += 250;
      log.append(q(`u${i}`, `第${i}个问题`));
    }
    expect(log.bytes).toBe(log.entries().reduce((sum, e) => sum + recordBytes(e), 0));
    await log.flush();
    expect(await fileLines()).toEqual(log.entries().map((e) => JSON.stringify(e)));
    expect(log.entries().map((e) => e.time)).toEqual([250, 500, 750, 1_000, 1_250].map((ms) => new Date(Date.UTC(2024, 0, 1) + ms).toISOString()));
    await log.close();
  });
});
