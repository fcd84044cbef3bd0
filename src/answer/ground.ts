import type { Tokenizer } from '../language/tokenizer.ts';
import type { Lexicon } from '../language/lexicon.ts';
import { holdsYear, type Entry } from './entries.ts';
import type { Reading } from './read.ts';
import type { SearchIndex } from './search.ts';
import { holdsFigures, holdsMoney, unitsOf } from './ranking.ts';
import { Phrases } from '../language/phrases.ts';

/**
 * Why the engine does not answer although something matched: the documents do not hold what was
 * asked. Every decline names what was asked, so the reply (and `ask --explain`) can say it.
 */
export type Decline =
  /** Another county, the city, a township, a department: only the reporting body's figures are held. */
  | { kind: 'other-body'; body: string }
  /** Another body's phone, address or hours ("乡政府电话多少"): only the reporting body's are held. */
  | { kind: 'other-contact'; body: string }
  /** A figure no report holds (GDP, 人口), or a word no figure of the reports counts. */
  | { kind: 'absent'; measure: string | null }
  /** A detail no report lists, asked of its figures: followers, the firms that won, an average. */
  | { kind: 'unlisted'; detail: string }
  /** A sum of money asked of a row that counts items ("行政事业性收费收了多少钱"). */
  | { kind: 'no-amount'; row: string }
  /** A column the row does not report ("规章上一年有多少件": the row gives this year's only). */
  | { kind: 'no-column'; row: string; column: string; has: string[] }
  /** People asked of a figure that counts times, or times of one that counts people. */
  | { kind: 'unit'; row: string; asked: string; has: string; figure: string }
  /** The year asked is not recorded. */
  | { kind: 'missing-year'; year: number; row: string }
  /**
   * A subject outside disclosure ("结婚登记在哪里办"), quoted when it reads as a name; `borrowed`
   * when it is named with the words of disclosure ("公开招聘", "信息费"): the whole message is
   * about it.
   */
  | { kind: 'out-of-scope'; subject: string | null; borrowed?: boolean }
  /** Nothing in the knowledge base comes close. */
  | { kind: 'no-match'; outOfScope: boolean };

/** Why, in words staff read in hit testing and `ask --explain`. */
export function declineReason(d: Decline): string {
  switch (d.kind) {
    case 'other-body':
      return `规则：问的是其他机关（${d.body}）的数字，只收录了本机关的报告`;
    case 'other-contact':
      return `规则：问的是其他机关（${d.body}）的联系方式，只收录了本机关受理申请的联系方式`;
    case 'absent':
      return `规则：问的数字报告里没有${d.measure ? `（${d.measure}）` : ''}`;
    case 'unlisted':
      return `规则：问的是报告不列的细目（${d.detail}），报告只有汇总的数字`;
    case 'no-amount':
      return `规则：问的是金额，而“${d.row}”只有数量`;
    case 'no-column':
      return `规则：问的是“${d.column}”，而“${d.row}”只有${d.has.join('、')}`;
    case 'unit':
      return `规则：问的是${d.asked}，而“${d.row}”的单位是${d.has}`;
    case 'missing-year':
      return `规则：${d.year}年的报告未收录`;
    case 'out-of-scope':
      return `规则：问题的主题不在政府信息公开范围内${d.subject ? `（${d.subject}）` : ''}`;
    case 'no-match':
      return d.outOfScope ? '没有匹配到任何条目' : '得分低于“您是不是想问”的下限';
  }
}

// Words that count nothing themselves: the question and measure words around a figure.
const QUANTITY_WORD = /多少|几/;
// How a figure changed is asked of the figure itself ("增加了多少").
const CHANGE_WORD = /^(增加|减少|增减|变化|增长|下降|上升|多了|少了|涨|降|增|减)$/;
const CLASSIFIERS = new Set('个 件 次 项 条 家 人 回 起 宗 场 期 位 名 种 类 万 元 块 张 份 篇 户'.split(' '));
const GENERIC_OWN = /^(全|本|我|咱|该|各|这个|那个|这|那|外|邻|别的|其他|哪个|哪|每个|每)$/;
const NOUN = /^(n|nz|ng|nr|ns|nt|nrt|nrfg|eng|vn|an|j)$/;
// Words of asking about information or applying for it, not about a body's door.
const INFORMATION = /申请|信息|指南|文件|资料|公开|数据|报告|年报/;
// Bringing a remedy somewhere ("向哪个法院起诉", "去哪复议").
const REMEDY_ACT = /起诉|诉讼|复议|投诉|举报|告状/;
// A door's own details: its phone and hours (an address may be where to read something).
const DOOR: ReadonlySet<string> = new Set(['电话', '上班', '办公时间']);

// Money spent or put in (not what an applicant pays): only a figure holding an amount answers it.
const SPENT = /花了|用了|投入|投了|经费|开支|支出|花费|拨了|拨款/;
const SPENDING = '花费金额';
// Money taken in: what was collected, not what may be charged.
const COLLECTED = /实收|实际收|共收|一共收|总共收|收上来|收入了|全年收|一年收了|收了多少万|费收了多少|费一共收了/;
// The year before as a column ("上一年有多少", "上年的项目数"), not a comparison with it.
const YEAR_BEFORE_COLUMN = /(?<![比跟和与较同])(?:上一年|上年|前一年|头一年)(?!度报告)/;
// Coming from a place: "从乡里", "打镇上".
const FROM = /(?:从|打|由)$/;
// What the resident does where they are ("在外地打电话", "在乡里上班", "在外地呢").
const BEING_THERE = /^(?:的时候|时)?(?:打|住|工作|上班|上学|打工|呢|办不了|回不来|来不了)/;

export class Grounding {
  private readonly own: Set<string>;
  private readonly figures: Entry[];
  private readonly stated: Array<{ text: string; terms: ReadonlySet<string> }> = [];
  private readonly figureTerms = new Set<string>();
  /** The labels of the rows of figures, as printed. */
  private readonly rowLabels = new Set<string>();
  // The lexicon's lists as one trie each: every message is looked through for all of them.
  private readonly absentWords: Phrases;
  private readonly absentNames: Map<string, string>;
  private readonly bodyWords: Phrases;
  private readonly unlistedWords: Phrases;
  private readonly unlistedNames: Map<string, string>;
  private readonly unnamedNames: Set<string>;
  /** The reporting body as residents name it ("县里", "咱们县") and by its own names. */
  private readonly ownWords: Phrases;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly index: SearchIndex,
    private readonly lexicon: Lexicon,
    ownBodies: Iterable<string>,
    entries: readonly Entry[],
    /** The years of the reports held. */
    private readonly recorded: readonly number[] = [],
  ) {
    this.own = new Set(ownBodies);
    this.absentNames = new Map(lexicon.absent.map(([w, n]) => [w, n] as const).reverse());
    this.absentWords = new Phrases(lexicon.absent.map(([w]) => w));
    this.bodyWords = new Phrases(lexicon.otherBodies);
    this.unlistedNames = new Map(lexicon.unlisted.map(([w, n]) => [w, n] as const).reverse());
    this.unlistedWords = new Phrases(lexicon.unlisted.map(([w]) => w));
    this.unnamedNames = new Set(lexicon.unnamed.map(([, n]) => n));
    this.figures = entries.filter(holdsFigures);
    // The report's sentence stating each figure of its text, with the words of what it counts.
    const lines = new Map<string, string>();
    for (const e of entries) if (e.kind === 'passage') for (const p of e.passages) lines.set(`${p.source.document}|${p.line}`, p.text);
    for (const e of entries) {
      if (e.kind !== 'figure') continue;
      const text = lines.get(`${e.stats[0]!.source.document}|${e.stats[0]!.line}`);
      if (text) this.stated.push({ text, terms: new Set(e.parts ?? []) });
    }
    this.ownWords = new Phrases([...lexicon.ownBody, ...this.own]);
    for (const e of entries) {
      if (!holdsFigures(e)) continue;
      this.rowLabels.add(e.question);
      for (const t of [...e.keys.flat(), ...(e.parts ?? []), ...(e.slots ?? []), ...e.context]) this.figureTerms.add(t);
    }
  }

  /**
   * Would answering `entry` state a figure for what was asked? Null when it would; otherwise why
   * not. Only questions asking for a figure (a count, an amount) or answered by one are checked.
   */
  figure(r: Reading, entry: Entry, also: readonly Entry[] = [], years: readonly number[] = r.years, framed = false): Decline | null {
    // "需要多长时间" asks a time limit, whatever else the question names.
    const asksFigure = (r.cues.quantity || r.cues.money) && !r.cues.time;
    if (!asksFigure && !holdsFigures(entry)) return null;
    // Another body's figure is not in the report; another body asking a procedure ("我们乡里能
    // 不能收复印费") is answered by the rule, which is the same for every body.
    // A count asked of another body ("兴隆镇的申请有多少件") is that body's figure, not the rule.
    // Not a procedure asked with it ("我们乡里能不能收复印费？收多少？"): that is the rule for every body.
    const count = r.cues.quantity && !r.cues.money && !r.cues.procedure && !/费/.test(r.text);
    const body = entry.kind === 'guide' && !count ? null : this.otherBody(r, entry);
    // "我从兴隆镇过来的 想问县里…": the body the resident comes from is not the one asked about.
    if (body && !this.comesFrom(r, body)) return { kind: 'other-body', body };
    const held = (t: string) => [entry, ...also].some((e) => this.index.holds(e.id, t));
    const absent = this.absentMeasure(r, held);
    if (absent && (asksFigure || holdsFigures(entry))) return { kind: 'absent', measure: absent };
    if (!holdsFigures(entry)) {
      // A passage holds no figure of its own: "三公经费花了多少" is not answered by the sentence
      // saying the figures are published, nor "权力清单有多少项" by the one saying it was published.
      if (entry.kind === 'passage' && (r.cues.money || (r.cues.quantity && !r.cues.narrative))) {
        return { kind: 'absent', measure: this.countedWords(r) };
      }
      // "信息公开工作花了多少钱": money spent is a figure; a topic on what applicants pay is not it.
      // Named plainly: the words around "花了" are often a piece of the sentence ("钱").
      if (entry.kind === 'guide' && r.cues.money && SPENT.test(r.text)) return { kind: 'absent', measure: SPENDING };
      // "实际收了多少信息处理费": money collected is a figure; the topic on what may be charged is not it.
      if (entry.kind === 'guide' && r.cues.money && COLLECTED.test(r.text)) return { kind: 'absent', measure: this.moneyOf(r) };
      // "罚款罚了多少钱": the money of a row the question names, which counts items, is not a fee
      // an applicant pays.
      if (entry.kind === 'guide' && r.cues.money && !r.request && !r.terms.some((t) => this.lexicon.requestWords.has(t))) {
        const row = this.figures.find((e) => !holdsMoney(e) && this.named(e, r.terms) && e.keys[0]!.every((w) => this.lexicon.general.has(w) || !this.index.holds(entry.id, w)));
        if (row) return { kind: 'no-amount', row: row.question.replace(/有多少？$|多少？$/, '') };
      }
      return null;
    }
    // Money is answered only by an amount of the thing asked: "收费收了多少钱" is not answered by
    // the procurement amount, nor by the count of a row the question does not name. A follow-up
    // ("那花了多少钱") names its row by the frame.
    const fee = feeOf(r);
    if (r.cues.money && !framed && (![entry, ...also].some((e) => this.named(e, r.terms) || this.mentioned(e, r.terms)) || (fee && !held(fee)))) return { kind: 'absent', measure: this.moneyOf(r) };
    // A year the reports do not hold is said to be 未收录 when the answer is composed.
    if (years.length && !years.some((y) => holdsYear(entry, y))) return null;
    const row = entry.question.replace(/有多少？$|多少？$/, '');
    const column = this.missingColumn(r, entry, also, years);
    // A figure of the report's text has no columns at all: "上一年" there is not a column asked.
    // Only when a column is missing: the entry's statistics grow with the reports.
    if (column) {
      const has = [...new Set(entry.stats.map((x) => x.column).filter(Boolean))];
      if (has.length) return { kind: 'no-column', row, column, has };
    }
    if ((r.cues.money || r.cues.feeAmount) && ![entry, ...also].some(holdsMoney)) return { kind: 'no-amount', row };
    const units = unitsOf(entry);
    if (r.unit && units.length && !units.includes(r.unit) && isPeopleOrTimes(r.unit) && units.every(isPeopleOrTimes) && also.length === 0) {
      const year = years[0] ?? Math.max(...entry.stats.map((x) => x.year));
      const shown = entry.stats.find((x) => x.year === year);
      return { kind: 'unit', row, asked: unitName(r.unit), has: unitName(units[0]!), figure: shown ? `${year}年 ${shown.value}${shown.unit ? ` ${shown.unit}` : ''}` : '' };
    }
    // A row the question names outright ("行政处罚") is what it counts, however the thing counted
    // is called ("多少起违法行为"); otherwise the counted word must be one the row holds.
    if (asksFigure && ![entry, ...also].some((e) => this.named(e, r.terms))) {
      const m = this.measure(r, held);
      if (m) return { kind: 'absent', measure: m };
    }
    return null;
  }

  /**
   * "行政处罚多少件 涉及多少人": a later question of a message that asks a count and names nothing
   * of the row that would answer it (nor continues the one before) asks what the report does not
   * hold; the row chosen for it would be a figure of something else. Also for a question of the
   * message that matched nothing ("有多少粉丝" when no list names it). Null when it asks no count.
   */
  unheldPart(r: Reading, entry: Entry | null): Decline | null {
    if (!(r.cues.quantity || r.cues.money) || r.cues.time) return null;
    if (entry && (!holdsFigures(entry) || this.named(entry, r.terms) || this.mentioned(entry, r.terms))) return null;
    // Named back only when it reads as the name of a thing ("栏目"), not a verb ("涉及").
    const counted = this.countedWords(r);
    const noun = counted !== null && counted.length >= 2 && NOUN.test(this.tokenizer.tag(counted)[0]?.tag ?? '');
    return { kind: 'absent', measure: noun ? counted : null };
  }

  /** What money was asked of: a fee named ("信息处理费", "收费"), else the word counted, as a name. */
  private moneyOf(r: Reading): string | null {
    const fee = feeOf(r);
    if (fee) return `${fee}的金额`;
    const counted = this.countedWords(r);
    return counted && counted.length >= 2 ? `${counted}的金额` : null;
  }

  /** A word of the question that says what it is about ("采购金额"), held by the entry. */
  private mentioned(entry: Entry, terms: readonly string[]): boolean {
    return terms.some((t) => t.length > 1 && !this.lexicon.general.has(t) && !this.tokenizer.isWeak(t) && !this.tokenizer.isStopword(t) && !this.lexicon.units.some(([w]) => w === t) && this.index.holds(entry.id, t));
  }

  /**
   * "规章上一年有多少件": the year before asked of rows that report no 上一年 column, while the
   * year before is no report held either. Answering this year's figure would put it under the
   * wrong year. Not a comparison ("比上一年"), not a row named by it ("上年结转").
   */
  private missingColumn(r: Reading, entry: Extract<Entry, { kind: 'stat' | 'figure' }>, also: readonly Entry[], years: readonly number[]): string | null {
    if (r.compare) return null;
    const m = YEAR_BEFORE_COLUMN.exec(r.text);
    if (!m) return null;
    // "上年结转" names a row of its own: the words there are a row's label, not a year.
    const named = r.text.slice(m.index, m.index + m[0].length + 2);
    if ([...this.rowLabels].some((l) => l.includes(named))) return null;
    const rows = [entry, ...also].filter(holdsFigures);
    if (rows.some((e) => /上一?年/.test(e.question) || e.stats.some((x) => /^上一?年/.test(x.column)))) return null;
    const year = (years[0] ?? Math.max(...entry.stats.map((x) => x.year))) - 1;
    if (this.recorded.includes(year)) return null;
    return '上一年';
  }

  /** Every word of one of the entry's names is in the question. */
  private named(entry: Entry, terms: readonly string[]): boolean {
    // A key word is named by itself or by most of it ("门户网站" names "政府门户网站").
    const covers = (w: string) => terms.includes(w) || terms.some((t) => t.length >= 2 && w.includes(t) && t.length * 2 >= w.length);
    return entry.keys.some((key) => key.length > 0 && key.every((w) => covers(w) || this.lexicon.general.has(w) || this.tokenizer.isStopword(w)));
  }

  /** A word of the lexicon's list of figures no report holds, not held by the answering entries. */
  absentMeasure(r: Reading, held: (t: string) => boolean): string | null {
    for (const m of this.absentWords.find(r.text)) {
      const word = m.word;
      const name = this.absentNames.get(word)!;
      const term = this.tokenizer.canonical(word);
      if (held(term) || held(word)) continue;
      return name;
    }
    return null;
  }

  /**
   * "我还需要2019年的GDP数据", "人口统计": a measure no report holds named as figures (数据, 数字,
   * 统计) asks for them, though no question word says so.
   */
  absentData(r: Reading): boolean {
    return this.absentWords.find(r.text).some((m) => /^的?(?:数据|数字|统计|指标|情况|资料)/.test(r.text.slice(m.at + m.word.length)));
  }

  /**
   * "公众号有多少粉丝", "最大一单多少", "都是哪些公司中标的": a detail of the lexicon's list the
   * reports never break their totals into, unless the answering entry holds its word. The caller
   * decides when a figure is what is asked of.
   */
  unlisted(r: Reading, held: (t: string) => boolean): Decline | null {
    for (const m of this.unlistedWords.find(r.text)) {
      if (held(m.word) || held(this.tokenizer.canonical(m.word))) continue;
      return { kind: 'unlisted', detail: this.unlistedNames.get(m.word)! };
    }
    return null;
  }

  /** "第三方监测公司是哪家": of the details no report lists, a name (lexicon 报告不写的名称), which its text does not give either. */
  unnamed(r: Reading, held: (t: string) => boolean): Decline | null {
    const d = this.unlisted(r, held);
    return d?.kind === 'unlisted' && this.unnamedNames.has(d.detail) ? d : null;
  }

  /**
   * What the question counts, when the answering entries do not hold it: the noun next to the
   * quantity word ("几个栏目", "人口有多少"). Null when the counted thing is held or is no noun.
   */
  /**
   * The words of what a question counts, next to its quantity word: after it ("多少条信息") or,
   * when nothing follows, before it ("权力清单一共多少项"). Null when no word names it.
   */
  private countedTokens(r: Reading): { words: string[]; after: boolean } {
    const tokens = r.words;
    const at = tokens.findIndex((t) => QUANTITY_WORD.test(t));
    if (at < 0) return { words: [], after: false };
    const content = (t: string) => {
      const term = this.tokenizer.canonical(t);
      return /^[\p{Script=Han}A-Za-z]+$/u.test(t) && !CLASSIFIERS.has(t) && !CHANGE_WORD.test(t) && !this.tokenizer.isStopword(term) && !this.tokenizer.isWeak(term) && !this.lexicon.general.has(term) && !this.lexicon.general.has(t) && !QUANTITY_WORD.test(t);
    };
    const stop = (t: string) => /^[\p{P}\p{S}\s]+$/u.test(t);
    const words: string[] = [];
    for (let i = at + 1; i < tokens.length && !stop(tokens[i]!) && words.length < 3; i++) {
      if (content(tokens[i]!)) words.push(tokens[i]!);
      else if (words.length) break;
    }
    if (words.length) return { words, after: true };
    for (let i = at - 1; i >= 0 && !stop(tokens[i]!) && words.length < 3; i--) {
      const t = tokens[i]!;
      if (words.length === 0 && /^(有|是|共|一共|总共|了|的|达|为|到|花|要|能|会|得|都)$/.test(t)) continue;
      if (!content(t)) break;
      words.unshift(t);
    }
    return { words, after: false };
  }

  private countedWords(r: Reading): string | null {
    const { words } = this.countedTokens(r);
    return words.length ? words.join('') : null;
  }

  private measure(r: Reading, held: (t: string) => boolean): string | null {
    const { words, after } = this.countedTokens(r);
    // The word nearest the quantity word decides ("多少条信息" → 信息; "权力清单多少项" → 清单).
    const word = after ? words[0] : words.at(-1);
    if (!word) return null;
    const term = this.tokenizer.canonical(word);
    if (held(term) || held(word) || this.tokenizer.isAspect(term)) return null;
    // A word the reports count in some row but not in this one: ranking chose; do not overrule.
    if (this.figureTerms.has(term)) return null;
    // Only a noun names something counted ("GDP", "人口", "栏目"); a verb ("提出") does not.
    const tag = this.tokenizer.tag(word)[0]?.tag ?? '';
    return NOUN.test(tag) && word.length >= 2 ? word : null;
  }

  /** Another body the question names: a county, the city, a township, a department. */
  otherBody(r: Reading, entry?: Entry): string | null {
    const tokens = r.words;
    // Word boundaries, so that 国家 is not read inside 国家秘密.
    const starts = new Set<number>();
    const ends = new Set<number>();
    let at = 0;
    for (const t of tokens) {
      starts.add(at);
      at += t.length;
      ends.add(at);
    }
    // Refused where it does not start and end with words, so that a shorter name further on is
    // still found ("我们乡政府": not 我们乡, but 乡政府).
    const named = this.bodyWords.find(r.text, (w, at) => starts.has(at) && ends.has(at + w.length) && !this.counted(w, r, entry))[0];
    if (named) return named.word;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const suffix = this.lexicon.bodySuffixes.find((s) => t.length > s.length && t.endsWith(s));
      // "隆德县" as one word, or "彭阳" + "县"; a name jieba does not know is cut into single
      // characters ("将" + "台" + "乡", "偏" + "城乡"): those characters before the suffix are its stem.
      const bare = this.lexicon.bodySuffixes.includes(t) ? t : suffix;
      const loose = bare ? this.looseStem(tokens, i, t.slice(0, t.length - bare.length)) : '';
      const name = suffix && t.length >= suffix.length + 2 ? t : loose && bare ? `${loose}${bare}` : this.lexicon.bodySuffixes.includes(t) && i > 0 ? `${tokens[i - 1]}${t}` : null;
      if (!name || this.isOwn(name) || this.counted(name, r, entry)) continue;
      const stem = name.slice(0, name.length - (suffix?.length ?? t.length));
      if (!/^[\p{Script=Han}]{2,6}$/u.test(stem) || GENERIC_OWN.test(stem) || this.lexicon.general.has(name)) continue;
      // A word the knowledge base knows ("办事大厅" is the service centre) is not another body.
      if (this.index.has(name) || this.index.has(this.tokenizer.canonical(name)) || this.tokenizer.isStopword(stem) || this.lexicon.general.has(stem)) continue;
      return name;
    }
    return null;
  }

  /**
   * "各乡镇部门培训了多少人": the bodies are who was counted when the report's own sentence stating
   * a figure of what is asked (培训) names them ("组织各乡镇、各部门开展…培训，参与培训人数达 100 多人次").
   */
  private counted(word: string, r: Reading, entry: Entry | undefined): boolean {
    // Only a figure of the report's text counts people or things of bodies it names.
    if (entry?.kind !== 'figure') return false;
    const bare = word.replace(/^(各|我们|咱|本)/, '');
    const specific = (t: string) => t.length > 1 && !this.lexicon.general.has(t) && !this.lexicon.requestWords.has(t) && !this.tokenizer.isWeak(t);
    return this.stated.some((l) => l.text.includes(bare) && r.terms.some((t) => specific(t) && l.terms.has(t) && entry.parts?.includes(t)));
  }

  /**
   * The stem of a body's name jieba cut into single characters: `head` (what the suffix's own
   * token has before the suffix) after the single Han characters before it, 2-4 characters in
   * all; '' when there are none.
   */
  private looseStem(tokens: readonly string[], i: number, head: string): string {
    if (head.length > 1) return '';
    let stem = head;
    for (let j = i - 1; j >= 0 && stem.length < 4; j--) {
      const c = tokens[j]!;
      if (c.length !== 1 || !/\p{Script=Han}/u.test(c) || this.tokenizer.isStopword(c) || GENERIC_OWN.test(c)) break;
      stem = c + stem;
    }
    return stem.length >= 2 && stem !== head ? stem : '';
  }

  /**
   * "兴隆镇的指南在哪看 他们去年收到多少申请": another body named anywhere in a message is what its
   * other questions are about too, unless a question names the reporting body itself ("县里呢")
   * or the body is where the resident comes from ("我从乡里上来"). Null when no such body.
   */
  bodyOfMessage(whole: Reading, part: Reading): string | null {
    if (this.ownWords.find(part.text).length > 0) return null;
    const body = this.otherBody(whole);
    return body && !this.comesFrom(whole, body) ? body : null;
  }

  /**
   * "我从乡里上去", "打镇上来的": the body named is where the resident comes from; "在外地打那个电话",
   * "我在乡里上班": where the resident is while doing something.
   */
  private comesFrom(r: Reading, body: string): boolean {
    const at = r.text.indexOf(body);
    if (at <= 0) return false;
    const before = r.text.slice(Math.max(0, at - 2), at);
    return FROM.test(before) || (/在$/.test(before) && BEING_THERE.test(r.text.slice(at + body.length)));
  }

  /**
   * "我们乡政府的电话是多少", "县教育局在哪办公": another body's phone, address or hours are not in
   * the guide, which holds the reporting body's own; giving those instead would send the resident
   * to the wrong door. Not when the question is about information or applying ("乡里的公开指南在哪
   * 看", "乡政府的信息向谁申请"): that is answered by the rule, the same for every body.
   */
  otherContact(r: Reading, contactTerms: ReadonlySet<string>): Decline | null {
    if (!r.cues.contact && !r.terms.some((t) => contactTerms.has(t))) return null;
    // "乡镇的公开指南在哪看" asks for their information (the topic on which body to ask answers);
    // "教育局的信息公开电话多少" asks for their door, whatever it is for.
    const door = r.terms.some((t) => DOOR.has(t));
    if (!door && (r.request || r.terms.some((t) => INFORMATION.test(t)))) return null;
    // "向哪个法院起诉": where to bring a remedy is the remedies topic's, not another body's door.
    if (!door && REMEDY_ACT.test(r.text)) return null;
    const body = this.otherBody(r);
    if (!body) return null;
    // "我从乡里上去咋找": the body the resident comes from is not the one whose door is asked.
    if (this.comesFrom(r, body)) return null;
    return { kind: 'other-contact', body };
  }

  /**
   * "把2020年年报的数据给我看看": a year the reports do not hold, asked of the reports themselves
   * and answered by no figure, is said to be 未收录.
   */
  unrecordedYear(r: Reading, entry: Entry | null): Decline | null {
    if (entry && holdsFigures(entry)) return null;
    const year = r.years.find((y) => !this.recorded.includes(y));
    if (year === undefined || !/数据|数字|年报|年度报告|报告|统计|情况/.test(r.text)) return null;
    return { kind: 'missing-year', year, row: '政府信息公开工作年度报告' };
  }

  private isOwn(name: string): boolean {
    for (const own of this.own) if (own.includes(name) || name.includes(own)) return true;
    return false;
  }


}

/** The fee a question names ("信息处理费", "收费"), the longest such word. */
function feeOf(r: Reading): string | undefined {
  return r.words.filter((w) => w.length >= 2 && w.endsWith('费')).sort((a, b) => b.length - a.length)[0];
}

function isPeopleOrTimes(unit: string): boolean {
  return unit === '人次' || unit === '次';
}

function unitName(unit: string): string {
  return unit === '人次' ? '人数（人次）' : unit === '次' ? '次数' : unit;
}
