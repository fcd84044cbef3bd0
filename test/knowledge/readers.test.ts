// Issue 12 point 3: published files read as they are. The county's 2019 report as its portal page,
// printed to PDF by Chromium and converted to DOCX by LibreOffice (test/fixtures/reports/published/,
// made by generate.ts there) must give exactly the figures of the text file, and nothing from the
// page chrome; fictional files cover merged cells, a table over several PDF pages, and files that
// cannot be read.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/answer/engine.ts';
import { loadKnowledge } from '../../src/knowledge/knowledge-base.ts';
import { readReportFile, type ReadReportResult } from '../../src/knowledge/report-file.ts';
import type { ReportStat } from '../../src/knowledge/types.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PUBLISHED = path.join(ROOT, 'test/fixtures/reports/published');
const TXT = path.join(ROOT, 'knowledge/reports/2019-西吉县人民政府.txt');

const key = (s: ReportStat): string => [s.kind, s.section, s.article, s.group, s.item, s.column, s.value].join('|');
const figures = (r: ReadReportResult): string[] => (r.parsed?.stats ?? []).map(key).sort();

describe('the county\'s 2019 report as published', () => {
  let txt: ReadReportResult;
  beforeAll(async () => {
    txt = await readReportFile(TXT, 'txt');
  });

  for (const file of ['2019-西吉县人民政府.html', '2019-西吉县人民政府.pdf', '2019-西吉县人民政府.docx']) {
    it(`${file} gives the figures of the text file, and none from the page around it`, async () => {
      const r = await readReportFile(path.join(PUBLISHED, file), file);
      expect([r.parsed?.year, r.parsed?.body]).toEqual([2019, '西吉县人民政府']);
      expect(figures(r)).toEqual(figures(txt));
      expect(figures(r)).toHaveLength(205);
      // The same contradiction (（七）总计 0 while 予以公开 is 10) is found in each.
      expect(r.findings.filter((f) => f.message.includes('办理结果各项之和为 10'))).toHaveLength(2);
      expect(r.parsed?.passages.some((p) => p.text.includes('政府信息公开指南、公开目录编制、信息公开网建设'))).toBe(true);
    });
  }

  it('the portal page\'s chrome (counter, footer, related links, record numbers) gives no figure and no passage', async () => {
    const r = await readReportFile(path.join(PUBLISHED, '2019-西吉县人民政府.html'), 'html');
    const text = JSON.stringify(r.parsed?.passages);
    for (const chrome of ['浏览次数', '2387', '1234567', '6404220001', '0954-3012345', '相关链接', '上一篇', '35821', '宁ICP备']) expect(text).not.toContain(chrome);
  });

  it('PDF findings name the page', async () => {
    const r = await readReportFile(path.join(PUBLISHED, '2019-西吉县人民政府.pdf'), 'pdf');
    expect(r.findings.find((f) => f.message.includes('办理结果各项之和为 10'))?.location).toMatch(/^第 \d+ 页，第 \d+ 行/);
  });
});

describe('fictional published files', () => {
  it('reads a GB2312 portal page with merged cells, and nothing of its menus, counters or footer', async () => {
    const r = await readReportFile(path.join(PUBLISHED, 'fictional-merged.html'), 'merged');
    expect([r.parsed?.year, r.parsed?.body, r.parsed?.format]).toEqual([2021, '云溪镇人民政府', '2021']);
    const get = (item: string, column: string) => r.parsed?.stats.find((s) => s.item === item && s.column === column)?.value;
    expect(get('行政许可', '本年处理决定数量')).toBe(76);
    expect(get('一、本年新收政府信息公开申请数量', '商业企业')).toBe(2);
    expect(get('一、本年新收政府信息公开申请数量', '总计')).toBe(8);
    expect(get('1.属于国家秘密', '总计')).toBe(0);
    expect(r.parsed?.stats.find((s) => s.item === '1.属于国家秘密')?.group).toBe('（三）不予公开');
    expect(get('（七）总计', '法律服务机构')).toBe(1);
    expect(r.parsed?.stats.filter((s) => s.kind === 'table')).toHaveLength(6 + 1 + 7 * 7);
    const values = new Set(r.parsed?.stats.map((s) => s.value));
    for (const chrome of [88812, 412, 23, 57, 130, 650000]) expect(values.has(chrome)).toBe(false);
    expect(r.findings.filter((f) => f.level === 'error' || /勾稽|之和/.test(f.message))).toEqual([]);
  });

  it('reads a section 三 table that runs over three PDF pages with running heads and page numbers', async () => {
    const r = await readReportFile(path.join(PUBLISHED, 'fictional-multipage.pdf'), 'multipage');
    expect(r.parsed?.year).toBe(2022);
    const section3 = r.parsed?.stats.filter((s) => s.section.startsWith('三、')) ?? [];
    expect(section3).toHaveLength(16 * 7);
    expect(section3.find((s) => s.item === '4.保护第三方合法权益' && s.column === '总计')).toMatchObject({ value: 1, group: '（三）不予公开' });
    expect(section3.find((s) => s.item === '（七）总计' && s.column === '商业企业')?.value).toBe(3);
    expect(r.findings.filter((f) => /勾稽|之和|不符/.test(f.message))).toEqual([]);
  });

  const unreadable: Array<[string, RegExp]> = [
    ['fictional-scanned.pdf', /没有可读取的文字.*扫描件/],
    ['fictional-locked.pdf', /设有打开密码/],
    ['fictional-broken.docx', /Word 文件已损坏或不完整/],
  ];
  for (const [file, message] of unreadable) {
    it(`${file} is one clear finding, not a crash`, async () => {
      const r = await readReportFile(path.join(PUBLISHED, file), file);
      expect(r.parsed).toBeNull();
      expect(r.findings).toEqual([expect.objectContaining({ level: 'error', message: expect.stringMatching(message) })]);
    });
  }

  describe('in the knowledge directory', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'readers-kb-'));
      await cp(path.join(ROOT, 'knowledge'), dir, { recursive: true });
      await rm(path.join(dir, 'reports/2019-西吉县人民政府.txt'));
      for (const f of ['2019-西吉县人民政府.pdf', 'fictional-merged.html', 'fictional-scanned.pdf', 'fictional-locked.pdf', 'fictional-broken.docx']) {
        await cp(path.join(PUBLISHED, f), path.join(dir, 'reports', f));
      }
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('serves the readable reports, names each unreadable file once, and answers with the file in the source line', async () => {
      const kb = await loadKnowledge(dir);
      expect(kb.reports.map((r) => r.document)).toEqual(['reports/2019-西吉县人民政府.pdf', 'reports/fictional-merged.html']);
      const errors = kb.findings.filter((f) => f.level === 'error').map((f) => f.document);
      expect(errors).toEqual(['reports/fictional-broken.docx', 'reports/fictional-locked.pdf', 'reports/fictional-scanned.pdf']);
      const engine = new Engine(kb, () => new Date('2026-06-01T00:00:00Z'));
      const reply = engine.respond('2019年行政处罚有多少件', undefined).answer.reply;
      expect(reply).toContain('1271');
      expect(reply).toMatch(/来源：.*2019-西吉县人民政府\.pdf/);
    }, 60_000);
  });
});
