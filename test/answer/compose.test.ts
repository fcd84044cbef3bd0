// A reply is one WeChat message: however long the answer and its source line, fit() keeps it
// within MAX_REPLY and keeps the whole text for "详细".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fit, MAX_REPLY, MORE } from '../../src/answer/compose.ts';

const source = (i: number) => `西吉县人民政府20${10 + i}年政府信息公开工作年度报告·二、主动公开政府信息情况·第二十条第（${i}）项（20${10 + i}-西吉县人民政府.txt）`;

describe('fit', () => {
  it('cuts a body without a sentence end to the limit, ellipsis included', () => {
    const tail = `来源：${source(1)}`;
    const { reply, more } = fit('行'.repeat(2000), tail);
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY);
    expect(reply).toContain(`…\n${MORE}`);
    expect(reply.endsWith(tail)).toBe(true);
    expect(more).toBe(`${'行'.repeat(2000)}\n${tail}`);
  });

  it('shortens a source line of many sources after a whole source, the answer first', () => {
    const tail = `来源：${Array.from({ length: 12 }, (_, i) => source(i)).join('；')}`;
    const body = '2019年与2020年，行政处罚：1271，1285。'.repeat(20);
    const { reply, more } = fit(body, tail);
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY);
    expect(reply.startsWith('2019年与2020年，行政处罚：1271，1285。')).toBe(true);
    expect(reply).toMatch(/txt）等$/);
    expect(more).toContain(source(11));
  });

  it('never exceeds the limit, whatever the lengths', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1500 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }), (body, ids) => {
        const tail = ids.length ? `来源：${ids.map(source).join('；')}` : '';
        const { reply } = fit(body, tail);
        expect(reply.length).toBeLessThanOrEqual(MAX_REPLY);
      }),
      { numRuns: 500 },
    );
  });
  it('keeps the reply within one message when the source line alone would fill it', () => {
    const body = `行政许可：处理决定数量 80639\n${'政府集中采购：采购项目数量 20，采购总金额 33.99 万元\n'.repeat(12)}`;
    const tail = `来源：${'西吉县人民政府2019年政府信息公开工作年度报告·二、主动公开政府信息情况·第二十条第（九）项；'.repeat(12)}`;
    const { reply, more } = fit(body, tail);
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY);
    expect(reply).toContain('行政许可');
    expect(more).toBe(`${body}\n${tail}`);
  });

  it('leaves a reply that fits as it is', () => {
    expect(fit('短', '来源：某报告').reply).toBe('短\n来源：某报告');
  });
});
