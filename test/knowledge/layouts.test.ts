// Issue 12 point 1 and 2: one fictional fixture per layout kind (test/fixtures/reports/layouts/,
// invented figures), scored like the real excerpts, plus what the parser must NOT read.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/knowledge/report-file.ts';
import { scoreDirectory } from '../../src/knowledge/report-score.ts';
import type { ParsedReport } from '../../src/knowledge/types.ts';

const DIR = path.resolve(import.meta.dirname, '../fixtures/reports/layouts');
const read = (name: string): { parsed: ParsedReport; findings: ReturnType<typeof readReport>['findings'] } =>
  readReport(readFileSync(path.join(DIR, `${name}.txt`), 'utf8'), name);

describe('layout fixtures', () => {
  it('every hand-listed figure is found, none under a wrong label', async () => {
    const scores = await scoreDirectory(DIR);
    expect(scores.map((s) => s.name)).toEqual([
      'abbreviated-headers', 'label-then-numbers', 'mirror-traditional', 'missing-header', 'one-line-tables', 'pdf-text', 'period-and-guanyu',
      'pipes-and-fillers', 'runs-together', 'space-rows', 'split-headers', 'sums-decide', 'title-from-text', 'traditional-notes', 'year-in-opening',
    ]);
    const bad = scores.flatMap((s) => s.figures.filter((f) => f.verdict !== 'found').map((f) => `${s.name}: ${f.verdict} ${f.item}/${f.column}=${f.value} (${f.got ?? ''})`));
    expect(bad).toEqual([]);
    expect(scores.map((s) => [s.name, s.year.got])).toEqual(scores.map((s) => [s.name, s.year.expected]));
  });

  it('records nothing under a header cut short or repeated, and says so', () => {
    const { parsed, findings } = read('split-headers');
    expect(parsed.stats.filter((s) => /^本年新$|^本年增\/$/.test(s.column))).toEqual([]);
    expect(parsed.stats.filter((s) => s.item === '规范性文件').map((s) => s.column)).toEqual(['对外公开总数量']);
    expect(findings.some((f) => f.message.includes('表头“本年新”“本年新”不完整、重复'))).toBe(true);
    expect(findings.some((f) => f.message.includes('表头“本年增/”'))).toBe(true);
  });

  it('reads blank cells as 0 with an informational finding, and "_", "/", "——" as no figure', () => {
    const { parsed, findings } = read('pipes-and-fillers');
    expect(parsed.stats.filter((s) => s.item === '规章' || s.item === '行政处罚' || s.item === '行政强制')).toEqual([]);
    const blank = parsed.stats.find((s) => s.item === '行政规范性文件' && s.column === '本年废止件数');
    expect(blank).toMatchObject({ value: 0, raw: '' });
    const info = findings.filter((f) => f.level === 'info' && f.message.includes('空白的格按 0 计'));
    expect(info.map((f) => f.message).join()).toContain('行政规范性文件/本年废止件数');
  });

  it('keeps the printed cell of a figure with a note, and reads no figure from a note line', () => {
    const { parsed } = read('traditional-notes');
    const cut = parsed.stats.find((s) => s.item === '行政許可' && s.column === '本年增/減');
    expect(cut).toMatchObject({ value: -164, raw: '-164（因機構改革，事項劃轉至區行政審批局）' });
    expect(parsed.stats.some((s) => s.item.startsWith('注'))).toBe(false);
    expect(parsed.stats.filter((s) => s.kind === 'table')).toHaveLength(18);
    expect(parsed.format).toBe('2019');
  });

  it('takes the year and body from the text when there is no title, and cuts "关于" off the body', () => {
    expect([read('title-from-text').parsed.year, read('title-from-text').parsed.body]).toEqual([2019, '西山县自然资源局']);
    expect([read('period-and-guanyu').parsed.year, read('period-and-guanyu').parsed.body]).toEqual([2021, '东湖市生态环境局']);
  });

  it('rebuilds tables split by a page number and running head, with stacked header characters', () => {
    const { parsed, findings } = read('pdf-text');
    expect(parsed.stats.filter((s) => s.section.startsWith('四、'))).toHaveLength(15);
    expect(findings.filter((f) => f.level !== 'info' && /行政复议/.test(f.message) && !/未读到/.test(f.message))).toEqual([]);
  });

  it('places a row with a lost cell only where the report\'s own sums allow one placement', () => {
    const { parsed, findings } = read('sums-decide');
    const row = parsed.stats.filter((s) => s.item === '（二）部分公开').map((s) => `${s.column}=${s.value}`);
    expect(row).toEqual(['自然人=1', '社会组织=0', '法律服务机构=0', '其他=0', '总计=2', '商业企业=1', '科研机构=0']);
    expect(findings.find((f) => f.message.includes('只有一种对齐方式符合本表的勾稽关系'))?.level).toBe('info');
    // Without the total row the same row has two placements: nothing is guessed.
    const text = readFileSync(path.join(DIR, 'sums-decide.txt'), 'utf8').replace(/^（七）总计.*$/m, '');
    const without = readReport(text, 'x');
    expect(without.parsed.stats.filter((s) => s.item === '（二）部分公开').map((s) => s.column)).not.toContain('商业企业');
  });
});
