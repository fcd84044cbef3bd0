// The knowledge read on a worker thread at start-up (knowledge-thread.ts) must be the base the main
// thread would have read: same entries, maps, sets and findings, for a good directory, one whose
// files have errors, a missing one, and one loadKnowledge refuses (its error is the same too).
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { loadKnowledgeInBackground, secondCore } from '../../src/knowledge/knowledge-thread.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('knowledge read on a worker thread', { timeout: 60_000 }, () => {
  it('is the base loadKnowledge reads on this thread, directory by directory, findings included', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gongkai-kthread-'));
    // A copy of the county's knowledge with a broken report and a broken synonym line beside it.
    const broken = path.join(dir, 'broken');
    await cp(path.join(ROOT, 'knowledge'), broken, { recursive: true });
    await cp(path.join(ROOT, 'test/fixtures/reload/no-year.txt'), path.join(broken, 'reports', 'no-year.txt'));
    await writeFile(path.join(broken, 'synonyms.txt'), '行政处罚 = 罚款\n没有等号的一行\n');
    const dirs = [path.join(ROOT, 'knowledge'), broken, path.join(dir, 'missing')];

    // Counts what is read on this thread: nothing the worker delivered, even once it has exited.
    const readHere: string[] = [];
    const here = (d: string) => (readHere.push(d), loadKnowledge(d));
    const background = await Promise.all(loadKnowledgeInBackground(dirs, here));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readHere).toEqual([]);
    for (const [i, d] of dirs.entries()) {
      const here = await loadKnowledge(d);
      expect(background[i], d).toStrictEqual(here);
    }
    // The comparison saw real content: maps and sets survive the thread as maps and sets.
    expect(background[0]!.stats.length).toBeGreaterThan(50);
    expect(background[0]!.synonyms).toBeInstanceOf(Map);
    expect(background[0]!.lexicon.general).toBeInstanceOf(Set);
    expect(background[1]!.findings.some((f) => f.level === 'error' && f.document.includes('no-year'))).toBe(true);
    expect(background[2]!.findings.some((f) => f.level === 'error')).toBe(true);
  });

  it('fails as loadKnowledge fails for a directory it cannot read, and still delivers the others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gongkai-kthread-bad-'));
    // reports/ is a file: listing it is an error loadKnowledge throws.
    await mkdir(path.join(dir, 'bad'));
    await writeFile(path.join(dir, 'bad', 'reports'), 'not a directory');
    const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
    const readHere: string[] = [];
    const [good, bad] = loadKnowledgeInBackground([path.join(ROOT, 'knowledge'), path.join(dir, 'bad')], (d) => (readHere.push(d), loadKnowledge(d)));
    const badOutcome = outcome(bad!);
    const here = await outcome(loadKnowledge(path.join(dir, 'bad')));
    expect(here).toMatch(/ENOTDIR/);
    expect(await badOutcome).toBe(here);
    expect((await good!).reports.length).toBe(1);
    // Only the refused directory was read again here.
    expect(readHere).toEqual([path.join(dir, 'bad')]);
  });

  it('is used only beside a second core', () => {
    expect(secondCore(1)).toBe(false);
    expect(secondCore(2)).toBe(true);
  });
});
