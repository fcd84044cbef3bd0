// Issue 10, point 3 for the report's narrative: what a question about the report's own words
// means. Every annual report has a section "存在的主要问题及改进情况" whose passages all carry its
// title; the problems and the plan are told apart by the half of the title each passage speaks
// of. Wordings of our own, on the real knowledge base.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/answer/engine.ts';
import type { Answer } from '../../src/answer/types.ts';
import { converse, countyEngine } from './helpers/conversation.ts';

let engine: Engine;

beforeAll(async () => {
  engine = await countyEngine('2026-11-27T12:00:00+08:00');
}, 60_000);

const talk = (...questions: string[]): Answer[] => converse(engine, ...questions);

// The problems paragraph says 兼职 and 流动性; the plan's lead-in says 下一步 and lists its points.
const PROBLEMS = /兼职/;
const PLAN = /下一步/;

describe('the two halves of a section title', () => {
  it('answers the problems when the problems are asked, though every passage of the section carries the title', () => {
    for (const q of ['年报里提到的不足有哪些', '县里信息公开工作人员这块有什么问题', '报告自己承认的差距是啥']) {
      const [a] = talk(q);
      expect(a!.reply, q).toMatch(PROBLEMS);
      expect(a!.reply, q).not.toMatch(PLAN);
    }
  });

  it('answers the plan when the improvement is asked, also right after the problems', () => {
    const [a, b] = talk('报告里说的问题都有啥', '那打算咋改进');
    expect(a!.reply).toMatch(PROBLEMS);
    expect(b!.reply).toMatch(PLAN);
    expect(b!.reply).toContain('强化检查奖惩');
    const [c] = talk('以后怎么改进');
    expect(c!.reply).toMatch(PLAN);
  });

  it('takes "第三个问题" after the plan from the list of problems, "第三点" from the plan', () => {
    const [, b] = talk('下一步有什么打算', '第三个问题具体讲讲');
    expect(b!.reply).toContain('群众语言');
    const [, d] = talk('下一步准备怎么改进', '第三点具体说说');
    expect(d!.reply).toContain('队伍建设');
  });
});

describe('what was done, all of it', () => {
  it('gives every sentence of the passage when the question asks what things were done', () => {
    const [a] = talk('县里在重点领域公开上都做了哪些工作');
    // The passage's first sentence holds none of the question's words, yet it is one of the things done.
    expect(a!.reply).toContain('权力清单');
    expect(a!.reply).toContain('三公');
  });
});
