import type { Finding } from '../knowledge/types.ts';

/** The synonym table's term for phrases that say nothing about what is asked ("查得到吗"). */
const NOTHING = '（无）';

/** Colloquial word → the term the knowledge base uses. */
export type SynonymTable = Map<string, string>;

/**
 * Reads the staff-edited synonym table. One line per canonical term:
 *   行政处罚 = 罚款 | 罚了 | 处罚
 * Lines starting with # are comments. A word listed under two terms is reported, first one wins.
 */
export function parseSynonyms(text: string, document: string): { table: SynonymTable; findings: Finding[] } {
  const table: SynonymTable = new Map();
  const findings: Finding[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^([^=＝]+)[=＝](.*)$/.exec(line);
    if (!m) {
      findings.push({ level: 'warning', document, location: `第 ${i + 1} 行`, message: `无法识别的同义词行“${line}”，应为“标准词 = 说法1 | 说法2”` });
      return;
    }
    // "（无）" stays as written: NFKC would make it "(无)", which the tokenizer does not know.
    const written = m[1]!.trim();
    const canonical = written === NOTHING ? NOTHING : written.normalize('NFKC').trim();
    for (const alias of m[2]!.split(/[|｜]/).map((s) => s.normalize('NFKC').trim()).filter(Boolean)) {
      const existing = table.get(alias);
      if (existing && existing !== canonical) {
        findings.push({ level: 'warning', document, location: `第 ${i + 1} 行`, message: `“${alias}”已是“${existing}”的同义词，这里又写作“${canonical}”的同义词，已忽略` });
        continue;
      }
      table.set(alias, canonical);
    }
  });
  return { table, findings };
}

/** Domain words, one per line ("政府信息公开"), comments with #. */
export function parseWords(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').normalize('NFKC').trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}
