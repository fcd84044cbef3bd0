// Table rows of an annual report: rebuilding rows from the text layout, joining header cells
// broken across lines, and fitting a row's cells to the header's columns without guessing.
import { ARTICLE, ROW_MARKER, TABLE_NOTE, canonLabel, type Cell, type LineShape } from './report-text.ts';

/** A table row: from a line with separators (explicit) or rebuilt from one-cell-per-line text. */
export interface Row {
  cells: Cell[];
  explicit: boolean;
  line: number;
}

export const squashCell = (c: Cell): string => canonLabel(c.text);

/** Cells that begin a new row even before any figure has been seen. */
function startsRow(c: Cell): boolean {
  if (c.kind !== 'text') return false;
  const s = squashCell(c);
  return ROW_MARKER.test(s) || ARTICLE.test(s) || TABLE_NOTE.test(s) || s === '信息内容';
}

/** Rebuild rows: explicit lines stay rows; loose cells join the row until a new label starts one. */
export function groupRows(lines: { shape: LineShape; line: number }[]): Row[] {
  const rows: Row[] = [];
  let loose: Row | null = null;
  const flush = (): void => {
    if (loose && loose.cells.length > 0) rows.push(loose);
    loose = null;
  };
  for (const { shape, line } of lines) {
    if (shape.mode === 'skip') continue;
    if (shape.mode === 'row') {
      flush();
      rows.push({ cells: shape.cells, explicit: true, line });
      continue;
    }
    for (const cell of shape.cells) {
      const current: Row | null = loose;
      if (current && cell.kind === 'text') {
        const hasValues = current.cells.some((c) => c.kind !== 'text');
        if (hasValues || startsRow(cell)) flush();
      }
      if (!loose) loose = { cells: [], explicit: false, line };
      (loose as Row).cells.push(cell);
    }
  }
  flush();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Header cells broken across lines ("本年新" + "制作数量") are joined where the join is a column
// of the national formats; the words below only decide joins, never which columns exist.
const KNOWN_COLUMNS = new Set([
  '本年新制作数量', '本年新公开数量', '对外公开总数量', '上一年项目数量', '本年增/减', '处理决定数量',
  '采购项目数量', '采购总金额', '本年制发件数', '本年废止件数', '现行有效件数', '本年处理决定数量',
  '本年收费金额（单位：万元）', '自然人', '商业企业', '科研机构', '社会组织', '社会公益组织',
  '法律服务机构', '其他', '总计', '结果维持', '结果纠正', '其他结果', '尚未审结',
  '未经复议直接起诉', '复议后起诉', '行政复议', '行政诉讼', '申请人情况', '法人或其他组织', '信息内容',
]);

export function mergeFragments(frags: string[], target: number | null): string[] {
  const out: string[] = [];
  for (let i = 0; i < frags.length; ) {
    let taken = 1;
    for (let j = Math.min(frags.length, i + 4); j > i + 1; j--) {
      if (KNOWN_COLUMNS.has(frags.slice(i, j).join(''))) {
        taken = j - i;
        break;
      }
    }
    out.push(frags.slice(i, i + taken).join(''));
    i += taken;
  }
  // Still too many: join the shortest unknown neighbours (a cell broken where no word is known).
  while (target !== null && target > 0 && out.length > target && out.length <= 200) {
    let best = -1;
    for (let i = 0; i + 1 < out.length; i++) {
      const a = out[i] ?? '';
      const b = out[i + 1] ?? '';
      if (KNOWN_COLUMNS.has(a) && KNOWN_COLUMNS.has(b)) continue;
      if (best < 0 || a.length + b.length < (out[best] ?? '').length + (out[best + 1] ?? '').length) best = i;
    }
    if (best < 0) break;
    out.splice(best, 2, (out[best] ?? '') + (out[best + 1] ?? ''));
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
