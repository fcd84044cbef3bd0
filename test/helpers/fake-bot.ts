// A small stand-in for the core, so that channel tests check each channel's protocol and nothing
// else. It echoes a figure, and a few trigger words return replies that exercise rendering.
import type { Answer, AskContext, Bot } from '../../src/answer/types.ts';

export interface FakeCall {
  text: string;
  user: string;
  context?: AskContext;
}

/** The figure every ordinary answer carries, for tests to look for. */
export const FIGURE = '2019年共受理政府信息公开申请 42 件';

export const CANNED: Record<string, string> = {
  xss: '<script>alert(1)</script> 和 <img src=x onerror="alert(2)"> 都只是文字',
  link: '详见政府门户网站 https://www.example.gov.cn/xxgk/index.html?a=1&b=2 。也可以看 javascript:alert(3)',
  choices: '您是不是想问：\n1. 依申请公开怎么办理\n2. 2019年收到多少申请\n请回复序号。',
};

export class FakeBot implements Bot {
  readonly calls: FakeCall[] = [];
  closed = false;
  /** Milliseconds each answer takes, to test waiting and shutdown. */
  delayMs = 0;
  /** Answers to this text throw, to test error handling. */
  failOn = 'boom';

  constructor(readonly title?: string) {}

  async answer(text: string, user: string, context?: AskContext): Promise<Answer> {
    this.calls.push({ text, user, context });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (text === this.failOn) throw new Error('fake failure with a secret stack');
    const canned = CANNED[text];
    if (canned !== undefined) {
      return { reply: canned, answered: false, intent: 'clarify', confidence: 0.5, sources: [] };
    }
    return {
      reply: `关于「${text}」：${FIGURE}。`,
      answered: true,
      intent: 'statistic',
      confidence: 0.9,
      sources: [{ document: 'reports/2019.txt', title: '2019年政府信息公开工作年度报告', year: 2019 }],
      entry: 'stat-2019-applications',
    };
  }

  welcome(): string {
    return '您好！这里可以查询政府信息公开的办理流程和年度报告数字。例如：2019年收到多少申请？';
  }

  async menu(key: string, user: string, context?: AskContext): Promise<Answer> {
    return this.answer(key, user, context);
  }

  unsupported(kind: string): string {
    return `暂时只能看懂文字消息（收到的是 ${kind}）。`;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
