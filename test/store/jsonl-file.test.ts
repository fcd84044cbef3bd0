import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { JsonlFile } from '../../src/store/jsonl-file.ts';

interface Row {
  n: number;
  text: string;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'store-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && typeof (v as Row).n === 'number';
const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ n: from + i, text: `第${from + i}条` }));
const numbersIn = async (file: string): Promise<number[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as Row).n);

describe('JsonlFile', () => {
  it('rewrites a large file in pieces, and appends made meanwhile land after it exactly once', async () => {
    const file = path.join(dir, 'log.jsonl');
    const jsonl = new JsonlFile<Row>(file, { logger: silentLogger, validate: isRow });
    const data = rows(0, 9_000); // several pieces
    await jsonl.write(data);

    // Compact while the owner goes on: retention drops the oldest, new records arrive, and an
    // append is requested before the rewrite has finished.
    const rewriting = jsonl.rewrite(data);
    // Let the rewrite get going: it writes a piece per turn of the loop.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    data.splice(0, 1_000);
    data.push(...rows(9_000, 500));
    const appending = jsonl.write(data);
    data.push(...rows(9_500, 10));
    await Promise.all([rewriting, appending]);
    await jsonl.write(data);

    const written = await numbersIn(file);
    // Whatever the rewrite captured, then the newer records: each once, in order, none missing.
    expect(written.every((n, i) => i === 0 || n === written[i - 1]! + 1)).toBe(true);
    expect(written.at(-1)).toBe(9_509);
    expect(written.slice(-data.length)).toEqual(data.map((r) => r.n));
    expect(jsonl.lines).toBe(written.length);
  });

  it('after a rewrite of what retention kept, appends only the records that followed', async () => {
    const file = path.join(dir, 'log.jsonl');
    const jsonl = new JsonlFile<Row>(file, { logger: silentLogger, validate: isRow });
    const data = rows(0, 3_000);
    await jsonl.write(data);
    data.splice(0, 2_500);
    await jsonl.rewrite(data);
    data.push(...rows(3_000, 3));
    await jsonl.write(data);
    expect(await numbersIn(file)).toEqual([...Array.from({ length: 503 }, (_, i) => 2_500 + i)]);
    // A fresh reader takes up where the file ends.
    const again = new JsonlFile<Row>(file, { logger: silentLogger, validate: isRow });
    const read = (await again.read())!;
    read.push(...rows(3_003, 2));
    await again.write(read);
    expect((await numbersIn(file)).slice(-3)).toEqual([3_002, 3_003, 3_004]);
  });
});
