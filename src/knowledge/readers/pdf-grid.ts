// Tables of a PDF page rebuilt from the borders drawn around their cells. A text piece belongs
// to the cell enclosed by the nearest ruling lines around it; a merged cell is simply a bigger
// enclosure, so rowspan and colspan come out of the grid itself. Each table is then written as
// the HTML reader writes one: a row per line, cells separated by tabs, a cell spanning columns
// once, a cell spanning rows at its first row (empty below).

export interface Piece {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

/** A ruling line: horizontal (y, from x0 to x1) or vertical (x, from y0 to y1), page coordinates. */
export interface Rule {
  at: number;
  from: number;
  to: number;
}

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

export interface Ops {
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  painting: Set<number>;
  /** The painting operators that stroke (their path's lines are the rules themselves). */
  strokes: Set<number>;
}

interface Edge {
  at: number;
  from: number;
  to: number;
}

/** Axis-aligned edges of a path (pdf.js path data: 0 moveTo, 1 lineTo, 2 curveTo, 3 quadratic, 4 close). */
function edgesOf(data: ArrayLike<number>, ctm: Matrix, h: Edge[], v: Edge[]): void {
  let px = 0;
  let py = 0;
  let sx = 0;
  let sy = 0;
  const edge = (x0: number, y0: number, x1: number, y1: number): void => {
    const [ax, ay] = apply(ctm, x0, y0);
    const [bx, by] = apply(ctm, x1, y1);
    if (Math.abs(ay - by) < 0.01 && Math.abs(ax - bx) > 4) h.push({ at: ay, from: Math.min(ax, bx), to: Math.max(ax, bx) });
    else if (Math.abs(ax - bx) < 0.01 && Math.abs(ay - by) > 4) v.push({ at: ax, from: Math.min(ay, by), to: Math.max(ay, by) });
  };
  for (let i = 0; i < data.length; ) {
    const op = data[i];
    if (op === 0) {
      px = sx = data[i + 1] as number;
      py = sy = data[i + 2] as number;
      i += 3;
    } else if (op === 1) {
      const x = data[i + 1] as number;
      const y = data[i + 2] as number;
      edge(px, py, x, y);
      px = x;
      py = y;
      i += 3;
    } else if (op === 2) {
      px = data[i + 5] as number;
      py = data[i + 6] as number;
      i += 7;
    } else if (op === 3) {
      px = data[i + 3] as number;
      py = data[i + 4] as number;
      i += 5;
    } else if (op === 4) {
      edge(px, py, sx, sy);
      px = sx;
      py = sy;
      i += 1;
    } else {
      return;
    }
  }
}

/** Two parallel edges at most a border's width apart: the sides of one thin bar, i.e. a rule. */
function pairUp(edges: Edge[]): Rule[] {
  const rules: Rule[] = [];
  const sorted = [...edges].sort((a, b) => a.at - b.at);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Edge;
    for (let j = i + 1; j < sorted.length && (sorted[j] as Edge).at - a.at <= 2.5; j++) {
      const b = sorted[j] as Edge;
      const from = Math.max(a.from, b.from);
      const to = Math.min(a.to, b.to);
      if (to - from > 2) rules.push({ at: (a.at + b.at) / 2, from, to });
    }
  }
  return rules;
}

/**
 * The borders of table cells in an operator list: thin filled bars (as Chromium and Word draw
 * them, sometimes several joined into one polygon) and stroked lines.
 */
export function rulesOf(fnArray: number[], argsArray: unknown[], ops: Ops): { h: Rule[]; v: Rule[] } {
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  const fillH: Edge[] = [];
  const fillV: Edge[] = [];
  const h: Rule[] = [];
  const v: Rule[] = [];
  fnArray.forEach((fn, i) => {
    const args = argsArray[i] as unknown[];
    if (fn === ops.save) stack.push(ctm);
    else if (fn === ops.restore) ctm = stack.pop() ?? ctm;
    else if (fn === ops.transform) ctm = multiply(args as Matrix, ctm);
    else if (fn === ops.constructPath && ops.painting.has(args?.[0] as number)) {
      const data = (args[1] as ArrayLike<number>[] | undefined)?.[0];
      if (!data) return;
      if (ops.strokes.has(args[0] as number)) edgesOf(data, ctm, h, v);
      else edgesOf(data, ctm, fillH, fillV);
    }
  });
  return { h: [...h, ...pairUp(fillH)], v: [...v, ...pairUp(fillV)] };
}

const TOL = 1.5;
const near = (a: number, b: number): boolean => Math.abs(a - b) < TOL;

/** Distinct coordinates, merged when closer than a border's width. */
function distinct(values: number[]): number[] {
  const out: number[] = [];
  for (const x of [...values].sort((a, b) => a - b)) if (!out.some((o) => near(o, x))) out.push(x);
  return out;
}

class Sets {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    while (this.parent[i] !== r) {
      const next = this.parent[i] as number;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  join(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

/** Rules that touch or cross each other form one table. */
function tablesOfRules(rules: { h: Rule[]; v: Rule[] }): Array<{ h: Rule[]; v: Rule[] }> {
  const all = [...rules.h.map((r) => ({ r, horizontal: true })), ...rules.v.map((r) => ({ r, horizontal: false }))];
  const sets = new Sets(all.length);
  all.forEach((a, i) => {
    all.forEach((b, j) => {
      if (j <= i) return;
      // Crossing or meeting at a corner, or one line drawn in pieces (a border per cell).
      const touches = a.horizontal !== b.horizontal
        ? b.r.at >= a.r.from - TOL && b.r.at <= a.r.to + TOL && a.r.at >= b.r.from - TOL && a.r.at <= b.r.to + TOL
        : near(a.r.at, b.r.at) && a.r.from <= b.r.to + TOL && b.r.from <= a.r.to + TOL;
      if (touches) sets.join(i, j);
    });
  });
  const groups = new Map<number, { h: Rule[]; v: Rule[] }>();
  all.forEach((a, i) => {
    const g = groups.get(sets.find(i)) ?? { h: [], v: [] };
    (a.horizontal ? g.h : g.v).push(a.r);
    groups.set(sets.find(i), g);
  });
  return [...groups.values()].filter((g) => g.h.length >= 2 && g.v.length >= 2);
}

const covers = (rules: Rule[], at: number, along: number): boolean =>
  rules.some((r) => near(r.at, at) && along >= r.from - TOL && along <= r.to + TOL);

function cellText(pieces: Piece[]): string {
  const lines: Piece[][] = [];
  for (const p of [...pieces].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines[lines.length - 1];
    if (line && Math.abs((line[0] as Piece).y - p.y) <= p.size * 0.35) line.push(p);
    else lines.push([p]);
  }
  let out = '';
  for (const line of lines) {
    const text = line.sort((a, b) => a.x - b.x).map((p) => p.str).join('').trim();
    if (out !== '' && /[\x21-\x7e]$/.test(out) && /^[\x21-\x7e]/.test(text)) out += ' ';
    out += text;
  }
  return out.replace(/\t/g, ' ');
}

export interface PageBlock {
  /** Top of the block (page coordinates, larger is higher), to order blocks down the page. */
  top: number;
  lines: string[];
}

/**
 * Splits a page's text into tables and the pieces outside them. A table is the lattice of its
 * ruling lines; two neighbouring lattice cells with no rule between them are one merged cell.
 * An outer border the PDF leaves out does not matter: there is no cell beyond it.
 */
export function tablesOf(pieces: Piece[], rules: { h: Rule[]; v: Rule[] }): { tables: PageBlock[]; loose: Piece[] } {
  let loose = pieces;
  const tables: PageBlock[] = [];
  for (const grid of tablesOfRules(rules)) {
    // The outer edges also where a border is not drawn: a table cut by a page break has its
    // first row open at the top (its border was drawn at the foot of the previous page).
    const xs = distinct([...grid.v.map((r) => r.at), Math.min(...grid.h.map((r) => r.from)), Math.max(...grid.h.map((r) => r.to))]);
    const ys = distinct([...grid.h.map((r) => r.at), Math.min(...grid.v.map((r) => r.from)), Math.max(...grid.v.map((r) => r.to))]).sort((a, b) => b - a);
    const cols = xs.length - 1;
    const rows = ys.length - 1;
    if (cols < 1 || rows < 1) continue;
    const sets = new Sets(rows * cols);
    const id = (r: number, c: number): number => r * cols + c;
    for (let r = 0; r < rows; r++) {
      const midY = ((ys[r] as number) + (ys[r + 1] as number)) / 2;
      for (let c = 0; c < cols; c++) {
        const midX = ((xs[c] as number) + (xs[c + 1] as number)) / 2;
        if (c + 1 < cols && !covers(grid.v, xs[c + 1] as number, midY)) sets.join(id(r, c), id(r, c + 1));
        if (r + 1 < rows && !covers(grid.h, ys[r + 1] as number, midX)) sets.join(id(r, c), id(r + 1, c));
      }
    }
    const inside: Piece[] = [];
    const byCell = new Map<number, Piece[]>();
    const rest: Piece[] = [];
    for (const p of loose) {
      const cx = p.x + Math.min(p.width, p.size * Math.max(1, p.str.length)) / 2;
      const cy = p.y + p.size * 0.3;
      const c = xs.findIndex((x, i) => i < cols && cx >= x && cx < (xs[i + 1] as number));
      const r = ys.findIndex((y, i) => i < rows && cy <= y && cy > (ys[i + 1] as number));
      if (c < 0 || r < 0) {
        rest.push(p);
        continue;
      }
      inside.push(p);
      const root = sets.find(id(r, c));
      byCell.set(root, [...(byCell.get(root) ?? []), p]);
    }
    loose = rest;
    // Each merged cell: its top-left lattice cell and its span.
    const span = new Map<number, { r0: number; c0: number; r1: number; c1: number }>();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const root = sets.find(id(r, c));
        const s0 = span.get(root);
        if (!s0) span.set(root, { r0: r, c0: c, r1: r, c1: c });
        else span.set(root, { r0: Math.min(s0.r0, r), c0: Math.min(s0.c0, c), r1: Math.max(s0.r1, r), c1: Math.max(s0.c1, c) });
      }
    }
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      const out: string[] = [];
      for (let c = 0; c < cols; ) {
        const root = sets.find(id(r, c));
        const sp = span.get(root) as { r0: number; c0: number; r1: number; c1: number };
        if (sp.r0 === r) out.push(cellText(byCell.get(root) ?? []));
        // Covered by a cell from a row above: empty here, as a copy from the browser shows it.
        else out.push('');
        c = sp.r0 === r ? sp.c1 + 1 : c + 1;
      }
      if (out.some((t) => t !== '')) lines.push(out.join('\t'));
    }
    if (inside.length > 0) tables.push({ top: ys[0] as number, lines });
  }
  return { tables, loose };
}

