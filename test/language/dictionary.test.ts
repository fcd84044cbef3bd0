// jieba's dictionary as the bot loads it (src/language/dictionary.ts), in a fresh node process so
// that its memory is measured alone: the trimmed dictionary is parsed into one trie, which the
// segmenter and nodejieba's TextRank extractor share (scripts/nodejieba.mjs changes nodejieba's
// load() to build it once; before, load() added 56 MB of RSS, with one trie 31 MB).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const CHILD = `
const jieba = (await import('nodejieba')).default;
const { loadDictionary } = await import(${JSON.stringify(path.join(ROOT, 'src', 'language', 'dictionary.ts'))});
const before = process.memoryUsage().rss;
loadDictionary();
const grown = process.memoryUsage().rss - before;
console.log(JSON.stringify({ grown, cut: jieba.cut('政府信息公开申请要多久'), keywords: jieba.textRankExtract('政府信息公开申请的答复期限是多久，申请政府信息公开要交费吗', 2) }));
`;

describe('jieba dictionary loading', () => {
  it('builds the dictionary trie once: the segmenter and the keyword extractor share it', { timeout: 30_000 }, () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
    const { grown, cut, keywords } = JSON.parse(out.trim().split('\n').at(-1)!) as { grown: number; cut: string[]; keywords: Array<{ word: string }> };
    // One trie of the 80,000 words and the HMM model: about 31 MB; a second trie added 25 MB more.
    expect(grown / 1048576).toBeLessThan(44);
    expect(grown / 1048576).toBeGreaterThan(15);
    expect(cut.join('')).toBe('政府信息公开申请要多久');
    expect(cut.length).toBeGreaterThan(2);
    // The extractor works on the shared trie (it is built, and finds words of the text).
    expect(keywords.length).toBe(2);
    for (const { word } of keywords) expect('政府信息公开申请的答复期限是多久，申请政府信息公开要交费吗').toContain(word);
  });
});
