import type { Tokenizer } from '../language/tokenizer.ts';
import type { Lexicon } from '../language/lexicon.ts';
import { keyWordsOf, type Entry } from './entries.ts';
import type { Reading } from './read.ts';
import type { SearchIndex, Hit } from './search.ts';
import type { Decline } from './ground.ts';
import { Phrases } from '../language/phrases.ts';
import { ASKING } from './read.ts';
import { isFigures } from './ranking.ts';

// The words of this bot's subject: information, its disclosure, the reports.
const INFORMATION_WORDS = /公开|信息|文件|资料|数据|年报|报告/;

// Question words inside a piece jieba could not place ("哪办"): never a subject.
const QUESTION_CHARS = /[哪啥谁吗呢么几怎咋]|什么|多少/;
// What is done to a document at the office that issues it.
const DOCUMENT_SERVICE = /补办|挂失|换领|换证|丢了|丢失|弄丢|过期|到期|更换|办理|怎么办|咋办|去哪办|在哪办|办一个|办个|要多久|多长时间|几天|多少钱/;
// Bringing or showing something: the thing is material for an application.
const MATERIAL = /带|携带|提供|准备|出示|复印件|原件|要交|交啥|交什么/;
// "两个月", "半年", "一个多月": how long, not what.
const TIME_WORDS = /^[一二两三四五六七八九十几半多个]+(?:个)?(?:月|天|年|周|星期|礼拜|日|小时)|^(?:好久|很久|多久|至今|现在|以前|之前|上次|这次)$/;
// Parts of speech that never name a subject: numerals, adverbs, pronouns, measure words,
// prepositions, conjunctions, particles, time and place words ("一天", "一直", "中午").
const FUNCTION_TAG = /^(m|mq|d|r|rr|rz|q|p|c|u|uj|ul|ud|ug|uv|uz|t|tg|f|y|e|o|zg)$/;

/** A word that may name what a question is about (a noun, a verb), by jieba's part of speech. */
function contentWord(word: string, tokenizer: Tokenizer): boolean {
  const tagged = tokenizer.tag(word);
  return !(tagged.length === 1 && FUNCTION_TAG.test(tagged[0]!.tag));
}

// Parts of speech of a word that reads as a name when quoted back.
const NAME_PART = /^(n|nz|ng|nr|ns|nt|nrt|nrfg|eng|vn|an|j|v)$/;

/**
 * What is not this bot's subject: a matter residents bring to a government that is not
 * disclosure ("低保咋申请", "身份证丢了咋补办"), or a subject the knowledge base does not know
 * asked about on an aspect it does ("结婚登记在哪里办" matches only 地址). A decline of its own
 * kind (out-of-scope), quoting the subject only when it reads as a name.
 */
export class Scope {
  /** Every whole word that names some entry (not the shorter words inside them). */
  private readonly keyWords = new Set<string>();
  /** The words naming a topic or a table row (not the sentences of passages). */
  private readonly naming = new Set<string>();
  private readonly matters: Phrases;
  private readonly documents: Phrases;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly index: SearchIndex,
    private readonly lexicon: Lexicon,
    entries: readonly Entry[],
  ) {
    this.matters = new Phrases(lexicon.otherMatters);
    this.documents = new Phrases(lexicon.documents);
    for (const e of entries) for (const w of e.keys.flat()) this.keyWords.add(w);
    for (const e of entries) if (e.kind !== 'passage') for (const w of e.keys.flat()) this.naming.add(w);
  }

  /**
   * A question whose subject the knowledge base does not know ("结婚登记在哪里办", "养老保险交多少钱")
   * matches only on what it asks about it (地址, 收费): answering the disclosure topic would
   * mislead. Returns the decline, naming the subject when it reads as a name.
   */
  decline(r: Reading, top: Hit | undefined, leaning = false, asking: string = r.text, corrected: readonly string[] = [], typos: readonly string[] = []): Decline | null {
    // "马铃薯补贴怎么申请" applies for a subsidy, not for information: 申请 names this bot's subject
    // only next to 公开, 信息 or the documents asked for.
    // A record asked to see ("想看村里的低保名单") is information asked for, whatever it is about.
    // As written: "欠工资不给" is read as the row 不予公开, but says nothing about information.
    // A matter named with the words of disclosure ("公开招聘", "信息费", "村务公开", "营业执照的
    // 年报") is that matter: its words say nothing about information.
    const matters = this.matters.find(r.text).filter((m) => this.asked(r.text, m.at));
    const borrowed = matters.find((m) => INFORMATION_WORDS.test(m.word));
    const rest = borrowed ? matters.reduce((t, m) => t.replace(m.word, '，'), r.text) : r.text;
    const aboutInformation = (r.request !== null && !borrowed) || INFORMATION_WORDS.test(rest);
    if (!aboutInformation) {
      // A matter residents bring to a government that is not disclosure ("低保咋申请"), unless the
      // question asks for a figure (the absent-measure rule says so) or for its information; one
      // named with our words is declined whatever it asks, unless a row of figures answers.
      if (borrowed && (!r.cues.quantity || !top || !isFigures(top.entry.kind))) return { kind: 'out-of-scope', subject: borrowed.word, borrowed: true };
      if (!r.cues.quantity) {
        const matter = matters[0]?.word;
        if (matter) return { kind: 'out-of-scope', subject: matter };
        // "身份证丢了咋补办": a document as a service asked for, not as material to bring.
        const document = this.documents.find(r.text)[0]?.word ?? null;
        if (document && DOCUMENT_SERVICE.test(r.text) && !MATERIAL.test(r.text)) return { kind: 'out-of-scope', subject: document };
      }
    }
    if (!top) return null;
    // "办事员态度恶劣", "凭什么不给": a complaint about how the body acted is this bot's subject (the ways to contest).
    if (r.cues.complaint) return null;
    // "XX的信息能不能公开、怎么要": a request for information is this bot's subject, whatever it
    // is about.
    if (aboutInformation) return null;
    // Terms read from a mistyped word ("行政墙制" → 行政强制) count as the resident's own.
    const original = new Set([...r.terms, ...corrected]);
    const applyForOther = !aboutInformation && this.appliesForOther(r);
    // The subject is named when the question holds a whole word naming the entry (not only a
    // piece of one: 身份证 is inside 身份证明, which is what the application topic is about).
    const keys = keyWordsOf(top.entry);
    // A word naming another topic counts too: "服务中心礼拜六有人没" names the service centre,
    // though the hours topic answering it does not have it in its name.
    const subject = top.matched.some((t) => t.length > 1 && original.has(t) && (keys.has(t) || this.naming.has(t) || /^第\d+[条项]$/.test(t)) && !this.isAspect(t) && (t !== '申请' || !applyForOther));
    if (subject) return null;
    // "要带身份证吗": a document as a thing to bring is the application's own subject.
    if (MATERIAL.test(r.text)) return null;
    // Words the answering entry does not hold and no entry is named by: "办身份证要多久" is not
    // about the answer deadline (身份证 is only part of 身份证明); "当面申请" names a topic.
    const foreign = (term: string) =>
      contentWord(term, this.tokenizer) &&
      // A piece jieba made of two function characters ("上要" of "申请表上要写") names nothing.
      !(this.tokenizer.madeUp(term) && [...term].every((c) => this.tokenizer.isStopword(c))) &&
      !this.index.holds(top.entry.id, term) && !this.keyWords.has(term) && !this.tokenizer.isStopword(term) && !this.isAspect(term) && !this.lexicon.general.has(term) && !QUESTION_CHARS.test(term);
    if (!r.terms.some((t) => t.length > 1 && foreign(t))) return null;
    // The foreign words next to each other, as the resident wrote them ("结婚" + "登记").
    let best: string[] = [];
    let bestAt = 0;
    let run: string[] = [];
    let at = 0;
    let runAt = 0;
    let firstAspect = -1;
    // Only the pieces that ask, and of those the clauses holding what was matched or asked about:
    // a remark after the question ("踢皮球是吧", "我不会弄手机上那些东西") is not its subject.
    const matched = new Set(top.matched);
    // The message's own words when it all asks; else the asking pieces cut afresh.
    const clauses: string[][] = [];
    if (asking === r.text) {
      let clause: string[] = [];
      for (const word of r.words) {
        if (/^[，,。；;？?！!]+$/.test(word)) {
          clauses.push(clause);
          clause = [];
        } else if (word.trim()) clause.push(word);
      }
      clauses.push(clause);
    } else for (const clause of asking.split(/[，,。；;？?！!]+/)) clauses.push(this.tokenizer.plainCut(clause));
    for (const tokens of clauses) {
      const relevant = tokens.some((t) => {
        const term = this.tokenizer.canonical(t);
        return matched.has(term) || this.isAspect(term);
      });
      for (const token of [...tokens, '。']) {
        const term = this.tokenizer.canonical(token);
        if (firstAspect < 0 && this.isAspect(term)) firstAspect = at;
        if (relevant && /^[\p{Script=Han}A-Za-z]+$/u.test(token) && foreign(term) && !typos.some((w) => w.includes(token))) {
          if (run.length === 0) runAt = at;
          run.push(token);
        } else {
          if (run.join('').length > best.join('').length) {
            best = run;
            bestAt = runAt;
          }
          run = [];
        }
        if (token !== '。') at += token.length;
      }
      at += 1;
    }
    const words = best.join('');
    if (words.length < 2) return null;
    // In a follow-up the subject is the one before; what comes after its question ("在哪 我打个车
    // 过去") is talk around it.
    if (leaning && firstAspect >= 0 && bestAt > firstAspect) return null;
    // Quoted back only when it reads as a name: whole words of the dictionary, nouns or verbs of
    // two characters or more, at most 8 in all ("养老保险", "结婚登记"); never a broken piece of
    // the sentence ("里头有别人家", "以个").
    const named = words.length <= 8 && best.every((t) => t.length >= 2 && (this.tokenizer.known(t) || NAME_PART.test(this.tokenizer.tag(t)[0]?.tag ?? 'x')));
    return { kind: 'out-of-scope', subject: named ? words : null };
  }

  /**
   * "入党申请书怎么写", "马铃薯补贴怎么申请": 申请 right next to a word no entry is named by
   * applies for that thing, not for information. "交了申请两个月了" does not.
   */
  private appliesForOther(r: Reading): boolean {
    // Most questions hold no 申请: nothing to look at either side of.
    let applying = false;
    for (const t of r.words) if (this.tokenizer.canonical(t) === '申请') applying = true;
    if (!applying) return false;
    const tokens = r.words.filter((t) => !/^[\p{P}\p{S}\s]+$/u.test(t));
    const filler = /^(怎么|咋|如何|怎样|去|要|想|能|可以|我|的|个|份|一下|那个|这个|那份|这份|一份|那些|这些)$/;
    const named = (t: string) => {
      const term = this.tokenizer.canonical(t);
      return /^[\p{Script=Han}A-Za-z]{2,}$/u.test(t) && !this.keyWords.has(term) && !this.index.has(term) && !this.tokenizer.isStopword(term) && !TIME_WORDS.test(t);
    };
    return tokens.some((t, i) => {
      if (this.tokenizer.canonical(t) !== '申请') return false;
      let j = i - 1;
      while (j >= 0 && filler.test(tokens[j]!)) j--;
      if (j >= 0 && named(tokens[j]!)) return true;
      let k = i + 1;
      while (k < tokens.length && filler.test(tokens[k]!)) k++;
      return k < tokens.length && named(tokens[k]!);
    });
  }

  /** A word for what is asked about a subject (地址, 收费, 受理机关), not a subject itself. */
  private isAspect(term: string): boolean {
    return this.tokenizer.isAspect(term) || this.lexicon.aspects.has(term);
  }

  /**
   * Whether what is at `at` is asked about: before the end of the message's last piece that asks
   * ("工钱不给 咋办"), not in a remark after it ("能办不 我坐班车到县上就那个点": how the resident
   * comes).
   */
  private asked(text: string, at: number): boolean {
    const pieces = text.split(/([，,。；;！!？?]+)/);
    let end = 0;
    let last = text.length;
    let asking = false;
    for (let i = 0; i < pieces.length; i += 2) {
      const piece = pieces[i]!;
      end += piece.length;
      if (ASKING.test(piece)) {
        last = end;
        asking = true;
      }
      end += pieces[i + 1]?.length ?? 0;
    }
    return !asking || at < last;
  }
}
