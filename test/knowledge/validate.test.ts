import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../src/knowledge/report-parser.ts';
import { validateReport } from '../../src/knowledge/validate.ts';
import type { ParsedReport, ReportStat } from '../../src/knowledge/types.ts';

const SEED_PATH = new URL('../../knowledge/reports/2019-西吉县人民政府.txt', import.meta.url);
const FIXTURES = new URL('../fixtures/reports/', import.meta.url);

function parsed(name: string): ParsedReport {
  return parseReport(readFileSync(new URL(name, FIXTURES), 'utf8'), name);
}

describe('validateReport on the seed', () => {
  const doc = 'reports/2019-西吉县人民政府.txt';
  const report = parseReport(readFileSync(SEED_PATH, 'utf8'), doc);
  const findings = validateReport(report, doc);

  it('reports that （七）总计 is 0 although the outcomes add up to 10, naming both numbers and the line', () => {
    const total = findings.find((f) => f.message.startsWith('（七）总计 / 总计 为 0'));
    expect(total).toBeDefined();
    expect(total?.message).toContain('办理结果各项之和为 10');
    expect(total?.message).toContain('（一）予以公开 10');
    expect(total?.location).toMatch(/^第 76 行/);
    expect(total?.level).toBe('warning');
    expect(total?.document).toBe(doc);
    expect(findings.some((f) => f.message.startsWith('（七）总计 / 自然人 为 0，但办理结果各项之和为 10'))).toBe(true);
  });

  it('reports the broken rule 一 + 二 = （七） + 四 for the columns where it fails, and only those', () => {
    const rule = findings.filter((f) => f.message.includes('不符合勾稽关系'));
    expect(rule.map((f) => f.message.slice(0, 5))).toEqual(['“自然人”', '“总计”列']);
    expect(rule[0]?.message).toContain('一、本年新收 10 + 二、上年结转 0 = 10，而（七）总计 0 + 四、结转下年度 0 = 0');
  });

  it('finds nothing else wrong with the seed’s arithmetic', () => {
    expect(findings).toHaveLength(4);
  });

  it('together with the parser’s findings, names the section 四 row of 16 values for 15 columns', () => {
    // The layout mismatch is the parser's finding; the validator does not repeat it (the CLI
    // shows both lists together).
    const all = [...report.findings, ...findings];
    const review = all.filter((f) => f.message.includes('16 个数值') && f.message.includes('15 列'));
    expect(review).toHaveLength(1);
    expect(review[0]?.location).toMatch(/^第 84 行/);
  });
});

describe('validateReport on consistent reports', () => {
  for (const name of ['fictional-2021-markdown.md', 'fictional-one-cell-per-line.txt', 'fictional-fullwidth.txt', 'fictional-page-break.txt', 'real-lg-gov-cn-2024-excerpt.txt']) {
    it(`finds no 勾稽 problem in ${name}`, () => {
      const r = parsed(name);
      expect(r.stats.length).toBeGreaterThan(20);
      expect(validateReport(r, name)).toEqual([]);
    });
  }
});

describe('validateReport catches broken arithmetic', () => {
  it('flags a 总计 column that is not the sum of the applicant columns', () => {
    const name = 'fictional-broken-total.txt';
    const findings = validateReport(parsed(name), name);
    const row = findings.find((f) => f.message.includes('各申请人列之和'));
    expect(row?.message).toBe('“一、本年新收政府信息公开申请数量”的总计为 5，但各申请人列之和为 6（其中自然人 4、商业企业 2）');
    expect(row?.location).toBe('第 10 行（三、收到和处理政府信息公开申请情况：一、本年新收政府信息公开申请数量 / 总计）');
  });

  it('flags a changed figure in an otherwise consistent report', () => {
    const name = 'fictional-2021-markdown.md';
    const good = parsed(name);
    const tamper = (item: string, column: string, value: number): ParsedReport => ({
      ...good,
      stats: good.stats.map((s): ReportStat => (s.item === item && s.column === column ? { ...s, value } : s)),
    });
    const outcome = validateReport(tamper('3.其他', '法律服务机构', 4), name).map((f) => f.message);
    expect(outcome).toContain('（七）总计 / 法律服务机构 为 2，但办理结果各项之和为 5（其中（一）予以公开 1、3.其他 4）');
    expect(outcome.some((m) => m.startsWith('“3.其他”的总计为 1，但各申请人列之和为 4'))).toBe(true);
    const review = validateReport(tamper('行政复议', '结果维持', 3), name).map((f) => f.message);
    expect(review).toEqual(['“行政复议”的总计为 2，但结果维持 3、结果纠正 0、其他结果 0、尚未审结 1之和为 4']);
  });

  it('compares with what it could read when some cells are missing', () => {
    const name = 'fictional-2021-markdown.md';
    const good = parsed(name);
    const partial: ParsedReport = {
      ...good,
      stats: good.stats
        .filter((s) => !(s.item === '2.重复申请' && s.column === '自然人'))
        .map((s) => (s.item === '（七）总计' && s.column === '自然人' ? { ...s, value: 20 } : s)),
    };
    const messages = validateReport(partial, name).map((f) => f.message);
    expect(messages).toContain('（七）总计 / 自然人 为 20，但已读到的办理结果各项之和已达 25（其中（一）予以公开 10、（二）部分公开 4、3.危及“三安全一稳定” 1、4.保护第三方合法权益 1、1.本机关不掌握相关政府信息 5、3.补正后申请内容仍不明确 1、1.信访举报投诉类申请 2、1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 1）（另有部分格未能读取）');
  });

  it('never throws, whatever it is given', () => {
    const broken = [
      { year: null, body: null, format: 'unknown', stats: [], passages: [], findings: [] },
      { stats: null },
      { stats: [null, { value: 'x' }, { item: '（七）总计', column: '总计', value: 1, kind: 'table', article: null, group: null }] },
      null,
    ] as unknown as ParsedReport[];
    for (const r of broken) expect(() => validateReport(r, 'x')).not.toThrow();
  });
});
