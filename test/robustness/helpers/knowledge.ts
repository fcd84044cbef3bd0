// A knowledge directory with two years: the county's real 2019 report plus the FICTIONAL 2020
// report from test/fixtures/knowledge, so that answers can be checked for mixing years up.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../../src/answer/engine.ts';
import { loadKnowledge, type KnowledgeBase } from '../../../src/knowledge/knowledge-base.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KNOWLEDGE_DIR = path.join(ROOT, 'knowledge');
const FICTIONAL_2020 = path.join(ROOT, 'test/fixtures/knowledge/reports/2020-fictional.txt');

/**
 * "Today" for the engine: 今年 = 2021 is not recorded, 去年 = 2020 is. A fixed date keeps the
 * relative years of the generated questions meaning the same thing on every run.
 */
export const TODAY = new Date('2021-06-01T12:00:00+08:00');

export interface TwoYearKnowledge {
  dir: string;
  kb: KnowledgeBase;
  engine: Engine;
  remove(): void;
}

export async function twoYearKnowledge(): Promise<TwoYearKnowledge> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gongkai-kb-'));
  cpSync(KNOWLEDGE_DIR, dir, { recursive: true });
  cpSync(FICTIONAL_2020, path.join(dir, 'reports', '2020-fictional.txt'));
  const kb = await loadKnowledge(dir);
  return { dir, kb, engine: new Engine(kb, () => TODAY), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
