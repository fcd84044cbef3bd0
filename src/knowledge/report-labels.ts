// Row and column labels of the national formats: notes removed, compared in simplified
// characters, checked against the columns the formats define. Labels are kept as printed
// (traditional stays traditional); only the comparison is simplified.
import * as OpenCC from 'opencc-js';
import { canonLabel } from './report-text.ts';

const toSimplified: (s: string) => string = OpenCC.Converter({ from: 'hk', to: 'cn' });
const simplifiedCache = new Map<string, string>();

/** Text in simplified characters, as printed otherwise (for matching sentences). */
export function simplified(s: string): string {
  return /[^\x00-\x7f]/.test(s) ? toSimplified(s) : s;
}

/** A label for comparison: canonical (full-width brackets, no white space) and simplified. */
export function labelKey(s: string): string {
  const canon = canonLabel(s);
  let out: string | undefined = simplifiedCache.get(canon);
  if (out === undefined) {
    out = /[^\x00-\x7f]/.test(canon) ? toSimplified(canon) : canon;
    if (simplifiedCache.size < 10_000) simplifiedCache.set(canon, out);
  }
  return out;
}

/** A bracketed note that states the unit is part of the column ("采购总金额（万元）"). */
const UNIT_NOTE = /单位|單位|元|%/;

/**
 * A row or column label without its explanatory notes: "规范性文件（行政机关制定…）" →
 * "规范性文件", "上一年项目数量（指2019年事项数）" → "上一年项目数量". Leading numbering
 * ("（一）予以公开") stays; a note naming a unit stays on a column.
 */
export function withoutNotes(label: string, keepUnits = false): string {
  let out = '';
  let depth = 0;
  let note = '';
  // Whether the label has begun: testing out.trim() at every bracket made long lines quadratic.
  let begun = false;
  for (let i = 0; i < label.length; i++) {
    const ch = label[i] as string;
    const opens = ch === '（' || ch === '(';
    const closes = ch === '）' || ch === ')';
    // Numbering at the very start: "（一）" is part of the label.
    if (opens && depth === 0 && !begun) {
      const m = /^[（(][一二三四五六七八九十]{1,3}[）)]/.exec(label.slice(i, i + 5));
      if (m) {
        out += m[0];
        begun = true;
        i += m[0].length - 1;
        continue;
      }
    }
    if (opens) {
      if (depth === 0) note = '';
      depth++;
      note += ch;
      continue;
    }
    if (closes && depth > 0) {
      depth--;
      note += ch;
      if (depth === 0 && keepUnits && UNIT_NOTE.test(note)) out += note;
      continue;
    }
    if (depth > 0) note += ch;
    else {
      out += ch;
      if (!begun && ch.trim() !== '') begun = true;
    }
  }
  // An unclosed note ("（区分处理" cut by a page break) is dropped too.
  if (depth > 0 && keepUnits && UNIT_NOTE.test(note)) out += note;
  return out.trim() === '' ? label : out;
}

const SECTION2_COLUMNS = [
  '本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '处理决定数量',
  '采购项目数量', '采购总金额', '本年制发件数', '本年废止件数', '现行有效件数', '本年处理决定数量', '本年收费金额',
];
export const SECTION3_COLUMNS = ['自然人', '商业企业', '科研机构', '社会组织', '社会公益组织', '法律服务机构', '其他', '总计', '合计'];
export const SECTION4_COLUMNS = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
const KNOWN = new Set([...SECTION2_COLUMNS, ...SECTION3_COLUMNS, ...SECTION4_COLUMNS].map((c) => labelKey(c)));
const HEADER_WORDS = new Set(['行政复议', '行政诉讼', '申请人情况', '法人或其他组织', '信息内容', '未经复议直接起诉', '复议后起诉'].map((c) => labelKey(c)));

/** The column a header names, without unit notes: "采购总金额（万元）" → "采购总金额". */
function columnBase(label: string): string {
  return labelKey(withoutNotes(label)).replace(/^(本年收费金额)单位[:：].*$/, '$1');
}

/** A column label of the national formats (with any unit note), compared in simplified form. */
export function isKnownColumn(label: string): boolean {
  return KNOWN.has(columnBase(label));
}

/** Any word of a national table header: the columns and the group cells above them. */
export function isHeaderWord(label: string): boolean {
  return isKnownColumn(label) || HEADER_WORDS.has(labelKey(withoutNotes(label)));
}

/** A header cut short ("本年新", "本年增/"): the start of a known column but not one. */
export function isCutColumn(label: string): boolean {
  const base = columnBase(label);
  if (base === '' || KNOWN.has(base)) return false;
  for (const k of KNOWN) if (k.startsWith(base)) return true;
  return false;
}

// Section 二's articles by the rows they hold (the national formats of 2019 and 2021). A mirror
// site turned 文件 into 檔案 ("規範性檔案").
const ARTICLE_ROWS: Array<[string, RegExp]> = [
  ['第二十条第（一）项', /^(?:规章|规范性(?:文件|档案)|行政规范性(?:文件|档案))$/],
  ['第二十条第（五）项', /^(?:行政许可|其他对外管理服务事项)$/],
  ['第二十条第（六）项', /^(?:行政处罚|行政强制)$/],
  ['第二十条第（八）项', /^行政事业性收费$/],
  ['第二十条第（九）项', /^政府集中采购$/],
];

// ---------------------------------------------------------------------------------------------
// The columns of each article's table in the two national formats.

export type Format = '2019' | '2021';
const ARTICLE_COLUMNS: Record<Format, Record<string, string[]>> = {
  2019: {
    '（一）': ['本年新制作数量', '本年新公开数量', '对外公开总数量'],
    '（五）': ['上一年项目数量', '本年增/减', '处理决定数量'],
    '（六）': ['上一年项目数量', '本年增/减', '处理决定数量'],
    '（八）': ['上一年项目数量', '本年增/减'],
    '（九）': ['采购项目数量', '采购总金额'],
  },
  2021: {
    '（一）': ['本年制发件数', '本年废止件数', '现行有效件数'],
    '（五）': ['本年处理决定数量'],
    '（六）': ['本年处理决定数量'],
    '（八）': ['本年收费金额（单位：万元）'],
  },
};
const FORMATS: Format[] = ['2019', '2021'];

/** "第二十条第（六）项" → "（六）". */
const articleKey = (article: string): string => /[（(][一二三四五六七八九十]{1,3}[）)]/.exec(labelKey(article))?.[0] ?? '';

/** The standard columns of an article's table in a format, or null when the format has no such table. */
export function formatColumns(format: Format, article: string): string[] | null {
  return ARTICLE_COLUMNS[format][articleKey(article)] ?? null;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * A printed header that is an abbreviation of a standard column ("本年发件" for 本年制发件数,
 * "现行有效件" for 现行有效件数): the same first character, its characters in order within the
 * standard label, at least four of them and half of it. A header cut at a separator ("本年增/")
 * is cut, not abbreviated.
 */
export function abbreviates(printed: string, standard: string): boolean {
  const p = columnBase(printed);
  const s = columnBase(standard);
  if (p === s || p.length < 4 || p.length * 2 < s.length || /[/／、\-]$/.test(p)) return false;
  return p[0] === s[0] && isSubsequence(p, s);
}

/**
 * Which format a table's printed header is, column by column: each column is that format's
 * column at its position, or an abbreviation of it and of no other column either format has
 * for this article. Null unless exactly one format fits.
 */
export function headerFormat(columns: string[], article: string): { format: Format; abbreviated: boolean[] } | null {
  const all = FORMATS.flatMap((f) => formatColumns(f, article) ?? []);
  const fits: { format: Format; abbreviated: boolean[] }[] = [];
  for (const format of FORMATS) {
    const standard = formatColumns(format, article);
    if (!standard || standard.length !== columns.length) continue;
    const abbreviated: boolean[] = [];
    const ok = columns.every((c, j) => {
      const own = standard[j] as string;
      if (columnBase(c) === columnBase(own)) {
        abbreviated.push(false);
        return true;
      }
      abbreviated.push(true);
      return abbreviates(c, own) && all.every((other) => columnBase(other) === columnBase(own) || !abbreviates(c, other));
    });
    if (ok) fits.push({ format, abbreviated });
  }
  return fits.length === 1 ? (fits[0] ?? null) : null;
}

/** Formats whose own column words the text uses (a cheap look over the whole report). */
export function formatsInText(lines: string[]): Format[] {
  let y2019 = false;
  let y2021 = false;
  for (const line of lines) {
    if (line.length > 2000 || !/[数數]量|件[数數]|金[额額]/.test(line)) continue;
    const t = simplified(line.replace(/\s+/g, ''));
    y2019 ||= /本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|(?<!本年)处理决定数量|采购项目数量/.test(t);
    y2021 ||= /本年制发件数|本年废止件数|现行有效件数|本年处理决定数量|本年收费金额/.test(t);
  }
  return [...(y2019 ? ['2019' as const] : []), ...(y2021 ? ['2021' as const] : [])];
}

/** Row numbering of the section 三 table: "一、", "（一）", "1.". */
const NUMBERED = /^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、])(?=\D)/;

/** A row label of the national formats: a section 二 row ("规章", "行政许可") or a numbered section 三 row. */
export function knownRowLabel(label: string): boolean {
  const key = labelKey(withoutNotes(label));
  if (NUMBERED.test(key)) return key.replace(NUMBERED, '').length >= 2;
  return ARTICLE_ROWS.some(([, re]) => re.test(key)) || /^其他主动公开(?:文件|档案)$/.test(key);
}

/** The article a table belongs to, judged from its row labels; null unless they all agree. */
export function articleOfRows(items: string[]): string | null {
  let found: string | null = null;
  for (const item of items) {
    const key = labelKey(withoutNotes(item));
    const hit = ARTICLE_ROWS.find(([, re]) => re.test(key));
    if (!hit) continue;
    if (found !== null && found !== hit[0]) return null;
    found = hit[0];
  }
  return found;
}
