// A kinds file's frame: the county's engine at a fixed date, built once, and its conversation set run
// conversation by conversation; the getter serves the file's own tests beside the set.
import { beforeAll, describe } from 'vitest';
import type { Engine } from '../../../src/answer/engine.ts';
import { conversationTests } from './gauge.ts';
import { countyEngine } from './conversation.ts';

export function kindsSuite(title: string, path: string, now = '2026-06-01T12:00:00+08:00'): () => Engine {
  let engine: Engine | undefined;
  beforeAll(async () => {
    engine = await countyEngine(now);
  }, 60_000);
  const get = (): Engine => {
    if (!engine) throw new Error(`${title}: the engine is not built yet`);
    return engine;
  };
  describe(title, () => conversationTests(path, get));
  return get;
}
