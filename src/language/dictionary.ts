import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jieba from 'nodejieba';

// jieba's bundled dictionary has 349,000 words: loading it takes about 2 s of CPU and 300 MB.
// Residents' questions need the common words (the rest jieba's HMM cuts well) plus the domain
// words the knowledge base adds, so the most frequent words are kept: 0.3 s and under 90 MB.
export const DICTIONARY_WORDS = 80_000;

let loaded = false;

function bundledDictionary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('nodejieba/package.json')), 'submodules', 'cppjieba', 'dict', 'jieba.dict.utf8');
}

function cacheDir(): string {
  for (const dir of [join(process.cwd(), 'node_modules', '.cache', 'gongkai'), join(tmpdir(), 'gongkai-cache')]) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // read-only: try the next place
    }
  }
  return tmpdir();
}

/** Writes a file atomically, so that two processes starting at once never read half of it. */
function writeOnce(path: string, content: string): void {
  if (existsSync(path)) return;
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

/** The most frequent words of jieba's dictionary, cached next to the modules. */
export function trimmedDictionary(words = DICTIONARY_WORDS): string {
  const source = bundledDictionary();
  const { size, mtimeMs } = statSync(source);
  const dir = cacheDir();
  const path = join(dir, `jieba-${words}-${size}-${Math.round(mtimeMs)}.utf8`);
  if (!existsSync(path)) {
    const lines = readFileSync(source, 'utf8').split('\n').filter(Boolean);
    const frequency = (line: string) => Number(line.split(' ')[1] ?? 0);
    lines.sort((a, b) => frequency(b) - frequency(a));
    writeOnce(path, `${lines.slice(0, words).join('\n')}\n`);
  }
  return path;
}

/**
 * Loads jieba once per process with the trimmed dictionary. Keyword extraction is not used, so
 * its IDF table (6 MB) is replaced by a one-line file; cppjieba refuses an empty one. load() also
 * makes a TextRank extractor, which built a second trie of the dictionary (25 MB) until
 * scripts/nodejieba.mjs had it share the segmenter's: loading now adds 31 MB of RSS, not 56.
 */
export function loadDictionary(): void {
  if (loaded) return;
  const dict = trimmedDictionary();
  const idf = join(dirname(dict), 'idf-minimal.utf8');
  writeOnce(idf, '的 1.0\n');
  const stop = join(dirname(dict), 'stop-minimal.utf8');
  writeOnce(stop, '的\n');
  jieba.load({ dict, idfDict: idf, stopWordDict: stop });
  loaded = true;
}
