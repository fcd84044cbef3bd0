import { appendFile, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openQuestionLog, type QuestionInput, type QuestionLogOptions } from '../../src/store/question-log.ts';
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
