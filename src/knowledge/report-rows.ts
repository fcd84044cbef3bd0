// Table rows of an annual report: rebuilding rows from the text layout, joining header cells
// broken across lines, and fitting a row's cells to the header's columns without guessing.
import { ARTICLE, ROW_MARKER, TABLE_NOTE, canonLabel, type Cell, type LineShape } from './report-text.ts';
import { isHeaderWord, labelKey } from './report-labels.ts';

/** A table row: from a line with separators (explicit) or rebuilt from one-cell-per-line text. */
export interface Row {
  cells: Cell[];
  explicit: boolean;
  line: number;
}

export const squashCell = (c: Cell): string => canonLabel(c.text);
/** A cell's label for matching: canonical and in simplified characters. */
export const keyCell = (c: Cell): string => labelKey(c.text);

/** Cells that begin a new row even before any figure has been seen. */
function startsRow(c: Cell): boolean {
  if (c.kind !== 'text') return false;
  const s = keyCell(c);
  return ROW_MARKER.test(s) || ARTICLE.test(s) || TABLE_NOTE.test(s) || s === '信息内容';
}

/** The header cells that open a table rather than label a row. */
function startsTable(c: Cell): boolean {
  const s = keyCell(c);
  return ARTICLE.test(s) || TABLE_NOTE.test(s) || s === '信息内容';
}

function trimEnd(cells: Cell[]): Cell[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1]?.kind === 'blank') end--;
  return cells.slice(0, end);
}

/** Rebuild rows: explicit lines stay rows; loose cells join the row until a new label starts one. */
export function groupRows(lines: { shape: LineShape; line: number }[]): Row[] {
  const rows: Row[] = [];
  let loose: Row | null = null;
  let seenFigure = false;
  const flush = (): void => {
    if (loose && loose.cells.length > 0) rows.push(loose);
    loose = null;
  };
  for (const { shape, line } of lines) {
    if (shape.mode === 'skip') continue;
    if (shape.mode === 'row') {
      flush();
      const prev = rows[rows.length - 1];
      const figuresOnly = shape.cells.every((c) => c.kind !== 'text');
      // "行政许可" on one line, "114	0	114" on the next: the figures belong to the label above.
      const prevTexts = prev?.cells.filter((c) => c.kind === 'text') ?? [];
      if (figuresOnly && prev && prevTexts.length === 1 && prev.cells.every((c) => c.kind === 'text' || c.kind === 'blank')
        && !startsTable(prevTexts[0] as Cell) && !isHeaderWord(keyCell(prevTexts[0] as Cell))) {
        prev.cells = [...trimEnd(prev.cells), ...shape.cells];
        continue;
      }
      rows.push({ cells: shape.cells, explicit: true, line });
      continue;
    }
    for (const cell of shape.cells) {
      const current: Row | null = loose;
      if (current && cell.kind === 'text') {
        // Empty cells end a row only once figures have been seen: in the header they are
        // filler of merged cells ("第二十条第（一）项 | |||").
        const hasValues = current.cells.some((c) => c.kind !== 'text' && (c.kind !== 'blank' || seenFigure));
        if (hasValues || startsRow(cell)) flush();
      }
      if (cell.kind === 'number' || cell.kind === 'bad' || cell.kind === 'run') seenFigure = true;
      if (!loose) loose = { cells: [], explicit: false, line: cell.line || line };
      (loose as Row).cells.push(cell);
    }
  }
  flush();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Header cells broken across lines ("本年新" + "制作数量", "结果维" + "持") are joined where the
// join is a column of the national formats; the words only decide joins, never which columns
// exist. A header that cannot be joined into the expected number of columns is left as it is:
// the table's reader then records no figure under it rather than a guessed label.
export function mergeFragments(frags: string[], _target: number | null): string[] {
  const out: string[] = [];
  for (let i = 0; i < frags.length; ) {
    let taken = 1;
    for (let j = Math.min(frags.length, i + 6); j > i + 1; j--) {
      if (isHeaderWord(frags.slice(i, j).join(''))) {
        taken = j - i;
        break;
      }
    }
    out.push(frags.slice(i, i + taken).join(''));
    i += taken;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fitting a row's cells to the header's columns.

function cellKey(c: Cell | null, blankIsZero: boolean): string {
  if (!c || c.kind === 'blank') return blankIsZero ? 'n:0:' : 'blank';
  if (c.kind === 'number' && c.num) return `n:${c.num.value}:${c.num.unit ?? ''}`;
  return `${c.kind}:${c.text}`;
}

/**
 * Which cell belongs to each of k columns when a row has n cells. n = k: one to one. n > k:
 * n−k cells are surplus; text exports add empty cells, not numbers, so when the row has at least
 * n−k empty cells only empty cells are taken as surplus, otherwise any cell may be. n < k (only
 * when `anchored`): cells were lost from the interior, so the first cell is the first column,
 * the last cell the last column and lost cells were empty. A column is returned only when every
 * way of placing the cells gives it the same reading; otherwise undefined (not guessed).
 * null stands for an empty cell that was lost.
 */
export function fitCells(values: Cell[], k: number, blankIsZero: boolean, anchored: boolean): (Cell | null | undefined)[] {
  const n = values.length;
  const out: (Cell | null | undefined)[] = new Array<Cell | null | undefined>(k).fill(undefined);
  if (n === 0 || k === 0) return out;
  const agree = (cands: (Cell | null)[]): Cell | null | undefined => {
    const keys = new Set(cands.map((c) => cellKey(c, blankIsZero)));
    if (keys.size !== 1) return undefined;
    return cands.find((c) => c && c.kind !== 'blank') ?? cands.find((c) => c) ?? null;
  };
  if (n === k) return values.slice();
  if (n > k) {
    const d = n - k;
    const blanks = values.filter((c) => c.kind === 'blank').length;
    if (blanks < d) {
      for (let j = 0; j < k; j++) out[j] = agree(values.slice(j, j + d + 1));
      return out;
    }
    // Cell i, kept, lands in column i − (empty cells dropped before it); the drops before it are
    // at most the empty cells before it, and the rest must fit among the empty cells after it.
    const cands: Cell[][] = Array.from({ length: k }, () => []);
    let before = 0;
    for (let i = 0; i < n; i++) {
      const cell = values[i] as Cell;
      const after = blanks - before - (cell.kind === 'blank' ? 1 : 0);
      // Only placements inside the k columns matter: at most k of them per cell.
      const lo = Math.max(0, d - after, i - k + 1);
      const hi = Math.min(d, before, i);
      for (let dropped = lo; dropped <= hi; dropped++) {
        cands[i - dropped]?.push(cell);
      }
      if (cell.kind === 'blank') before++;
    }
    for (let j = 0; j < k; j++) out[j] = agree(cands[j] ?? []);
    return out;
  }
  if (!anchored) return out;
  if (n === 1) {
    out[k - 1] = values[0];
    return out;
  }
  const m = k - n;
  out[0] = values[0];
  out[k - 1] = values[n - 1];
  for (let j = 1; j < k - 1; j++) {
    const cands: (Cell | null)[] = [null];
    for (let i = Math.max(1, j - m); i <= Math.min(n - 2, j); i++) cands.push(values[i] ?? null);
    out[j] = agree(cands);
  }
  return out;
}
