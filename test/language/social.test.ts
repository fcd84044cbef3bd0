import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { socialAct, withoutMarks } from '../../src/language/social.ts';

describe('social acts', () => {
  it.each([
    ['你好', 'greeting'],
    ['您好啊', 'greeting'],
    ['在吗', 'greeting'],
    ['喂有人没我问个事', 'greeting'],
    ['你好我想问个事', 'greeting'],
    ['嗯嗯好那就这样吧', 'bye'],
    ['是真人在回吗', 'identity'],
    ['谢谢', 'thanks'],
    ['行多谢', 'thanks'],
    ['好的谢谢你', 'thanks'],
    ['太感谢了', 'thanks'],
    ['好的', 'ack'],
    ['嗯嗯知道了', 'ack'],
    ['中', 'ack'],
    ['再见', 'bye'],
    ['好的拜拜', 'bye'],
    ['没事了', 'bye'],
    ['你是机器人吗', 'identity'],
    ['你是人工客服吗', 'identity'],
    ['是真人还是机器人', 'identity'],
    ['转人工', 'human'],
    ['我要人工客服', 'human'],
    ['有用', 'useful'],
    ['没用', 'useless'],
    ['详细', 'detail'],
    ['具体点', 'detail'],
    ['展开讲讲', 'detail'],
    ['能再说细点吗', 'detail'],
    ['再说一遍 慢点', 'repeat'],
    ['没听清 能再说一次吗', 'repeat'],
    ['帮助', 'help'],
    ['', 'empty'],
    ['😀😀', 'empty'],
    // Round 6: thanks and acks with a form of address or a colloquial 嘞, a resident fed up with
    // the bot, and what the bot answers asked of it.
    ['好嘞明白了', 'ack'],
    ['谢谢你师傅', 'thanks'],
    ['好的好的谢谢你娃', 'thanks'],
    ['好吧我再等等', 'ack'],
    ['你这破系统答非所问', 'rude'],
    ['机器人真笨', 'rude'],
    ['能不能说句人话', 'rude'],
    ['你是不是只会回答年报的问题', 'help'],
  ])('reads %j as %s', (text, act) => {
    expect(socialAct(text)).toBe(act);
  });

  it.each(['你好，怎么申请', '谢谢，那行政强制呢', '中不中', '你们是干什么吃的', '好的申请要钱吗', '详细列一下不予公开各项', '师傅申请要钱吗', '你只能回答信息公开的问题那申请要多久'])('reads %j as a question', (text) => {
    expect(socialAct(text.replace(/[，]/g, ''))).toBeNull();
  });
});

describe('withoutMarks', () => {
  // The per-character walk must drop exactly what the expression it replaced dropped, surrogate
  // pairs (emoji are symbols) and lone surrogates included.
  const PIECES = ['好', '谢', '，', '！', '!', ' ', '\t', '\u3000', '\u2028', '~', '👍', '😀', '🀄', '\ud800', '\udc00', 'a', '。', '＠', '︰', '·'];
  it('drops what /[\\p{P}\\p{S}\\s]+/gu drops', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ maxLength: 3 })), { maxLength: 10 }), (pieces) => {
        const text = pieces.join('');
        expect(withoutMarks(text)).toBe(text.replace(/[\p{P}\p{S}\s]+/gu, ''));
      }),
      { numRuns: 2000 },
    );
  });
});
