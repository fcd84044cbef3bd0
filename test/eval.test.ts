// The accuracy gauge ships with the repository: `npm run eval` scores both question sets from
// eval/ through `ask --jsonl` in any clone, and leaves nothing in the configured DATA_DIR.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/start.ts';

const run = promisify(execFile);

describe('npm run eval', { timeout: 120_000 }, () => {
  it('scores the public and the traffic set from eval/ and writes no question log', async () => {
    const scripts = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.eval).toBe('node eval/run.mjs');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'gongkai-eval-data-'));
    const { stdout } = await run(process.execPath, ['eval/run.mjs', '--verbose'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
    // Every turn of each set got a reply line (--verbose would name a missing one), whatever the pass rate.
    expect(stdout).toMatch(/^public {3}\d+\/52 conversations passed/m);
    expect(stdout).toMatch(/^traffic {2}\d+\/166 conversations passed/m);
    expect(stdout).not.toMatch(/no output line for this turn/);
    expect(stdout).toMatch(/command exit 0; \d+ questions/);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
