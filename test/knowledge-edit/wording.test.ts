// Planning an added wording on the real guide and synonym table, and on small files written here
// (invented test data: topics and words, no county facts).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGuide } from '../../src/knowledge/guide-parser.ts';
import { parseSynonyms } from '../../src/language/synonyms.ts';
import { applyInsertion, EditProblem, planEdit, planQuestion, planSynonym, revertInsertion } from '../../src/knowledge-edit/wording.ts';

const GUIDE = readFileSync('knowledge/guide.md');
const SYNONYMS = readFileSync('knowledge/synonyms.txt');
const topics = parseGuide(GUIDE.toString('utf8'), 'guide.md').topics;

/** A small guide, test data. */
const SMALL = [
  '---',
  '机关: 测试县人民政府',
  '门户网站: http://www.example.gov.cn/',
  '咨询电话: 0000-0000000',
  '联系说明: 测试数据，以官网公布为准',
  '---',
  '## 第一个主题 {#first}',
  '<!-- 问法：注释里的问法不算 -->',
  '问法：第一种问法；第二种问法',
  '依据：测试',
  '',
  '第一个主题的回答。',
  '',
  '## 没有问法的主题 {#bare}',
  '依据：测试',
  '',
  '这个主题只有标题。',
  '',
].join('\n');

function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof EditProblem) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe('adding a way of asking to a guide topic', () => {
  it('appends it to the topic\'s 问法 line and changes nothing else', () => {
    const fees = topics.find((t) => t.id === 'fees')!;
    const plan = planQuestion(GUIDE, 'fees', '  办这个要掏腰包吗 ');
    expect(plan.wording).toBe('办这个要掏腰包吗');
    expect(plan.inserted).toBe('；办这个要掏腰包吗');
    expect(plan.description).toBe(`在指南主题“${fees.title}”的问法里加上“办这个要掏腰包吗”`);
    const after = parseGuide(plan.after.toString('utf8'), 'guide.md').topics;
    expect(after.find((t) => t.id === 'fees')!.questions).toEqual([...fees.questions, '办这个要掏腰包吗']);
    expect(after.filter((t) => t.id !== 'fees')).toEqual(topics.filter((t) => t.id !== 'fees'));
    expect(revertInsertion(plan.after, plan)!.equals(GUIDE)).toBe(true);
    const line = plan.after.toString('utf8').split('\n').find((l) => l.includes('办这个要掏腰包吗'))!;
    expect(line).toMatch(/^问法：.*；办这个要掏腰包吗$/);
  });

  it('skips 问法 in comments, and gives a topic without one its own line under the heading', () => {
    const small = Buffer.from(SMALL);
    const first = planQuestion(small, 'first', '第三种问法');
    expect(first.after.toString()).toContain('问法：第一种问法；第二种问法；第三种问法\n');
    expect(first.after.toString()).toContain('<!-- 问法：注释里的问法不算 -->');
    const bare = planQuestion(small, 'bare', '只有标题的主题怎么问');
    expect(bare.after.toString()).toContain('## 没有问法的主题 {#bare}\n问法：只有标题的主题怎么问\n依据：测试');
    const parsed = parseGuide(bare.after.toString(), 'guide.md');
    expect(parsed.topics.find((t) => t.id === 'bare')!.questions).toEqual(['没有问法的主题', '只有标题的主题怎么问']);
    expect(parsed.findings.length).toBeLessThan(parseGuide(SMALL, 'guide.md').findings.length); // its warning went away
  });

  it('keeps Windows line breaks and a byte order mark as they were', () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SMALL.replace(/\n/g, '\r\n'))]);
    const plan = planQuestion(crlf, 'bare', '新问法');
    expect(plan.after.toString()).toContain('{#bare}\r\n问法：新问法\r\n');
    expect(plan.after.subarray(0, 3).equals(crlf.subarray(0, 3))).toBe(true);
    expect(revertInsertion(plan.after, plan)!.equals(crlf)).toBe(true);
  });

  it('refuses what would not read as one new way of asking', () => {
    const fees = topics.find((t) => t.id === 'fees')!;
    expect(refusal(() => planQuestion(GUIDE, 'no-such-topic', '怎么办'))).toMatchObject({ status: 404 });
    expect(refusal(() => planQuestion(GUIDE, 'fees', fees.questions[1]!))).toEqual({ status: 409, message: `“${fees.questions[1]}”已经是“${fees.title}”的问法了。` });
    expect(refusal(() => planQuestion(GUIDE, 'fees', '要钱吗；免费吗'))).toEqual({ status: 400, message: '要加的问法“要钱吗；免费吗”里不能有“；”。' });
    expect(refusal(() => planQuestion(GUIDE, 'fees', '   '))).toMatchObject({ status: 400 });
    expect(refusal(() => planQuestion(GUIDE, 'fees', '问'.repeat(61)))).toMatchObject({ status: 400 });
    expect(refusal(() => planQuestion(GUIDE, 'fees', '<!-- 注释'))).toMatchObject({ status: 400 });
    expect(refusal(() => planQuestion(Buffer.from([0xff, 0xfe, 0x00]), 'fees', '要钱吗'))).toMatchObject({ status: 422 });
    expect(refusal(() => planEdit({ kind: 'delete' }, GUIDE))).toMatchObject({ status: 400 });
    expect(refusal(() => planEdit({ kind: 'question', wording: '要钱吗' }, GUIDE))).toMatchObject({ status: 400 });
  });

  it('for any wording: the topic gains exactly it, and undoing gives the old bytes', () => {
    const wording = fc.string({ unit: fc.constantFrom(...'申请要掏钱腰包吗办这个费用多少天ab1 ?（）'), minLength: 1, maxLength: 20 }).filter((w) => w.trim() !== '');
    fc.assert(
      fc.property(wording, fc.constantFrom('first', 'bare'), (raw, id) => {
        const small = Buffer.from(SMALL);
        const plan = planQuestion(small, id, raw);
        const topic = parseGuide(plan.after.toString(), 'guide.md').topics.find((t) => t.id === id)!;
        expect(topic.questions.at(-1)).toBe(plan.wording);
        expect(revertInsertion(plan.after, plan)!.equals(small)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('adding a word to the synonym table', () => {
  const table = parseSynonyms(SYNONYMS.toString(), 'synonyms.txt').table;

  it('appends it to the standard word\'s line', () => {
    const plan = planSynonym(SYNONYMS, '收费', '掏腰包');
    expect(plan.inserted).toBe(' | 掏腰包');
    const after = parseSynonyms(plan.after.toString(), 'synonyms.txt');
    expect(after.table.get('掏腰包')).toBe('收费');
    expect(after.table.size).toBe(table.size + 1);
    expect(after.findings).toEqual([]);
    expect(revertInsertion(plan.after, plan)!.equals(SYNONYMS)).toBe(true);
  });

  it('puts it before a comment at the end of the line, or on a new line for a new standard word', () => {
    const text = Buffer.from('# 测试数据\n甲 = 乙 | 丙 # 备注\n丁 = 戊');
    expect(planSynonym(text, '甲', '己').after.toString()).toBe('# 测试数据\n甲 = 乙 | 丙 | 己 # 备注\n丁 = 戊');
    expect(planSynonym(text, '庚', '辛').after.toString()).toBe('# 测试数据\n甲 = 乙 | 丙 # 备注\n丁 = 戊\n庚 = 辛\n');
    expect(planSynonym(Buffer.alloc(0), '庚', '辛').after.toString()).toBe('庚 = 辛\n');
  });

  it('refuses a word that already belongs to a standard word, and separators', () => {
    const [alias, canonical] = [...table][0]!;
    expect(refusal(() => planSynonym(SYNONYMS, canonical, alias))).toEqual({ status: 409, message: `“${alias}”已经是“${canonical}”的同义词了。` });
    expect(refusal(() => planSynonym(SYNONYMS, '掏腰包', alias))).toEqual({ status: 409, message: `“${alias}”已经是“${canonical}”的同义词；一个说法只能属于一个标准词。` });
    expect(refusal(() => planSynonym(SYNONYMS, '收费', '掏 | 腰包'))).toMatchObject({ status: 400 });
    expect(refusal(() => planSynonym(SYNONYMS, '收=费', '掏腰包'))).toMatchObject({ status: 400 });
    expect(refusal(() => planSynonym(SYNONYMS, '收费', '收费'))).toMatchObject({ status: 400 });
  });
});

describe('insertions', () => {
  it('are not taken out of bytes that no longer hold them', () => {
    const before = Buffer.from('甲 = 乙\n');
    const plan = { offset: Buffer.byteLength('甲 = 乙'), inserted: ' | 丙' };
    const after = applyInsertion(before, plan);
    expect(after.toString()).toBe('甲 = 乙 | 丙\n');
    expect(revertInsertion(Buffer.from('甲 = 乙 | 丁\n'), plan)).toBeNull();
  });
});
