import { LRUCache } from 'lru-cache';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Entry } from './entries.ts';
import type { Reading } from './read.ts';
import type { Session } from './conversation.ts';
import { OTHER_DOOR, type Decision } from './decide.ts';
import { CONTACT_TITLE } from './ranking.ts';
import type { StatisticComposer } from './statistics.ts';
import { basisText, fit, guideText, linesText, passageText, referencesIn, shorten, sourceLine, MAX_REPLY, UNKNOWN_TOPIC, type Composed } from './compose.ts';
import type { Replies } from './replies.ts';
import type { Answer, Intent } from './types.ts';
import { asksSum, AVERAGE, averageLine, baseRowOf, rowShareLine, shareLine, sumLine } from './sums.ts';

export interface Reply {
  answer: Answer;
  session: Session;
  /** The longer text behind a shortened answer, offered on "详细". */
  more?: string;
}

interface Content {
  c: Composed;
  intent: Intent;
}


/** The composed keys kept per reading, at most: a reading is answered from a few entries. */
const KEYS_PER_READING = 16;

/**
 * A copy of the session without the fields named. Not a copy and `delete`: deleting a field the
 * copy holds turns it into a dictionary object, slower to read and to copy, and so is every
 * session copied from it after.
 */
function without(session: Session | undefined, a: keyof Session, b?: keyof Session): Session {
  if (session === undefined) return {};
  if (!(a in session) && (b === undefined || !(b in session))) return { ...session };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(session)) if (key !== a && key !== b) out[key] = value;
  return out as Session;
}

/** Names the year a relative word (去年) was read as, ahead of the answer. */
export function yearNote(r: Pick<Reading, 'relative'>): string {
  return r.relative.map((x) => `（“${x.word}”按 ${x.year} 年理解）`).join('');
}

/**
 * The last stage: a decision made into the reply and the next session - the answer composed
 * (kept by what it depends on, see `composedKey`), "您是不是想问" with its options, a decline in
 * words, a social reply - with the answer's sources, options, detail and related topics.
 */
export class ReplyComposer {
  private readonly composed: LRUCache<string, { content: Content | null }> | null;
  /** The composed keys of kept readings, by entry and years (see composedKey). */
  private readonly keysOf = new WeakMap<Reading, Map<string, string>>();

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly entries: ReadonlyMap<string, Entry>,
    private readonly statistics: StatisticComposer,
    private readonly replies: Replies,
    /** A reading of nothing: what a menu click and "详细" answer with. */
    private readonly empty: () => Reading,
    /** Composed answers kept (0: composed afresh each time). */
    composedCache: number,
  ) {
    this.composed = composedCache > 0 ? new LRUCache({ max: composedCache }) : null;
  }

  compose(d: Decision, r: Reading, previous: Session | undefined): Reply {
    const session = without(previous, 'suggestions', 'declined');
    switch (d.action) {
      case 'social': {
        if (d.social === 'detail') {
          const more = this.detailText(previous);
          if (more) return this.reply({ ...fit(more.text, ''), sources: more.sources, answered: true }, more.intent, 1, { ...session, detail: undefined }, previous?.detail?.entry);
          // Nothing more than what was said: it is said again, whole, rather than nothing.
          const last = previous?.entry ? this.entries.get(previous.entry) : undefined;
          if (last) {
            const again = this.answerEntry(last, 1, this.empty(), session, [], null, []);
            if (again.answer.answered) return { ...again, answer: { ...again.answer, reply: shorten(`（这一条就这些内容）\n${again.answer.reply}`, MAX_REPLY) } };
          }
        }
        // "再说一遍": the last answer again, as it was - only an answer (session.answer), never the
        // frame of a decline, which asking again must not turn into figures.
        if (d.social === 'repeat') {
          const last = previous?.answer ? this.entries.get(previous.answer) : undefined;
          const again = last ? this.answerEntry(last, 1, this.empty(), session, [], null, []) : null;
          if (again?.answer.answered) return again;
        }
        if (d.social === 'coverage') {
          // Which reports are held is itself an answer from the knowledge base.
          const sources = this.kb.reports.map((x) => ({ document: x.document, title: x.title, year: x.year }));
          return this.reply({ reply: this.replies.coverage(this.kb.reports), sources, answered: true }, 'help', 1, session);
        }
        return this.reply({ reply: this.replies.social(d.social), sources: [], answered: false }, SOCIAL_INTENT[d.social], 1, session);
      }
      case 'option':
        if (d.picked) return this.answerEntry(d.picked, 1, r, session, [], null, []);
        return this.reply({ reply: `请回复 1 到 ${d.offered} 之间的序号，或直接输入您的问题。`, sources: [], answered: false }, 'clarify', 1, { ...session, suggestions: previous?.suggestions });
      case 'answer':
        if (d.followUp?.how === 'point') {
          // The list stays the frame: "第四条呢" after "第二条具体说说" is the list's fourth.
          const list = d.followUp.list;
          if (d.followUp.clause !== null && list.kind === 'passage') {
            const p = list.passages[0]!;
            const c = { ...fit(`${p.year}年报告（${p.section}）第${d.followUp.n}点：\n${d.followUp.clause}`, sourceLine([p.source])), sources: [p.source], answered: true };
            return this.reply(c, 'narrative', d.score, { ...session, entry: list.id, detail: undefined }, list.id);
          }
          const point = this.answerEntry(d.entry, d.score, this.empty(), session, [], null, []);
          return { ...point, session: { ...point.session, entry: list.id } };
        }
        // "再说一遍": the entry answered again for the years of the conversation, with its rows.
        if (d.followUp?.how === 'again') return this.answerEntry(d.entry, d.score, this.empty(), session, d.followUp.also, null, []);
        if (d.followUp?.how === 'within' && d.entry.kind === 'guide') {
          const next: Session = { ...session, entry: d.entry.id, detail: undefined };
          return this.reply(linesText(d.entry.topic, d.followUp.lines), 'guide', d.score, next, d.entry.id);
        }
        {
          // "那再往前一年呢": the year the follow-up moved to is asked as if it were named.
          const asked = d.followUp?.how === 'slots' && d.followUp.years ? { ...r, years: d.followUp.years } : r;
          return this.answerEntry(d.entry, d.score, asked, session, d.also, d.followUp?.how === 'basis' ? 'basis' : null, d.followUp?.how === 'slots' ? d.followUp.columns : []);
        }
      case 'suggest': {
        const lines = d.hits.map((h, i) => `${i + 1}. ${h.entry.question}`).join('\n');
        const reply = `没有找到完全对应的答案。您是不是想问：\n${lines}\n请回复序号，或换个说法再问。${this.replies.wayOn() ? `\n都不是的话，${this.replies.wayOn()}` : ''}`;
        return this.reply({ reply, sources: [], answered: false }, 'clarify', d.score, { ...session, suggestions: d.hits.map((h) => h.entry.id) });
      }
      case 'decline': {
        const intent: Intent =
          d.decline.kind === 'out-of-scope' || (d.decline.kind === 'no-match' && d.decline.outOfScope) ? 'out-of-scope' : d.decline.kind === 'no-match' ? 'unknown' : d.decline.kind === 'other-contact' ? 'contact' : 'statistic';
        // A decline about a row keeps the row as the frame: "那2019年呢" still follows on.
        const next: Session = d.entry && intent === 'statistic' ? { ...session, entry: d.entry.id, detail: undefined } : { ...session };
        delete next.also;
        // "那财政预算呢" after GDP was declined asks the same kind of thing: the frame keeps it.
        if (d.decline.kind === 'absent') next.declined = 'absent';
        // "那咱县的呢" after another body's door: the topic of our own door is the frame.
        if (d.decline.kind === 'other-contact') {
          next.declined = `${OTHER_DOOR}${d.decline.body}`;
          if (d.entry) next.entry = d.entry.id;
          else delete next.entry;
        }
        return this.reply({ reply: this.replies.decline(d.decline, yearNote(r)), sources: [], answered: false }, intent, d.score, next, d.entry?.id);
      }
    }
  }

  answerEntry(entry: Entry, score: number, r: Reading, session: Session, also: Entry[], aspect: 'basis' | null, focus: readonly string[] = []): Reply {
    const years = r.years.length ? r.years : (session.years ?? []);
    // Rows answered together stay together: "都比上一年少了多少" asks of each.
    const next: Session = { ...(also.length ? session : without(session, 'also')), entry: entry.id, detail: undefined };
    // The frame before this one, for "这两个…" (the same entry again keeps the one before it).
    if (session.entry && session.entry !== entry.id) next.before = session.entry;
    if (also.length) next.also = also.map((e) => e.id);
    if (aspect === 'basis' && entry.kind === 'guide') return this.reply(basisText(entry.topic), 'guide', score, next, entry.id);
    const recipe = { entry: entry.id, years: r.years, terms: [...r.terms, ...focus], compare: r.compare };
    const content = this.content(entry, r, years, also, focus);
    if (!content) {
      const row = entry.kind === 'guide' ? entry.topic.title : entry.question.replace(/[？?（].*$/, '').replace(/有多少$|多少$/, '');
      // The year named is one that is missing: "去年比今年" misses this year, not last year.
      const missing = years.find((y) => !this.kb.reports.some((x) => x.year === y)) ?? years[0]!;
      const reply = this.replies.decline({ kind: 'missing-year', year: missing, row }, yearNote(r));
      return this.reply({ reply, sources: [], answered: false }, 'statistic', 0.5, { ...next, detail: undefined }, entry.id);
    }
    const { c, intent } = content;
    // A year carries over to the next question only once a figure has been answered from it.
    // A year read from the next report's 上一年 column (2018 from the 2019 report) is not carried:
    // "少了几个" after it compares within the report that holds it.
    const recorded = r.years.filter((y) => this.kb.reports.some((x) => x.year === y));
    const carried = intent === 'statistic' ? { years: r.years.length ? (recorded.length ? recorded : session.years) : session.years } : {};
    return this.reply(c, intent, score, { ...next, detail: c.more ? recipe : undefined, ...carried }, entry.id, c.more);
  }

  /**
   * The text answering `entry` for the years asked, or null when none of them is recorded. Pure in
   * its arguments and the reading, so it is kept for every question that asks the same of it.
   */
  private content(entry: Entry, asked: Reading, years: number[], also: Entry[], focus: readonly string[]): Content | null {
    const r = focus.length ? { ...asked, terms: [...asked.terms, ...focus] } : asked;
    if (!this.composed) return this.composeContent(entry, r, years, also);
    const key = this.composedKey(entry, r, years, also);
    const kept = this.composed.get(key);
    if (kept) return kept.content;
    const content = this.composeContent(entry, r, years, also);
    // The sources themselves are the knowledge base's records: frozen here is only what is ours.
    if (content) {
      Object.freeze(content);
      Object.freeze(content.c);
      Object.freeze(content.c.sources);
    }
    this.composed.set(key, { content });
    return content;
  }

    /** What a composed answer depends on: the entries, the years, and what the question asks of them. */
  private composedKey(entry: Entry, r: Reading, years: number[], also: Entry[]): string {
    if (entry.kind === 'guide' || !Object.isFrozen(r)) return this.makeComposedKey(entry, r, years, also);
    // A kept reading (frozen) is answered again at every asking: its key, which reads the columns
    // asked from its terms, is made once per entry and years.
    let keys = this.keysOf.get(r);
    if (!keys) this.keysOf.set(r, (keys = new Map()));
    const of = `${entry.id}\u0000${also.map((e) => e.id).join(',')}\u0000${years.join(',')}`;
    let key = keys.get(of);
    if (key === undefined) {
      key = this.makeComposedKey(entry, r, years, also);
      if (keys.size < KEYS_PER_READING) keys.set(of, key);
    }
    return key;
  }

  private makeComposedKey(entry: Entry, r: Reading, years: number[], also: Entry[]): string {
    const base = `${entry.kind === 'guide' ? entry.id : [entry, ...also].map((e) => e.id).join(',')}\u0000${years.join(',')}\u0000${yearNote(r)}`;
    switch (entry.kind) {
      case 'guide':
        return base;
      case 'passage':
        // The sentences shown are those holding the question's words.
        return `${base}\u0000${r.terms.join('|')}\u0000${asksWhole(r) ? 'whole' : ''}`;
      default:
        return `${base}\u0000${this.statistics.askedColumns([entry, ...also], r)}\u0000${r.compare ?? ''}\u0000${r.unit === '元' ? '元' : ''}\u0000${asksSum([entry, ...also], r.terms) ? 'sum' : ''}\u0000${r.cues.share ? 'share' : ''}\u0000${AVERAGE.test(r.text) ? 'average' : ''}`;
    }
  }

  private composeContent(entry: Entry, r: Pick<Reading, 'text' | 'terms' | 'compare' | 'relative' | 'cues' | 'unit'>, years: number[], also: Entry[]): Content | null {
    switch (entry.kind) {
      case 'guide': {
        const c = guideText(entry.topic, false);
        // A topic whose title says the guide does not hold the detail ("邮箱…（本指南没有掌握）")
        // tells the resident so and where to look: it does not answer the question.
        return { c: UNKNOWN_TOPIC.test(entry.topic.title) ? { ...c, answered: false } : c, intent: CONTACT_TITLE.test(entry.topic.title) ? 'contact' : 'guide' };
      }
      case 'passage': {
        const year = years[0];
        const list = year ? entry.passages.filter((p) => p.year === year) : [...entry.passages].sort((a, b) => b.year - a.year);
        if (list.length === 0) return null;
        const c = passageText(list, r.terms, entry.points, asksWhole(r));
        return { c: { ...c, reply: yearNote(r as Reading) + c.reply }, intent: 'narrative' };
      }
      default: {
        const c = this.statistics.compose([entry, ...also], years, r, yearNote(r as Reading));
        if (!c) return null;
        // "三个加起来一共多少": the parts' sum after them, when they add up.
        const year = years[0] ?? Math.max(...this.kb.reports.map((x) => x.year));
        const average = c.answered && also.length === 0 && AVERAGE.test(r.text) ? averageLine(entry, years[0]) : null;
        const sum = !c.answered ? null : (average ?? (asksSum([entry, ...also], r.terms) ? sumLine([entry, ...also], year) : r.cues.share ? (this.statistics.askedSet([entry], r).size > 0 ? shareLine(entry, year, this.statistics.askedSet([entry], r)) : this.rowShare(entry, year)) : null));
        if (sum) {
          const at = c.reply.lastIndexOf('\n来源：');
          return { c: { ...c, reply: at >= 0 ? `${c.reply.slice(0, at)}\n${sum}${c.reply.slice(at)}` : `${c.reply}\n${sum}` }, intent: 'statistic' };
        }
        return { c, intent: 'statistic' };
      }
    }
  }

  /** A row's share of its table's first row (see baseRowOf), when no column of it is asked. */
  private rowShare(entry: Entry, year: number): string | null {
    const base = baseRowOf(entry, this.entries.values());
    return base ? rowShareLine(entry, base, year) : null;
  }

  /** The longer text of the last answer, rebuilt from the session's recipe. */
  private detailText(previous: Session | undefined): { text: string; sources: Answer['sources']; intent: Intent } | null {
    const recipe = previous?.detail;
    const entry = recipe ? this.entries.get(recipe.entry) : undefined;
    if (!recipe || !entry) return null;
    const r: Reading = { ...this.empty(), years: recipe.years, terms: recipe.terms, compare: recipe.compare };
    const again = this.answerEntry(entry, 1, r, { ...previous }, [], null, []);
    return again.more ? { text: again.more, sources: again.answer.sources, intent: again.answer.intent } : null;
  }

  reply(c: Composed, intent: Intent, confidence: number, given: Session, entry?: string, more?: string): Reply {
    // Which entry the reply answered from, for "再说一遍"; a reply that did not answer repeats nothing.
    const session: Session = { ...given };
    if (c.answered && entry) session.answer = entry;
    else delete session.answer;
    const answer: Answer = { reply: c.reply, answered: c.answered, intent, confidence: Math.max(0, Math.min(1, Math.round(confidence * 100) / 100)), sources: c.sources };
    if (entry) answer.entry = entry;
    if (more) answer.detail = true;
    const related = c.answered ? referencesIn(c.reply) : [];
    if (related.length) answer.related = related;
    const options = session.suggestions?.map((id) => this.entries.get(id)?.question ?? '').filter(Boolean);
    if (options?.length) answer.options = options;
    return more ? { answer, session, more } : { answer, session };
  }
}

const SOCIAL_INTENT: Record<Extract<Decision, { action: 'social' }>['social'], Intent> = {
  greeting: 'greeting',
  thanks: 'thanks',
  ack: 'thanks',
  bye: 'thanks',
  identity: 'help',
  human: 'help',
  help: 'help',
  useful: 'feedback',
  useless: 'feedback',
  detail: 'help',
  repeat: 'help',
  coverage: 'help',
  rude: 'help',
  empty: 'help',
};

/** "做了哪些工作", "有哪几条": the question asks what things a passage says, all of them. */
function asksWhole(r: Pick<Reading, 'text' | 'cues'>): boolean {
  return r.cues.list || WHAT_THINGS.test(r.text);
}

const WHAT_THINGS = /哪些|都有啥|都有什么|都做了|都干了|有啥|有什么|是啥|是什么/;
