import { hasDigit, normalise, optionNumber, withoutTrailingMarks, yearsIn, type RelativeYear } from '../language/normalise.ts';
import type { Tokenizer } from '../language/tokenizer.ts';
import { askedUnit, readCues, type Cues } from '../language/cues.ts';
import { socialAct, type Social } from '../language/social.ts';
import { articleTerms } from '../language/articles.ts';
import type { Lexicon } from '../language/lexicon.ts';
import { Requests, type Request } from '../language/requests.ts';
import { fromEnglish } from '../language/english.ts';

export type { Social } from '../language/social.ts';

/** What a message says, before anything is looked up: the first stage of answering. */
export interface Reading {
  /** The normalised message. */
  text: string;
  relative: RelativeYear[];
  years: number[];
  /** "比上年呢" asks for the change against the previous year; two years ask for their difference. */
  compare: 'previous' | 'between' | null;
  /** A numbered option picked after "您是不是想问". */
  option: number | null;
  social: Social | null;
  /**
   * "你是真人还是机器 咋回得这么快": a message opening with a question about the bot itself (who or
   * what it is, a person wanted), the rest a remark; answered as that when nothing else matches.
   */
  lead: Social | null;
  cues: Cues;
  /** The unit asked in ("几次" → 次, "多少人" → 人次, "多少钱" → 金额), or null. */
  unit: string | null;
  /** Content terms, synonyms applied, fillers and stop words dropped; cited articles as 第N条. */
  terms: string[];
  /** Raw jieba tokens (search mode), for typo correction. */
  tokens: string[];
  /**
   * jieba's words of the text in order, years and comparison phrases blanked to spaces of the
   * same length (so positions match `text`): cut once, used by every stage that looks at the
   * words as written.
   */
  words: string[];
  /** Phrases the resident quoted (“三到位”): looked for as written. */
  quoted: string[];
  /**
   * The message's questions, as the resident separated them (question marks, spaces, "另外"):
   * more than one when a message asks two things. Raw text, read on demand.
   */
  parts: string[];
  /** The pieces that ask something (a question word), without remarks around them. */
  asking: string;
  /** A record asked to see or get ("想看村里的低保名单"): an application for information. */
  request: Request | null;
}

export const COMPARE_PREVIOUS = /比(上一?年度?|去年|前一年|头一年|往年)|同比|较上年|与上年|和上年|跟上年|(?:跟|和|与|同)(?:上一年|前一年|上年|去年|头一年|往年)(?:相?比|比较)|增加还是减少|减少还是增加|增加了还是减少了?|减少了还是增加了?|多了还是少了|少了还是多了|多还是少|少还是多|增减|变化|涨了|降了|增长|下降|上升|有没有增加|有没有减少|(?:增加|减少|增|减|涨|降|变|多|少)了?(?:没|没有|吗|不)(?![\p{Script=Han}])|(?:增加|减少|增长|下降|上升|涨|降|增|减)了?(?:多少|几)|(?:多|少)了(?:多少|几)|变动|变了/gu;
const ASKS_CHANGE = new RegExp(COMPARE_PREVIOUS.source, 'u');
const COMPARE_BETWEEN = /比|相比|对比|差|多了|少了|变化|增加|减少/;
const YEAR = /(?<!\d)\d{4}年?/g;
// A question mark, a full stop, a line break, a space between words, or a word that starts
// another question ("另外", "顺便问一下").
const PART_BREAK = /[？?！!。；;\n，,：:]+|\s+|(?:另外|顺便问一下|顺便问下|顺便问|再问一下|再问个|还想问一下|还想问|还有一个问题|另一个问题|第二个问题)/;
/** A question word: a piece of a message with one asks something. */
export const ASKING = /[?？吗嗎呢么麼]|多少|几|幾|怎|咋|啥|什么|甚麼|哪|如何|是否|能不能|可不可以|要不要|行不行|中不中|有没有|谁|多久|多长|不$|没$/;
const CITATION = /第[〇零一二两三四五六七八九十百\d]+[条项款]|第[（(][〇零一二三四五六七八九十\d]{1,3}[）)]项/g;
// "年报第五部分": where in the report, not a word of what is asked ("部分" is not 部分公开).
const REPORT_PART = /第[一二三四五六七八九十\d]{1,2}(?:部分|大部分|大项|章节|章)/g;
const QUOTED = /[“"「『‘]([^”"」』’]{2,16})[”"」』’]/g;
// matchAll copies its expression for every text: asked only of a text with a quotation mark in it.
const QUOTE_OPENS = /[“"「『‘]/;
/** The longest message read in full: longer ones are cut (a pasted document is not a question). */
const MAX_INPUT = 500;

// "除了X（以外）还有…": X is set aside.
const ASIDE = /除了?([^，,。；;？?！!]{1,16}?)(?:以外|之外)?(?:还有|还能|还可以|还)/;
/** The synonym table's terms for the ways to contest and for the body to apply to. */
const REMEDY = '救济';
const ADDRESSEE = '受理机关';
const COMPLAINING = /投诉|举报|告状|申诉|反映问题/;
// What is asked of an article cited: what it says ("规定了什么", "讲的啥", "内容").
const ARTICLE_WORDS: ReadonlySet<string> = new Set(['规定', '内容', '讲', '说', '写', '意思', '含义', '条文', '原文', '对应', '哪些', '指', '是']);
const LAW_NAMES: ReadonlySet<string> = new Set(['条例', '政府信息公开条例', '信息公开条例', '中华人民共和国政府信息公开条例']);

// The words of asking for a rule ("法律依据是哪一条"): what the rule is about names the topic.
const BASIS_TERMS = new Set(['依据', '法律依据', '法律', '法规', '哪条', '哪一条', '一条', '规定', '条款', '法条', '出自', '根据', '哪部', '第几条', '条']);

/** The terms without the words of asking for a rule, when something else names the subject. */
function withoutBasisWords(terms: string[], basis: boolean, lexicon: Lexicon): string[] {
  if (!basis) return terms;
  const rest = terms.filter((t) => !BASIS_TERMS.has(t));
  return rest.some((t) => !lexicon.general.has(t)) ? rest : terms;
}

/** Where each word ends, as offsets into the text. */
/**
 * The pieces of the normalised text that ask something (spaces became "，" in normalise), or the
 * whole text when every piece asks, or none does.
 */
function askingPieces(text: string): string {
  const pieces = text.split(/[，,。；;！!？?]+/).filter(Boolean);
  if (pieces.length < 2) return text;
  const asking = pieces.filter((p) => ASKING.test(p));
  return asking.length === 0 || asking.length === pieces.length ? text : asking.join('，');
}

function blank(m: string): string {
  return ' '.repeat(m.length);
}

const requestFinders = new WeakMap<Lexicon, Requests>();

/**
 * The record a message asks to see, unless the record's word is part of a longer word of the
 * knowledge base ("文件" of "规范性文件") or the message asks for a figure (a count is answered by
 * the report).
 */
function requestIn(text: string, words: readonly string[], cues: Cues, tok: Tokenizer, lexicon: Lexicon): Request | null {
  if (cues.quantity || cues.money) return null;
  let finder = requestFinders.get(lexicon);
  if (!finder) requestFinders.set(lexicon, (finder = new Requests(lexicon)));
  // The words' places, worked out when a record word is found (most messages name none).
  let spans: Array<[number, number, string]> | null = null;
  let starts: Set<number> | null = null;
  let ends: Set<number> | null = null;
  const inside = (from: number, to: number): boolean => {
    if (spans === null) {
      spans = [];
      let at = 0;
      for (const w of words) {
        spans.push([at, at + w.length, w]);
        at += w.length;
      }
      starts = new Set(spans.map(([s]) => s));
      ends = new Set(spans.map(([, e]) => e));
    }
    return !starts!.has(from) || !ends!.has(to) || spans.some(([s, e, w]) => s <= from && e >= to && tok.known(w) && (e - s > to - from || tok.canonical(w) !== w));
  };
  // A record is a word of its own ("账" of "看账", not of "到账"), and not a word the knowledge
  // base names something by ("会议纪要" is 讨论记录, a topic of its own).
  return finder.find(text, inside);
}

function wordEnds(words: readonly string[]): Set<number> {
  const ends = new Set<number>();
  let at = 0;
  for (const w of words) ends.add((at += w.length));
  return ends;
}

const bodyAbove = new WeakMap<Lexicon, RegExp | null>();

/**
 * "县上一年到底收了多少": a body named the way residents say it, ending in 上 (县上, 乡上), followed
 * by 一年 ("in a year") is that body and 一年, not 上一年 (the year before): written 全年, a word
 * that names no year.
 */
function bodyAndYear(text: string, lexicon: Lexicon): string {
  if (!text.includes('上一年')) return text;
  let pattern = bodyAbove.get(lexicon);
  if (pattern === undefined) {
    const bodies = [...new Set([...lexicon.ownBody, ...lexicon.otherBodies, ...lexicon.general])].filter((w) => w.length >= 2 && w.endsWith('上'));
    // "全县上一年" is 全县 and 上一年: 全县上 is no way of naming the county.
    pattern = bodies.length ? new RegExp(`(?<!全)(${bodies.join('|')})一年(?!项目|的项目|度)`, 'g') : null;
    bodyAbove.set(lexicon, pattern);
  }
  return pattern ? text.replace(pattern, '$1全年') : text;
}

// "从2018年结转过来的", "carried over from 2018": applications carried over from a year are the
// next year's report's 上年结转 row (the 2019 report counts those left from 2018).
const CARRIED_FROM = /(?:从(\d{4})年?(?:度)?(?:结转|转过来|转来|遗留|剩下)|(?:上年)?结转自(\d{4})年?)/g;

function carriedFrom(text: string): string {
  if (!text.includes('结转') && !text.includes('从')) return text;
  return text.replace(CARRIED_FROM, (_m, a: string | undefined, b: string | undefined) => `${Number(a ?? b) + 1}年上年结转`);
}

export function read(input: string, tok: Tokenizer, lexicon: Lexicon, today: Date = new Date()): Reading {
  // English phrases become the knowledge base's Chinese words before the message is read.
  const raw = fromEnglish(input.slice(0, MAX_INPUT), lexicon.english);
  const normalised = normalise(raw, today);
  const relative = normalised.relative;
  const text = carriedFrom(bodyAndYear(normalised.text, lexicon));
  const bare = withoutTrailingMarks(text);
  const years = yearsIn(text);
  // A year compared with itself ("2020年…比2020年多了多少") names no other year: the change from
  // the year before was not asked, and its figures are not given.
  const againstItself = years.length === 1 && text.split(String(years[0])).length > 2 && new RegExp(`(?:比|和|与|跟|同|较)${years[0]}年`).test(text);
  // Asked once: the same words are blanked below, and a text without them has nothing to blank.
  const asksChange = ASKS_CHANGE.test(text);
  const compare = years.length >= 2 && COMPARE_BETWEEN.test(text) ? 'between' : againstItself ? null : asksChange ? 'previous' : null;
  // Years and the comparison phrase are slots, not words to match.
  // Article citations are read whole (第20条, 第6项), not as the numerals jieba cuts them into.
  // Blanks of the same length keep every position of `content` that of `text`.
  // (A year blanked takes no comparison phrase with it: the phrases hold no digit, and their 年
  // never follows one.)
  let content = hasDigit(text) ? text.replace(YEAR, blank) : text;
  if (asksChange) content = content.replace(COMPARE_PREVIOUS, blank);
  if (content.includes('第')) content = content.replace(CITATION, blank).replace(REPORT_PART, blank);
  const tokens = tok.cut(content);
  const words = tok.plainCut(content);
  const cues = readCues(text);
  const cited = articleTerms(text);
  // "条例第二十条…": next to an article cited, the law's name says where the article is, not what is asked.
  // The terms of the cut above (tok.terms cuts once per text of a message: a question of a longer
  // message was often cut already, as one of its asking pieces).
  const terms = withoutBasisWords(tok.terms(content), cues.basis, lexicon).filter((t) => cited.length === 0 || !LAW_NAMES.has(t));
  for (const t of cited) if (!terms.includes(t)) terms.push(t);
  // "查阅点除了政务服务大厅还有哪里": what is set aside is not what is asked, when something else is.
  const aside = ASIDE.exec(content);
  if (aside) {
    const set = new Set(tok.terms(aside[1]!));
    const rest = terms.filter((t) => !set.has(t));
    if (rest.some((t) => !lexicon.general.has(t) && !lexicon.aspects.has(t) && !lexicon.requestWords.has(t) && t.length > 1)) terms.splice(0, terms.length, ...rest);
  }
  // "我要投诉 到底找谁", "找谁投诉": whom to complain to is the remedy's (the body above, the
  // competent department), not the body to apply to.
  if (terms.includes(REMEDY) && terms.includes(ADDRESSEE) && COMPLAINING.test(text)) terms.splice(terms.indexOf(ADDRESSEE), 1);
  // "第五十一条规定了什么", "年度报告表格中“第二十条第（六）项”对应哪类信息": an article cited or a
  // phrase quoted is the subject; the words of asking what a rule says, and the words for the
  // report it appears in, are only where it is.
  const quoted = QUOTE_OPENS.test(text) ? [...text.matchAll(QUOTED)].map((m) => m[1]!) : [];
  if (cited.length > 0 || quoted.length > 0) {
    const inQuote = (t: string) => quoted.some((q) => q.includes(t));
    const subject = terms.filter((t) => inQuote(t) || (!(cited.length > 0 && (ARTICLE_WORDS.has(t) || lexicon.requestWords.has(t))) && !lexicon.general.has(t)));
    if (subject.some((t) => cited.includes(t) || quoted.some((q) => q.includes(t)))) terms.splice(0, terms.length, ...subject);
  }
  const parts = raw
    .split(PART_BREAK)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const social = socialAct(bare) ?? (cues.coverage ? 'coverage' : null);
  const opening = social === null && parts.length > 1 ? socialAct(withoutTrailingMarks(parts[0]!)) : null;
  const lead = opening === 'identity' || opening === 'human' ? opening : null;
  return {
    text,
    relative,
    years,
    compare,
    option: optionNumber(bare),
    social,
    lead,
    cues,
    unit: askedUnit(text, lexicon.units),
    terms,
    tokens,
    words,
    quoted,
    parts,
    asking: askingPieces(text),
    request: requestIn(content, words, cues, tok, lexicon),
  };
}
