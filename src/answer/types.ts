import type { Source } from '../knowledge/types.ts';

export type Intent =
  | 'statistic'
  | 'guide'
  | 'contact'
  | 'narrative'
  | 'greeting'
  | 'thanks'
  | 'help'
  | 'feedback'
  | 'clarify'
  | 'out-of-scope'
  | 'rate-limited'
  | 'unknown';

/** What every channel gets back from the core. */
export interface Answer {
  reply: string;
  /** True only when the reply answers from the knowledge base. */
  answered: boolean;
  intent: Intent;
  /** 0..1: how sure the match was. */
  confidence: number;
  sources: Source[];
  /** Id of the knowledge entry answered, for the question log and hit counts. */
  entry?: string;
  /** The numbered choices of "您是不是想问", in order: replying with a number (or the text) picks one. */
  options?: string[];
  /** True when "详细" gives more than this reply. */
  detail?: boolean;
  /** Other questions the reply points to ("见“信息处理费怎么收”这一条"), each askable as it is. */
  related?: string[];
}

export interface AskContext {
  /** Which channel the message came in on: "wechat", "wechaty", "web", "cli", … */
  channel?: string;
}

/** The channel-neutral core. Channels are thin adapters over this. */
export interface Bot {
  /** What the bot calls itself, e.g. "某某县人民政府政府信息公开问答", from the knowledge base. */
  readonly title?: string;
  answer(text: string, user: string, context?: AskContext): Promise<Answer>;
  /** Greeting for a new follower: what can be asked, examples, how to give feedback. */
  welcome(): string;
  /** A custom-menu click (EventKey) answered as the topic it names. */
  menu(key: string, user: string, context?: AskContext): Promise<Answer>;
  /** Short note for messages that are not text (image, location, …). */
  unsupported(kind: string): string;
}
