// Cells printed with no separator between them. Some pages run a row's cells together: a
// section 三 row of seven zeros as "0000000", a row label and its figures as "规章000". A number
// never starts with 0 (a lone "0" excepted), so a run of digits can often be split into a given
// number of cells in exactly one way: "0000000" into 7 is seven 0s; "1000" into 4 is 1,0,0,0 and
// into 2 is 100,0 (10,00 and 1,000 would start with 0); "555" into 3 is 5,5,5. When a run splits
// more than one way ("1000" into 3 is only 10,0,0, but "1234" into 2 is 1,234 or 12,34 or
// 123,4), the columns every reading agrees on are read and the report's own sums may decide the
// rest; nothing is guessed.
import type { Cell } from './report-text.ts';
import { knownRowLabel } from './report-labels.ts';

/** Steps a row's splitting may take: past them the row is undecided, never guessed. */
export interface Budget {
  left: number;
  exhausted?: boolean;
}

/** Every way to cut `digits` into `parts` numbers without a leading 0, at most `limit` of them. */
export function splitDigits(digits: string, parts: number, limit = 64, budget: Budget = { left: 100_000 }): string[][] {
  const out: string[][] = [];
  const n = digits.length;
  if (parts < 1 || parts > n || !/^\d+$/.test(digits)) return out;
  const pieces: string[] = [];
  const walk = (from: number, left: number): void => {
    if (out.length >= limit || budget.left <= 0) return;
    if (--budget.left <= 0) {
      budget.exhausted = true;
      return;
    }
    if (left === 1) {
      const last = digits.slice(from);
      if (last.length === 1 || last[0] !== '0') out.push([...pieces, last]);
      return;
    }
    // A piece starting with 0 is the single digit 0.
    const longest = digits[from] === '0' ? 1 : n - from - (left - 1);
    for (let len = 1; len <= longest; len++) {
      pieces.push(digits.slice(from, from + len));
      walk(from + len, left - 1);
      pieces.pop();
    }
  };
  walk(0, parts);
  return out;
}

function numberCell(text: string, like: Cell): Cell {
  return { text, raw: text, line: like.line, kind: 'number', num: { value: Number(text), unit: null, approximate: false } };
}

/**
 * The readings of a row's cells as exactly k cells, each run cut into one or more numbers.
 * Without runs the row is its only reading; an empty list when no cut gives k cells; null when
 * there are too many ways to list them all (the row is then undecided: a partial list could
 * make columns seem to agree).
 */
export function runReadings(values: Cell[], k: number, limit = 64): Cell[][] | null {
  const runs = values.flatMap((c, i) => (c.kind === 'run' ? [i] : []));
  if (runs.length === 0) return values.length === k ? [values] : [];
  const need = k - (values.length - runs.length);
  if (need < runs.length || need > runs.reduce((a, i) => a + (values[i] as Cell).text.length, 0)) return [];
  const budget: Budget = { left: 20_000 };
  const out = new Map<string, Cell[]>();
  // How many cells each run holds: a composition of `need` into runs.length parts.
  const counts: number[] = [];
  const choose = (r: number, left: number): void => {
    if (out.size >= limit || budget.left <= 0) return;
    if (--budget.left <= 0) {
      budget.exhausted = true;
      return;
    }
    if (r === runs.length - 1) {
      if (left > (values[runs[r] as number] as Cell).text.length) return;
      counts.push(left);
      expand(0, values.slice());
      counts.pop();
      return;
    }
    const max = Math.min(left - (runs.length - r - 1), (values[runs[r] as number] as Cell).text.length);
    for (let c = 1; c <= max; c++) {
      counts.push(c);
      choose(r + 1, left - c);
      counts.pop();
    }
  };
  const expand = (r: number, cells: (Cell | Cell[])[]): void => {
    if (out.size >= limit || budget.left <= 0) return;
    if (r === runs.length) {
      const flat = cells.flat();
      const key = flat.map((c) => (c.kind === 'number' && c.num ? String(c.num.value) : `${c.kind}:${c.text}`)).join(',');
      if (!out.has(key)) out.set(key, flat);
      return;
    }
    const at = runs[r] as number;
    const run = values[at] as Cell;
    const cuts = splitDigits(run.text, counts[r] ?? 0, limit, budget);
    // A list cut short proves nothing: neither that one reading is the only one, nor that all agree.
    if (cuts.length >= limit) budget.exhausted = true;
    for (const cut of cuts) {
      const next = cells.slice();
      next[at] = cut.map((d) => numberCell(d, run));
      expand(r + 1, next);
    }
  };
  choose(0, need);
  if (budget.exhausted || out.size >= limit) return null;
  return [...out.values()];
}

/** The one reading all the readings give a column, or undefined. */
export function agreeing(cells: (Cell | undefined)[]): Cell | undefined {
  const key = (c: Cell | undefined): string => (c === undefined ? '?' : c.kind === 'number' && c.num ? `n${c.num.value}` : c.kind === 'blank' ? 'n0' : `${c.kind}:${c.text}`);
  const first = cells[0];
  return first !== undefined && cells.every((c) => key(c) === key(first)) ? first : undefined;
}

/**
 * A row label with its figures run on ("规章000", "（七）总计0000000"): the label and a run
 * cell. Only a known row label (or a numbered section 三 row) is split, so a label that ends in
 * digits of its own is left alone.
 */
export function unglue(cell: Cell): Cell[] {
  if (cell.kind !== 'text') return [cell];
  // White space is a separator: "规章 5 5" is three cells, not a run (report-stream.ts).
  const m = /^(\S*[\u3400-\u9fff”」）)])(\d{1,64})$/.exec(cell.text);
  if (!m) return [cell];
  const label = m[1] ?? '';
  if (!knownRowLabel(label)) return [cell];
  const digits = m[2] ?? '';
  const rawLabel = cell.raw.replace(/[\s\d０-９]+$/, '');
  return [
    { text: label, raw: rawLabel || label, line: cell.line, kind: 'text' },
    { text: digits, raw: digits, line: cell.line, kind: 'run' },
  ];
}

/** Every cell with row labels and their run-on figures taken apart. */
export function unglueAll(cells: Cell[]): Cell[] {
  return cells.some((c) => c.kind === 'text' && /\d$/.test(c.text)) ? cells.flatMap(unglue) : cells;
}
