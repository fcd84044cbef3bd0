// A reply fits one message (MAX_REPLY), however long its source line: many rows of two reports
// once made a 601-character reply, found by the property test of test/robustness/engine.test.ts.
import { describe, expect, it } from 'vitest';
import { fit, MAX_REPLY } from '../../src/answer/compose.ts';

describe('fit', () => {
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
