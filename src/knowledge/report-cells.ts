// The cells of a table region, whatever the layout the text came in. Three families:
//   tabs   - one row per line, cells separated by tabs (copied from Word, a PDF viewer, our own
//            HTML/PDF/DOCX readers);
//   pipes  - cells separated by "|": whole rows on a line ("规章 | 0 | 0 | 0 |"), one cell per
//            line ("0 |"), lone "|" lines between cells or for empty cells, "||||" filler for
//            merged cells. Splitting the region's text at every "|" gives the cells in all of
//            these; a row that closes with "|" on a line of its own does not open an empty cell;
//   lines  - one cell per line, with or without a blank line between cells (a portal page's
//            text). The usual gap g between two cells is measured; a longer gap of b line breaks
//            holds b − g empty cells, and with g = 2 a single line break continues a cell
//            ("本年新" / "制作数量").
// Rows are then rebuilt from the cells: a label after figures starts a new row.
import { lineShape, makeCell, nfkc, type Cell } from './report-text.ts';
import { groupRows, type Row } from './report-rows.ts';
import { unglueAll } from './report-runs.ts';

export interface RegionLine {
  raw: string;
  line: number;
  /** A page number or running head was here: the gap around it says nothing about cells. */
  pageBreak?: boolean;
}

const PIPE = /[|｜]/;
const MD_RULE = /^\s*[|｜]?\s*:?-{3,}:?\s*(?:[|｜]\s*:?-{3,}:?\s*)*[|｜]?\s*$/;
const isEmpty = (raw: string): boolean => raw.replace(/[\f\r]/g, '') === '';

type Mode = 'tabs' | 'pipes' | 'lines';

function modeOf(lines: RegionLine[]): Mode {
  let content = 0;
  let tabs = 0;
  let pipes = 0;
  for (const l of lines) {
    if (isEmpty(l.raw)) continue;
    content++;
    if (l.raw.includes('\t')) tabs++;
    else if (PIPE.test(l.raw)) pipes++;
  }
  if (content === 0) return 'lines';
  if (tabs * 2 >= content) return 'tabs';
  if (pipes * 3 >= content) return 'pipes';
  return 'lines';
}

/** A line that is a whole row closed by "|" at both ends: "| 规章 | 0 | 0 | |". */
const closedRow = (raw: string): boolean => /^\s*[|｜].*[^\s|｜].*[|｜]\s*$/.test(raw);

function pipeCells(lines: RegionLine[]): Cell[] {
  const cells: Cell[] = [];
  let piece = '';
  let pieceLine = 0;
  let previousClosed = false;
  for (const { raw, line } of lines) {
    const text = raw.replace(/\f/g, '');
    if (isEmpty(text)) continue;
    if (MD_RULE.test(text) || lineShape(text, line).mode === 'skip' && !PIPE.test(text)) continue;
    const parts = text.split(PIPE);
    // The text before this line's first "|" continues the open piece.
    const [head, ...rest] = parts;
    if (rest.length === 0) {
      // A line without "|": part of the open cell.
      if (piece.trim() === '') pieceLine = line;
      piece = piece.trim() === '' ? (head ?? '') : `${piece}\n${head ?? ''}`;
      previousClosed = false;
      continue;
    }
    const opening = (head ?? '').trim() === '';
    // "…|" then "| …" on the next line: the line break between two closed rows is no cell.
    if (!(opening && previousClosed && piece.trim() === '')) {
      const open = piece.trim() !== '';
      const joined = open ? `${piece}\n${head ?? ''}` : (head ?? '');
      // The cell is on the line where its text starts, not where the previous "|" was.
      cells.push(makeCell(joinLines(joined), open ? pieceLine || line : line));
    }
    for (let i = 0; i < rest.length - 1; i++) cells.push(makeCell(rest[i] ?? '', line));
    piece = rest[rest.length - 1] ?? '';
    pieceLine = line;
    previousClosed = closedRow(text);
  }
  if (piece.trim() !== '') cells.push(makeCell(joinLines(piece), pieceLine));
  // The region opens with "|": the empty piece before it is no cell.
  if (cells[0]?.kind === 'blank' && PIPE.test((lines.find((l) => !isEmpty(l.raw))?.raw ?? '').trimStart().slice(0, 1))) cells.shift();
  return cells;
}

/** Lines of one cell joined: Chinese text without a space ("本年新" + "制作数量"), others with one. */
function joinLines(s: string): string {
  const parts = s.split('\n').map((p) => p.trim()).filter((p) => p !== '');
  let out = '';
  for (const p of parts) {
    if (out !== '' && /[\x21-\x7e]$/.test(out) && /^[\x21-\x7e]/.test(p)) out += ' ';
    out += p;
  }
  return out;
}

const isNumberish = (c: Cell): boolean => c.kind === 'number' || c.kind === 'na' || c.kind === 'bad' || c.kind === 'run';

function lineCells(lines: RegionLine[]): Cell[] {
  // Content lines (a line of spaces is an empty cell as printed) and the line breaks before each.
  const content: { raw: string; line: number; gap: number }[] = [];
  let gap = 1;
  let seen = false;
  for (const l of lines) {
    const text = l.raw.replace(/\f/g, '');
    if (l.pageBreak) {
      gap = Number.NaN;
      continue;
    }
    if (text === '') {
      if (seen) gap++;
      continue;
    }
    if (text.trim() !== '' && lineShape(text, l.line).mode === 'skip') continue;
    content.push({ raw: text, line: l.line, gap: seen ? gap : 1 });
    gap = 1;
    seen = true;
  }
  const gaps = new Map<number, number>();
  for (const c of content.slice(1)) if (!Number.isNaN(c.gap)) gaps.set(c.gap, (gaps.get(c.gap) ?? 0) + 1);
  let g = 1;
  let best = 0;
  for (const [k, n] of gaps) if (n > best || (n === best && k < g)) [g, best] = [k, n];
  g = Math.min(g, 2);
  const cells: Cell[] = [];
  for (const c of content) {
    const prev = cells[cells.length - 1];
    if (Number.isNaN(c.gap)) c.gap = g;
    else if (prev && g === 2 && c.gap === 1) {
      // One line break where cells are a blank line apart: the same cell goes on, unless a
      // figure is involved ("0" / "0" are two cells printed too close).
      const here = makeCell(c.raw, c.line);
      if (prev.kind === 'text' && here.kind === 'text') {
        cells[cells.length - 1] = makeCell(joinLines(`${prev.raw}\n${c.raw}`), prev.line);
        continue;
      }
    }
    if (prev) for (let e = 0; e < c.gap - g; e++) cells.push(makeCell('', c.line));
    const shape = lineShape(c.raw, c.line);
    if (shape.mode === 'row') cells.push(...shape.cells);
    else cells.push(makeCell(c.raw, c.line));
  }
  return cells;
}

/** The rows of a table region. */
export function regionRows(lines: RegionLine[]): Row[] {
  const mode = modeOf(lines);
  if (mode === 'tabs') {
    return groupRows(lines.filter((l) => !isEmpty(l.raw)).map((l) => {
      const shape = lineShape(l.raw, l.line);
      return { shape: shape.mode === 'skip' ? shape : { ...shape, cells: unglueAll(shape.cells) }, line: l.line };
    }));
  }
  const cells = unglueAll(mode === 'pipes' ? pipeCells(lines) : lineCells(lines));
  return groupRows([{ shape: { mode: 'cell', cells }, line: cells[0]?.line ?? lines[0]?.line ?? 0 }]);
}

export { isNumberish, nfkc };
