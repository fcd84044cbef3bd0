// What `kb check` tells a clerk: the findings of every document grouped by what to do about
// them. 需要处理 - a file not used, a figure that could not be read, a contradiction in the report;
// 供参考 - what was read by a rule worth knowing (a blank cell read as 0, a heading inferred).
import type { Finding } from './types.ts';

export type FindingGroup = 'action' | 'info';

export const groupOf = (f: Finding): FindingGroup => (f.level === 'info' ? 'info' : 'action');

/** "第 3 页，第 42 行（三、…：（七）总计 / 自然人）" → place "第 3 页，第 42 行", section and row. */
export function splitLocation(location: string): { place: string; section: string; row: string } {
  const m = /^(.*?行)（([^）]*(?:）[^）]*)*)）$/.exec(location);
  if (!m) return { place: location, section: '', row: '' };
  const inner = m[2] ?? '';
  const colon = inner.indexOf('：');
  return colon >= 0
    ? { place: m[1] ?? '', section: inner.slice(0, colon), row: inner.slice(colon + 1) }
    : { place: m[1] ?? '', section: inner, row: '' };
}

/** The findings as lines for people, grouped (需要处理 first) and by document. */
export function findingsText(findings: Finding[]): string[] {
  const lines: string[] = [];
  for (const group of ['action', 'info'] as const) {
    const list = findings.filter((f) => groupOf(f) === group);
    const title = group === 'action' ? '需要处理' : '供参考';
    if (list.length === 0) {
      if (group === 'action') lines.push('需要处理：无');
      continue;
    }
    lines.push(`${title}（${list.length} 条）：`);
    const documents = [...new Set(list.map((f) => f.document))];
    for (const document of documents) {
      lines.push(`  ${document}`);
      for (const f of list.filter((x) => x.document === document)) {
        const { place, section, row } = splitLocation(f.location);
        const where = [section, row, place].filter(Boolean).join(' · ');
        const tag = f.level === 'error' ? '【未收录】' : '';
        lines.push(`    - ${tag}${where ? `${where}：` : ''}${f.message}`);
      }
    }
  }
  return lines;
}
