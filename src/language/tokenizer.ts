import jieba from 'nodejieba';
import type { SynonymTable } from './synonyms.ts';

// Words that carry no meaning for matching. Question words are not here: understanding reads them
// as cues before they are dropped.
const STOPWORDS = new Set(
  '的 了 吗 呢 吧 啊 呀 嘛 么 是 在 有 和 与 及 或 都 也 就 还 又 被 把 给 让 从 向 对 为 以 于 之 其 这 那 这个 那个 这些 那些 我 你 您 他 她 它 我们 你们 他们 咱们 请问 请 想 想问 问 问一下 一下 知道 告诉 一个 个 些 能 会 要 得 着 过 来 去 上 下 里 中 啥 什么 怎么 怎样 如何 多少 几 哪 哪里 哪些 吗 没有 有没有 是否 可以 能否 一共 总共 共 一年 年 年度 情况 具体 大概 现在 目前 目前为止'.split(
    ' ',
  ),
);

const PUNCTUATION = /^[\p{P}\p{S}\d.]+$/u;

let inserted = new Set<string>();

/**
 * jieba with the domain dictionary, mapping colloquial words to the knowledge base's terms.
 * jieba's dictionary is process-wide, so words are only ever added, never removed.
 */
export class Tokenizer {
  constructor(
    words: Iterable<string>,
    private readonly synonyms: SynonymTable,
  ) {
    for (const w of [...words, ...synonyms.keys(), ...synonyms.values()]) {
      if (w.length < 2 || inserted.has(w)) continue;
      jieba.insertWord(w);
      inserted.add(w);
    }
  }

  /** jieba's search-mode cut: whole words and the shorter words inside them. */
  cut(text: string): string[] {
    return jieba.cutForSearch(text, true);
  }

  /** Tokens with synonyms applied, stop words, punctuation and digits dropped, without repeats. */
  terms(text: string): string[] {
    const out: string[] = [];
    for (const token of this.cut(text)) {
      if (PUNCTUATION.test(token)) continue;
      const term = this.synonyms.get(token) ?? token;
      if (STOPWORDS.has(term) || out.includes(term)) continue;
      out.push(term);
    }
    return out;
  }

  canonical(token: string): string {
    return this.synonyms.get(token) ?? token;
  }

  isStopword(token: string): boolean {
    return STOPWORDS.has(token);
  }
}

/** For tests: forget which words were added (jieba itself keeps them). */
export function resetInsertedWords(): void {
  inserted = new Set();
}
