import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseReport, sectionHeading } from '../../src/knowledge/report-parser.ts';
import { fitCells, mergeFragments } from '../../src/knowledge/report-rows.ts';
import { canonLabel, lineShape, makeCell, parseNumber } from '../../src/knowledge/report-text.ts';
import { validateReport } from '../../src/knowledge/validate.ts';
import type { ParsedReport, ReportStat } from '../../src/knowledge/types.ts';

const SEED_PATH = new URL('../../knowledge/reports/2019-西吉县人民政府.txt', import.meta.url);
const FIXTURES = new URL('../fixtures/reports/', import.meta.url);
const seedText = readFileSync(SEED_PATH, 'utf8');
const seed = parseReport(seedText, 'reports/2019-西吉县人民政府.txt');

function fixture(name: string): ParsedReport {
  return parseReport(readFileSync(new URL(name, FIXTURES), 'utf8'), name);
}

type Key = { item: string; column?: string; article?: string };

function figures(r: ParsedReport, key: Key): ReportStat[] {
  return r.stats.filter((s) => s.item === key.item
    && (key.column === undefined || s.column === key.column)
    && (key.article === undefined || s.article === key.article));
}

/** The one figure for item/column; fails when there is none or more than one. */
function fig(r: ParsedReport, item: string, column = '', article?: string): ReportStat {
  const found = figures(r, { item, column, article });
  if (found.length !== 1) throw new Error(`${found.length} figures for ${item} / ${column}`);
  return found[0] as ReportStat;
}

const val = (r: ParsedReport, item: string, column = '', article?: string): number => fig(r, item, column, article).value;

const APPLICANTS_2019 = ['自然人', '商业企业', '科研机构', '社会组织', '法律服务机构', '其他', '总计'];
const SECTION3 = '三、收到和处理政府信息公开申请情况';

describe('seed: 西吉县人民政府 2019', () => {
  it('reads year, body and format', () => {
    expect(seed.year).toBe(2019);
    expect(seed.body).toBe('西吉县人民政府');
    expect(seed.format).toBe('2019');
  });

  it('reads every figure of the section 二 tables with article, row and column as printed', () => {
    const got = seed.stats
      .filter((s) => s.kind === 'table' && s.article !== null)
      .map((s) => [s.article, s.item, s.column, s.value, s.unit, s.line]);
    expect(got).toEqual([
      ['第二十条第（一）项', '规章', '本年新制作数量', 0, null, 29],
      ['第二十条第（一）项', '规章', '本年新公开数量', 0, null, 29],
      ['第二十条第（一）项', '规章', '对外公开总数量', 0, null, 29],
      ['第二十条第（一）项', '规范性文件', '本年新制作数量', 4, null, 30],
      ['第二十条第（一）项', '规范性文件', '本年新公开数量', 4, null, 30],
      ['第二十条第（一）项', '规范性文件', '对外公开总数量', 4, null, 30],
      ['第二十条第（五）项', '行政许可', '上一年项目数量', 305, null, 34],
      ['第二十条第（五）项', '行政许可', '本年增/减', 0, null, 34],
      ['第二十条第（五）项', '行政许可', '处理决定数量', 80639, null, 34],
      ['第二十条第（五）项', '其他对外管理服务事项', '上一年项目数量', 78, null, 35],
      ['第二十条第（五）项', '其他对外管理服务事项', '本年增/减', 113, null, 35],
      ['第二十条第（五）项', '其他对外管理服务事项', '处理决定数量', 191, null, 35],
      ['第二十条第（六）项', '行政处罚', '上一年项目数量', 1285, null, 38],
      ['第二十条第（六）项', '行政处罚', '本年增/减', -14, null, 38],
      ['第二十条第（六）项', '行政处罚', '处理决定数量', 1271, null, 38],
      ['第二十条第（六）项', '行政强制', '上一年项目数量', 19, null, 39],
      ['第二十条第（六）项', '行政强制', '本年增/减', -3, null, 39],
      ['第二十条第（六）项', '行政强制', '处理决定数量', 16, null, 39],
      ['第二十条第（八）项', '行政事业性收费', '上一年项目数量', 2, null, 42],
      ['第二十条第（八）项', '行政事业性收费', '本年增/减', 4, null, 42],
      ['第二十条第（九）项', '政府集中采购', '采购项目数量', 20, null, 45],
      ['第二十条第（九）项', '政府集中采购', '采购总金额', 33.99, '万元', 45],
    ]);
    const amount = fig(seed, '政府集中采购', '采购总金额');
    expect(amount.raw).toBe('33.99 万元');
    expect(amount.section).toBe('二、主动公开政府信息情况');
  });

  it('reads every cell of the section 三 table, blanks as 0, with the sub-rows grouped', () => {
    const rows: [string, string | null, number[]][] = [
      ['一、本年新收政府信息公开申请数量', null, [10, 0, 0, 0, 0, 0, 10]],
      ['二、上年结转政府信息公开申请数量', null, [0, 0, 0, 0, 0, 0, 0]],
      ['（一）予以公开', null, [10, 0, 0, 0, 0, 0, 10]],
      ['（二）部分公开', null, [0, 0, 0, 0, 0, 0, 0]],
      ...['1.属于国家秘密', '2.其他法律行政法规禁止公开', '3.危及“三安全一稳定”', '4.保护第三方合法权益',
        '5.属于三类内部事务信息', '6.属于四类过程性信息', '7.属于行政执法案卷', '8.属于行政查询事项']
        .map((i): [string, string, number[]] => [i, '（三）不予公开', [0, 0, 0, 0, 0, 0, 0]]),
      ...['1.本机关不掌握相关政府信息', '2.没有现成信息需要另行制作', '3.补正后申请内容仍不明确']
        .map((i): [string, string, number[]] => [i, '（四）无法提供', [0, 0, 0, 0, 0, 0, 0]]),
      ...['1.信访举报投诉类申请', '2.重复申请', '3.要求提供公开出版物', '4.无正当理由大量反复申请', '5.要求行政机关确认或重新出具已获取信息']
        .map((i): [string, string, number[]] => [i, '（五）不予处理', [0, 0, 0, 0, 0, 0, 0]]),
      ['（六）其他处理', null, [0, 0, 0, 0, 0, 0, 0]],
      ['（七）总计', null, [0, 0, 0, 0, 0, 0, 0]],
      ['四、结转下年度继续办理', null, [0, 0, 0, 0, 0, 0, 0]],
    ];
    const expected = rows.flatMap(([item, group, values]) =>
      APPLICANTS_2019.map((column, j) => [item, group, column, values[j]]));
    const got = seed.stats
      .filter((s) => s.kind === 'table' && s.section === SECTION3)
      .map((s) => [s.item, s.group, s.column, s.value]);
    expect(got).toEqual(expected);
    // The question "企业申请了几次" has an answer: 0, read from a blank cell.
    const firms = fig(seed, '一、本年新收政府信息公开申请数量', '商业企业');
    expect(firms).toMatchObject({ value: 0, raw: '', line: 52, article: null });
    expect(fig(seed, '（七）总计', '总计')).toMatchObject({ value: 0, raw: '0', line: 76 });
  });

  it('joins the row label split by the page break and keeps the line of its figures', () => {
    const label = '（二）部分公开';
    expect(fig(seed, label, '总计').line).toBe(55);
    expect(seed.stats.some((s) => s.item.startsWith('的'))).toBe(false);
  });

  it('reads the section 四 row (16 zeros for 15 columns: every alignment gives 0)', () => {
    const got = seed.stats
      .filter((s) => s.section === '四、政府信息公开行政复议、行政诉讼情况')
      .map((s) => `${s.item}/${s.column}=${s.value}`);
    const outcomes = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
    expect(got).toEqual(['行政复议', '行政诉讼（未经复议直接起诉）', '行政诉讼（复议后起诉）']
      .flatMap((item) => outcomes.map((c) => `${item}/${c}=0`)));
  });

  it('reports every row whose cells do not fit the header, with line and counts', () => {
    const layout = seed.findings.filter((f) => /数据格|数值/.test(f.message));
    // Line 74 (（六）其他处理) has one empty cell after the last column: filler, not a misfit.
    expect(layout.map((f) => f.location.match(/第 (\d+) 行/)?.[1])).toEqual(['54', '55', '76', '77', '84']);
    const review = layout[4];
    // All 16 zeros read the same under every alignment: nothing lost, for reference only.
    expect(review?.level).toBe('info');
    expect(review?.message).toContain('16 个数值');
    expect(review?.message).toContain('15 列');
    expect(layout[2]?.message).toContain('“（七）总计”一行有 14 个数据格，与表头 7 列');
    expect(seed.findings.filter((f) => f.level === 'error')).toEqual([]);
  });

  it('reads the figures stated in the narrative, and no years or list numbers', () => {
    const got = seed.stats.filter((s) => s.kind === 'narrative').map((s) => [s.item, s.value, s.unit, s.line]);
    expect(got).toEqual([
      ['政府门户网站共发布信息', 3612, '条', 7],
      ['官方微信公众号发布信息', 562, '条', 7],
      ['官方微博发布信息', 158, '条', 7],
      ['政府门户网站浏览量', 547897, '次', 7],
      ['参与培训人数', 100, '人次', 17],
      ['共组织、参加各类政务公开培训', 4, '次', 23],
      ['在全县范围共培训政务公开业务人员', 500, '人次', 23],
    ]);
    const trained = fig(seed, '参与培训人数');
    expect(trained).toMatchObject({ approximate: true, raw: '100 多', column: '', article: null, kind: 'narrative' });
    expect(fig(seed, '政府门户网站共发布信息').approximate).toBeUndefined();
    expect(seed.stats.some((s) => s.value === 2019)).toBe(false);
  });

  it('keeps the narrative passages under their headings, markdown removed, page breaks joined', () => {
    const p = (heading: string) => seed.passages.find((x) => x.heading === heading);
    expect(seed.passages[0]).toMatchObject({ section: '', heading: '', line: 7 });
    const org = p('（一）健全组织机制。');
    expect(org).toMatchObject({ section: '一、主要做法', line: 11 });
    expect(org?.text).toContain('政府信息公开指南、公开目录编制、信息公开网建设');
    expect(org?.text).not.toContain('**');
    expect(p('（五）强化宣传培训。')?.text).toMatch(/^坚持宣传先行/);
    expect(p('一是聚力公开重点，深化政务公开内容。')?.section).toBe('五、存在的主要问题及改进情况');
    const problems = seed.passages.find((x) => x.line === 88);
    expect(problems?.text).toContain('但也存在一些问题：一是重点领域');
    const other = seed.passages.filter((x) => x.section === '六、其他需要报告的事项');
    expect(other).toHaveLength(1);
    expect(other[0]?.text).toBe('西吉县人民政府网站网址（http://www.nxxj.gov.cn/），如需了解更多政府信息，请登录查询。');
    expect(seed.passages.some((x) => /^#|^\*\*/.test(x.text) || x.text.includes('政府信息公开工作年度报告') && x.text.length < 30)).toBe(false);
  });
});

describe('fictional 2021-format report in markdown tables', () => {
  const r = fixture('fictional-2021-markdown.md');

  it('reads title, format and the 2021 section 二 columns', () => {
    expect([r.year, r.body, r.format]).toEqual([2021, '青禾县人民政府', '2021']);
    expect(val(r, '行政规范性文件', '本年制发件数', '第二十条第（一）项')).toBe(12);
    expect(val(r, '行政规范性文件', '本年废止件数')).toBe(3);
    expect(val(r, '行政规范性文件', '现行有效件数')).toBe(57);
    expect(val(r, '行政许可', '本年处理决定数量', '第二十条第（五）项')).toBe(4521);
    expect(val(r, '行政处罚', '本年处理决定数量', '第二十条第（六）项')).toBe(388);
    expect(val(r, '行政强制', '本年处理决定数量')).toBe(27);
    expect(fig(r, '行政事业性收费', '本年收费金额（单位：万元）')).toMatchObject({ value: 156.4, unit: '万元', article: '第二十条第（八）项' });
  });

  it('reads the section 三 table with the split （六）其他处理 sub-rows and 社会公益组织', () => {
    expect(val(r, '一、本年新收政府信息公开申请数量', '社会公益组织')).toBe(1);
    expect(val(r, '一、本年新收政府信息公开申请数量', '总计')).toBe(32);
    const late = fig(r, '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', '自然人');
    expect(late).toMatchObject({ value: 1, group: '（六）其他处理' });
    expect(fig(r, '3.其他', '法律服务机构')).toMatchObject({ value: 1, group: '（六）其他处理' });
    expect(fig(r, '2.重复申请', '总计')).toMatchObject({ value: 1, group: '（五）不予处理' });
    expect(val(r, '（七）总计', '总计')).toBe(32);
    expect(val(r, '四、结转下年度继续办理', '商业企业')).toBe(1);
    expect(r.stats.filter((s) => s.section === SECTION3)).toHaveLength(25 * 7);
  });

  it('reads the section 四 row and narrative figures, with no layout findings', () => {
    expect(val(r, '行政复议', '结果维持')).toBe(1);
    expect(val(r, '行政复议', '总计')).toBe(2);
    expect(val(r, '行政诉讼（未经复议直接起诉）', '尚未审结')).toBe(1);
    expect(val(r, '行政诉讼（复议后起诉）', '总计')).toBe(0);
    expect(val(r, '青禾县政府门户网站浏览量')).toBe(120500);
    expect(fig(r, '全年组织政务公开培训')).toMatchObject({ value: 3, unit: '场' });
    expect(fig(r, '本年度收取信息处理费')).toMatchObject({ value: 0, unit: '元', section: '六、其他需要报告的事项' });
    expect(r.findings).toEqual([]);
    expect(r.stats.some((s) => s.item.includes('测试数据'))).toBe(false);
    expect(r.passages.some((p) => p.text.includes('测试数据'))).toBe(false);
  });
});

describe('fictional report flattened to one cell per line', () => {
  const r = fixture('fictional-one-cell-per-line.txt');

  it('takes the body from the line above the title and joins broken header cells', () => {
    expect([r.year, r.body, r.format]).toEqual([2020, '白石镇人民政府', '2019']);
    expect(val(r, '规范性文件', '本年新制作数量')).toBe(3);
    expect(val(r, '规范性文件', '本年新公开数量')).toBe(3);
    expect(val(r, '规范性文件', '对外公开总数量')).toBe(41);
    expect(val(r, '行政处罚', '上一年项目数量', '第二十条第（六）项')).toBe(6);
    expect(figures(r, { item: '规章' })).toEqual([]);
  });

  it('reads signed, spaced and unit-bearing cells', () => {
    expect(val(r, '行政许可', '本年增/减')).toBe(-2);
    expect(fig(r, '行政许可', '处理决定数量')).toMatchObject({ value: 1310, raw: '1 310' });
    expect(fig(r, '政府集中采购', '采购总金额')).toMatchObject({ value: 12.5, unit: '万元' });
  });

  it('rebuilds the section 三 and 四 rows from single cells', () => {
    expect(val(r, '一、本年新收政府信息公开申请数量', '商业企业')).toBe(1);
    expect(val(r, '一、本年新收政府信息公开申请数量', '社会组织')).toBe(0);
    expect(val(r, '（一）予以公开', '自然人')).toBe(3);
    expect(fig(r, '1.信访举报投诉类申请', '总计')).toMatchObject({ value: 1, group: '（五）不予处理' });
    expect(val(r, '（七）总计', '总计')).toBe(6);
    expect(val(r, '行政复议', '结果维持')).toBe(1);
    expect(val(r, '行政复议', '其他结果')).toBe(0);
    expect(figures(r, { item: '行政诉讼（复议后起诉）' })).toHaveLength(5);
    expect(r.findings).toEqual([]);
  });
});

describe('fictional report with full-width digits and punctuation', () => {
  const r = fixture('fictional-fullwidth.txt');

  it('normalises digits, signs, spaces inside numbers and units', () => {
    expect([r.year, r.body]).toEqual([2020, '柳川市交通运输局']);
    expect(fig(r, '行政许可', '处理决定数量')).toMatchObject({ value: 80639, raw: '８０ ６３９' });
    expect(val(r, '行政许可', '本年增/减')).toBe(12);
    expect(val(r, '行政处罚', '本年增/减')).toBe(-14);
    expect(val(r, '行政处罚', '上一年项目数量')).toBe(1285);
    expect(fig(r, '政府集中采购', '采购总金额')).toMatchObject({ value: 33.99, unit: '万元' });
  });

  it('records no figure for "——" and "／" cells', () => {
    expect(figures(r, { item: '规章' })).toEqual([]);
    expect(figures(r, { item: '其他对外管理服务事项' })).toEqual([]);
    expect(figures(r, { item: '行政强制' })).toEqual([]);
  });

  it('accepts headings numbered without 、 and as 第四部分, and full-width list markers', () => {
    expect(fig(r, '召开新闻发布会')).toMatchObject({ value: 2, section: '一总体情况' });
    expect(fig(r, '办理群众留言')).toMatchObject({ value: 60, approximate: true });
    expect(fig(r, '门户网站发布政务信息').value).toBe(1205);
    expect(fig(r, '1.本机关不掌握相关政府信息', '自然人')).toMatchObject({ value: 1, group: '（四）无法提供' });
    expect(fig(r, '行政复议', '结果纠正')).toMatchObject({ value: 1, section: '第四部分政府信息公开行政复议、行政诉讼情况' });
    expect(r.findings).toEqual([]);
  });
});

describe('fictional report with tables split across pages', () => {
  const r = fixture('fictional-page-break.txt');

  it('continues the section 二 table after the page number and form feed', () => {
    expect([r.year, r.body]).toEqual([2019, '云岭乡人民政府']);
    expect(fig(r, '其他对外管理服务事项', '本年增/减')).toMatchObject({ value: -1, article: '第二十条第（五）项', line: 23 });
    expect(val(r, '行政处罚', '处理决定数量', '第二十条第（六）项')).toBe(5);
  });

  it('joins a row label broken at the foot of a page with its figures on the next page', () => {
    const item = '（二）部分公开';
    expect(fig(r, item, '自然人')).toMatchObject({ value: 1, line: 48 });
    expect(val(r, item, '总计')).toBe(1);
    expect(val(r, '（七）总计', '法律服务机构')).toBe(1);
    expect(r.findings).toEqual([]);
  });

  it('drops page numbers from a paragraph broken across pages', () => {
    const text = r.passages.find((p) => p.section === '五、存在的主要问题及改进情况')?.text;
    expect(text).toBe('一是公开栏更新不及时，部分公告张贴超过7 天才撤下；二是工作人员均为兼职。');
  });
});

describe('real published reports the parser had not seen', () => {
  it('深圳市龙岗区 2024 (lg.gov.cn), "|"-separated, 2021 format', () => {
    const r = fixture('real-lg-gov-cn-2024-excerpt.txt');
    expect(r.year).toBe(2024);
    expect(r.format).toBe('2021');
    expect(val(r, '行政规范性文件', '本年制发件数', '第二十条第（一）项')).toBe(5);
    expect(val(r, '行政规范性文件', '现行有效件数')).toBe(25);
    expect(val(r, '一、本年新收政府信息公开申请数量', '自然人')).toBe(58);
    expect(val(r, '一、本年新收政府信息公开申请数量', '商业企业')).toBe(7);
    expect(val(r, '一、本年新收政府信息公开申请数量', '法律服务机构')).toBe(1);
    expect(val(r, '一、本年新收政府信息公开申请数量', '总计')).toBe(66);
    expect(val(r, '（二）部分公开', '总计')).toBe(17);
    expect(fig(r, '5.属于三类内部事务信息', '自然人')).toMatchObject({ value: 1, group: '（三）不予公开' });
    // The page does not say which body published it; the parser says so instead of guessing.
    expect(r.body).toBeNull();
    expect(r.findings.some((f) => f.message.includes('机关名称'))).toBe(true);
    expect(r.findings.filter((f) => f.message.includes('数据格'))).toEqual([]);
  });

  it('区统计局 2023, HTML table flattened to one cell per line with "|" ends', () => {
    const r = fixture('real-qu-tongjiju-2023-excerpt.txt');
    expect([r.year, r.body, r.format]).toEqual([2023, '区统计局', '2021']);
    expect(fig(r, '主动在门户网站公开政府信息')).toMatchObject({ value: 50, unit: '条' });
    expect(val(r, '业务工作类的信息')).toBe(10);
    expect(val(r, '行政规范性文件', '现行有效件数')).toBe(0);
    expect(figures(r, { item: '规章' })).toEqual([]); // printed "/"
    expect(fig(r, '行政事业性收费', '本年收费金额（单位：万元）')).toMatchObject({ value: 0, unit: '万元' });
    expect(val(r, '一、本年新收政府信息公开申请数量', '总计')).toBe(0);
    expect(val(r, '一、本年新收政府信息公开申请数量', '社会公益组织')).toBe(0);
  });
});

describe('cell mapping never guesses', () => {
  const header = [
    '三、收到和处理政府信息公开申请情况',
    '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\t\t\t\t\t\t总计',
    '\t自然人\t法人或其他组织\t\t\t\t\t',
    '\t\t商业企业\t科研机构\t社会组织\t法律服务机构\t其他\t',
  ];

  it('leaves out a number that could belong to two columns, and says so', () => {
    const r = parseReport([...header, '（一）予以公开\t5\t2\t\t\t\t7', '（二）部分公开\t\t2\t\t\t\t\t\t2', '（三）不予公开\t\t\t\t\t\t\t\t\t\t6'].join('\n'), 't');
    // 6 cells for 7 columns: 5 is 自然人 and 7 is 总计, but the 2 may be any organisation column.
    expect(val(r, '（一）予以公开', '自然人')).toBe(5);
    expect(val(r, '（一）予以公开', '总计')).toBe(7);
    expect(figures(r, { item: '（一）予以公开', column: '商业企业' })).toEqual([]);
    expect(figures(r, { item: '（一）予以公开', column: '科研机构' })).toEqual([]);
    expect(r.stats.filter((s) => s.item === '（一）予以公开').map((s) => s.column))
      .toEqual(['自然人', '社会组织', '法律服务机构', '其他', '总计']);
    // 8 cells for 7 columns: if the surplus empty cell is the first, the first 2 is 自然人;
    // otherwise it is 商业企业. The last 2 is 总计 whichever empty cell is surplus.
    expect(figures(r, { item: '（二）部分公开', column: '自然人' })).toEqual([]);
    expect(figures(r, { item: '（二）部分公开', column: '商业企业' })).toEqual([]);
    expect(val(r, '（二）部分公开', '总计')).toBe(2);
    expect(val(r, '（二）部分公开', '科研机构')).toBe(0);
    // A single number at the end of an over-long row is the 总计 column.
    expect(fig(r, '（三）不予公开', '总计')).toMatchObject({ value: 6, line: 7 });
    expect(val(r, '（三）不予公开', '自然人')).toBe(0);
    const msgs = r.findings.map((f) => f.message).join('\n');
    expect(val(r, '（一）予以公开', '社会组织')).toBe(0);
    expect(msgs).toMatch(/“（一）予以公开”一行有 6 个数据格.*自然人 5.*总计 7.*商业企业、科研机构 列有多种可能的读数，未记录/);
    expect(msgs).toMatch(/“（二）部分公开”一行有 8 个数据格.*自然人、商业企业 列有多种可能的读数/);
  });

  it('records none of a section 四 row whose alignments disagree', () => {
    const text = [
      '四、政府信息公开行政复议、行政诉讼情况',
      '行政复议\t\t\t\t\t行政诉讼',
      '结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉',
      '\t\t\t\t\t' + ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'].join('\t').repeat(1) + '\t' + ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'].join('\t'),
      ['1', ...Array<string>(15).fill('0')].join('\t'),
    ].join('\n');
    const r = parseReport(text, 't');
    expect(r.stats.filter((s) => s.kind === 'table')).toEqual([]);
    const f = r.findings.find((x) => x.message.includes('16 个数值'));
    expect(f?.location).toBe('第 5 行（四、政府信息公开行政复议、行政诉讼情况）');
    expect(f?.message).toContain('本行数字均未记录');
  });

  it('fitCells: a column is read only when every placement agrees', () => {
    const cells = (...xs: string[]) => xs.map((x) => makeCell(x, 1));
    const text = (r: ReturnType<typeof fitCells>) => r.map((c) => (c === undefined ? '?' : c === null ? '' : c.text));
    expect(text(fitCells(cells('1', '2', '3'), 3, true, true))).toEqual(['1', '2', '3']);
    expect(text(fitCells(cells('', '', '4'), 2, true, false))).toEqual(['', '4']);
    expect(text(fitCells(cells('4', '', ''), 2, true, false))).toEqual(['4', '']);
    expect(text(fitCells(cells('', '4', ''), 2, true, false))).toEqual(['?', '?']);
    expect(text(fitCells(cells('4', '5', '6'), 2, false, false))).toEqual(['?', '?']);
    expect(text(fitCells(cells('0', '0', '0'), 2, false, false))).toEqual(['0', '0']);
    expect(text(fitCells(cells('4', '9'), 3, true, true))).toEqual(['4', '', '9']);
    expect(text(fitCells(cells('4', '1', '9'), 4, true, true))).toEqual(['4', '?', '?', '9']);
    expect(text(fitCells(cells('4', '1', '9'), 4, true, false))).toEqual(['?', '?', '?', '?']);
  });
});

describe('text helpers', () => {
  it('parseNumber reads printed figures', () => {
    expect(parseNumber('80 639')).toEqual({ value: 80639, unit: null, approximate: false });
    expect(parseNumber('８０，６３９')?.value).toBe(80639);
    expect(parseNumber('-14')?.value).toBe(-14);
    expect(parseNumber('−3')?.value).toBe(-3);
    expect(parseNumber('33.99 万元')).toEqual({ value: 33.99, unit: '万元', approximate: false });
    expect(parseNumber('100 多')).toEqual({ value: 100, unit: null, approximate: true });
    expect(parseNumber('2 4')).toBeNull();
    expect(parseNumber('1.属于国家秘密')).toBeNull();
    expect(makeCell('——', 1).kind).toBe('na');
    expect(makeCell('/', 1).kind).toBe('na');
    expect(makeCell('1.属于国家秘密', 1).kind).toBe('text');
    expect(makeCell('12abc3', 1).kind).toBe('bad');
  });

  it('canonLabel agrees across half- and full-width forms', () => {
    expect(canonLabel('(三) 不予公开')).toBe('（三）不予公开');
    expect(canonLabel('**（三）不予公开**')).toBe('（三）不予公开');
    expect(canonLabel('本年收费金额(单位:万元)')).toBe('本年收费金额（单位：万元）');
  });

  it('lineShape splits tabs, pipes and one-cell lines', () => {
    expect(lineShape('|---|---|', 1).mode).toBe('skip');
    expect(lineShape('||', 1).mode).toBe('skip');
    expect(lineShape('— 3 —', 1).mode).toBe('skip');
    const pipe = lineShape('| 规章 | 0 | 0 |', 1);
    expect(pipe.mode === 'row' && pipe.cells.map((c) => c.text)).toEqual(['规章', '0', '0']);
    const one = lineShape('信息内容 |', 1);
    expect(one.mode === 'cell' && one.cells.map((c) => c.text)).toEqual(['信息内容']);
    const zeros = lineShape('0 0 0 0', 1);
    expect(zeros.mode === 'row' && zeros.cells.length).toBe(4);
    const spaced = lineShape('80 639', 1);
    expect(spaced.mode === 'cell' && spaced.cells[0]?.num?.value).toBe(80639);
  });

  it('mergeFragments joins header cells broken across lines', () => {
    expect(mergeFragments(['本年新', '制作数量', '本年新', '公开数量', '对外公开总数量'], 3))
      .toEqual(['本年新制作数量', '本年新公开数量', '对外公开总数量']);
    expect(mergeFragments(['结果', '维持', '其他', '结果', '总计'], null)).toEqual(['结果维持', '其他结果', '总计']);
    // Fragments that join into no column of the formats stay apart: no label is made up.
    expect(mergeFragments(['甲乙', '丙', '丁'], 2)).toEqual(['甲乙', '丙', '丁']);
  });

  it('sectionHeading accepts the usual heading forms and rejects table rows', () => {
    expect(sectionHeading('### 一、主要做法', 0)).toEqual({ num: 1, title: '一、主要做法' });
    expect(sectionHeading('## **六、其他需要报告的事项**', 5)?.title).toBe('六、其他需要报告的事项');
    expect(sectionHeading('一 总体情况', 0)?.num).toBe(1);
    expect(sectionHeading('三．收到和处理政府信息公开申请情况', 2)?.num).toBe(3);
    expect(sectionHeading('四、结转下年度继续办理', 3)).toBeNull();
    expect(sectionHeading('三、本年度办理结果', 3)).toBeNull();
    expect(sectionHeading('二、上年结转政府信息公开申请数量', 3)).toBeNull();
    expect(sectionHeading('一是及时公布权力清单', 0)).toBeNull();
  });

  it('reads the body from a one-line title', () => {
    const r = parseReport('西吉县人民政府2020年政府信息公开工作年度报告\n\n一、总体情况\n\n本年度工作正常。', 'x');
    expect([r.year, r.body]).toEqual([2020, '西吉县人民政府']);
    const cn = parseReport('# 某某区教育局\n## 二〇二一年政府信息公开工作年度报告\n', 'x');
    expect([cn.year, cn.body]).toEqual([2021, '某某区教育局']);
  });
});

describe('parseReport never throws', () => {
  const lines = seedText.split('\n');
  const wellFormed = (r: ParsedReport, text: string): void => {
    const max = text.split(/\r\n|\n|\r/).length;
    expect(Array.isArray(r.stats) && Array.isArray(r.passages) && Array.isArray(r.findings)).toBe(true);
    for (const s of r.stats) {
      expect(Number.isFinite(s.value)).toBe(true);
      expect(s.line >= 1 && s.line <= max).toBe(true);
    }
    for (const f of r.findings) expect(f.location.length > 0 && f.message.length > 0).toBe(true);
    expect(() => validateReport(r, 'fuzz')).not.toThrow();
  };
  const tableish = fc.array(
    fc.oneof(
      fc.constantFrom('\t', '|', '\n', '\r\n', ' ', '　', '\f', '——', '/', '0', '12', '80 639', '-3', '３３．９９万元',
        '一、', '（三）', '(七)', '1.', '总计', '自然人', '信息内容', '第二十条第（一）项', '行政复议', '结果维持', '起诉',
        '（本列数据的勾稽关系为', '申请人情况', '**', '### ', '四、政府信息公开行政复议', '年度报告', '2019 年', '多人次'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 200 },
  ).map((parts) => parts.join(''));

  it('on random text', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400, unit: 'binary' }), tableish), (text) => {
      wellFormed(parseReport(text, 'fuzz'), text);
    }), { numRuns: 200 });
  });

  // CPU-bound property run: on a machine busy with the browser and crash tests it needs more than 5 s.
  it('on mutations of the seed (lines dropped, duplicated, characters inserted)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('dup' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), pos: fc.nat(), text: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('\t', '|', '0', '（', ')', '\n')) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const ls = [...lines];
      for (const o of ops) {
        if (ls.length === 0) break;
        const i = o.at % ls.length;
        if (o.kind === 'drop') ls.splice(i, 1);
        else if (o.kind === 'dup') ls.splice(i, 0, ls[i] ?? '');
        else {
          const l = ls[i] ?? '';
          const p = o.pos % (l.length + 1);
          ls[i] = l.slice(0, p) + o.text + l.slice(p);
        }
      }
      const text = ls.join('\n');
      wellFormed(parseReport(text, 'fuzz'), text);
    }), { numRuns: 200 });
  }, 60_000);
});

describe('rows of empty cells in section 三', () => {
  const header = [
    '三、收到和处理政府信息公开申请情况',
    '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\t\t\t\t\t\t总计',
    '\t自然人\t法人或其他组织\t\t\t\t\t',
    '\t\t商业企业\t科研机构\t社会组织\t法律服务机构\t其他\t',
  ];
  it('reads a blank row as 0 unless it only heads its numbered sub-rows', () => {
    const r = parseReport([...header,
      '三、本年度办理结果\t\t\t\t\t\t\t',
      '（五）不予处理\t\t\t\t\t\t\t',
      '1.信访举报投诉类申请\t1\t\t\t\t\t\t1',
      '（六）其他处理\t\t\t\t\t\t\t',
      '（七）总计\t1\t\t\t\t\t\t1'].join('\n'), 't');
    expect(r.stats.filter((s) => s.item === '（五）不予处理' || s.item.startsWith('三、'))).toEqual([]);
    expect(fig(r, '1.信访举报投诉类申请', '自然人').group).toBe('（五）不予处理');
    expect(r.stats.filter((s) => s.item === '（六）其他处理').map((s) => s.value)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('parseReport stays fast on pathological lines', () => {
  it('handles very long runs of tabs, spaces and digits in well under a second each', () => {
    const inputs = [
      '一' + ' '.repeat(30000) + 'x',
      '# 标题' + ' '.repeat(30000) + 'x',
      '共发布信息 ' + '1'.repeat(30000) + ' 次。',
      '三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系\t自然人\t总计\n一、本年新收\t' + '\t'.repeat(60000) + '5',
      '二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年新制作数量\n规章\t1' + ' '.repeat(30000) + 'x',
    ];
    for (const text of inputs) {
      const t = performance.now();
      parseReport(text, 'slow');
      expect(performance.now() - t).toBeLessThan(1000);
    }
  });
});
