// The scorer of `kb score` (src/knowledge/report-score.ts): what counts as found, wrong and
// missing. Parsed reports are built by hand here (invented figures, test data).
import { describe, expect, it } from 'vitest';
import { scoreReport, type Expected } from '../../src/knowledge/report-score.ts';
import type { ParsedReport, ReportStat } from '../../src/knowledge/types.ts';

const stat = (item: string, column: string, value: number): ReportStat => ({
  section: '三、收到和处理政府信息公开申请情况', article: null, item, group: null, column, value, unit: null, raw: String(value), kind: 'table', line: 1,
});
const parsed = (stats: ReportStat[]): ParsedReport => ({ year: 2020, body: '某某局', format: '2021', stats, passages: [], findings: [] });
const verdicts = (p: ParsedReport, e: Expected): string[] => scoreReport('x', p, e).figures.map((f) => `${f.item}/${f.column}=${f.value}:${f.verdict}`);

describe('kb score verdicts', () => {
  it('finds a figure at its row and column, the item with or without its numbering, traditional or simplified', () => {
    const p = parsed([stat('（一）予以公開', '總計', 3)]);
    expect(verdicts(p, { stats: [['予以公开', '总计', 3]] })).toEqual(['予以公开/总计=3:found']);
  });

  it('a different value at the expected row and column is wrong', () => {
    const p = parsed([stat('一、本年新收政府信息公开申请数量', '总计', 4)]);
    expect(verdicts(p, { stats: [['本年新收政府信息公开申请数量', '总计', 3]] })).toEqual(['本年新收政府信息公开申请数量/总计=3:wrong']);
  });

  it('a 0 recorded under another column of a row of zeros is no shift: the expected column was just missed', () => {
    const p = parsed([stat('（二）部分公开', '总计', 0), stat('（二）部分公开', '其他', 0)]);
    expect(verdicts(p, { stats: [['部分公开', '自然人', 0]] })).toEqual(['部分公开/自然人=0:missing']);
  });

  it('a non-zero value under another column that is not listed is a shifted row: wrong', () => {
    const p = parsed([stat('（一）予以公开', '商业企业', 7)]);
    expect(verdicts(p, { stats: [['予以公开', '自然人', 7]] })).toEqual(['予以公开/自然人=7:wrong']);
  });

  it('a non-zero value under another column whose own listed value it is, is no shift', () => {
    // 自然人 and 总计 both hold 7; only 总计 was read.
    const p = parsed([stat('（一）予以公开', '总计', 7)]);
    expect(verdicts(p, { stats: [['予以公开', '自然人', 7], ['予以公开', '总计', 7]] })).toEqual(['予以公开/自然人=7:missing', '予以公开/总计=7:found']);
  });

  it('a non-zero value under another column whose listed value differs is a shift: wrong', () => {
    const p = parsed([stat('（一）予以公开', '其他', 7)]);
    expect(verdicts(p, { stats: [['予以公开', '自然人', 7], ['予以公开', '其他', 0]] })).toEqual(['予以公开/自然人=7:wrong', '予以公开/其他=0:wrong']);
  });
});
