import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseGuide, SUMMARY_MAX_CHARS } from '../../src/knowledge/guide-parser.ts';
import type { GuideTopic } from '../../src/knowledge/types.ts';

const GUIDE_PATH = new URL('../../knowledge/guide.md', import.meta.url);
const FIXTURES = new URL('../fixtures/guides/', import.meta.url);

const guideText = readFileSync(GUIDE_PATH, 'utf8');
const guide = parseGuide(guideText, 'guide.md');

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function topic(id: string): GuideTopic {
  const t = guide.topics.find((x) => x.id === id);
  if (!t) throw new Error(`guide.md has no topic {#${id}}`);
  return t;
}

/**
 * Contact details in a text that are not the ones the sources give: e-mail addresses, URLs
 * outside nxxj.gov.cn, and any run of 5 or more digits (phone numbers, postal codes, hotlines)
 * other than the service centre's 0954-3018118.
 */
function inventedContacts(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)) found.push(m[0]);
  for (const m of text.matchAll(/(?:https?:\/\/|www\.)[^\s）)」”，。；]+/gi)) {
    if (!/^(?:https?:\/\/)?(?:www\.)?nxxj\.gov\.cn(?:\/|$)/i.test(m[0])) found.push(m[0]);
  }
  for (const m of text.matchAll(/[0-9０-９][0-9０-９\-－—–\s]*[0-9０-９]/g)) {
    const digits = m[0].replace(/[^0-9０-９]/g, '');
    if (digits.length < 5) continue;
    if (m[0].trim() === '0954-3018118') continue;
    found.push(m[0]);
  }
  return found;
}

describe('knowledge/guide.md', () => {
  it('parses without errors or warnings', () => {
    const problems = guide.findings.filter((f) => f.level !== 'info');
    expect(problems).toEqual([]);
  });

  it('has contacts from the front matter, with their source and the website as authority', () => {
    expect(guide.contacts).toEqual({
      body: '西吉县人民政府',
      portal: 'http://www.nxxj.gov.cn/',
      phone: '0954-3018118',
      note: expect.stringContaining('以官网公布为准'),
    });
    expect(guide.contacts?.note).toContain('来源');
  });

  it('has every required topic', () => {
    const required = [
      'who-can-apply', 'apply', 'application-content', 'oral-application', 'received-date',
      'answer-deadline', 'extension', 'supplement', 'third-party', 'proactive-deadline',
      'answer-types', 'no-new-information', 'petitions', 'delivery-form', 'frequent-applications',
      'fees', 'processing-fee', 'exempt', 'privacy', 'internal-process', 'remedies',
      'reading-places', 'article-20', 'article-20-1', 'article-20-5', 'article-20-6',
      'article-20-7', 'article-20-8', 'article-20-9', 'annual-report', 'contacts', 'office-hours',
      'portal', 'email-post-online', 'organisation', 'which-body', 'rules',
    ];
    const ids = guide.topics.map((t) => t.id);
    for (const id of required) expect(ids, id).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['apply', ['书面', '口头', '第二十九条', '西吉县政务服务中心', '以官网公布为准']],
    ['application-content', ['姓名或者名称', '身份证明', '联系方式', '第二十九条']],
    ['oral-application', ['口头', '代为填写', '第二十九条']],
    ['received-date', ['当面', '签收', '确认', '传真', '第三十一条']],
    ['answer-deadline', ['当场答复', '20个工作日', '第三十三条']],
    ['extension', ['20个工作日', '负责人同意', '第三十三条']],
    ['supplement', ['7个工作日', '一次性', '视为放弃', '第三十条']],
    ['third-party', ['15个工作日', '第三十二条', '不算在']],
    ['proactive-deadline', ['20个工作日', '第二十六条']],
    ['answer-types', ['7种', '第三十六条', '不存在', '重复']],
    ['no-new-information', ['加工', '第三十八条']],
    ['petitions', ['信访', '投诉', '举报', '公开出版物', '第三十九条']],
    ['delivery-form', ['查阅', '复制', '第四十条']],
    ['frequent-applications', ['说明理由', '第三十五条']],
    ['fees', ['不收费', '免费', '信息处理费', '第四十二条']],
    ['processing-fee', ['国办函〔2020〕109号', '据我们了解', '为准', '第四十二条']],
    ['exempt', ['国家秘密', '三安全一稳定', '商业秘密', '个人隐私', '第十四条', '第十五条', '第十六条']],
    ['privacy', ['商业秘密', '个人隐私', '第三方同意', '第十五条']],
    ['internal-process', ['内部事务', '过程性', '行政执法案卷', '第十六条']],
    ['remedies', ['投诉', '行政复议', '行政诉讼', '60日', '6个月', '第五十一条', '《行政诉讼法》第四十六条']],
    ['reading-places', ['nxxj.gov.cn', '咨询导办台', '西吉县档案馆', '没有掌握', '第二十五条']],
    ['article-20', ['第（一）项', '第（五）项', '第（六）项', '第（七）项', '第（八）项', '第（九）项']],
    ['article-20-1', ['规范性文件', '第二十条第（一）项']],
    ['article-20-5', ['行政许可', '第二十条第（五）项']],
    ['article-20-6', ['行政处罚', '行政强制', '第二十条第（六）项']],
    ['article-20-7', ['预算', '决算', '第二十条第（七）项']],
    ['article-20-8', ['行政事业性收费', '第二十条第（八）项']],
    ['article-20-9', ['政府集中采购', '第二十条第（九）项']],
    ['annual-report', ['1月31日', '3月31日', '第四十九条', '第五十条']],
    ['contacts', ['西吉县政务服务中心', '0954-3018118', '闽宁大道', '以官网公布为准', '来源', '14:30—17:30', '14:00—17:00']],
    ['office-hours', ['9:00—12:00', '法定节假日', '以官网公布为准']],
    ['portal', ['http://www.nxxj.gov.cn/']],
    ['email-post-online', ['没有掌握', 'http://www.nxxj.gov.cn/', '0954-3018118', '以官网公布为准']],
    ['organisation', ['领导小组', '政务公开室', '2019年年度报告']],
    ['which-body', ['掌握这条信息的机关', '政府信息公开指南', '第二十七条']],
    ['rules', ['政府信息公开条例', '宁夏回族自治区']],
  ])('topic %s states its key facts in the summary', (id, facts) => {
    const t = topic(id);
    for (const fact of facts) expect(t.summary, `${id}: ${fact}`).toContain(fact);
  });

  it('every topic has a title, questions, a basis and a source', () => {
    for (const t of guide.topics) {
      expect(t.title, t.id).not.toBe('');
      expect(t.questions.length, t.id).toBeGreaterThan(2);
      expect(t.basis, t.id).not.toBe('');
      expect(t.source).toEqual({ document: 'guide.md', title: '西吉县政府信息公开指南', section: t.title, basis: t.basis });
    }
  });

  it('every summary fits one message', () => {
    for (const t of guide.topics) expect([...t.summary].length, t.id).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
  });

  it('every summary that cites an article names the Regulations in full', () => {
    for (const t of guide.topics) {
      if (/第[一二三四五六七八九十]+条/.test(t.summary) && t.basis.includes('《条例》')) {
        expect(t.summary, t.id).toContain('《政府信息公开条例》');
      }
    }
  });

  it('every contact detail is marked 以官网公布为准', () => {
    for (const t of guide.topics) {
      if (t.summary.includes('0954-3018118') || t.summary.includes('闽宁大道')) {
        expect(t.summary, t.id).toContain('以官网公布为准');
      }
    }
  });

  it('invents no contact detail: no e-mail, postal code, other URL or other phone number', () => {
    expect(inventedContacts(guideText)).toEqual([]);
  });

  it('the invented-contact check would catch an invented contact', () => {
    expect(inventedContacts('邮箱：xjxxgk@163.com')).toHaveLength(1);
    expect(inventedContacts('邮编 756200')).toHaveLength(1);
    expect(inventedContacts('电话：0954-3012345')).toHaveLength(1);
    expect(inventedContacts('热线 12345')).toHaveLength(1);
    expect(inventedContacts('手机 13900000000')).toHaveLength(1);
    expect(inventedContacts('网上申请：http://ysqgk.example.cn/apply')).toHaveLength(1);
    expect(inventedContacts('见 http://www.nxxj.gov.cn/ ，电话0954-3018118，2019年，国办函〔2020〕109号')).toEqual([]);
  });
});

describe('parseGuide on fixtures', () => {
  it('reports duplicate ids and keeps both topics under distinct ids', () => {
    const r = parseGuide(fixture('duplicate-ids.md'), 'duplicate-ids.md');
    const dup = r.findings.filter((f) => f.level === 'error' && f.message.includes('重复'));
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatchObject({ document: 'duplicate-ids.md', location: '第 16 行' });
    expect(dup[0]?.message).toContain('第 10 行');
    expect(r.topics.map((t) => t.id)).toEqual(['same', 'same-2']);
    expect(r.contacts).not.toBeNull();
  });

  it('reads a well-formed topic from a fixture', () => {
    const r = parseGuide(fixture('duplicate-ids.md'), 'duplicate-ids.md');
    expect(r.topics[0]).toEqual({
      id: 'same',
      title: '第一个主题',
      questions: ['第一个主题', '问法甲', '问法乙'],
      summary: '第一个主题的回答。',
      detail: '',
      basis: '测试依据一',
      source: { document: 'duplicate-ids.md', title: '测试县人民政府信息公开指南', section: '第一个主题', basis: '测试依据一' },
    });
  });

  it('reports each missing front-matter field and gives no contacts', () => {
    const r = parseGuide(fixture('missing-fields.md'), 'missing-fields.md');
    expect(r.contacts).toBeNull();
    const messages = r.findings.filter((f) => f.level === 'error').map((f) => f.message);
    expect(messages.some((m) => m.includes('咨询电话'))).toBe(true);
    expect(messages.some((m) => m.includes('联系说明'))).toBe(true);
    expect(messages.some((m) => m.includes('机关'))).toBe(false);
    expect(r.topics.map((t) => t.id)).toEqual(['only']);
  });

  it('reports a missing front matter but still reads the topics', () => {
    const r = parseGuide(fixture('no-front-matter.md'), 'no-front-matter.md');
    expect(r.contacts).toBeNull();
    expect(r.findings.some((f) => f.level === 'error' && f.message.includes('缺少开头信息区'))).toBe(true);
    expect(r.topics.map((t) => t.id)).toEqual(['only']);
    expect(r.topics[0]?.source.title).toBe('政府信息公开指南');
  });

  it('reports malformed front matter with its line', () => {
    const r = parseGuide(fixture('malformed-front-matter.md'), 'malformed-front-matter.md');
    expect(r.contacts).toBeNull();
    const bad = r.findings.filter((f) => f.level === 'error' && f.message.includes('格式不对'));
    expect(bad).toHaveLength(1);
    expect(bad[0]?.location).toMatch(/^第 [2-5] 行$/);
    expect(r.topics.map((t) => t.id)).toEqual(['only']);
  });

  it('reports a topic without 问法, a topic without body and a topic without id', () => {
    const r = parseGuide(fixture('no-questions.md'), 'no-questions.md');
    const at = (loc: string) => r.findings.filter((f) => f.location === loc);
    expect(at('第 10 行').some((f) => f.level === 'warning' && f.message.includes('问法'))).toBe(true);
    expect(at('第 15 行').some((f) => f.level === 'error' && f.message.includes('没有正文'))).toBe(true);
    expect(at('第 22 行').some((f) => f.level === 'warning' && f.message.includes('没有编号'))).toBe(true);
    expect(r.topics.map((t) => t.id)).toEqual(['no-questions', 'topic-3']);
    expect(r.topics[0]?.questions).toEqual(['没有问法的主题']);
  });

  it('splits 问法 on ；and ; across several lines, and takes the detail after ### 详细', () => {
    const text = [
      '---', '机关: 甲县人民政府', '门户网站: http://example.invalid/', '咨询电话: 无', '联系说明: 无', '---',
      '## 题目 {#t}', '问法：一；二;三', '问法: 四', '依据：某条', '依据：某文件', '', '回答第一行', '<!-- 备注 -->', '', '', '回答第二行',
      '### 详细', '更多内容',
    ].join('\r\n');
    const r = parseGuide(text, 'x.md');
    expect(r.findings).toEqual([]);
    expect(r.topics[0]).toMatchObject({
      id: 't', questions: ['题目', '一', '二', '三', '四'], basis: '某条；某文件',
      summary: '回答第一行\n\n回答第二行', detail: '更多内容',
    });
  });

  it('warns about a summary over the limit', () => {
    const long = '很'.repeat(SUMMARY_MAX_CHARS + 1);
    const text = `---\n机关: 甲\n门户网站: http://example.invalid/\n咨询电话: 无\n联系说明: 无\n---\n## 长 {#long}\n问法：长\n依据：某条\n${long}\n`;
    const r = parseGuide(text, 'x.md');
    expect(r.findings.some((f) => f.level === 'warning' && f.location === '第 7 行' && f.message.includes(String(SUMMARY_MAX_CHARS)))).toBe(true);
    expect(r.topics).toHaveLength(1);
  });

  it('handles empty input', () => {
    const r = parseGuide('', 'empty.md');
    expect(r.topics).toEqual([]);
    expect(r.contacts).toBeNull();
    expect(r.findings.length).toBeGreaterThan(0);
  });
});

describe('parseGuide never throws', () => {
  const check = (text: string) => {
    const r = parseGuide(text, 'fuzz.md');
    expect(Array.isArray(r.topics)).toBe(true);
    expect(Array.isArray(r.findings)).toBe(true);
    for (const t of r.topics) {
      expect(typeof t.id).toBe('string');
      expect(t.summary).not.toBe('');
    }
  };

  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), check), { numRuns: 200 });
  });

  it('on random arrangements of the format tokens', () => {
    const token = fc.oneof(
      fc.constantFrom(
        '---', '---\n', '\n', '\r\n', '## ', '### 详细', '{#', '}', '{#a}', '{#a}', '问法：', '依据：', '；', ';',
        '<!--', '-->', '机关: ', '门户网站: ', '咨询电话: ', '联系说明: ', '指南名称: ', ': ', '[', '{', '&a', '*a',
        '!!binary', '- ', '# ', '\uFEFF', '\t', '  ',
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(fc.property(fc.array(token, { maxLength: 80 }).map((a) => a.join('')), check), { numRuns: 200 });
  });

  it('on mutations of the real guide', () => {
    fc.assert(
      fc.property(fc.nat(guideText.length), fc.nat(400), fc.string({ maxLength: 20 }), (at, cut, insert) => {
        check(guideText.slice(0, at) + insert + guideText.slice(at + cut));
      }),
      { numRuns: 200 },
    );
  });

  it('on non-string input', () => {
    expect(() => parseGuide(undefined as unknown as string, 'x.md')).not.toThrow();
    expect(() => parseGuide(42 as unknown as string, null as unknown as string)).not.toThrow();
  });
});
