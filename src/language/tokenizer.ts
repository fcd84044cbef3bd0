import jieba from 'nodejieba';
import type { SynonymTable } from './synonyms.ts';
import { loadDictionary } from './dictionary.ts';
import { kept } from './kept.ts';
import { Phrases } from './phrases.ts';
import { Cuts, generation, MessageTexts, wordAdded } from './cuts.ts';

// Words that carry no meaning for matching. Question words are not here: understanding reads them
// as cues before they are dropped.
const STOPWORDS = new Set(
  '的 了 吗 呢 吧 啊 呀 嘛 么 是 在 有 和 与 及 或 都 也 就 还 又 被 把 给 让 从 向 对 为 以 于 之 其 这 那 这个 那个 这些 那些 我 你 您 他 她 它 我们 你们 他们 咱们 您好 你好 老师 请问 请 想 我想 想要 想问 问 问一下 一下 了解 了解一下 查一下 看一下 谢谢 知道 告诉 一个 个 些 能 会 要 得 着 过 来 去 上 下 里 中 啥 什么 多少 几 哪 吗 没有 有没有 是否 可以 能否 应该 一共 总共 共 一年 年 年度 情况 数量 具体 大概 现在 目前 目前为止 就是 嗯 嗯嗯 那个 这个 然后 反正 咱 咱们 俺 俺们 问下 想问下 麻烦 请教 哎 唉 呃 额 哦 噢 件 项 条 次 我要 我想要 东西 到底 究竟 一点 有点 外地 外面 老家 家里 急 着急 赶紧 快点 没 不 说 不是 不要 就是说 他们 她们 我的 你的 这事 那事 这件事 里头 里面 上面 下面 这里 那里 这儿 那儿 好几 一些 时候 的话 得到 自己 人民'.split(
    ' ',
  ),
);

const WEAK = new Set(['怎么', '哪些', '为什么', '是不是']);

// Words for what is asked about a subject (where, how long, how much), not the subject itself:
// "养老保险交多少钱" matches the fee topic on 收费 alone, yet asks about something else.
const ASPECTS = new Set(['地址', '电话', '收费', '期限', '救济', '时间', '时候', '办', '办理', '补办', '条件', '材料', '流程', '标准', '手续', '需要']);

const PUNCTUATION = /^[\p{P}\p{S}\p{Z}\s\d.]+$/u;
// A bare numeral or article number ("二十七", "第十六条") is read as an article citation, not a word.
const NUMERAL = /^第?[〇零一二两三四五六七八九十百]{2,}[条项款]?$|^第[〇零一二两三四五六七八九十百\d]+[条项款]$/;

// What may follow a two-character colloquial word at the end of a clause.
const CLAUSE_END = /[\p{P}\p{S}\s呢啊呀吧嘛么吗办去看找交]/u;

/** Where each of the words ends, as offsets into the text they were cut from. */
export function endsOf(words: readonly string[]): Set<number> {
  const ends = new Set<number>();
  let at = 0;
  for (const w of words) ends.add((at += w.length));
  return ends;
}

/** CLAUSE_END's answer for each code unit once asked: 0 not yet, 1 no, 2 yes. */
const clauseEnds = new Uint8Array(0x10000);

function endsClause(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const code = text.charCodeAt(end);
  if (clauseEnds[code] === 0) clauseEnds[code] = CLAUSE_END.test(text[end]!) ? 2 : 1;
  return clauseEnds[code] === 2;
}

/** Words whose origin (dictionary or made up) is kept, at most. */
const MADE_UP_KEPT = 10_000;

/** The synonym table's term for phrases that say nothing about what is asked ("查得到吗"). */
export const NOTHING = '（无）';

let inserted = new Set<string>();

/** Terms kept per token, at most. */
const TERMS_KEPT = 10_000;

/**
 * jieba with the domain dictionary, mapping colloquial words to the knowledge base's terms.
 * jieba's dictionary is process-wide, so words are only ever added, never removed.
 */
export class Tokenizer {
  private readonly ignored: Set<string>;
  private readonly values: Set<string>;
  private readonly whole: Set<string>;
  private readonly madeUpWords = new Map<string, boolean>();
  private readonly tagged = new Map<string, ReadonlyArray<{ word: string; tag: string }>>();
  private readonly phrases: Phrases;
  private readonly endings: Phrases;
  private readonly domain: Set<string>;
  private readonly cuts = new Cuts();
  /** The term of each token (termOf), kept: residents use the same words over and over. */
  private readonly termsOf = new Map<string, string | null>();
  /** The terms of the knowledge base's own texts (knowledgeTerms), for this generation. */
  private readonly textTerms = new Map<string, readonly string[]>();
  private textTermsGeneration = -1;
  /** The terms of the message's texts (see cuts.ts); callers get copies. */
  private readonly messageTerms = new MessageTexts<readonly string[]>();

  /**
   * `ignored`: words that name no entry in this knowledge base, such as the body's own name.
   * `whole`: words jieba keeps whole without their being terms ("换算成元", "常住人口").
   */
  constructor(
    words: Iterable<string>,
    private readonly synonyms: SynonymTable,
    ignored: Iterable<string> = [],
    whole: Iterable<string> = [],
  ) {
    loadDictionary();
    this.ignored = new Set(ignored);
    this.values = new Set(synonyms.values());
    this.whole = new Set([...whole].filter((w) => w.length >= 2));
    this.domain = new Set([...words].filter((w) => w.length >= 2));
    // Two characters are too often part of another word ("在哪" in "存在哪些"): those are left
    // to jieba's cut.
    // The report's own terms are phrases too, so that a colloquial word inside one ("项目数" in
    // "上一年项目数量") is not read out of it: the longest phrase at a place wins.
    this.phrases = new Phrases([...synonyms.keys(), ...synonyms.values(), ...this.domain].filter((k) => k.length >= 3 && k !== NOTHING));
    // A two-character colloquial word is found at the end of a clause, where it cannot be part of
    // a longer word: "在哪" in "服务中心在哪", not in "存在哪些".
    this.endings = new Phrases([...synonyms.keys()].filter((k) => k.length === 2));
    for (const w of this.ignored) if (w.length >= 2 && !inserted.has(w)) {
      jieba.insertWord(w);
      inserted.add(w);
      wordAdded();
    }
    for (const w of [...words, ...synonyms.keys(), ...synonyms.values(), ...this.whole]) {
      if (w.length < 2 || w === NOTHING || inserted.has(w)) continue;
      jieba.insertWord(w);
      inserted.add(w);
      wordAdded();
    }
  }

  /** jieba's search-mode cut (see Cuts.cut). */
  cut(text: string): string[] {
    return this.cuts.cut(text);
  }

  /** A new message is read: what was kept of the last one's texts is let go. */
  startMessage(): void {
    this.cuts.startMessage();
    this.messageTerms.forget();
  }

  /** jieba's default cut, unfiltered: the words as the resident wrote them, in order. */
  plainCut(text: string): string[] {
    return this.cuts.plainCut(text);
  }

  /** jieba's parts of speech of a word, kept like `madeUp`: scope and grounding ask of the same words. */
  tag(word: string): ReadonlyArray<{ word: string; tag: string }> {
    return kept(this.tagged, word, MADE_UP_KEPT, () => jieba.tag(word));
  }

  /**
   * True when jieba made the word up from characters (its HMM) rather than found it in its
   * dictionary: "徐可有" of "行政徐可有多少", not "长时间".
   */
  madeUp(word: string): boolean {
    // Residents use the same words over and over: each is looked up once (the list is bounded).
    return kept(this.madeUpWords, word, MADE_UP_KEPT, () => {
      const tagged = jieba.tag(word);
      return !(tagged.length === 1 && tagged[0]!.word === word && tagged[0]!.tag !== 'x');
    });
  }

  /** A word of ours: a domain word, a colloquial word of the synonym table, or its term. */
  known(word: string): boolean {
    return this.domain.has(word) || this.synonyms.has(word) || this.values.has(word) || this.whole.has(word);
  }

  /** Whole words only (jieba's default cut), for naming an entry by its label. */
  words(text: string): string[] {
    const tokens = this.plainCut(text);
    return this.collect(tokens, text, endsOf(tokens));
  }

  /** Tokens with synonyms applied, stop words, punctuation and digits dropped, without repeats. */
  terms(text: string): string[] {
    const known = this.messageTerms.get(text, generation());
    if (known) return [...known];
    const out = this.collect(this.cut(text), text);
    this.messageTerms.set(text, generation(), [...out]);
    return out;
  }

  /**
   * `terms` of a text of the knowledge base (a topic's summary), kept: answering looks at the same
   * few texts for message after message, and cutting one costs more than the rest of the check.
   * Forgotten when words are added to jieba's dictionary, which may cut the text differently.
   */
  knowledgeTerms(text: string): readonly string[] {
    if (this.textTermsGeneration !== generation()) {
      this.textTerms.clear();
      this.textTermsGeneration = generation();
    }
    return kept(this.textTerms, text, TERMS_KEPT, () => Object.freeze(this.terms(text)));
  }

  /** The same as `terms`, from tokens already cut from `text` (jieba is the costliest step). */
  collect(tokens: string[], text: string, wordEnds?: ReadonlySet<number>): string[] {
    const out: string[] = [];
    const termed = tokens.map((t) => this.termOf(t));
    for (const term of termed) if (term !== null && !out.includes(term)) out.push(term);
    // Colloquial phrases found in the text stand for their term; the words inside them ("哪个",
    // "地方" of "哪个地方") say nothing more, unless they also appear elsewhere in the text.
    let phrased = '';
    const stood = new Set<string>();
    // jieba does not always cut a colloquial phrase or a domain word as one word ("不明确" →
    // 不/明确, "下一步" → 下/一步): find them in the text itself, unless they are part of the
    // longer term they stand for.
    // A colloquial phrase must end where a word ends: "怎么办" is not in "怎么办理".
    let ends: ReadonlySet<number> | null = wordEnds ?? null;
    if (this.phrases.size) {
      for (const m of this.phrases.find(text)) {
        const canonical = this.synonyms.get(m.word) ?? m.word;
        if (canonical !== m.word) {
          ends ??= endsOf(this.cuts.defaultCut(text));
          if (!ends.has(m.at + m.word.length)) continue;
        }
        // A phrase standing for nothing ("查得到吗" → （无）) takes its words with it.
        if (canonical === NOTHING) {
          phrased += `|${m.word}`;
          continue;
        }
        if (STOPWORDS.has(canonical)) continue;
        // Only a colloquial phrase stands for its term alone: "政府信息公开" still holds 政府.
        if (canonical !== m.word && !m.word.includes(canonical)) {
          phrased += `|${m.word}`;
          stood.add(canonical);
        }
        if (out.includes(canonical)) continue;
        if (canonical !== m.word) {
          const around = text.slice(Math.max(0, m.at - canonical.length), m.at + m.word.length + canonical.length);
          if (around.includes(canonical)) continue;
        }
        out.push(canonical);
      }
    }
    if (this.endings.size) {
      for (const m of this.endings.find(text, (w, at) => endsClause(text, at + w.length))) {
        const canonical = this.synonyms.get(m.word) ?? m.word;
        if (!STOPWORDS.has(canonical) && canonical !== NOTHING && !out.includes(canonical)) out.push(canonical);
      }
    }
    if (!phrased) return out;
    let rest = text;
    for (const p of phrased.split('|')) if (p) rest = rest.split(p).join('|');
    // Kept: terms of the phrases themselves, and terms with a token also written outside them.
    const keep = new Set(stood);
    const fromTokens = new Set<string>();
    tokens.forEach((token, i) => {
      const term = termed[i];
      if (term === null || term === undefined) return;
      fromTokens.add(term);
      if (rest.includes(token) || !phrased.includes(token)) keep.add(term);
    });
    return out.filter((term) => keep.has(term) || !fromTokens.has(term));
  }

  /** The term a token stands for, or null when it says nothing (punctuation, a stop word). */
  private termOf(token: string): string | null {
    // Inline rather than through `kept`: this runs for every token of every message.
    let term = this.termsOf.get(token);
    if (term === undefined) {
      term = this.readTerm(token);
      if (this.termsOf.size >= TERMS_KEPT) this.termsOf.clear();
      this.termsOf.set(token, term);
    }
    return term;
  }

  private readTerm(token: string): string | null {
    if (!token || PUNCTUATION.test(token) || NUMERAL.test(token) || this.isIgnored(token)) return null;
    const term = this.synonyms.get(token) ?? token;
    return STOPWORDS.has(term) || term === NOTHING ? null : term;
  }

  private isIgnored(token: string): boolean {
    if (this.ignored.has(token)) return true;
    if (token.length < 2) return false;
    // Parts of a place name ("吉县" of "某吉县") say nothing either; "人民政府" and "政府" do.
    for (const name of this.ignored) if (name.includes(token) && !/政府|人民/.test(token)) return true;
    return false;
  }

  canonical(token: string): string {
    return this.synonyms.get(token) ?? token;
  }

  /** Question words kept as terms ("怎么申请" names a procedure) that never name an entry alone. */
  isWeak(term: string): boolean {
    return WEAK.has(term);
  }

  /** A word for an aspect of a subject ("期限", "收费"), not a subject the knowledge base holds. */
  isAspect(term: string): boolean {
    return ASPECTS.has(term) || WEAK.has(term);
  }

  isStopword(token: string): boolean {
    return STOPWORDS.has(token);
  }
}

/** For tests: forget which words were added (jieba itself keeps them). */
export function resetInsertedWords(): void {
  inserted = new Set();
  wordAdded();
}

