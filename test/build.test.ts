// dist/, what `npm start` runs, as scripts/build.mjs makes it (`npm ci` and `npm test` run it):
// every module compiled, every other file of src/ beside it, nothing of it committed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, START_COMMAND } from './helpers/start.ts';

const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    return e.isDirectory() ? files(file) : [file];
  });
}
const under = (root: string) => files(root).map((f) => path.relative(root, f)).sort();

describe('the build', () => {
  it('is what npm start runs, and is current: built after the last change to src/', () => {
    // The young generation capped at 4 MB a semi-space: 24 MB less resident under load (BENCHMARKS.md);
    // glibc's malloc in two arenas instead of one per thread: 15 MB less in the soak.
    expect(START_COMMAND).toBe('exec env MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 dist/main.js');
    const built = statSync(path.join(DIST, 'BUILT')).mtimeMs;
    const newest = Math.max(...files(SRC).map((f) => statSync(f).mtimeMs));
    expect(built, 'dist/ is older than src/: run `npm run build`').toBeGreaterThanOrEqual(newest);
  });

  it('compiles every module of src/, including those no import names (worker scripts), with .js specifiers', () => {
    const sources = under(SRC);
    const modules = sources.filter((f) => f.endsWith('.ts'));
    const output = new Set(under(DIST));
    // A module found by its own extension (`./x-worker${extname(import.meta.url)}`) is there as .js.
    for (const m of modules) expect(output, m).toContain(m.replace(/\.ts$/, '.js'));
    for (const f of output) expect(f, 'no TypeScript in dist/').not.toMatch(/\.ts$/);
    for (const m of modules) {
      const js = readFileSync(path.join(DIST, m.replace(/\.ts$/, '.js')), 'utf8');
      expect(js, m).not.toMatch(/(from|import\()\s*["']\.{1,2}\/[^"']*\.ts["']/);
    }
  });

  it('copies every other file of src/ unchanged (the pages, anything read through import.meta.url)', () => {
    const assets = under(SRC).filter((f) => !f.endsWith('.ts'));
    expect(assets).toEqual(expect.arrayContaining(['channels/web/page.html', 'channels/web/page.js', 'channels/admin/page.html']));
    for (const a of assets) expect(readFileSync(path.join(DIST, a)), a).toEqual(readFileSync(path.join(SRC, a)));
  });

  it('is not committed', () => {
    expect(execFileSync('git', ['ls-files', 'dist'], { cwd: ROOT, encoding: 'utf8' })).toBe('');
    expect(execFileSync('git', ['check-ignore', 'dist/main.js'], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe('dist/main.js');
  });
});
