import { Phrases } from './phrases.ts';
import type { Lexicon } from './lexicon.ts';

/**
 * "我想看村里的低保名单", "想查扶贫款咋花的", "要看拆迁批文": asking to see or get a record
 * is asking for government information, whatever the record is about. The record's subject (低保,
 * 扶贫款, 拆迁) then names what information is wanted, not a matter the resident brings to the
 * government, and the answer is how to apply for it.
 */
export interface Request {
  /** The verb of asking to see or get it, as written ("看", "查", "要一份"). */
  verb: string;
  /** The record asked for, as written ("名单", "批文", "咋花的"). */
  record: string;
  /** The clause asking for it ("想看村里的低保名单"), without the rest of the message. */
  clause: string;
}

/** How far apart the verb and the record may be ("看一下乡里修路的合同": 8 characters between). */
const GAP = 10;
// Between the verb and the record: the record's subject, not another clause's question, nor a
// thing to bring or fill in ("要带什么材料" asks what to bring, not for a record), nor a question
// word ("要啥资料" asks what is needed), nor a thing the resident sends ("我要把材料发过去").
const BREAK = /[？?！!。；;]|[吗呢啥哪几把将]|什么|多少|带|准备|提供|出示|填|写|交/;

const CLAUSE = /[，,。；;？?！!\s]/;
const KNOWING = /^(?:知道|了解)$/;

/** The clause of `text` holding the span [from, to). */
function clauseAround(text: string, from: number, to: number): string {
  let start = from;
  while (start > 0 && !CLAUSE.test(text[start - 1]!)) start--;
  let end = to;
  while (end < text.length && !CLAUSE.test(text[end]!)) end++;
  return text.slice(start, end);
}

export class Requests {
  private readonly verbs: Phrases;
  private readonly records: Phrases;

  constructor(lexicon: Pick<Lexicon, 'seeing' | 'records'>) {
    this.verbs = new Phrases(lexicon.seeing);
    this.records = new Phrases(lexicon.records);
  }

  /**
   * The request a text makes, or null. `inside(at, end)` tells when a record found at those
   * offsets is part of a longer word of the knowledge base ("文件" of "规范性文件"): that is the
   * report's own subject, not a record asked for.
   */
  find(text: string, inside: (at: number, end: number) => boolean = () => false): Request | null {
    if (this.records.size === 0 || this.verbs.size === 0) return null;
    const records = this.records.find(text).filter((m) => !inside(m.at, m.at + m.word.length));
    if (records.length === 0) return null;
    // Knowing denied ("别跟我说不知道") asks for nothing; "不公开低保名单" still speaks of the record.
    const verbs = this.verbs.find(text).filter((v) => !(KNOWING.test(v.word) && /[不别没]/.test(text[v.at - 1] ?? '')));
    for (const v of verbs) {
      for (const r of records) {
        // The verb first ("看…名单"), or the record asked whether it may be seen ("名单能公开吗").
        const [from, to] = v.at < r.at ? [v.at + v.word.length, r.at] : [r.at + r.word.length, v.at];
        if (to - from > GAP || to < from) continue;
        if (BREAK.test(text.slice(from, to))) continue;
        // A record of one character ("账") is one only right after its verb ("看账"): "…没到账，
        // 你帮我查一下" asks after a payment.
        if (r.word.length === 1 && !(v.at < r.at && /^[一个份点下些]{0,2}$/.test(text.slice(from, to)))) continue;
        return { verb: v.word, record: r.word, clause: clauseAround(text, Math.min(v.at, r.at), Math.max(v.at + v.word.length, r.at + r.word.length)) };
      }
    }
    return null;
  }
}
