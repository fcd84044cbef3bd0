import type { Finding } from '../knowledge/types.ts';
import type { SynonymTable } from './synonyms.ts';
import type { Glossary } from './english.ts';

/**
 * How residents name what the national annual-report format counts: its rows, its columns, the
 * units they ask in, the figures no annual report holds, and the bodies other than the one that
 * reports. The format is the same for every county, so one lexicon serves them all; it is data
 * (knowledge/lexicon.txt), edited like the synonym table.
 */
export interface Lexicon {
  /** Residents' words for rows and columns → the report's words (merged into the synonyms). */
  aliases: SynonymTable;
  /** Columns a row answers with first when the question names none ("处理决定数量"). */
  primary: string[];
  /** A name for several columns at once → those columns ("法人或其他组织" → 商业企业, …). */
  columnGroups: Array<[string, string[]]>;
  /** Words of a question → the unit it asks in ("几次" → 次, "多少人" → 人次, "多少钱" → 金额). */
  units: Array<[string, string]>;
  /** Words naming a figure no annual report holds → the name of that figure ("GDP" → 地区生产总值). */
  absent: Array<[string, string]>;
  /**
   * Words asking a detail no annual report lists (its figures are totals): the followers of an
   * account, the firms that won a tender, an average, the largest single item, which items they
   * were ("粉丝" → 粉丝数). Asked of a figure, the figure held is not that detail.
   */
  unlisted: Array<[string, string]>;
  /**
   * Of those, the names no report gives (who was fined, which firm was hired): not in the report's
   * text either, so asked of a passage ("第三方监测公司是哪家") they are declined too. Also in `unlisted`.
   */
  unnamed: Array<[string, string]>;
  /** Words that name nothing a figure is about ("县里", "一共"): ignored when grounding a figure. */
  general: Set<string>;
  /** Words naming a body other than the one reporting ("市里", "乡上", "别的县"). */
  otherBodies: string[];
  /** How the name of another body ends ("县", "局"): "隆德县", "教育局". */
  bodySuffixes: string[];
  /** Matters residents bring to a government that are not disclosure ("低保", "宅基地"). */
  otherMatters: string[];
  /** Documents residents carry ("身份证"): material for an application, or a service of their own. */
  documents: string[];
  /**
   * The terms of what is asked about a subject ("收费", "期限", "地址", "电话"): when the subject is
   * only "information from the government", the aspect decides which topic answers.
   */
  aspects: Set<string>;
  /** Words that say no more than "information from the government" ("申请", "文件", "资料"). */
  requestWords: Set<string>;
  /** Records a resident asks to see ("名单", "批文", "合同"): asking to see one applies for information. */
  records: string[];
  /** Verbs of asking to see or get something ("看", "查", "要一份"). */
  seeing: string[];
  /** Words naming the reporting body itself ("全县", "咱们县"), besides its own name. */
  ownBody: string[];
  /** English phrases → the Chinese words the knowledge base uses ("page views" → 浏览量), read before anything else. */
  english: Glossary;
}

export function emptyLexicon(): Lexicon {
  return { aliases: new Map(), primary: [], columnGroups: [], units: [], absent: [], unlisted: [], unnamed: [], general: new Set(), otherBodies: [], bodySuffixes: [], otherMatters: [], documents: [], aspects: new Set(), requestWords: new Set(), records: [], seeing: [], ownBody: [], english: [] };
}

const SECTIONS: Record<string, keyof Lexicon> = {
  行: 'aliases',
  列: 'aliases',
  主列: 'primary',
  列组: 'columnGroups',
  单位: 'units',
  报告没有的数字: 'absent',
  报告不列的细目: 'unlisted',
  报告不写的名称: 'unnamed',
  泛指: 'general',
  其他机关: 'otherBodies',
  其他机关的名称结尾: 'bodySuffixes',
  其他事务: 'otherMatters',
  证件: 'documents',
  问的方面: 'aspects',
  泛称: 'requestWords',
  要看的东西: 'records',
  要看的说法: 'seeing',
  本机关: 'ownBody',
  英文: 'english',
};

const split = (s: string) =>
  s
    .split(/[|｜]/)
    .map((w) => w.normalize('NFKC').trim())
    .filter(Boolean);

/**
 * Reads the lexicon: "## 节名" headings, then lines "标准词 = 说法1 | 说法2" (行, 列, 单位,
 * 报告没有的数字, 报告不列的细目, 报告不写的名称, 英文; 列组: "名称 = 列1 | 列2") or "词1 | 词2" (主列, 泛指, 其他机关, 其他机关的名称结尾, 其他事务, 证件,
 * 问的方面, 泛称, 要看的东西, 要看的说法, 本机关). # starts a
 * comment.
 * Unknown headings and malformed lines are findings, never exceptions.
 */
export function parseLexicon(text: string, document: string): { lexicon: Lexicon; findings: Finding[] } {
  const lexicon = emptyLexicon();
  const findings: Finding[] = [];
  let section: keyof Lexicon | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const location = `第 ${i + 1} 行`;
    const heading = /^##\s*(.+?)\s*$/.exec(raw.trim());
    if (heading) {
      section = SECTIONS[heading[1]!] ?? null;
      if (!section) findings.push({ level: 'warning', document, location, message: `未知的节“${heading[1]}”，应为 ${Object.keys(SECTIONS).join('、')} 之一；此节已忽略` });
      return;
    }
    const line = raw.replace(/#.*/, '').trim();
    if (!line || !section) return;
    const pair = /^([^=＝]+)[=＝](.*)$/.exec(line);
    const paired = section === 'aliases' || section === 'units' || section === 'absent' || section === 'unlisted' || section === 'unnamed' || section === 'columnGroups' || section === 'english';
    if (paired && !pair) {
      findings.push({ level: 'warning', document, location, message: `无法识别的行“${line}”，应为“标准词 = 说法1 | 说法2”` });
      return;
    }
    if (!paired) {
      const words = split(line);
      if (section === 'primary') lexicon.primary.push(...words);
      else if (section === 'general') for (const w of words) lexicon.general.add(w);
      else if (section === 'otherBodies') lexicon.otherBodies.push(...words);
      else if (section === 'bodySuffixes') lexicon.bodySuffixes.push(...words);
      else if (section === 'otherMatters') lexicon.otherMatters.push(...words);
      else if (section === 'documents') lexicon.documents.push(...words);
      else if (section === 'aspects') for (const w of words) lexicon.aspects.add(w);
      else if (section === 'requestWords') for (const w of words) lexicon.requestWords.add(w);
      else if (section === 'records') lexicon.records.push(...words);
      else if (section === 'seeing') lexicon.seeing.push(...words);
      else if (section === 'ownBody') lexicon.ownBody.push(...words);
      return;
    }
    const canonical = pair![1]!.normalize('NFKC').trim();
    const words = split(pair![2]!);
    if (section === 'columnGroups') {
      lexicon.columnGroups.push([canonical, words]);
      return;
    }
    if (section === 'english') {
      // "（无）" stays as written (NFKC would make it "(无)"); English is matched in lower case.
      const written = pair![1]!.trim();
      for (const w of words) lexicon.english.push([w.toLowerCase().replace(/\s+/g, ' '), written === '（无）' ? written : canonical]);
      return;
    }
    if (section === 'aliases') {
      for (const w of words) {
        const existing = lexicon.aliases.get(w);
        if (existing && existing !== canonical) {
          findings.push({ level: 'warning', document, location, message: `“${w}”已是“${existing}”的说法，这里又写作“${canonical}”的说法，已忽略` });
          continue;
        }
        lexicon.aliases.set(w, canonical);
      }
    } else {
      const list = section === 'units' ? lexicon.units : section === 'unlisted' || section === 'unnamed' ? lexicon.unlisted : lexicon.absent;
      for (const w of words) list.push([w, canonical]);
      if (section === 'unnamed') for (const w of words) lexicon.unnamed.push([w, canonical]);
    }
  });
  lexicon.otherMatters.sort((a, b) => b.length - a.length);
  // Longer words first: "多少人次" is read before "多少人".
  lexicon.units.sort((a, b) => b[0].length - a[0].length);
  lexicon.absent.sort((a, b) => b[0].length - a[0].length);
  lexicon.unlisted.sort((a, b) => b[0].length - a[0].length);
  return { lexicon, findings };
}

/** The synonym table with the lexicon's aliases added; the county's own table wins a clash. */
export function withAliases(synonyms: SynonymTable, lexicon: Lexicon): SynonymTable {
  const table: SynonymTable = new Map(lexicon.aliases);
  for (const [w, c] of synonyms) table.set(w, c);
  return table;
}
