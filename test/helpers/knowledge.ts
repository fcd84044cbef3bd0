import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary copy of the real knowledge directory, optionally with the FICTIONAL 2020 report
 * (test/fixtures/knowledge/reports/2020-fictional.txt: invented figures, for multi-year tests).
 */
export async function knowledgeCopy(options: { fictional2020?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gongkai-kb-'));
  await cp('knowledge', dir, { recursive: true });
  if (options.fictional2020) {
    await cp('test/fixtures/knowledge/reports/2020-fictional.txt', join(dir, 'reports', '2020-fictional.txt'));
  }
  return dir;
}

export async function tempDir(prefix = 'gongkai-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Every number written in a reply ("1271", "33.99", "-14"), for checks on figures. */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => m[0]);
}
