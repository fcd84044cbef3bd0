import type { Social } from '../language/social.ts';
import type { Entry } from './entries.ts';
import type { Hit } from './search.ts';
import type { Reading } from './read.ts';
import type { Conversation, FollowUp, Session } from './conversation.ts';
import { asksMeaning, asksOnlyMeaning, explainsReport } from './conversation.ts';
import { declineReason, type Decline, type Grounding } from './ground.ts';
import type { Scope } from './scope.ts';
import { isFigures, type Lean, type Ranker } from './ranking.ts';
import { AVERAGE, averageLine } from './sums.ts';

export interface Thresholds {
  /** At or above: answer. */
  answer: number;
  /** At or above (and below `answer`): offer "您是不是想问". Below: fall back. */
  suggest: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { answer: 0.5, suggest: 0.3 };

/** The band a reply came from: an answer, "您是不是想问", or the fallback (declines included). */
export type Band = 'answer' | 'suggest' | 'fallback';

interface Common {
  band: Band;
  /** Why, in words: the same text the reply, `ask --explain` and hit testing go by. */
  reason: string;
  score: number;
}

/** What to do with one message: the decision every channel's reply and the explain view share. */
export type Decision =
  | (Common & { action: 'social'; social: Social })
  | (Common & { action: 'option'; picked: Entry | null; offered: number })
  | (Common & { action: 'answer'; entry: Entry; also: Entry[]; followUp: FollowUp | null })
  | (Common & { action: 'suggest'; hits: readonly Hit[] })
  | (Common & { action: 'decline'; decline: Decline; entry: Entry | null });

export interface Stages {
  conversation: Conversation;
  ranker: Ranker;
  grounding: Grounding;
  scope: Scope;
  thresholds: Thresholds;
  entry(id: string): Entry | undefined;
  /** Ranked hits for a reading, kept with the reading (see Engine). */
  ranked(lean: Lean | null): readonly Hit[];
  /** The reading's terms with typo corrections ("行政墙制" → 行政强制). */
  terms: readonly string[];
  /** The mistyped phrases, as typed. */
  typos: readonly string[];
}

// A question about the report's own figures (whether they add up), not about a procedure.
const REPORT_FIGURES = /报告|年报|数据|数字|总计|合计|之和|加起来|填|件|多少|几/;

/** How a session records that another body's door was declined, followed by the body's name. */
export const OTHER_DOOR = 'other-contact|';

/** The terms of asking for a door: its phone, address, hours. */
const CONTACT_TERMS: ReadonlySet<string> = new Set(['电话', '地址', '上班', '办公时间', '周末']);

export function bandOf(score: number, t: Thresholds): Band {
  return score >= t.answer ? 'answer' : score >= t.suggest ? 'suggest' : 'fallback';
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Decides one message against the session: social acts and picked options first, then a follow-up
 * of the last answer, then the index; every candidate answer is grounded before it is given. Pure
 * in the reading, the session's frame and the knowledge base.
 */
export function decide(r: Reading, previous: Session | undefined, s: Stages): Decision {
  if (r.social === 'detail') return { action: 'social', social: 'detail', band: 'answer', reason: '“详细”：上一个回答的更多内容', score: 1 };
  if (r.social === 'repeat') return { action: 'social', social: 'repeat', band: 'answer', reason: '“再说一遍”：上一个回答再说一遍', score: 1 };
  if (r.option !== null && previous?.suggestions?.length) {
    const id = previous.suggestions[r.option - 1];
    const picked = (id && s.entry(id)) || null;
    return { action: 'option', picked, offered: previous.suggestions.length, band: picked ? 'answer' : 'suggest', reason: picked ? `选了“您是不是想问”的第 ${r.option} 项` : '序号超出所给的选项', score: 1 };
  }
  if (r.social) return { action: 'social', social: r.social, band: 'answer', reason: `不是问题：${SOCIAL_NAMES[r.social]}`, score: 1 };

  // "乡政府电话多少": another body's door is not ours to give, whatever the last answer was.
  const elsewhere = s.grounding.otherContact(r, CONTACT_TERMS);
  if (elsewhere) {
    // The topic that would have answered for our own door stays the frame: "那咱县的呢".
    const own = s.ranked(null).find((h) => h.entry.kind === 'guide' && h.score >= s.thresholds.answer)?.entry ?? null;
    return { action: 'decline', decline: elsewhere, entry: own, band: 'fallback', reason: declineReason(elsewhere), score: 1 };
  }
  // After another body's door was declined: "那咱县的呢" switches back to ours; "那地址呢" still
  // asks of the other body.
  const declinedDoor = previous?.declined?.startsWith(OTHER_DOOR) ? previous.declined.slice(OTHER_DOOR.length) : null;
  if (declinedDoor !== null && s.conversation.leans(r)) {
    const frame = s.conversation.previousEntry(previous);
    if (frame && s.conversation.namesOwnBody(r)) return { action: 'answer', entry: frame, also: [], followUp: null, band: 'answer', reason: '接着上一问：换回本机关的联系方式', score: 1 };
    if (declinedDoor && (r.cues.contact || r.terms.some((t) => CONTACT_TERMS.has(t)))) {
      const again: Decline = { kind: 'other-contact', body: declinedDoor };
      return { action: 'decline', decline: again, entry: frame ?? null, band: 'fallback', reason: `接着上一问；${declineReason(again)}`, score: 1 };
    }
  }

  const follow = s.conversation.followUp(r, previous);
  // "都是哪些公司中标的" after the procurement figures: a detail the totals are never broken into.
  // What a figure of the report's text was about is told by its passage ("都是哪些单位的人参加").
  const frame = s.conversation.previousEntry(previous);
  if (follow?.how !== 'source' && (r.cues.quantity || r.cues.money || (frame && isFigures(frame.kind)))) {
    const unlisted = s.grounding.unlisted(r, (t) => frame !== undefined && s.ranker.holds(frame, t));
    // "平均每个多少" after an amount and a count: their quotient, computed and said so.
    if (unlisted && frame && isFigures(frame.kind) && (s.conversation.leans(r) || r.text.length <= AVERAGE_FOLLOW_UP) && !r.cues.time && s.conversation.namesOnly(r, frame) && averageAsked(r, frame, previous)) {
      return { action: 'answer', entry: frame, also: [], followUp: { how: 'slots', entry: frame, also: [], what: '平均（按报告数字计算）', columns: [] }, band: 'answer', reason: '接着上一问（同一行的金额除以数量：平均数，按报告数字计算）', score: 1 };
    }
    // Without a row of figures before, the row the question finds decides whether an average is held.
    const averageLater = !(frame && isFigures(frame.kind)) && AVERAGE.test(r.text);
    if (unlisted && !averageLater) return { action: 'decline', decline: unlisted, entry: frame && isFigures(frame.kind) ? frame : null, band: 'fallback', reason: declineReason(unlisted), score: 1 };
  }
  // The years asked, or those the conversation was about.
  const yearsAsked = r.years.length ? r.years : (previous?.years ?? []);
  if (follow) {
    const years = follow.how === 'slots' && follow.years ? follow.years : yearsAsked;
    const decline = s.grounding.figure(r, follow.entry, follow.how === 'slots' ? follow.also : [], years, true);
    const what =
      follow.how === 'basis' ? '问上一个主题的依据' : follow.how === 'within' ? '问上一个主题里说到的一点' : follow.how === 'point' ? `问上一个回答列出的第 ${follow.n} 条` : follow.how === 'source' ? '问上一个数字出自的段落' : follow.how === 'again' ? '再说一遍上一个回答' : `同一行，换${follow.what}`;
    if (decline) return { action: 'decline', decline, entry: follow.entry, band: 'fallback', reason: `接着上一问（${what}）；${declineReason(decline)}`, score: 1 };
    return { action: 'answer', entry: follow.entry, also: follow.how === 'slots' ? follow.also : [], followUp: follow, band: 'answer', reason: `接着上一问（${what}）`, score: 1 };
  }

  // "那第（八）项呢" after the topic on 第二十条 or another of its items: that article's item.
  const item = s.conversation.itemOf(r, previous);
  if (item) return { action: 'answer', entry: item, also: [], followUp: null, band: 'answer', reason: `接着上一问：所引的项是上一个主题所依据的条的一项（“${item.question}”）`, score: 1 };

  const lean = s.conversation.lean(r, previous);
  const hits = s.ranked(lean);
  // "网站发了多少条 另外申请要钱吗", then "微博呢": the figure answered just before the last topic
  // is a frame too, for a follow-up naming another figure's row.
  const before = previous?.before ? s.entry(previous.before) : undefined;
  const figureFrame = lean && !isFigures(lean.kind) && before && isFigures(before.kind) ? { kind: before.kind, section: null, entry: before.id } : lean;
  const framed = frameKind(s.ranker.withYear(hits, yearsAsked), hits, lean && s.conversation.continues(r) ? figureFrame : null, s);
  const top = formTopic(citedTopic(framed, hits, r, s), hits, r, s);
  const score = top?.score ?? 0;
  const band = bandOf(score, s.thresholds);
  const scored = `得分 ${round(score)}${band === 'answer' ? ` ≥ ${s.thresholds.answer}` : band === 'suggest' ? ` ≥ ${s.thresholds.suggest}` : ` < ${s.thresholds.suggest}`}`;
  const leaning = lean ? '（接着上一问，偏向同类条目）' : '';
  // "县里GDP多少": a figure no report holds is said to be so, before anything else is judged.
  // A short follow-up of a figure declined so ("那财政预算呢") asks a figure too.
  // "阅读量最高的是哪篇": the detail asked of the figure that would answer is not in it.
  if (top && isFigures(top.entry.kind)) {
    const unlisted = s.grounding.unlisted(r, (t) => s.ranker.holds(top.entry, t));
    if (unlisted && !averageAsked(r, top.entry, previous)) return { action: 'decline', decline: unlisted, entry: top.entry, band: 'fallback', reason: `${scored}；${declineReason(unlisted)}`, score };
  }
  // "第三方监测公司是哪家": the report's text tells of a firm hired, not its name.
  if (top && top.entry.kind === 'passage' && band === 'answer') {
    const unnamed = s.grounding.unnamed(r, (t) => s.ranker.holds(top.entry, t));
    if (unnamed) return { action: 'decline', decline: unnamed, entry: top.entry, band: 'fallback', reason: `${scored}；${declineReason(unnamed)}`, score };
  }
  // Where a figure is published ("那财政预算一般在哪公开") asks a place, not the figure.
  const figureAsked = r.cues.quantity || r.cues.money || (previous?.declined === 'absent' && s.conversation.leans(r) && !r.cues.contact) || s.grounding.absentData(r);
  if (figureAsked && !r.cues.time) {
    const measure = s.grounding.absentMeasure(r, (t) => top !== undefined && isFigures(top.entry.kind) && s.ranker.holds(top.entry, t));
    if (measure) {
      const decline: Decline = { kind: 'absent', measure };
      return { action: 'decline', decline, entry: null, band: 'fallback', reason: `${scored}；${declineReason(decline)}`, score };
    }
  }
  // "你是机器人吗 回得真快": nothing but the opening question about the bot is asked.
  if (r.lead && band === 'fallback') return { action: 'social', social: r.lead, band: 'answer', reason: `不是问题：${SOCIAL_NAMES[r.lead]}（后面的话没有问别的）`, score: 1 };
  // "你们这报告是不是瞎填的 收了10件 总计怎么是0": whether the figures agree, asked without a
  // row of figures answering, is answered by the rows the report contradicts itself on.
  if (r.cues.consistency && REPORT_FIGURES.test(r.text)) {
    const rows = s.ranker.contradictions(hits).filter((e) => r.years.every((y) => s.ranker.hasYear(e, y)));
    // A row the question names answers for itself ("行政许可的数字对得上吗").
    if (rows.length && !(top && isFigures(top.entry.kind) && band === 'answer' && s.ranker.names(top.entry, r.terms))) {
      return { action: 'answer', entry: rows[0]!, also: [], followUp: null, band: 'answer', reason: `${scored}；规则：问报告的数字对不对得上，答报告前后不一致的那一行`, score };
    }
  }
  // "官网、公众号和微博各发了多少": several figures, each named, asked at once, over a topic.
  const several = top && !isFigures(top.entry.kind) ? s.ranker.several(hits, r) : null;
  if (several) {
    const [first, ...rest] = several;
    const decline = s.grounding.figure(r, first!, rest, yearsAsked);
    if (!decline) return { action: 'answer', entry: first!, also: rest, followUp: null, band: 'answer', reason: `${scored}；问的是几个数字，各由自己的名称点到，一起回答`, score };
  }
  const corrected = s.terms.filter((t) => !r.terms.includes(t));
  const off = s.scope.decline(r, top, lean !== null, r.asking, corrected, s.typos) ?? s.grounding.unrecordedYear(r, top && band !== 'fallback' ? top.entry : null);
  if (off) return { action: 'decline', decline: off, entry: null, band: 'fallback', reason: `${scored}；${declineReason(off)}`, score };
  if (top && band !== 'fallback') {
    const also = band === 'answer' && top === hits[0] ? s.ranker.also(hits, top, r) : [];
    const decline = s.grounding.figure(r, top.entry, also, yearsAsked);
    if (decline?.kind === 'unit' && band === 'answer') {
      // "培训有多少人参加": the figure next in line counted in the unit asked answers instead of
      // the one counting times.
      // Of the same kind and about the same words ("培训"), it may score lower: the unit tells them apart.
      // Never a figure of another kind ("多少人参加信息公开培训" is not the applications table's
      // 自然人 column): a count of people in another table is not the people trained.
      const near = (h: Hit) => h.entry.kind === top.entry.kind && (h.score >= s.thresholds.answer || (h.score >= s.thresholds.suggest && h.matched.some((t) => t.length > 1 && top.matched.includes(t))));
      const other = hits.find((h) => h !== top && isFigures(h.entry.kind) && near(h) && !s.grounding.figure(r, h.entry, [], yearsAsked));
      if (other) return { action: 'answer', entry: other.entry, also: [], followUp: null, band, reason: `${scored}，但${declineReason(decline)}；改答单位相符的“${other.entry.question}”`, score: other.score };
    }
    // "信息处理费收费标准是多少": a row that cannot answer gives way to a topic nearly as good whose
    // own name the question says and the row does not hold.
    const named = decline && isFigures(top.entry.kind) ? namedTopic(hits, top, r, s) : undefined;
    if (named) return { action: 'answer', entry: named.entry, also: [], followUp: null, band: 'answer', reason: `${scored}，${declineReason(decline!)}；问题说出了“${named.entry.question}”的名称，答它`, score: named.score };
    if (decline) return { action: 'decline', decline, entry: top.entry, band: 'fallback', reason: `${scored}，但${declineReason(decline)}`, score };
    if (band === 'answer' && top.entry.kind === 'guide') {
      const unknown = s.conversation.unknownLines(r, top.entry);
      if (unknown) return { action: 'answer', entry: top.entry, also: [], followUp: unknown, band, reason: `${scored}：问的这一点指南写明没有掌握，只答那几行`, score };
    }
    if (band === 'answer') return { action: 'answer', entry: top.entry, also, followUp: null, band, reason: `${scored}：直接回答${leaning}`, score };
    // "详细列一下不予公开各项的数字": a group the question names, every row of it tied, is
    // answered whole: there is nothing to choose between.
    const group = s.ranker.wholeGroup(hits, top);
    if (group && top === hits[0]) {
      const decline = s.grounding.figure(r, top.entry, group, yearsAsked);
      if (!decline) return { action: 'answer', entry: top.entry, also: group, followUp: null, band: 'answer', reason: `${scored}：问的是一组的各行，一起回答`, score };
    }
    // "微信公众号呢" after a figure: another row of the same kind, named by its own word, is the
    // follow-up's answer even when the short message scores in the middle band.
    if (lean && isFigures(lean.kind) && isFigures(top.entry.kind) && top.matched.some((t) => t.length > 1 && top.entry.keys.some((k) => k.includes(t)))) {
      return { action: 'answer', entry: top.entry, also: [], followUp: null, band: 'answer', reason: `${scored}：接着上一问，换成同类的另一行`, score };
    }
    return { action: 'suggest', hits: hits.filter((h) => h.score >= s.thresholds.suggest).slice(0, 3), band, reason: `${scored}：请居民从几个条目中选`, score };
  }
  // A figure question about another body or an absent measure is said to be so, even when
  // nothing matched well enough to answer.
  if (r.cues.quantity || r.cues.money) {
    const body = s.grounding.otherBody(r);
    const measure = body ? null : s.grounding.absentMeasure(r, () => false);
    const decline: Decline | null = body ? { kind: 'other-body', body } : measure ? { kind: 'absent', measure } : null;
    if (decline) return { action: 'decline', decline, entry: null, band: 'fallback', reason: `${scored}；${declineReason(decline)}`, score };
  }
  const decline: Decline = { kind: 'no-match', outOfScope: r.terms.every((t) => !s.ranker.knows(t)) };
  return { action: 'decline', decline, entry: null, band: 'fallback', reason: `${scored}：${declineReason(decline)}`, score };
}

/** A message this short asking an average after a row of figures asks it of that row ("平均一个项目花多少"). */
const AVERAGE_FOLLOW_UP = 14;

/** An average asked of a row whose amount and count give one (see averageLine). */
function averageAsked(r: Reading, entry: Entry, previous: Session | undefined): boolean {
  return AVERAGE.test(r.text) && averageLine(entry, r.years[0] ?? previous?.years?.[0]) !== null;
}

/**
 * "那第51条呢", "按条例第五十一条 可以找谁": a question citing an article is about the topic resting
 * on it. When the best hit does not rest on the article cited at all, or scores only in the middle
 * band, the one topic of the middle band or above resting on it alone ('own') answers, lifted to the
 * answer band: the citation names it.
 */
function citedTopic(top: Hit | undefined, hits: readonly Hit[], r: Reading, s: Stages): Hit | undefined {
  // A figure asked, or a row of figures answering ("第二十条第（六）项中行政处罚是多少"), is not a rule asked.
  if (!top || isFigures(top.entry.kind) || r.cues.quantity || r.cues.money) return top;
  if (s.ranker.restsOn(top.entry, r) !== null && top.score >= s.thresholds.answer) return top;
  const owning = hits.filter((h) => h.score >= s.thresholds.suggest && s.ranker.restsOn(h.entry, r) === 'own');
  if (owning.length !== 1) return top;
  const h = owning[0]!;
  return h === top && top.score >= s.thresholds.answer ? top : { ...h, score: Math.max(h.score, s.thresholds.answer) };
}

/**
 * "那直接起诉的呢" after the 行政复议 row: a topic explaining the report's form answers only what
 * the form means; a message not asking that is answered by the next entry found (the row). And
 * the other way: a row found for a message asking only what columns mean gives way to that topic.
 */
function formTopic(top: Hit | undefined, hits: readonly Hit[], r: Reading, s: Stages): Hit | undefined {
  if (!top) return top;
  // "处理决定数量跟上一年项目数量是一回事吗": what two columns mean is the form's topic, not a row.
  if (isFigures(top.entry.kind) && asksOnlyMeaning(r)) {
    const form = hits.find((h) => h.entry.kind === 'guide' && explainsReport(h.entry.topic) && h.score >= s.thresholds.suggest);
    return form ? { ...form, score: Math.max(form.score, s.thresholds.answer) } : top;
  }
  if (top.entry.kind !== 'guide' || !explainsReport(top.entry.topic) || asksMeaning(r.text)) return top;
  // As if the form's topics were not there: the next entry found answers, or nothing does.
  return hits.find((h) => !(h.entry.kind === 'guide' && explainsReport(h.entry.topic)) && h.score >= s.thresholds.suggest) ?? top;
}

/** A guide topic scoring within NAMED_MARGIN of a figure row, named by a word of its title the row does not hold. */
const NAMED_MARGIN = 0.1;
function namedTopic(hits: readonly Hit[], top: Hit, r: Reading, s: Stages): Hit | undefined {
  return hits.find(
    (h) =>
      h.entry.kind === 'guide' &&
      h.score >= s.thresholds.answer &&
      top.score - h.score < NAMED_MARGIN &&
      (h.entry.keys[0] ?? []).some((w) => w.length >= 2 && r.terms.includes(w) && !s.ranker.holds(top.entry, w)) &&
      // The topic must itself answer: "信息处理费收了多少" asks money collected, which no topic holds.
      !s.grounding.figure(r, h.entry, [], r.years),
  );
}

/**
 * "网站呢" after the figures of the WeChat account and Weibo: an elliptical follow-up of a figure
 * asks the same kind of thing, so a figure holding every word of it answers before a topic of
 * another kind that names the word better (the portal's guide topic).
 */
function frameKind(top: Hit | undefined, hits: readonly Hit[], lean: Lean | null, s: Stages): Hit | undefined {
  if (!top || !lean || !isFigures(lean.kind) || isFigures(top.entry.kind)) return top;
  const words = top.matched.filter((t) => t.length > 1);
  if (words.length === 0) return top;
  return hits.find((h) => isFigures(h.entry.kind) && h.score >= s.thresholds.suggest && words.every((t) => h.matched.includes(t))) ?? top;
}

const SOCIAL_NAMES: Record<Social, string> = {
  greeting: '问候',
  thanks: '致谢',
  ack: '表示知道了',
  bye: '告别',
  identity: '问机器人是谁',
  human: '要人工',
  help: '要帮助',
  useful: '反馈有用',
  useless: '反馈没用',
  detail: '要详细',
  repeat: '要再说一遍',
  coverage: '问收录了哪些年份',
  rude: '抱怨机器人',
  empty: '空消息',
};
