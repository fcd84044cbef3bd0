import type { Tokenizer } from '../language/tokenizer.ts';
import type { Lexicon } from '../language/lexicon.ts';
import { kept } from '../language/kept.ts';
import type { Reading } from './read.ts';

/**
 * The aspect asked decides the topic; the subject only scopes it. "我想去要个文件看看 得掏钱不"
 * names a request (要个文件) and asks its fee (掏钱): when everything the message names besides
 * the aspect says no more than "information from the government" (the lexicon's 泛称), it is
 * searched as that aspect of applying (收费 + 申请), so the fee topic answers, not the topic
 * about how to apply. A record asked to see ("想看村里的低保名单 咋申请") is searched as applying
 * for it: what the record is about does not choose the topic.
 */

// The word every procedure topic of the national regulation is about.
const APPLYING = '申请';
const HOW = '怎么';
const FEE = '收费';
// A record of how money was used ("咋花的", "花哪了", "用在哪").
const SPENDING = /花|用/;
// Where to read information already published: the aspect 地址 with a verb of reading.
const WHERE = '地址';
const READ = '查看';
const READING = /看|查|找到|找得到|查阅/;
// Question words left as terms: they ask, they name nothing.
const QUESTION = /^(?:[哪啥谁几怎咋]|什么|多少|哪些|怎么|为什么|是不是)/;

// The report as where something is said: "报告里", "年报上说", "报告第五部分".
const IN_THE_REPORT = /(?:年度报告|年报|报告)(?:自己|本身)?(?:里|中|上|内|说|讲|提到|写|承认|坦言|第[一二三四五六七八九\d]部分|的第)/;
const REPORT_WORDS = new Set(['报告', '年报', '年度报告', '报告里', '说', '讲', '提到', '写']);

/** Words whose genericness is kept, at most. */
const GENERIC_KEPT = 10_000;

export class Aspects {
  private readonly genericWords = new Map<string, boolean>();

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly lexicon: Lexicon,
    /** True when some entry of the knowledge base holds the term. */
    private readonly known: (term: string) => boolean,
  ) {}

  /** The aspects a message asks, in its order ("收费", "期限"). */
  of(terms: readonly string[]): string[] {
    return terms.filter((t) => this.lexicon.aspects.has(t));
  }

  isAspect(term: string): boolean {
    return this.lexicon.aspects.has(term) || this.tokenizer.isAspect(term);
  }

  /** A term that says no more than "information from the government", or nothing at all. */
  private generic(term: string): boolean {
    // Judged once per word (the same words recur message after message), the list bounded.
    return kept(this.genericWords, term, GENERIC_KEPT, () => this.judgeGeneric(term));
  }

  private judgeGeneric(term: string): boolean {
    return (
      term.length < 2 ||
      this.lexicon.requestWords.has(term) ||
      this.lexicon.general.has(term) ||
      this.tokenizer.isStopword(term) ||
      this.tokenizer.isWeak(term) ||
      QUESTION.test(term) ||
      // Pieces jieba made up around a verb of asking ("要个", "想查"): no subject of their own.
      this.lexicon.seeing.some((v) => term.includes(v) && term.length <= v.length + 1)
    );
  }

  /**
   * The terms to search by: the aspects with 申请 when the message's subject is generic or a
   * record asked to see, else `terms` as they are (null).
   */
  focus(r: Reading, terms: readonly string[]): string[] | null {
    const focused = this.aspectFocus(r, terms);
    if (focused) return focused;
    // "单位催着要 申请的信息几天能拿到": a remark before the question says why, not what is asked;
    // the pieces that ask are read alone for their aspect.
    if (r.asking !== r.text) {
      const asked = this.aspectFocus(r, this.tokenizer.terms(r.asking));
      if (asked) return asked;
    }
    // "报告里说的不足都有啥", "年报第五部分说存在哪些问题": the report named as the place where
    // something is said is not the subject (the guide's topic about the annual report is not
    // asked, nor the passage that happens to say 年度报告).
    if (IN_THE_REPORT.test(r.text)) {
      const rest = terms.filter((t) => !REPORT_WORDS.has(t));
      if (rest.length > 0 && rest.length < terms.length) return rest;
    }
    return null;
  }

  /**
   * "要多长时间" after a topic about applying ("去哪申请？要多长时间？"): a message naming
   * nothing but an aspect asks it of applying, when it leans on a procedure topic.
   */
  bare(terms: readonly string[]): string[] | null {
    const aspects = this.of(terms);
    if (aspects.length === 0 || !terms.every((t) => aspects.includes(t) || this.generic(t))) return null;
    return [...aspects, APPLYING];
  }

  private aspectFocus(r: Reading, terms: readonly string[]): string[] | null {
    // "修路的钱花哪了 能查不": money the record tells the use of is its subject, not a fee asked.
    const spending = r.request !== null && SPENDING.test(r.request.record);
    const aspects = this.of(terms).filter((a) => !(spending && a === FEE));
    // The request is what is asked only when its clause asks something ("想看低保名单 咋弄");
    // "拟申请公开某项目的批准文件，申请书应载明哪些内容" asks about the application form.
    // A bare question after it ("…名单 怎么弄", "该咋办") asks about the request.
    const pieces = r.asking.split(/[，,。；;！!？?]+/).filter(Boolean);
    const asked =
      r.request !== null &&
      (pieces.some((p) => r.request!.clause.includes(p) || p.includes(r.request!.clause)) ||
        pieces.every((p) => this.tokenizer.terms(p).every((t) => this.generic(t) || this.isAspect(t))));
    // "公开的信息在哪能查到", "政府的文件上哪看去": where to read what is published, not where to apply.
    const doing = aspects.includes(WHERE) && READING.test(r.text) && !/申请/.test(r.text) ? READ : APPLYING;
    if (r.request && asked) {
      // What the record is about is dropped unless the knowledge base speaks of it ("隐私的合同能
      // 公开吗" is still about privacy): 低保, 拆迁, 修路 name no topic.
      const own = new Set(this.tokenizer.terms(r.request.clause));
      const kept = terms.filter((t) => own.has(t) && !aspects.includes(t) && !(spending && t === FEE) && !this.generic(t) && this.known(t) && !this.lexicon.records.includes(t));
      return [...kept, ...aspects, doing, ...(aspects.length || kept.length ? [] : [HOW])];
    }
    if (aspects.length === 0) return null;
    const rest = terms.filter((t) => !aspects.includes(t));
    // Something must say it is about information ("申请", "文件"): "多少钱" alone is not.
    if (!rest.some((t) => this.lexicon.requestWords.has(t))) return null;
    if (!rest.every((t) => this.generic(t))) return null;
    return [...aspects, doing];
  }
}
