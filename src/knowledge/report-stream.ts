// A table flattened into one line. Some pages lose a table's structure in copying and print
// both tables of section 二 (or a whole report) as one stream of words: "第二十条第（一）项 信息内容
// 本年制发件数 本年废止件数 现行有效件数 规 章 0 0 0 行政规范性文件 0 1 3 第二十条第（五）项 …",
// sometimes with no space at all. Such a line is cut into the cells it holds, one per line, so
// that the rest of the parser reads it as the one-cell-per-line layout it already knows:
//   - white space separates cells, except inside brackets (a note) and inside a label the
//     format knows ("规 章", "商业 企业", "第二十條 第(一)項" are joined again);
//   - without white space, a cell ends where a word of the format begins (a column, a row
//     label, an article, a numbered row) and where a number ends;
//   - figures printed straight after their row label stay with it ("规章000"): report-runs.ts
//     splits such runs once the number of columns is known;
//   - the stream ends at the first sentence (a "，" or "。" outside brackets); what follows stays
//     one line of text, and so does what comes before the first table word.
import { ARTICLE, TABLE_NOTE } from './report-text.ts';
import { isHeaderWord, knownRowLabel, labelKey, simplified } from './report-labels.ts';

export interface SourceLine {
  raw: string;
  /** 1-based line in the file; the cells of a flattened line all keep that line's number. */
  line: number;
}

const ARTICLE_LOOSE = '第[一二三四五六七八九十百零〇\\d]{1,4}[条條]\\s*第?\\s*[(（][一二三四五六七八九十\\d]{1,3}[)）]\\s*[项項]';
// Words of the formats that begin a cell when text runs on without spaces (simplified forms;
// the line is matched in simplified characters). 其他 alone is left out: it begins too many labels.
const WORDS = [
  '信息内容', '本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '处理决定数量', '本年处理决定数量',
  '采购项目数量', '采购总金额', '本年制发件数', '本年废止件数', '现行有效件数', '本年收费金额',
  '规章', '行政规范性文件', '规范性文件', '行政许可', '其他对外管理服务事项', '行政处罚', '行政强制', '行政事业性收费', '政府集中采购',
  '申请人情况', '自然人', '法人或其他组织', '商业企业', '科研机构', '社会公益组织', '社会组织', '法律服务机构', '总计',
  '行政复议', '行政诉讼', '结果维持', '结果纠正', '其他结果', '尚未审结', '未经复议直接起诉', '复议后起诉',
].sort((a, b) => b.length - a.length);
const escape = (w: string): string => w.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&');
/** A word of the format, an article, the table note, or the numbering that opens a row. */
const WORD = new RegExp(
  `${ARTICLE_LOOSE}|[(（]本列数据[^)）]{0,80}[)）]|(?:${WORDS.map(escape).join('|')})|[一二三四五六七八九十]{1,2}、|[(（][一二三四五六七八九十]{1,2}[)）]|\\d{1,2}[.．、](?=[\\u4e00-\\u9fff])`,
  'y',
);
const NUMBER = /[+\-−]?\d+(?:\.\d+)?(?:万元|元|%)?/y;
/** Where a flattened table may begin: an article, the note over section 三, section 四's header. */
const START = new RegExp(`${ARTICLE_LOOSE}|[(（]本列数据|申请人情况|行政复议\\s*行政诉讼`);
const SENTENCE = /[。，,；;！!？?]/;
/** A row label and its figures, and nothing else: "行政许可 114 0 114". */
const WHOLE_ROW = /^\s*\S.{0,200}?(?:\s+[+\-−]?\d+(?:\.\d+)?(?:万元|元|%)?){1,16}\s*$/;
/** What START needs, in either script, before the line is converted to simplified characters. */
const MAYBE = /[条條][\s第]*[(（][一二三四五六七八九十\d]{1,3}[)）]\s*[项項]|本列[数數]据|本列[数數]據|申[请請]人[情][况況]|行政[复復][议議]/;
const OPEN = /[(（【[]/;
const CLOSE = /[)）】\]]/;

const NUMBERING_ONLY = /^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、])$/;

/** "（一）", "(三)": numbering, which opens a cell rather than adding a note to the one before. */
const isNumbering = (s: string, i: number): boolean => /^[(（][一二三四五六七八九十]{1,3}[)）]/.test(s.slice(i, i + 5));

/** The pieces of a stretch without white space, cut before the format's words and after numbers. */
function cutRun(t: string, printed: string, out: string[]): void {
  let depth = 0;
  let piece = '';
  let i = 0;
  const flush = (): void => {
    if (piece !== '') out.push(piece);
    piece = '';
  };
  while (i < t.length) {
    const ch = t[i] as string;
    if (depth === 0) {
      if (OPEN.test(ch) && !isNumbering(t, i) && !/^[(（]本列数据/.test(t.slice(i, i + 5))) {
        depth = 1;
        piece += printed[i];
        i++;
        continue;
      }
      WORD.lastIndex = i;
      const word = WORD.exec(t);
      if (word && word[0].length > 0) {
        // Numbering opens the label after it ("（七）总计"), it is no cell of its own.
        if (!NUMBERING_ONLY.test(piece)) flush();
        piece += printed.slice(i, i + word[0].length);
        i += word[0].length;
        continue;
      }
      NUMBER.lastIndex = i;
      const num = /\d/.test(ch) || /[+\-−]/.test(ch) && /\d/.test(t[i + 1] ?? '') ? NUMBER.exec(t) : null;
      if (num) {
        // Digits straight after a label stay with it ("规章000"); after a number or at the
        // start they are a cell of their own.
        const glued = piece !== '' && !/[\d元%]$/.test(piece);
        if (!glued) flush();
        piece += printed.slice(i, i + num[0].length);
        i += num[0].length;
        flush();
        continue;
      }
    } else if (OPEN.test(ch)) depth++;
    else if (CLOSE.test(ch)) depth--;
    piece += printed[i];
    i++;
  }
  flush();
}

/** Adjacent pieces that together are a label the format knows ("规" "章", "第二十條" "第(一)項"). */
function joinKnown(pieces: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < pieces.length; ) {
    let taken = 1;
    // Only a short piece that is no label by itself can be the start of one cut by a space.
    const head = pieces[i] as string;
    const open = head.length <= 12 && !/\d/.test(head) && !(isHeaderWord(head) && head !== '其他');
    for (let j = open ? Math.min(pieces.length, i + 4) : i + 1; j > i + 1; j--) {
      const joined = pieces.slice(i, j).join('');
      if (pieces.slice(i, j).some((p) => /\d$/.test(p) || /^\d/.test(p))) continue;
      const key = labelKey(joined);
      if (ARTICLE.test(key) && ARTICLE.exec(key)?.[0] === key) {
        taken = j - i;
        break;
      }
      // A numbered row ("（一）…") is a cell of its own: its label never takes the next piece.
      if (pieces.slice(i, j).some((p) => NUMBERED_START.test(p))) continue;
      if (isHeaderWord(joined) || knownRowLabel(joined)) {
        taken = j - i;
        break;
      }
    }
    out.push(pieces.slice(i, i + taken).join(''));
    i += taken;
  }
  return out;
}

const NUMBERED_START = /^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）])/;

const isFigure = (p: string): boolean => /^[+\-−]?\d+(?:\.\d+)?(?:万元|元|%)?$/.test(p);

/**
 * The lines a source line stands for: itself, or, when it is a table flattened into one line,
 * the text before the table, one line per cell, and the text after it.
 */
export function explodeLine(raw: string, line: number): SourceLine[] {
  const self = [{ raw, line }];
  if (raw.length > 20_000 || /[\t|｜]/.test(raw) || !/\d/.test(raw)) return self;
  // A cheap look first: most lines hold no table word at all.
  if (!MAYBE.test(raw) && !WHOLE_ROW.test(raw)) return self;
  const printed = raw.replace(/\f/g, '');
  // Matched in simplified characters: a stream may be traditional ("規 章", "行政許可").
  const t = simplified(printed);
  if (t.length !== printed.length) return self;
  const start = START.exec(t);
  const wholeRow = start === null && WHOLE_ROW.test(t);
  if (start === null && !wholeRow) return self;
  const from = start?.index ?? 0;
  // Words: white space outside brackets separates them.
  const words: { t: string; p: string }[] = [];
  let depth = 0;
  let w = '';
  let wp = '';
  let end = t.length;
  const push = (): void => {
    if (w !== '') words.push({ t: w, p: wp });
    w = '';
    wp = '';
  };
  for (let i = from; i < t.length; i++) {
    const ch = t[i] as string;
    if (OPEN.test(ch) && !isNumbering(t, i)) depth++;
    else if (CLOSE.test(ch) && depth > 0) depth--;
    if (depth === 0 && /\s/.test(ch)) {
      push();
      continue;
    }
    if (depth === 0 && SENTENCE.test(ch)) {
      // The sentence this character is in starts with the word it is in.
      end = i - w.length;
      w = '';
      wp = '';
      break;
    }
    w += ch;
    wp += printed[i];
  }
  push();
  const pieces: string[] = [];
  for (const word of words) cutRun(word.t, word.p, pieces);
  const cells = joinKnown(pieces);
  const known = cells.filter((c) => !isFigure(c) && (isHeaderWord(c) || knownRowLabel(c.replace(/[\d]+$/, '')) || ARTICLE.test(labelKey(c)) || TABLE_NOTE.test(c)));
  const figures = cells.filter((c) => isFigure(c) || /\d$/.test(c)).length;
  if (cells.length < (start === null ? 2 : 3) || figures < 1 || known.length < 1) return self;
  const out: SourceLine[] = [];
  const before = printed.slice(0, from).trim();
  if (before !== '') {
    // A section heading printed just before the table ("…情况。二、主动公开政府信息情况第二十条…").
    const stop = Math.max(before.lastIndexOf('。'), before.lastIndexOf('；'));
    const tail = before.slice(stop + 1).trim();
    if (stop >= 0 && tail !== '' && tail.length <= 40) {
      out.push({ raw: before.slice(0, stop + 1), line }, { raw: tail, line });
    } else out.push({ raw: before, line });
  }
  for (const c of cells) out.push({ raw: c, line });
  const after = printed.slice(end).trim();
  if (end < t.length && after !== '') out.push({ raw: after, line });
  return out;
}

/** Words of a table header the format knows, and nothing else. */
const HEADER_LIKE = /[数數]量|件[数數]|信息[内內]容|自然人|企[业業]|[机機][构構]|[组組][织織]|[总總][计計]|[结結]果|起[诉訴]|[复復][议議]|申[请請]人|本列/;

/**
 * A header row printed as one line of words ("信息内容 本年制发件数 本年废止件数 现行有效件数"):
 * its cells, when every word (joined again where a label has a space inside) is one the format
 * knows; otherwise the line itself.
 */
export function explodeHeader(raw: string, line: number): SourceLine[] {
  const self = [{ raw, line }];
  if (raw.length > 2000 || /[\t|｜]/.test(raw) || !HEADER_LIKE.test(raw) || !/\S\s+\S/.test(raw.trim())) return self;
  const printed = raw.replace(/\f/g, '').trim();
  const words: string[] = [];
  let depth = 0;
  let w = '';
  for (const ch of printed) {
    if (OPEN.test(ch)) depth++;
    else if (CLOSE.test(ch) && depth > 0) depth--;
    if (depth === 0 && /\s/.test(ch)) {
      if (w !== '') words.push(w);
      w = '';
    } else w += ch;
  }
  if (w !== '') words.push(w);
  const cells = joinKnown(words);
  const known = (c: string): boolean => {
    const key = labelKey(c);
    return isHeaderWord(c) || ARTICLE.test(key) || TABLE_NOTE.test(key);
  };
  return cells.length >= 2 && cells.every(known) ? cells.map((c) => ({ raw: c, line })) : self;
}

/** Every line of a text, flattened tables cut into their cells. */
export function sourceLines(lines: string[]): SourceLine[] {
  const out: SourceLine[] = [];
  lines.forEach((raw, i) => {
    if (/[\t|｜]/.test(raw)) out.push({ raw, line: i + 1 });
    else if (!/\d/.test(raw)) out.push(...explodeHeader(raw, i + 1));
    else out.push(...explodeLine(raw, i + 1));
  });
  return out;
}
