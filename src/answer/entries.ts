import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { GuideTopic, Passage, Statistic } from '../knowledge/types.ts';
import type { Tokenizer } from '../language/tokenizer.ts';
import { articleTerms } from '../language/articles.ts';

/**
 * A thing a resident can ask about: one table row across the years, one narrative figure, one
 * guide topic, one report passage. Matching ranks entries; composing reads the records behind them.
 */
export type Entry =
  | (EntryBase & { kind: 'stat'; stats: Statistic[] })
  | (EntryBase & { kind: 'figure'; stats: Statistic[] })
  | (EntryBase & { kind: 'guide'; topic: GuideTopic })
  | (EntryBase & {
      kind: 'passage';
      passages: Passage[];
      points: string[];
      /** The words of the other half of the section's title ("存在的主要问题" for the plan), when it has two. */
      otherHalf?: string[];
    });

export interface EntryBase {
  id: string;
  /** How the entry is offered in "您是不是想问". */
  question: string;
  /** Term lists that name the entry on their own (its label, each of its questions). */
  keys: string[][];
  /** Terms that support a match without naming it (section heading). */
  context: string[];
  /** Terms that pick a part of the entry (column labels): they count fully but do not name it. */
  slots?: string[];
  /** The finer words inside the key words ("门户" in "门户网站"), matched like key words. */
  parts?: string[];
  /** How much each key counts when it names the entry (default 1): a sentence less than a heading. */
  keyFactors?: number[];
}

/** Row labels carry list numbering ("一、", "（三）", "1.") that residents never type. */
export function bareLabel(label: string): string {
  return label
    .replace(/^[一二三四五六七八九十]+、/, '')
    .replace(/^[（(][一二三四五六七八九十]+[）)]/, '')
    .replace(/^\d+[.．、]/, '')
    .replace(/[（(][^）)]*[）)]$/, (m) => (m.length > 8 ? '' : m));
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function statEntries(stats: Statistic[], tok: Tokenizer): Entry[] {
  const entries: Entry[] = [];
  const tables = groupBy(
    stats.filter((s) => s.kind === 'table'),
    (s) => `${s.section.slice(0, 2)}|${s.article ?? ''}|${s.group ?? ''}|${bareLabel(s.item)}`,
  );
  for (const [key, rows] of tables) {
    const first = rows[0]!;
    const label = bareLabel(first.item);
    const group = first.group ? bareLabel(first.group) : '';
    const named = group ? `${group}${label}` : label;
    const keys = [tok.words(named)];
    const parts = tok.terms(named);
    const context = [...tok.terms(first.section), ...articleTerms(first.article ?? '')];
    const slots = [...new Set(rows.map((r) => r.column))].flatMap((c) => tok.terms(c));
    entries.push({ id: `stat:${key}`, kind: 'stat', question: `${group ? group + '：' : ''}${label}有多少？`, keys, parts, context, slots, stats: rows });
  }
  const figures = groupBy(
    stats.filter((s) => s.kind === 'narrative'),
    (s) => s.item,
  );
  for (const [item, rows] of figures) {
    entries.push({
      id: `figure:${item}`,
      kind: 'figure',
      question: `${item}多少？`,
      keys: [tok.words(item)],
      parts: tok.terms(item),
      // "多少人次" names the unit a figure is counted in.
      slots: [...new Set(rows.map((r) => r.unit ?? ''))].filter(Boolean),
      context: tok.terms(rows[0]!.section),
      stats: rows,
    });
  }
  return entries;
}

function topicEntries(topics: GuideTopic[], tok: Tokenizer): Entry[] {
  return topics.map((topic) => ({
    id: `guide:${topic.id}`,
    kind: 'guide' as const,
    question: topic.questions[0] ?? topic.title,
    keys: [topic.title, ...topic.questions].map((q) => tok.words(q)).filter((k) => k.length > 0),
    // The articles a topic rests on answer "第二十七条规定了什么" as its own words do.
    parts: [...tok.terms([topic.title, ...topic.questions].join('；')), ...articleTerms(`${topic.title}${topic.basis}`)],
    context: [...tok.terms(`${topic.summary}`), ...articleTerms(topic.summary)],
    topic,
  }));
}

const SENTENCE_FACTOR = 0.85;

export function sentences(text: string): string[] {
  return text.split(/(?<=[。；！？])/).filter((s) => s.trim());
}

/**
 * One entry per passage, named by its heading and by each of its sentences, so that a question
 * about one statement ("聘请第三方公司做什么") finds the paragraph that makes it.
 */
/**
 * A lead-in paragraph ("下一步，我县将……") is followed by headed points ("一是聚力公开重点……"):
 * the points belong to its answer.
 */
function pointsAfter(passages: Passage[], i: number): string[] {
  const lead = passages[i]!;
  if (lead.heading) return [];
  const points: string[] = [];
  for (const p of passages.slice(i + 1)) {
    if (p.section !== lead.section || p.year !== lead.year || !p.heading) break;
    points.push(p.heading);
  }
  return points;
}

/**
 * A section made only of headed passages ("一、主要做法": （一）…（五）) is also answered as a whole,
 * by the list of its headings: "主要做法有哪几条", then "第一条具体点". The entry's passage is the
 * section's first, with its text left out (the list is the answer).
 */
function sectionEntry(passages: Passage[], i: number, tok: Tokenizer): Entry | null {
  const first = passages[i]!;
  const before = passages[i - 1];
  if (!first.heading || !first.section || (before && before.section === first.section && before.year === first.year)) return null;
  const points: string[] = [];
  for (const p of passages.slice(i)) {
    if (p.section !== first.section || p.year !== first.year || !p.heading) break;
    points.push(p.heading);
  }
  if (points.length < 2) return null;
  const label = bareLabel(first.section);
  return {
    id: `passage:${first.section.slice(0, 2)}|section`,
    kind: 'passage',
    question: `${label}有哪几条（${label}）`,
    keys: [tok.words(label)],
    parts: tok.terms(`${label}；${points.join('；')}`),
    context: tok.terms(first.section),
    passages: [{ ...first, heading: '', text: '' }],
    points,
  };
}

// Words of a section title that name neither of its halves ("情况" of "改进情况").
const TITLE_FILLER = new Set(['主要', '情况', '有关', '相关', '工作']);

/**
 * The half of its section's title each passage speaks of, when the title names two ("存在的主要问题
 * 及改进情况", a section every annual report has): a paragraph of its own says the half whose
 * words it uses ("…也存在一些问题：一是…"), else the half after the one before ("下一步，我县将…"
 * is the plan); a headed point belongs to the paragraph leading it. Without halves, or when a
 * paragraph uses the words of both, the whole title. So "存在哪些问题" and "准备怎么改进" are
 * told apart, though every passage of the section carries its title.
 */
function titleHalves(passages: Passage[], tok: Tokenizer): Map<Passage, { own: string; other: string[] }> {
  const out = new Map<Passage, { own: string; other: string[] }>();
  let at = 0;
  while (at < passages.length) {
    const section = passages[at]!;
    let end = at;
    while (end < passages.length && passages[end]!.section === section.section && passages[end]!.year === section.year) end++;
    const label = bareLabel(section.section);
    const halves = label.split('及');
    if (halves.length === 2 && halves.every((h) => h.length >= 2)) {
      const words = halves.map((h) => tok.words(h).filter((w) => !TITLE_FILLER.has(w)));
      let current = -1;
      for (const p of passages.slice(at, end)) {
        if (!p.heading) {
          const own = new Set(tok.words(p.text));
          const uses = words.map((ws) => ws.some((w) => own.has(w)));
          current = uses[0] && uses[1] ? -2 : uses[0] ? 0 : uses[1] ? 1 : Math.min(current + 1, 1);
        }
        if (current >= 0) out.set(p, { own: halves[current]!, other: words[1 - current]! });
      }
    }
    at = end;
  }
  return out;
}

function passageEntries(passages: Passage[], tok: Tokenizer): Entry[] {
  const halves = titleHalves(passages, tok);
  const byHeading = groupBy(passages, (p) => `${p.section.slice(0, 2)}|${p.heading}|${p.text.slice(0, 12)}`);
  const entries: Entry[] = [];
  const sections = new Map<string, Entry>();
  passages.forEach((_, i) => {
    const section = sectionEntry(passages, i, tok);
    if (section && !sections.has(section.id)) sections.set(section.id, section);
  });
  for (const [key, list] of byHeading) {
    const first = list[0]!;
    const section = sections.get(`passage:${first.section.slice(0, 2)}|section`);
    if (section && !entries.includes(section)) entries.push(section);
    const points = pointsAfter(passages, passages.indexOf(first));
    const half = halves.get(first);
    const title = half?.own ?? bareLabel(first.section);
    const heading = first.heading.replace(/[。.]$/, '') || title;
    entries.push({
      id: `passage:${key}`,
      kind: 'passage',
      question: `${heading}（${bareLabel(first.section)}）`,
      // The headings name the passage; each sentence names it a little less.
      keys: [tok.words(heading), tok.words(title), ...sentences(first.text).map((s) => tok.words(s))],
      keyFactors: [1, 1, ...sentences(first.text).map(() => SENTENCE_FACTOR)],
      parts: tok.terms(`${heading}；${first.text}；${points.join('；')}`),
      context: tok.terms(first.section),
      passages: list,
      points,
      ...(half ? { otherHalf: half.other } : {}),
    });
  }
  return entries;
}

export function buildEntries(kb: KnowledgeBase, tok: Tokenizer): Entry[] {
  return [...statEntries(kb.stats, tok), ...topicEntries(kb.topics, tok), ...passageEntries(kb.passages, tok)];
}

/**
 * What answering asks of an entry's figures again and again - the years it holds, its units,
 * whether it holds a sum of money, its columns - read from its records once. A row of the table
 * holds one figure per report and column, so with many reports a walk over them all for every
 * candidate of every question is what answering spent its time on.
 */
export interface EntryFacts {
  years: ReadonlySet<number>;
  /** The units of its figures ("次", "人次", "万元"), in order of first appearance. */
  units: readonly string[];
  /** A 金额 or 经费 column, or a figure in 元. */
  money: boolean;
  columns: ReadonlySet<string>;
}

const facts = new WeakMap<Entry, EntryFacts>();
const NO_FACTS: EntryFacts = { years: new Set(), units: [], money: false, columns: new Set() };

export function factsOf(entry: Entry): EntryFacts {
  if (entry.kind === 'guide') return NO_FACTS;
  let known = facts.get(entry);
  if (!known) {
    if (entry.kind === 'passage') {
      known = { ...NO_FACTS, years: new Set(entry.passages.map((p) => p.year)) };
    } else {
      const units = new Set<string>();
      for (const s of entry.stats) if (s.unit) units.add(s.unit);
      known = {
        years: new Set(entry.stats.map((s) => s.year)),
        units: [...units],
        money: entry.stats.some((s) => /金额|经费|元/.test(s.column) || /元$/.test(s.unit ?? '')),
        columns: new Set(entry.stats.map((s) => s.column)),
      };
    }
    facts.set(entry, known);
  }
  return known;
}

/** True when the entry holds something of that year (a guide topic holds every year). */
export function holdsYear(entry: Entry, year: number): boolean {
  return entry.kind === 'guide' || factsOf(entry).years.has(year);
}

const keyWords = new WeakMap<Entry, ReadonlySet<string>>();

/** Every word of the entry's keys, as a set built once: a passage has a key per sentence. */
export function keyWordsOf(entry: Entry): ReadonlySet<string> {
  let words = keyWords.get(entry);
  if (!words) {
    words = new Set(entry.keys.flat());
    keyWords.set(entry, words);
  }
  return words;
}
