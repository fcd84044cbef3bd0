/**
 * Questions written in English (students, researchers): the English phrases of the lexicon's
 * "英文" section are replaced by the Chinese words the knowledge base uses, before the message is
 * read, so that it is matched, grounded and declined like the same question in Chinese; replies
 * stay Chinese. English words the glossary does not know are left as written: they match nothing,
 * so a question about something the glossary cannot name is not answered by what is left of it.
 */

/** The glossary's term for English words that say nothing about what is asked ("the", "please"). */
const NOTHING = '（无）';

/** English phrase (lower case, words separated by one space) → Chinese words. */
export type Glossary = Array<[string, string]>;

const LATIN_WORD = /[A-Za-z]{2,}/;
const compiled = new WeakMap<Glossary, { pattern: RegExp; chinese: Map<string, string> }>();

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One expression for the whole glossary, longest phrases first, a plural "s" allowed on words of four letters or more. */
function compile(glossary: Glossary): { pattern: RegExp; chinese: Map<string, string> } {
  let kept = compiled.get(glossary);
  if (kept) return kept;
  const chinese = new Map<string, string>();
  for (const [phrase, zh] of glossary) if (!chinese.has(phrase)) chinese.set(phrase, zh);
  const phrases = [...chinese.keys()].sort((a, b) => b.length - a.length);
  const alternatives = phrases.map((p) => escape(p).replace(/ /g, '\\s+') + (/[a-z]{4}$/.test(p) ? '(?:e?s)?' : ''));
  // A phrase is whole words: not part of a longer word ("is" of "this"), an apostrophe kept with
  // its word ("what's" is one phrase).
  const pattern = new RegExp(`(?<![A-Za-z'])(?:${alternatives.join('|') || '(?!)'})(?![A-Za-z])`, 'gi');
  kept = { pattern, chinese };
  compiled.set(glossary, kept);
  return kept;
}

/** The phrase a match stands for: its words lower-cased, a plural ending taken off when only the singular is listed. */
function phraseOf(match: string, chinese: Map<string, string>): string | undefined {
  const words = match.toLowerCase().replace(/\s+/g, ' ');
  return chinese.get(words) ?? chinese.get(words.replace(/es$/, '')) ?? chinese.get(words.replace(/s$/, ''));
}

/**
 * The message with its English phrases in Chinese; a message with no English word (most) is
 * given back as it is. Chinese words are joined without spaces (a space between two Chinese words
 * would read as a pause between two questions); English words left over keep theirs.
 */
export function fromEnglish(text: string, glossary: Glossary): string {
  if (glossary.length === 0 || !LATIN_WORD.test(text)) return text;
  const { pattern, chinese } = compile(glossary);
  const straight = text.replace(/[’‘]/g, "'");
  pattern.lastIndex = 0;
  const replaced = straight.replace(pattern, (m) => {
    const zh = phraseOf(m, chinese);
    if (zh === undefined) return m;
    return zh === NOTHING ? '\u0001' : `\u0001${zh}\u0001`;
  });
  if (replaced === straight) return text;
  return replaced
    .replace(/\s*\u0001\s*/g, '\u0001')
    .replace(/\u0001+/g, '\u0001')
    .replace(/(?<=[^\x00-\x7f])\u0001|\u0001(?=[^\x00-\x7f])/g, '')
    .replace(/\u0001/g, ' ')
    .replace(/\s*'s\b/g, '')
    .replace(/\s+([,.?!;:])/g, '$1')
    .replace(/^[\s,.;:]+/, '')
    .trim();
}
