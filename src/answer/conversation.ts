import type { Tokenizer } from '../language/tokenizer.ts';
import type { Lexicon } from '../language/lexicon.ts';
import { keyWordsOf, type Entry } from './entries.ts';
import { COMPARE_PREVIOUS, type Reading } from './read.ts';
import type { SearchIndex } from './search.ts';
import { holdsFigures, sectionOf, unitsOf, type Lean } from './ranking.ts';
import { Phrases } from '../language/phrases.ts';
import { UNKNOWN_TOPIC } from './compose.ts';
import { articleTerms } from '../language/articles.ts';
import { withoutMarks } from '../language/social.ts';

/**
 * What the engine remembers between two messages of one resident: the frame of the last answer
 * (its entry and years) and what the next message may pick up (numbered suggestions, 详细).
 */
export interface Session {
  entry?: string;
  /** The other rows answered together with `entry` ("行政处罚和行政强制各多少"): a follow-up asks of all. */
  also?: string[];
  /** The entry answered before `entry`: "这两个跟上一年比呢" after 行政处罚, then 行政强制, asks of both. */
  before?: string;
  years?: number[];
  /**
   * How to rebuild the longer text offered on "详细". The text itself is not kept: sessions are
   * written to disk, and a recipe is a few bytes where the text is up to a kilobyte.
   */
  detail?: { entry: string; years: number[]; terms: string[]; compare: Reading['compare'] };
  suggestions?: string[];
  /**
   * The kind of the last decline when it was about the figure asked ("absent": GDP): a follow-up
   * keeps the frame's kind ("那财政预算呢" is declined again, not answered by another topic).
   */
  declined?: string;
  /** The entry the last reply answered from (absent when it declined): what "再说一遍" repeats. */
  answer?: string;
  updatedAt?: number;
}

/** How a message continues the last answer, when it does. */
export type FollowUp =
  /** The same row with other slots: a year, the change, a column, the amount, a unit. */
  | { how: 'slots'; entry: Entry; also: Entry[]; what: string; columns: string[]; years?: number[] }
  /** "出自哪部法律", "依据是什么": the legal basis of the topic answered before. */
  | { how: 'basis'; entry: Entry }
  /** "当面提交的呢" after "申请从哪天算收到": the lines of the topic answered before that say it. */
  | { how: 'within'; entry: Entry; lines: string[] }
  /**
   * "第二条具体说说" after a list ("下一步有哪些改进措施"): the passage of that point (`entry`),
   * or the clause of the list's own text ("一是…；二是…"); `list` stays the frame.
   */
  | { how: 'point'; entry: Entry; list: Entry; n: number; clause: string | null }
  /** "具体学了些啥" after a figure the report states in its text: the passage that states it. */
  | { how: 'source'; entry: Entry }
  /** "再说一遍 慢点", "没听清": the last answer again, as it was asked. */
  | { how: 'again'; entry: Entry; also: Entry[] };

// Question words, particles and the words of a follow-up's own asking ("那…呢", "换成", "比").
const ASKING = /那么|那|呢|吗|啊|吧|的|了|换成|改成|换|如果是|要是|是|有|多少|几|个|么|咋样|怎么样|咋|啥|什么|情况|数字|呢|再|还有|又|怎么|样|大|小|比|看看|看|查|说说|说/g;
const BASIS_WORDS = /依据|根据|出自|哪部|哪个|哪条|哪一条|什么|法律|法规|规定|条款|法条|分别|这两个|这个|两个|这|那|来自|来源|是|的|哪些|哪/g;
// A follow-up leans on what came before: "那…", "…呢", "换成…", "如果是…".
const LEANING = /^(那么?|还有|再|换成|改成|换|如果是|要是|那要是|那如果)|呢$/;
// Pieces jieba left around a function word ("及本" of "及本年增减"): not words of a subject.
const FUNCTION_CHARS = /[及其和与或的了之而并]/;
const TOTAL = /一共|总共|合计|总计|加起来|总数|全部/;
// "第二条", "第四个", "第1点": a place in the list answered before (not "第二十条", an article).
const ORDINAL = /第([一二三四五六七八九]|[1-9])(?![\d十百零〇])(?:条|个|点|项|是|方面|部分|措施|问题)?|(最后)一(?:条|个|点|项)/;
const NUMERALS = '一二三四五六七八九';
// How a report's text lists its points inline: "一是…；二是…".
const INLINE_POINT = /([一二三四五六七八九])是/g;
// "那再往前一年呢", "上一年呢": the year before the one answered (not a comparison: no 比).
const YEAR_BEFORE = /(?<![比跟和与较同])(?:再往前一年|往前一年|再往前|前一年|上一年|头一年)(?!项目|的项目|比)/;
/** The lines of a topic that answer an aspect asked after it: a time limit, a fee. */
const ASPECT_LINES: Record<string, RegExp> = {
  期限: /\d+\s*(?:个)?(?:工作)?(?:日|天|月)|当场/,
  收费: /收费|免费|费用|信息处理费/,
  // "门牌号呢", "电话多少" after the archives' topic: its line saying the guide does not hold them.
  地址: /地址|门牌/,
  电话: /电话|\d{4}-\d{7}/,
};
const CONTACT_ASPECTS: ReadonlySet<string> = new Set(['地址', '电话']);
// The words of averaging: "平均每个", "平均下来一个".
const AVERAGING = /^(?:平均|每个|每一个|一个|每|下来|平均下来)$/;
// An article or item cited, as written ("第（八）项", "第二十条").
const CITED = /第[（(]?[〇零一二两三四五六七八九十百\d]{1,6}[）)]?[条项]/g;
// The words of asking what an item says ("讲的是啥", "规定了什么", "内容").
const ITEM_ASKING = /^(?:讲|规定|内容|意思|写|指)/;
// "除了X（以外）还有…", "还有别的办法吗": the other points of what was answered.
const OTHERS = /除了?(.{0,8}?)(?:以外|之外)?(?:还有|还能|还可以|还)(?:没有|啥|什么|别的|其他|其它)?|还有(?:没有)?(?:别的|其他|其它)(?:办法|途径|渠道|路子|法子|方式)/;
// Pointing back at what was just answered.
const BACK = /这个|这类|这种|这些|此类|这样的|这方面|这情况|这种情况/;
// Pointing back at a row or item just named: "该行数字", "这一项的数据".
// ("那行" alone is "all right": not a pointer.)
const ROW_BACK = /该行|该项|该栏|这一行|这一项|这一栏|这行|这项|那一行|那一项/;
// Asking for its figures without a question word: "该行数字", "这一项的数据".
const FIGURES_WORDS = /数据|数字|数目|数量/;
// Asking whether something ever happened ("…不予公开过吗", "有因为这个不予公开的吗").
const EVER = /过吗|过没有|过没|有过|有没有|有[^，。？?]{1,14}吗[？?]?$/;
// Asking what something was about: its content, not a figure.
const CONTENT = /具体|内容|哪些|啥|什么|讲了|说了|干了|怎么搞|怎么弄|咋搞|咋弄/;
/**
 * A topic explaining the annual report's form (how to read or fill its tables), as guide.md marks
 * it: an id starting "form-". It answers what the form means, not the county's figures.
 */
export function explainsReport(topic: { id: string }): boolean {
  return topic.id.startsWith(FORM_TOPIC);
}
const FORM_TOPIC = 'form-';

// Asking what something of the form means or how it is filled, not what figure it holds.
const MEANING = /意思|指什么|指的是|指啥|是什么|是啥|什么是|啥是|怎么看|怎么读|怎么理解|怎么填|怎么计|怎么算|怎么统计|怎么核对|区别|不同|分哪|分为|哪几种|哪两种|几种|几列|哪几列|几栏|哪几栏|一回事|等于|相等|哪几项|对上|对不上|包括|指哪|哪五|对得上|勾稽|只计|算哪|记在|计入|重复计|填/;

/** The message asks what the form means or how it is filled ("本年增减啥意思", "分哪两种"). */
export function asksMeaning(text: string): boolean {
  return MEANING.test(text);
}

// Asking only what something means, never how many: "是一回事吗", "指的是什么", "有啥区别".
const ONLY_MEANING = /(?<!好)意思|指什么|指的是|指啥|怎么理解|区别|一回事|怎么填|怎么计|怎么统计/;

// Asking how many, in words (a column's own "数量" is not asking).
const HOW_MANY = /多少|几|多大|多高|多不多/;

/** The message asks what a part of the form means and nothing a figure could answer. */
export function asksOnlyMeaning(r: { text: string; cues: { money: boolean } }): boolean {
  return !r.cues.money && !HOW_MANY.test(r.text) && ONLY_MEANING.test(r.text);
}

/** Two rows of figures counted in the same units: their sum means something. */
function sameUnits(a: Entry, b: Entry): boolean {
  const x = unitsOf(a);
  const y = unitsOf(b);
  return x.length === 1 && y.length === 1 && x[0] === y[0];
}

// The two rows answered last, named together.
const BOTH = /这两个|这俩|那俩|它俩|两个都|两个的|两者|二者|这两项|两项/;
// Asking what unit a figure is in.
const UNIT_ASKED = /单位是(?:啥|什么|元|万元|人|次|件|条|项|个)|(?:什么|啥)单位|^单位呢|(?:万元|元|人次|次|件|条|项|个)还是(?:万元|元|人次|次|件|条|项|个)/;
// A message going on from the answer before: a condition on it ("要是…", "若…"), what comes after
// it ("…以后", "…之后"), a pointer back at it ("这段时间", "这种情况").
const REFERRING = /^(?:那|要是|如果|若|我要是|那我|那要是|那如果)|以后|之后|这段|这个时间|这种情况|这样的话|这样/;
const REFERRING_LENGTH = 24;
/** At most this many lines answer a longer follow-up (see linesSaying). */
const SAYING_LINES = 2;
// A line saying from when a time limit runs.
const FROM_WHEN = /起算|算起|之日起|开始算/;
// A time limit named to ask what it is: "十五天的那个是啥", "二十天的呢", "6个月那个指什么".
const LIMIT_NAMED = /^(?:那个?|这个?)?(\d{1,3}|[一二两三四五六七八九十]{1,3})(个?(?:工作日|天|日)|个月)(?:的)?(?:那个|那条|那一条|那项|那一项|那个期限|期限)?(?:是|指|说的是|指的是|讲的是)?(?:啥|什么|哪个|哪条|啥意思|什么意思|干啥的|干什么的)?(?:呢|啊|呀)?$/;
// A figure of the last answer named to ask what it means: "4是增加了4项的意思吗", "305指的是啥".
const FIGURE_ASKED = /^((?:负|-)?\d+(?:\.\d+)?)(?:是|指|代表|表示|说的是|指的是)(?:啥|什么|啥意思|什么意思|.{0,8}(?:意思|吗|呢))?/;
// Asking where the annual report records what was just answered: "对应年报哪一行", "年报里算哪项".
const ROW_ASKED = /(?:对应|记在|算在|填在|计入|算|记|填|归)(?:年报|年度报告|报告|表格?)?(?:里|中)?(?:的)?(?:哪一行|哪行|哪一项|哪项|哪一栏|哪栏|哪一类|哪类)|(?:年报|年度报告|报告|表格?)(?:里|中)?(?:的)?(?:哪一行|哪行|哪一项|哪项|哪一栏|哪栏)/;
// Asking from when a time limit runs, in a short message: "从哪天开始算", "啥时候起算".
const SINCE_ASKED = /(?:从|自)(?:哪天|哪一天|什么时候|啥时候|何时)(?:开始)?(?:算起|起算|算)?|(?:哪天|什么时候|啥时候|何时)(?:开始算|起算|算起)|怎么(?:起算|算起)/;
// What may stand beside it: a pointer at the limit, particles ("这个期限从啥时候起算啊").
const SINCE_REST = /^(?:那|这个|那个|期限|时间|日子|是|的|呢|吗|啊|呀|要|得|点|一点|说说|讲讲)*$/;
// Asking how long, beside from when.
const HOW_LONG = /多长|多久|几天|多少天|几个|多少个/;
// Asking for more of it, beside that: "具体点", "详细说".
const MORE_WORDS = /具体|详细|细点|仔细/g;
// Asking when, not what: "从哪天", "开始算", "重新算".
const WHEN_ASKED = /^(?:哪天|哪一天|开始|起算|算起|算|重新算|什么时候|啥时候|何时|段时间|这段|时间)$/;
// How something is done, not what: "以需签收的邮寄方式提交".
const WAY_WORDS: ReadonlySet<string> = new Set(['方式', '形式', '方法', '办法', '途径']);
/** How far into a line the word it is about may start. */
const ABOUT = 3;
// Asking for the last answer again: "再说一遍", "没听清", "慢点说".
const AGAIN = /(?:再|重新|重)(?:说|讲|念|发|报)(?:一|1)?(?:遍|次|下)|重复(?:一遍|一下|一次)?|再来一遍|没(?:听|看)(?:清楚|明白|清)|没记(?:住|下|全)|(?:说|讲|念)?慢(?:一)?点(?:说|讲|念)?/;
const AGAIN_ALL = new RegExp(AGAIN.source, 'g');
// What may stand beside it: addressing, politeness, particles ("麻烦你再说一遍好吗").
const AGAIN_REST = /^(?:请|麻烦|能不能|能|可以|你|您|我|刚才|刚刚|那个|的|了|啊|呀|吧|呗|哈|嘛|好吗|行吗|可以吗|吗|一下|电话|号码|再)*$/;
/** Longer messages say enough to be read on their own. */
const ELLIPTICAL_LENGTH = 14;

export class Conversation {
  private readonly columnTermsOf = new Map<string, ReadonlySet<string>>();
  /** The body reporting, named as a resident names it ("咱们县", its own name): the lexicon's 本机关 and the body's names. */
  private readonly ownBody: Phrases;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly index: SearchIndex,
    private readonly lexicon: Lexicon,
    private readonly entries: ReadonlyMap<string, Entry>,
    private readonly columnTerms: (column: string) => string[],
    ownNames: readonly string[] = [],
  ) {
    this.ownBody = new Phrases([...lexicon.ownBody, ...ownNames]);
  }

  /** The message names the body reporting ("某某的呢", "咱们县的"). */
  namesOwnBody(r: Reading): boolean {
    return this.ownBody.find(r.text).length > 0;
  }

  previousEntry(previous: Session | undefined): Entry | undefined {
    return previous?.entry ? this.entries.get(previous.entry) : undefined;
  }

  /**
   * The message's own subject words: its terms without what it asks about the subject (the unit,
   * the money, the question words), which a follow-up changes while keeping the subject.
   */
  private ownTerms(r: Reading, asking: RegExp): string[] {
    let text = r.text.replace(/(?<!\d)\d{4}年?/g, ' ').replace(COMPARE_PREVIOUS, ' ').replace(YEAR_BEFORE, ' ');
    for (const [word] of this.lexicon.units) if (text.includes(word)) text = text.split(word).join(' ');
    text = text.replace(/多少钱|花了多少|花多少|花了|金额|钱|费用/g, ' ').replace(asking, ' ');
    return this.tokenizer.terms(text).filter((t) => !this.tokenizer.isWeak(t) && !this.lexicon.general.has(t));
  }

  /**
   * "那第（八）项呢", "第五项呢" after a topic resting on an article (第二十条, or one of its items):
   * an item cited without its article is an item of that article, answered by the topic resting on
   * the two. Null when the message names anything else or no topic rests on them.
   */
  itemOf(r: Reading, previous: Session | undefined): Entry | null {
    const entry = this.previousEntry(previous);
    if (!entry || entry.kind !== 'guide') return null;
    const cited = r.terms.filter((t) => /^第\d+[条项]$/.test(t));
    if (cited.length !== 1 || !cited[0]!.endsWith('项')) return null;
    const article = articleTerms(entry.topic.basis).find((t) => t.endsWith('条'));
    if (!article) return null;
    const bare = { ...r, text: r.text.replace(CITED, ' ') };
    const own = this.ownTerms(bare, ASKING).filter((t) => t.length > 1 && !ITEM_ASKING.test(t));
    if (!own.every((t) => this.index.holds(entry.id, t))) return null;
    // An item no topic of its own covers ("第三项呢") is answered by the article's topic, which
    // lists the items the guide holds.
    let whole: Entry | null = null;
    for (const e of this.entries.values()) {
      if (e.kind !== 'guide') continue;
      const rests = articleTerms(e.topic.basis);
      if (rests.length === 2 && rests[0] === article && rests[1] === cited[0]) return e;
      if (rests.length === 1 && rests[0] === article) whole = e;
    }
    return whole;
  }

  /**
   * "平均一个项目花多少" after the procurement figures: the message names nothing but what the row
   * holds, the aspect asked and the words of averaging ("行政许可平均多久" names another row).
   */
  namesOnly(r: Reading, entry: Entry): boolean {
    return r.terms.every(
      (t) => t.length < 2 || AVERAGING.test(t) || this.lexicon.aspects.has(t) || this.lexicon.general.has(t) || this.tokenizer.isWeak(t) || !this.index.has(t) || this.index.holds(entry.id, t),
    );
  }

  /** The follow-up a message makes on the previous answer, or null when it asks afresh. */
  followUp(r: Reading, previous: Session | undefined): FollowUp | null {
    const entry = this.previousEntry(previous);
    if (!entry) return null;
    const again = this.again(r, entry, previous);
    if (again) return again;
    if (entry.kind === 'passage') {
      const point = this.point(r, this.listNamed(r, entry));
      if (point) return point;
    }
    if (holdsFigures(entry)) {
      const also = (previous?.also ?? []).map((id) => this.entries.get(id)).filter((e): e is Entry => e !== undefined && holdsFigures(e));
      return this.columnOfFigure(r, entry, also, previous) ?? this.slots(r, entry, also, previous) ?? this.source(r, entry);
    }
    if (entry.kind === 'guide') {
      const limit = this.limitNamed(r, entry);
      if (limit) return limit;
    }
    if (entry.kind === 'guide') {
      const rows = this.rowsOfTopic(r, entry);
      if (rows) return rows;
    }
    if (entry.kind === 'guide' && r.cues.basis && entry.topic.basis) {
      const own = this.ownTerms(r, BASIS_WORDS);
      // "这两个期限分别出自哪部法律": every word left is one the topic holds.
      if (own.every((t) => this.index.holds(entry.id, t))) return { how: 'basis', entry };
    }
    if (entry.kind === 'guide') {
      const others = this.others(r, entry);
      if (others) return others;
    }
    if (entry.kind === 'guide') {
      const since = this.since(r, entry) ?? this.rowNamed(r, entry);
      if (since) return since;
    }
    if (entry.kind === 'guide' && (this.lean(r, previous) || this.refersBack(r))) return this.within(r, entry);
    return null;
  }

  /**
   * "再说一遍 慢点", "没听清 再说一下": the last answer again - only when the last reply answered
   * from that entry (a decline is not turned into an answer by asking it again), and only when the
   * message says nothing else.
   */
  private again(r: Reading, entry: Entry, previous: Session | undefined): FollowUp | null {
    if (previous?.answer !== entry.id) return null;
    const bare = withoutMarks(r.text);
    if (bare.length > ELLIPTICAL_LENGTH || !AGAIN.test(bare)) return null;
    if (!AGAIN_REST.test(bare.replace(AGAIN_ALL, ''))) return null;
    const also = (previous.also ?? []).map((id) => this.entries.get(id)).filter((e): e is Entry => e !== undefined);
    return { how: 'again', entry, also };
  }

  /**
   * "补上以后从哪天重新算", "这段时间算在20个工作日里吗", "那我补齐了以后 答复的期限从哪天开始算":
   * a message not short enough to lean by its length alone, but saying it goes on from what was
   * just answered (a condition on it, a time after it, a pointer back at it).
   */
  private refersBack(r: Reading): boolean {
    const bare = withoutMarks(r.text);
    return bare.length <= REFERRING_LENGTH && REFERRING.test(bare);
  }

  /**
   * "除了投诉还有啥办法", "除了这两个还有别的办法吗" after a topic listing ways: the topic's other
   * points, those not naming what is set aside (all of them when it is only pointed at).
   */
  private others(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const bare = r.text.replace(/[\p{P}\p{S}]/gu, '');
    if (bare.length > ELLIPTICAL_LENGTH + 2) return null;
    const m = OTHERS.exec(bare);
    if (!m) return null;
    const points = entry.topic.summary.split('\n').filter((l) => /^\s*\d+[.．、]/.test(l));
    if (points.length < 2) return null;
    const aside = m[1] && !BACK.test(m[1]) && !BOTH.test(m[1]) ? this.tokenizer.terms(m[1]).filter((t) => t.length > 1) : [];
    const kept = aside.length ? points.filter((l) => !aside.some((t) => this.tokenizer.knowledgeTerms(l).includes(t) || l.includes(t))) : points;
    // Something must be set aside by name for a shorter list, and something must be left.
    if (kept.length === 0) return null;
    // Words other than what is set aside name a new subject ("除了投诉 低保呢"): asked afresh.
    const rest = this.ownTerms(r, new RegExp(`${ASKING.source}|${OTHERS.source}`, 'g')).filter((t) => t.length > 1 && !aside.includes(t) && !this.lexicon.aspects.has(t) && !['方式', '办法'].includes(t));
    if (rest.some((t) => !this.index.holds(entry.id, t))) return null;
    return { how: 'within', entry, lines: kept };
  }

  /**
   * "第四个问题具体是什么" after the plan ("准备怎么改进"): a point named by a word the list answered
   * before does not hold, while another list of its section does (the problems), is that list's.
   */
  private listNamed(r: Reading, list: Extract<Entry, { kind: 'passage' }>): Extract<Entry, { kind: 'passage' }> {
    const m = ORDINAL.exec(r.text);
    if (!m) return list;
    const named = this.tokenizer.terms(r.text.slice(m.index + m[0].length)).filter((t) => t.length > 1 && !this.tokenizer.isStopword(t) && !this.lexicon.general.has(t));
    const first = list.passages[0]!;
    const own = keyWordsOf(list);
    const other = (t: string) => !own.has(t);
    const wanted = named.filter(other);
    if (wanted.length === 0) return list;
    for (const e of this.entries.values()) {
      if (e === list || e.kind !== 'passage' || !e.passages[0]!.text) continue;
      const p = e.passages[0]!;
      if (p.section === first.section && p.year === first.year && !p.heading && wanted.some((t) => e.keys[0]!.includes(t))) return e;
    }
    return list;
  }

  /**
   * "2019年县里因为这个不予公开过吗" after the topic on internal and process information: a count
   * asked of the topic answered before is the report's rows the topic says count it ("年度报告里叫
   * “三类内部事务信息”"), when the message points back at it ("这个", "这类") and names no other row.
   */
  private rowsOfTopic(r: Reading, topic: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    if (!(BACK.test(r.text) || ROW_BACK.test(r.text)) || !(r.cues.quantity || EVER.test(r.text) || FIGURES_WORDS.test(r.text))) return null;
    const text = `${topic.topic.summary}\n${topic.topic.detail}`;
    if (!/年度报告/.test(text)) return null;
    const labels = [...text.matchAll(/“([^”]{4,20})”/g)].map((m) => m[1]!);
    const rows: Array<Extract<Entry, { kind: 'stat' | 'figure' }>> = [];
    for (const e of this.entries.values()) {
      if (e.kind !== 'stat') continue;
      const item = e.stats[0]!.item.replace(/^\d+[.．、]\s*/, '');
      if (labels.some((l) => item === l || item.endsWith(l))) rows.push(e);
    }
    if (rows.length === 0) return null;
    // A row the message names itself is the one asked ("过程性信息的呢"); else every row the topic names.
    const names = (e: Extract<Entry, { kind: 'stat' | 'figure' }>) => r.terms.some((t) => t.length > 1 && e.keys[0]!.includes(t) && !e.stats[0]!.group?.includes(t));
    const named = rows.filter(names);
    // "行政处罚那一行…" after the topic naming 行政许可's rows: a row of its own, asked afresh.
    if (named.length === 0) {
      for (const e of this.entries.values()) if (e.kind === 'stat' && !rows.includes(e) && names(e)) return null;
    }
    const [first, ...rest] = named.length ? named : rows;
    return { how: 'slots', entry: first!, also: rest, what: '上一个主题在报告里的行', columns: [] };
  }

  /**
   * "具体学了些啥", "都讲了什么内容" after "培训了多少人次": what a figure of the report's text was
   * about is said by the passage stating it, the same line of the same report.
   */
  private source(r: Reading, entry: Extract<Entry, { kind: 'stat' | 'figure' }>): FollowUp | null {
    if (entry.kind !== 'figure' || r.cues.quantity || r.cues.money || r.compare || r.years.length || r.unit) return null;
    const bare = r.text.replace(/[\p{P}\p{S}]/gu, '');
    if (bare.length > ELLIPTICAL_LENGTH || !CONTENT.test(bare)) return null;
    const stat = entry.stats[0]!;
    for (const e of this.entries.values()) {
      // The report's opening paragraph (no section) states the channels' totals and no more about them.
      if (e.kind === 'passage' && e.passages.some((p) => p.section && p.year === stat.year && p.line === stat.line && p.source.document === stat.source.document)) return { how: 'source', entry: e };
    }
    return null;
  }

  /** "第二条具体说说", "第四条呢", "最后一条": the point of the list answered before. */
  private point(r: Reading, list: Extract<Entry, { kind: 'passage' }>): FollowUp | null {
    const bare = r.text.replace(/[\p{P}\p{S}]/gu, '');
    if (bare.length > ELLIPTICAL_LENGTH) return null;
    const m = ORDINAL.exec(bare);
    if (!m) return null;
    const first = list.passages[0]!;
    if (list.points.length) {
      const n = m[2] ? list.points.length : m[1]!.length === 1 && /\d/.test(m[1]!) ? Number(m[1]) : NUMERALS.indexOf(m[1]!) + 1;
      const heading = list.points[n - 1];
      if (!heading) return null;
      for (const e of this.entries.values()) {
        if (e.kind === 'passage' && e.passages.some((p) => p.heading === heading && p.section === first.section && p.year === first.year)) return { how: 'point', entry: e, list, n, clause: null };
      }
      return null;
    }
    // "一是…；二是…" inside the passage's own text.
    const marks = [...first.text.matchAll(INLINE_POINT)];
    if (marks.length < 2) return null;
    const n = m[2] ? marks.length : /\d/.test(m[1]!) ? Number(m[1]) : NUMERALS.indexOf(m[1]!) + 1;
    const at = marks.findIndex((x) => NUMERALS.indexOf(x[1]!) + 1 === n);
    if (at < 0) return null;
    const end = marks[at + 1]?.index ?? first.text.length;
    const clause = first.text.slice(marks[at]!.index, end).replace(/[；;，,]\s*$/, '');
    return { how: 'point', entry: list, list, n, clause };
  }

  /**
   * A short follow-up whose words the topic answered before all holds ("当面提交的呢", "对外公布呢",
   * "下午呢 冬天的") is answered by the lines of that topic that say them, when some do.
   */
  private within(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const own = this.ownTerms(r, ASKING).filter((t) => t.length > 1);
    // "有时间限制没有" after the remedies: the lines of the topic that give a time limit.
    // Only when the message names nothing but the aspect ("过了期限还不回呢" names 超期).
    const named = r.terms.filter((t) => t.length > 1 && !this.tokenizer.isStopword(t) && !this.tokenizer.isWeak(t) && !this.lexicon.general.has(t) && !/^(要是|如果|那|那么|还有)$/.test(t));
    // A phone or address asked of a topic that says the guide does not hold them (the archives') is
    // its line saying so; of another topic, the topic answers again as it would.
    const known = named.length > 0 && CONTACT_ASPECTS.has(named[0]!) && !UNKNOWN_TOPIC.test(entry.topic.title);
    const aspect = named.length > 0 && !known && named.every((t) => this.lexicon.aspects.has(t)) ? ASPECT_LINES[named[0]!] : undefined;
    if (aspect) {
      const all = entry.topic.summary.split('\n').filter((l) => l.trim());
      const lines = all.filter((l) => aspect.test(l));
      // Only a line saying the phone or address is not held makes them the topic's own.
      const own = !CONTACT_ASPECTS.has(named[0]!) || lines.some((l) => UNKNOWN_TOPIC.test(l));
      if (own && lines.length > 0 && lines.length < all.length) return { how: 'within', entry, lines };
    }
    // Of a longer follow-up, only the words that could name a subject count: not the fragments
    // jieba made up that no entry holds ("补齐", "日里"), single characters, the words of asking
    // when ("从哪天", "开始算"), nor a way of doing it ("方式").
    const longer = !this.leans(r) && this.refersBack(r);
    const subject = longer || own.length > 2 ? own.filter((t) => this.namesSubject(t)) : own;
    if (subject.length === 0 || !subject.every((t) => this.index.holds(entry.id, t))) return null;
    const words = new Set([...own, ...r.words.filter((w) => w.length > 1 && !this.tokenizer.isStopword(w) && !this.tokenizer.isWeak(w) && !this.lexicon.general.has(w))]);
    const all = `${entry.topic.summary}\n${entry.topic.detail}`.split('\n').filter((l) => l.trim());
    // A line is about a word when it starts with it ("1. 当面交的：交的当天"), not when it mentions
    // it in passing ("…或打政务服务中心电话").
    const lines = all.filter((l) => {
      const item = l.replace(/^\s*(?:\d+[.．、]|[（(][一二三四五六七八九十\d]+[）)])\s*/, '');
      // "2. 邮寄、需要签收的：机关签收的那天": a line is about every word of its label before "：".
      const label = /^([^：:]{1,12})[：:]/.exec(item)?.[1];
      const labelled = label ? new Set(this.tokenizer.knowledgeTerms(label)) : null;
      return [...words].some((w) => {
        const at = item.indexOf(w);
        return (at >= 0 && at <= ABOUT) || (labelled !== null && (labelled.has(w) || label!.includes(w)));
      });
    });
    // A longer follow-up is answered by the lines saying most of its words ("3. 答复期限从机关收到
    // 补正后的申请之日起重新起算" for "补上以后从哪天重新算"), not by a line opening with one of them.
    if (longer) lines.splice(0, lines.length, ...this.linesSaying(subject, all));
    // "那第三方提意见有几天" after the answer deadline: lines that mention the word but state no
    // time limit do not answer how long; the topic on it does (asked afresh).
    // A longer one asking from when ("从哪天开始算") is answered by a line saying from when.
    if (r.cues.time && !lines.some((l) => ASPECT_LINES['期限']!.test(l) || (longer && FROM_WHEN.test(l)))) return null;
    // Lines that say it, not the whole topic again (the resident has it).
    return lines.length > 0 && lines.length < all.length ? { how: 'within', entry, lines } : null;
  }

  /**
   * "具体点 从哪天开始算", "这个期限从啥时候起算" after a topic giving time limits: the topic's lines
   * saying from when they run (at most two), when the message asks nothing else.
   */
  private since(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const bare = withoutMarks(r.text);
    // "自何时起算，期限多长": how long is asked too, which the whole topic answers.
    if (bare.length > ELLIPTICAL_LENGTH || !SINCE_ASKED.test(bare) || HOW_LONG.test(bare)) return null;
    // Nothing but from when (a longer follow-up naming what it is about is within's: "补上以后从哪天重新算").
    if (!SINCE_REST.test(bare.replace(SINCE_ASKED, '').replace(MORE_WORDS, ''))) return null;
    const all = entry.topic.summary.split('\n').filter((l) => l.trim());
    const lines = all.filter((l) => FROM_WHEN.test(l));
    return lines.length > 0 && lines.length <= SAYING_LINES && lines.length < all.length ? { how: 'within', entry, lines } : null;
  }

  /**
   * "十五天的那个是啥", "二十天的呢" after a topic of time limits: the lines giving that time limit -
   * of the topic answered before when it gives it, else of the first topic that does, preferring
   * one resting on an article the topic before rests on (补正 and the answer deadline: 第三十条).
   */
  private limitNamed(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const bare = withoutMarks(r.text);
    const m = LIMIT_NAMED.exec(bare);
    const n = m ? numberOf(m[1]!) : null;
    if (!m || n === null) return null;
    const said = m[2]!.includes('月') ? new RegExp(`(?<![\\d.])${n}\\s*个月`) : new RegExp(`(?<![\\d.])${n}\\s*(?:个)?(?:工作日|日|天)`);
    const linesOf = (e: Extract<Entry, { kind: 'guide' }>) => e.topic.summary.split('\n').filter((l) => said.test(l));
    const own = linesOf(entry);
    if (own.length > 0) return { how: 'within', entry, lines: own.slice(0, SAYING_LINES) };
    const articles = new Set(articleTerms(entry.topic.basis));
    let found: { entry: Extract<Entry, { kind: 'guide' }>; lines: string[] } | null = null;
    for (const e of this.entries.values()) {
      if (e.kind !== 'guide' || e === entry || UNKNOWN_TOPIC.test(e.topic.title)) continue;
      const lines = linesOf(e);
      if (lines.length === 0) continue;
      if (articleTerms(e.topic.basis).some((a) => articles.has(a))) return { how: 'within', entry: e, lines: lines.slice(0, SAYING_LINES) };
      found ??= { entry: e, lines: lines.slice(0, SAYING_LINES) };
    }
    return found ? { how: 'within', ...found } : null;
  }

  /**
   * "4是增加了4项的意思吗", "305指的是啥" after a row: the figure just given is explained by its
   * column - the row again with the column holding that figure first (a 本年增/减 says "比上一年增加
   * 4"). Only a figure one column of the year answered holds; any other figure asks afresh.
   */
  private columnOfFigure(r: Reading, entry: Extract<Entry, { kind: 'stat' | 'figure' }>, also: Entry[], previous: Session | undefined): FollowUp | null {
    const bare = withoutMarks(r.text).replace(/^(?:那个?|这个?|那|这)/, '');
    const m = FIGURE_ASKED.exec(bare);
    if (!m || bare.length > ELLIPTICAL_LENGTH + 2) return null;
    const value = Number(m[1]!.replace(/^负/, '-'));
    const year = previous?.years?.[0] ?? Math.max(...entry.stats.map((x) => x.year));
    const rows = [entry, ...also].filter(holdsFigures);
    const cells = rows.flatMap((e) => e.stats.filter((x) => x.year === year && (x.value === value || (/增\/?减|增减/.test(x.column) && Math.abs(x.value) === Math.abs(value)))));
    const columns = [...new Set(cells.map((x) => x.column))];
    if (columns.length !== 1) return null;
    const row = rows.find((e) => e.stats.includes(cells[0]!))!;
    return { how: 'slots', entry: row, also: [], what: `“${m[1]}”所在的列`, columns: this.columnTerms(columns[0]!) };
  }

  /**
   * "对应年报哪一行", "年报里记在哪项" after a topic saying where the annual report records it: the
   * topic's lines saying so ("年度报告里，这种情况记作…").
   */
  private rowNamed(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const bare = withoutMarks(r.text);
    if (bare.length > ELLIPTICAL_LENGTH || !ROW_ASKED.test(bare)) return null;
    const all = `${entry.topic.summary}\n${entry.topic.detail}`.split('\n').filter((l) => l.trim());
    const lines = all.filter((l) => /年度报告里|年报里/.test(l));
    return lines.length > 0 && lines.length <= SAYING_LINES ? { how: 'within', entry, lines } : null;
  }

  /** A word that can name what a follow-up is about (see within). */
  private namesSubject(t: string): boolean {
    if (t.length < 2 || WHEN_ASKED.test(t) || WAY_WORDS.has(t)) return false;
    // A word no entry holds names nothing here, unless the lexicon knows it as another matter.
    return this.index.has(t) || this.lexicon.otherMatters.includes(t) || this.lexicon.absent.some(([w]) => w === t);
  }

  /** The lines holding the most of `words`, when that is at least two of them (or the one asked). */
  private linesSaying(words: readonly string[], all: readonly string[]): string[] {
    const counts = all.map((l) => {
      const terms = new Set(this.tokenizer.terms(l));
      return words.filter((w) => terms.has(w) || l.includes(w)).length;
    });
    const best = Math.max(0, ...counts);
    if (best === 0 || best < Math.min(2, words.length)) return [];
    const lines = all.filter((_, i) => counts[i] === best);
    // Words said on many lines do not tell which point is asked: the topic is asked afresh.
    return lines.length <= SAYING_LINES ? lines : [];
  }

  /**
   * "公众号叫啥名字" answered by the portal topic: when the words of the question that name what
   * is asked appear in the topic only on lines saying the guide does not hold it ("账号名称本指南
   * 没有掌握"), those lines are the reply, and it is a 'not known' one. A topic whose title names
   * the word is about it as a whole.
   */
  unknownLines(r: Reading, entry: Extract<Entry, { kind: 'guide' }>): FollowUp | null {
    const words = r.terms.filter((t) => t.length > 1 && !this.tokenizer.isStopword(t) && !this.tokenizer.isWeak(t) && !this.lexicon.general.has(t) && !this.lexicon.requestWords.has(t) && !this.lexicon.aspects.has(t));
    const title = entry.topic.title;
    // A topic whose title says it is not held already tells, whole, where to look instead.
    if (words.length === 0 || UNKNOWN_TOPIC.test(title) || words.some((w) => title.includes(w))) return null;
    // A way of asking the topic lists ("网上可以申请吗") is answered by the whole topic.
    if (entry.topic.questions.some((q) => { const own = this.tokenizer.knowledgeTerms(q); return words.every((w) => own.includes(w)); })) return null;
    const all = entry.topic.summary.split('\n').filter((l) => l.trim());
    const lines = all.filter((l) => words.some((w) => l.includes(w)));
    if (lines.length === 0 || !lines.every((l) => UNKNOWN_TOPIC.test(l))) return null;
    return { how: 'within', entry, lines };
  }

  /** "那2020年呢" / "比上年呢" / "个人的呢" / "那花了多少钱" / "上一年有几项": the same row. */
  private slots(r: Reading, entry: Extract<Entry, { kind: 'stat' | 'figure' }>, also: Entry[], previous: Session | undefined): FollowUp | null {
    // "这两个跟上一年比呢": the row answered before this one too, when it is a row of figures.
    // "加起来一共多少" after two figures without a 总计 of their own ("网站…", "微信呢"): their sum.
    const sumAsked = TOTAL.test(r.text) && ![entry, ...also].some((e) => holdsFigures(e) && e.stats.some((s) => s.column === '总计'));
    const last = this.entries.get(previous?.before ?? '');
    const both = BOTH.test(r.text) || (sumAsked && also.length === 0 && last?.kind === entry.kind && sameUnits(last, entry)) ? last : undefined;
    if (both && holdsFigures(both) && both !== entry && !also.includes(both)) also = [...also, both];
    const rows = [entry, ...also] as Array<Extract<Entry, { kind: 'stat' | 'figure' }>>;
    const columns = new Set(rows.flatMap((e) => [...this.columnsOf(e)]));
    const terms = r.terms;
    const named = terms.filter((t) => columns.has(t));
    // "一共多少件" after a column of the applications table asks for its 总计.
    const total = TOTAL.test(r.text) && entry.stats.some((s) => s.column === '总计') ? ['总计'] : [];
    // "法人或其他组织提出的数量": a group of columns named at once.
    const group = this.lexicon.columnGroups.find(([name]) => r.text.includes(name))?.[1].filter((c) => columns.has(c)) ?? [];
    const slots: string[] = [];
    if (r.years.length) slots.push('年份');
    // A row with a 上一年 column answers it from that column (the year before, as the report
    // printed it); another row is asked for the year before.
    const beforeAsked = r.years.length === 0 && !r.compare && YEAR_BEFORE.test(r.text);
    const previousColumn = beforeAsked ? rows.flatMap((e) => e.stats.map((x) => x.column)).find((c) => /^上一年/.test(c)) : undefined;
    const before = beforeAsked && !previousColumn ? [(previous?.years?.[0] ?? Math.max(...entry.stats.map((x) => x.year))) - 1] : undefined;
    if (before) slots.push('年份');
    if (previousColumn) slots.push('列');
    if (r.compare) slots.push('与上一年比');
    if (named.length || total.length || group.length) slots.push('列');
    if (sumAsked && also.length > 0) slots.push('合计');
    // "那全县的呢", "咱们县的呢" after another body's figure was declined: the body reporting.
    const own = this.ownBody.find(r.text).map((m) => m.word);
    if (own.length > 0) slots.push('机关');
    if (r.cues.money) slots.push('金额');
    if (r.unit && r.unit !== '金额' && (unitsOf(entry).includes(r.unit) || (r.unit === '元' && unitsOf(entry).includes('万元')))) slots.push('单位');
    // "单位是元还是万元", "这是啥单位": the unit of the figure just given, which its reply states.
    const unitAsked = UNIT_ASKED.test(r.text);
    if (unitAsked && !slots.includes('单位')) slots.push('单位');
    if (slots.length === 0) return null;
    // Nothing else is named: a word of another row ("那行政强制呢") or a word the knowledge base
    // does not know ("那2020年GDP呢") is a new question. "那花了多少钱" about a row without an
    // amount is still about that row: grounding then says the report has no amount.
    const groupNames = new Set(this.lexicon.columnGroups.map(([name]) => name));
    const asking = unitAsked || both || sumAsked ? new RegExp(`${ASKING.source}|${UNIT_ASKED.source}|${BOTH.source}|${TOTAL.source}`, 'g') : ASKING;
    const rest = this.ownTerms(r, asking).filter(
      (t) =>
        !own.some((w) => w.includes(t)) && !columns.has(t) && !groupNames.has(t) && !rows.some((e) => this.index.holds(e.id, t)) && (this.index.has(t) || (t.length > 1 && !FUNCTION_CHARS.test(t))),
    );
    if (rest.length > 0) return null;
    return { how: 'slots', entry, also, what: slots.join('、'), columns: [...total, ...group, ...(previousColumn ? this.columnTerms(previousColumn) : [])], ...(before ? { years: before } : {}) };
  }

  private columnsOf(entry: Extract<Entry, { kind: 'stat' | 'figure' }>): ReadonlySet<string> {
    let set = this.columnTermsOf.get(entry.id);
    if (!set) {
      set = new Set(entry.stats.flatMap((s) => [s.column, ...this.columnTerms(s.column)]));
      this.columnTermsOf.set(entry.id, set);
    }
    return set;
  }

  /**
   * "微博呢" after a figure asks for the same kind of thing: a short message leaning on the last
   * answer ("那…", "…呢") goes towards the kind, and the table, of the entry answered before.
   */
  lean(r: Reading, previous: Session | undefined): Lean | null {
    const entry = this.previousEntry(previous);
    if (!entry) return null;
    return this.leans(r) ? { kind: entry.kind, section: sectionOf(entry), entry: entry.id } : null;
  }

  /** A short message that says it continues the one before: "那…", "…呢", "换成…". */
  continues(r: Reading): boolean {
    const bare = r.text.replace(/[\p{P}\p{S}]/gu, '');
    return bare.length <= ELLIPTICAL_LENGTH && LEANING.test(bare);
  }

  /** A short message leaning on the one before ("那…", "…呢", two words or fewer). */
  leans(r: Reading): boolean {
    const bare = r.text.replace(/[\p{P}\p{S}]/gu, '');
    if (bare.length > ELLIPTICAL_LENGTH) return false;
    return LEANING.test(bare) || (bare.length <= 8 && r.terms.length <= 2);
  }
}

/** "十五" → 15, "二十" → 20, "7" → 7; null for what is not a number up to 99. */
function numberOf(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const digit = (c: string | undefined) => (c === undefined ? 0 : '零一二三四五六七八九'.indexOf(c === '两' ? '二' : c));
  const m = /^([一二两三四五六七八九])?(十)?([一二两三四五六七八九])?$/.exec(text);
  if (!m || (!m[1] && !m[2] && !m[3])) return null;
  if (!m[2]) return m[3] ? null : digit(m[1]);
  return (m[1] ? digit(m[1]) : 1) * 10 + (m[3] ? digit(m[3]) : 0);
}
