// The layout kinds of real reports that the first readers missed (issue 12, held-out check):
// cells run together, tables flattened into one line, abbreviated headers, tables printed
// without their header, the year stated only in the opening sentence, mirror pages. Each kind
// has a fixture in test/fixtures/reports/layouts/ (scored in layouts.test.ts); here are the
// rules behind them and what must NOT be read. Every text and figure here is invented test data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReport } from '../../src/knowledge/report-parser.ts';
import { runReadings, splitDigits, unglue } from '../../src/knowledge/report-runs.ts';
import { explodeHeader, explodeLine } from '../../src/knowledge/report-stream.ts';
import { abbreviates, headerFormat } from '../../src/knowledge/report-labels.ts';
import { makeCell, stripGlosses } from '../../src/knowledge/report-text.ts';
import type { ParsedReport } from '../../src/knowledge/types.ts';

const DIR = path.resolve(import.meta.dirname, '../fixtures/reports/layouts');
const fixture = (name: string): ParsedReport => parseReport(readFileSync(path.join(DIR, `${name}.txt`), 'utf8'), name);
const table = (r: ParsedReport, item: RegExp): string[] =>
  r.stats.filter((s) => s.kind === 'table' && item.test(s.item)).map((s) => `${s.column}=${s.value}`);
const HEAD = '测试数据（虚构数字，仅供测试）\n某某县某某局2021年政府信息公开工作年度报告\n一、总体情况\n2021年，某某局做好公开工作。\n二、主动公开政府信息情况\n';
const report = (body: string, head = HEAD): ParsedReport => parseReport(head + body, 'x');

describe('cells run together', () => {
  it('splits a run of digits into a number of cells only where no cell would start with 0', () => {
    expect(splitDigits('0000000', 7)).toEqual([['0', '0', '0', '0', '0', '0', '0']]);
    expect(splitDigits('1000', 4)).toEqual([['1', '0', '0', '0']]);
    expect(splitDigits('1000', 2)).toEqual([['100', '0']]);
    expect(splitDigits('1000', 3)).toEqual([['10', '0', '0']]);
    expect(splitDigits('1234', 2)).toHaveLength(3);
    expect(splitDigits('00', 1)).toEqual([]);
    expect(splitDigits('555', 4)).toEqual([]);
  });

  it('counts a row\'s other cells, blanks included, when splitting its runs', () => {
    const cells = [makeCell('3', 1), makeCell('', 1), makeCell('00000', 1)];
    expect(cells.map((c) => c.kind)).toEqual(['number', 'blank', 'run']);
    expect((runReadings(cells, 7) ?? []).map((r) => r.map((c) => c.text || '空').join(','))).toEqual(['3,空,0,0,0,0,0']);
    expect(runReadings(cells, 8)).toEqual([]);
  });

  it('gives up on a row with too many ways to try, rather than taking the few it found', () => {
    const many = Array.from({ length: 15 }, (_, i) => makeCell(i % 2 ? '0'.repeat(10) : '1', 1));
    expect(runReadings(many, 60)).toBeNull();
    // More readings than are listed: a partial list could make a column seem agreed.
    const long = makeCell('0' + '1'.repeat(29), 1);
    expect(long.kind).toBe('run');
    expect(runReadings([long], 7)).toBeNull();
  });

  it('takes a known row label\'s figures off it ("规章000", "（七）总计0000000"), and nothing else', () => {
    expect(unglue(makeCell('规章000', 1)).map((c) => `${c.kind}:${c.text}`)).toEqual(['text:规章', 'run:000']);
    expect(unglue(makeCell('（七）总计0000000', 1)).map((c) => `${c.kind}:${c.text}`)).toEqual(['text:(七)总计', 'run:0000000']);
    expect(unglue(makeCell('規範性檔案(行政機關制定)12', 1)).map((c) => c.kind)).toEqual(['text', 'run']);
    expect(unglue(makeCell('统计数据截至2019', 1)).map((c) => c.kind)).toEqual(['text']);
  });

  it('reads a row whose run splits one way, and records nothing of a run that splits several ways', () => {
    const r = fixture('runs-together');
    expect(table(r, /^规章$/)).toEqual(['本年制发件数=0', '本年废止件数=0', '现行有效件数=0']);
    expect(table(r, /^行政规范性文件$/)).toEqual([]);
    expect(r.findings.some((f) => f.level === 'warning' && f.message.includes('“行政规范性文件”一行的 本年制发件数、本年废止件数、现行有效件数 列无法确定读数（1234）'))).toBe(true);
    expect(table(r, /^二、上年结转/)).toEqual(['自然人=0', '商业企业=0', '科研机构=0', '社会公益组织=0', '法律服务机构=0', '其他=0', '总计=0']);
    expect(r.stats.filter((s) => s.section.startsWith('四、'))).toHaveLength(15);
  });

  it('takes separated cells for cells: "10 … 10" with blanks lost is no run', () => {
    const head = '三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n';
    const r = report(`${head}三、本年度办理结果\t（一）予以公开\t10\t\t\t\t\t10\n（二）部分公开\t0\t0\t0\t0\t0\t0\t0\n`);
    expect(table(r, /予以公开/).filter((s) => /自然人|总计/.test(s))).toEqual(['自然人=10', '总计=10']);
  });

  it('never files a run under 总计 as one number: "8000008" is 8,0,…,8 only because the sums say so', () => {
    const r = fixture('runs-together');
    expect(table(r, /^（一）予以公开$/)).toEqual(['自然人=8', '商业企业=0', '科研机构=0', '社会公益组织=0', '法律服务机构=0', '其他=0', '总计=8']);
    expect(table(r, /^一、本年新收/)).toContain('自然人=12');
    // Without the rows the sums need, neither reading is taken: no 总计 of 8000008 or 120000012.
    const text = readFileSync(path.join(DIR, 'runs-together.txt'), 'utf8').replace(/^（七）总计.*$/m, '').replace(/^四、结转.*$/m, '');
    const cut = parseReport(text, 'x');
    expect(table(cut, /^（一）予以公开$|^一、本年新收/).filter((s) => /总计|自然人/.test(s))).toEqual([]);
    expect(cut.stats.some((s) => s.value === 8000008 || s.value === 120000012)).toBe(false);
  });
});

describe('tables flattened into one line', () => {
  it('cuts a space-separated stream into cells, joining labels with a space inside', () => {
    const lines = explodeLine('第二十條 第(一)項 信息内容 本年制发件数 本年废止件数 现行有效件数 规 章 0 0 0 行政规范性文件 0 1 3', 9);
    expect(lines.map((l) => l.raw)).toEqual(['第二十條第(一)項', '信息内容', '本年制发件数', '本年废止件数', '现行有效件数', '规章', '0', '0', '0', '行政规范性文件', '0', '1', '3']);
    expect(new Set(lines.map((l) => l.line))).toEqual(new Set([9]));
  });

  it('cuts text run together at the format\'s words and keeps a label\'s run-on figures with it', () => {
    const lines = explodeLine('二、主动公开政府信息情况第二十条第(一)项信息内容本年新制作数量本年新公开数量对外公开总数量规章555规范性文件(指有文号的文件)141414', 1);
    expect(lines.map((l) => l.raw)).toEqual(['二、主动公开政府信息情况', '第二十条第(一)项', '信息内容', '本年新制作数量', '本年新公开数量', '对外公开总数量', '规章555', '规范性文件(指有文号的文件)141414']);
  });

  it('leaves running text alone, and ends the stream where a sentence begins', () => {
    const sentence = '按照第二十条第(一)项的规定，我局公开规章 3 件、行政规范性文件 12 件。';
    expect(explodeLine(sentence, 1).map((l) => l.raw)).toEqual([sentence]);
    const tail = explodeLine('行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 0 0 0 0 0 五、存在的主要问题及改进情况 2021年，我局公开工作仍有不足。', 1).map((l) => l.raw);
    expect(tail.slice(-2)).toEqual(['五、存在的主要问题及改进情况', '2021年，我局公开工作仍有不足。']);
  });

  it('cuts rows and header rows printed one per line with spaces between cells, and leaves other lines alone', () => {
    const raw = (l: string): string[] => explodeLine(l, 1).map((x) => x.raw);
    expect(raw('（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0')).toEqual(['（三）不予公开', '1.属于国家秘密', '0', '0', '0', '0', '0', '0', '0']);
    expect(raw('规范性文件(指2019年制发的) 1 0 4')).toEqual(['规范性文件(指2019年制发的)', '1', '0', '4']);
    expect(raw('全年共受理 12')).toEqual(['全年共受理 12']);
    expect(raw('2019年 12 31')).toEqual(['2019年 12 31']);
    const head = (l: string): string[] => explodeHeader(l, 1).map((x) => x.raw);
    expect(head('信息内容    本年制发件数    本年废止件数    现行有效件数')).toEqual(['信息内容', '本年制发件数', '本年废止件数', '现行有效件数']);
    expect(head('商业 企业    科研 机构    社会公益组织    法律服务机构    其他')).toEqual(['商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他']);
    expect(head('本年新 制作数量 本年新 公开数量 对外公开总数量')).toEqual(['本年新制作数量', '本年新公开数量', '对外公开总数量']);
    expect(head('我局 处理决定数量 较上年 增加')).toEqual(['我局 处理决定数量 较上年 增加']);
    const r = fixture('space-rows');
    expect(table(r, /^规章$/)).toEqual(['本年制发件数=0', '本年废止件数=0', '现行有效件数=0']);
    expect(r.findings.filter((f) => f.level !== 'info' && !f.message.includes('行政复议'))).toEqual([]);
  });

  it('reads the one-line fixture with every section in place and no finding', () => {
    const r = fixture('one-line-tables');
    expect(r.stats.filter((s) => s.kind === 'table')).toHaveLength(10 + 6 * 7 + 15);
    expect(r.findings).toEqual([]);
    expect(r.passages.map((p) => p.section)).toContain('五、存在的主要问题及改进情况');
  });
});

describe('abbreviated headers', () => {
  it('an abbreviation keeps the first character and the order of the standard label, four characters and half of it at least', () => {
    expect(abbreviates('本年发件', '本年制发件数')).toBe(true);
    expect(abbreviates('现行有效件', '现行有效件数')).toBe(true);
    expect(abbreviates('本年新制作', '本年新制作数量')).toBe(true);
    expect(abbreviates('本年新', '本年新制作数量')).toBe(false);
    expect(abbreviates('本年增/', '本年增/减')).toBe(false);
    expect(abbreviates('有效件数', '现行有效件数')).toBe(false);
  });

  it('accepts an abbreviation only at its column\'s position in a header of one format', () => {
    const art = '第二十条第（一）项';
    expect(headerFormat(['本年新制作', '本年新公开', '对外公开总数量'], art)).toEqual({ format: '2019', abbreviated: [true, true, false] });
    expect(headerFormat(['本年发件', '本年废止件数', '现行有效件'], art)).toEqual({ format: '2021', abbreviated: [true, false, true] });
    expect(headerFormat(['现行有效件', '本年废止件数', '本年发件'], art)).toBeNull();
    expect(headerFormat(['本年新', '本年新', '对外公开总数量'], art)).toBeNull();
  });

  it('records figures under the header as printed, and still nothing under one cut short or repeated', () => {
    const r = fixture('abbreviated-headers');
    expect(table(r, /^行政规范性文件$/)).toEqual(['本年发件=3', '本年废止件数=1', '现行有效件=14']);
    const swapped = report('第二十条第（一）项\n信息内容\t现行有效件\t本年废止件数\t本年发件\n规章\t0\t0\t0\n', HEAD);
    expect(table(swapped, /^规章$/)).toEqual(['本年废止件数=0']);
  });
});

describe('tables printed without their header', () => {
  it('reads them by the standard columns of the one format that fits, under the standard labels', () => {
    const r = fixture('missing-header');
    expect(table(r, /^行政规范性文件$/)).toEqual(['本年制发件数=1', '本年废止件数=0', '现行有效件数=4']);
    expect(table(r, /^行政处罚$/)).toEqual(['本年处理决定数量=6']);
  });

  it('reads nothing when the format is not certain', () => {
    // （一）: three columns in both formats, and 规章 alone does not say which.
    expect(table(report('第二十条第（一）项\n规章\t0\t0\t0\n'), /^规章$/)).toEqual([]);
    // Three cells under （五） are the 2019 columns, which a 2023 report does not use.
    const later = HEAD.replace('2021年政府', '2023年政府').replace('2021年，', '2023年，');
    expect(table(report('第二十条第（五）项\n行政许可\t3\t1\t4\n', later), /^行政许可$/)).toEqual([]);
    // A count that fits no format.
    expect(table(report('第二十条第（六）项\n行政处罚\t3\t1\n'), /^行政处罚$/)).toEqual([]);
    // A report that uses only 2019 words: one cell under （六） is not taken for 本年处理决定数量.
    const old = '第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t3\t1\t4\n第二十条第（六）项\n行政处罚\t5\n';
    expect(table(report(old), /^行政处罚$/)).toEqual([]);
  });
});

describe('the year stated only in the opening sentence', () => {
  const yearOf = (opening: string): number | null => parseReport(`${opening}\n一、总体情况\n全年公开信息 3 条。\n`, 'x').year;

  it('reads the report\'s own statement, in the forms reports use', () => {
    expect(yearOf('现公开我局2020年度政府信息公开工作年度报告。')).toBe(2020);
    expect(yearOf('现将我局2020年度政府信息公开情况报告如下。')).toBe(2020);
    expect(yearOf('本报告所列数据统计期限自2024年1月1日起至2024年12月31日止')).toBe(2024);
    expect(yearOf('本报告中所列数据的统计时限为2021年1月1日至2021年12月31日。')).toBe(2021);
    expect(yearOf('根据《条例》规定，向社会公布2021年本级政府信息公开工作年度报告。')).toBe(2021);
    expect(yearOf('本年报是由某某区教育局办公室编制的2024年度政府信息公开工作年度报告。')).toBe(2024);
    expect(yearOf('根據《條例》，現將我局2022年度政府信息公開情況報告如下。')).toBe(2022);
  });

  it('prefers it to the year of a notice the report cites, and takes no year from a notice alone', () => {
    expect(fixture('year-in-opening').year).toBe(2020);
    expect(yearOf('根据《关于做好2020年政府信息公开年度报告编制和发布工作的通知》要求，编制本报告。')).toBeNull();
    expect(yearOf('根据《关于编制2020年政府信息公开工作年度报告的通知》要求，特此报告。')).toBeNull();
  });

  it('reads a title in traditional characters, and keeps the body as printed', () => {
    const r = parseReport('南山縣衛生健康局2022年政府信息公開工作年度報告\n一、總體情況\n全年公開信息 3 條。\n', 'x');
    expect([r.year, r.body]).toEqual([2022, '南山縣衛生健康局']);
  });

  it('takes the body from a title "2022年某某委员会信息公开年报", and not "我局"', () => {
    const r = parseReport('2022年东山县卫生健康委员会信息公开年报\n一、总体情况\n全年公开信息 3 条。\n', 'x');
    expect([r.year, r.body]).toEqual([2022, '东山县卫生健康委员会']);
    expect(parseReport('现公开我局2020年度政府信息公开工作年度报告。\n一、总体情况\n', 'x').body).toBeNull();
  });
});

describe('mirror pages and other printed forms', () => {
  it('removes pinyin glosses, and only those', () => {
    expect(stripGlosses('第二十條第(一)項(xiàng) 數(shù)量 (一)予以公開 規範性文件(行政機關制定)')).toEqual({
      text: '第二十條第(一)項 數量 (一)予以公開 規範性文件(行政機關制定)', removed: 2,
    });
  });

  it('reads traditional pages with glosses, 檔案 for 文件, a spaced or 第-less article, 增3, 減2 and a header note', () => {
    const r = fixture('mirror-traditional');
    expect(table(r, /^規範性檔案/)).toEqual(['本年新製作數量=4', '本年新公開數量=4', '對外公開總數量=37']);
    expect(r.stats.filter((s) => s.item === '行政許可').map((s) => s.article)).toEqual(['第二十条第（五）项', '第二十条第（五）项', '第二十条第（五）项']);
    expect(table(r, /^其他對外/)).toEqual(['上一年項目數量=40', '本年增/減=-2', '處理決定數量=1423']);
    // 收到和處理政府信息公開申請情況 without 三、 is section 三's heading.
    expect(r.stats.find((s) => s.item.startsWith('一、本年新收'))?.section).toBe('收到和處理政府信息公開申請情況');
  });

  it('takes a sign printed without its number ("增") for an unreadable figure, not for the row label', () => {
    expect(makeCell('增', 1).kind).toBe('bad');
    const r = report('第二十条第（六）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政处罚\t0\t增\t25\n', HEAD.replace(/2021/g, '2020'));
    expect(table(r, /^行政处罚$/)).toEqual(['上一年项目数量=0', '处理决定数量=25']);
    expect(r.findings.some((f) => f.message.includes('“行政处罚” / 本年增/减 的内容“增”不是数字'))).toBe(true);
  });

  it('files a table that follows no heading of its own under its section\'s standard title', () => {
    const r = report('第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n');
    expect(r.stats.find((s) => s.item.startsWith('一、本年新收'))?.section).toBe('三、收到和处理政府信息公开申请情况');
    expect(r.findings.some((f) => f.level === 'info' && f.message.includes('表中数字按“三、收到和处理政府信息公开申请情况”记录'))).toBe(true);
  });
});
