// The report's own sums used to decide where a row's cells belong. A section 三 row with more
// or fewer cells than columns can often be placed several ways; the validator's identities
// (一 + 二 = 三（七）总计 + 四 per column; （七）总计 = the sum of the outcome rows; 总计 = the sum
// of the applicant columns) then tell the placements apart. A placement is taken only when it
// is the one placement that satisfies every identity that can be checked.
import type { Cell } from './report-text.ts';
import type { ReportStat } from './types.ts';

/** Every distinct way to place n cells in k columns: surplus empty cells dropped, lost cells empty. */
export function placements(values: Cell[], k: number, limit = 64): (Cell | null)[][] {
  const n = values.length;
  const out = new Map<string, (Cell | null)[]>();
  const key = (p: (Cell | null)[]): string => p.map((c) => (c === null || c.kind === 'blank' ? '0' : c.kind === 'number' && c.num ? String(c.num.value) : `?${c.text}`)).join(',');
  let tried = 0;
  const choose = (start: number, left: number, picked: number[]): void => {
    if (tried > 5000 || out.size > limit) return;
    if (left === 0) {
      tried++;
      let placed: (Cell | null)[];
      if (n > k) {
        // Only empty cells may be surplus: a printed figure is never dropped.
        if (!picked.every((i) => values[i]?.kind === 'blank')) return;
        placed = values.filter((_, i) => !picked.includes(i));
      } else {
        placed = [];
        let v = 0;
        for (let j = 0; j < k; j++) placed.push(picked.includes(j) ? null : (values[v++] ?? null));
      }
      out.set(key(placed), placed);
      return;
    }
    for (let i = start; i < Math.max(n, k); i++) choose(i + 1, left - 1, [...picked, i]);
  };
  if (n !== k) choose(0, Math.abs(n - k), []);
  // A list cut short could leave one placement that fits the sums while another, not listed,
  // fits too: then no placement is offered at all.
  if (tried > 5000 || out.size > limit) return [];
  return [...out.values()];
}

const value = (c: Cell | null | undefined): number | null =>
  c === undefined ? null : c === null || c.kind === 'blank' ? 0 : c.kind === 'number' && c.num ? c.num.value : null;

/**
 * Which of a row's placements agree with the table's identities, given the figures already
 * recorded for the other rows (stats of section 三). Returns the placements for which every
 * undecided column takes part in at least one identity and every identity holds.
 */
export function consistentPlacements(
  item: string, columns: string[], undecided: number[], candidates: (Cell | null)[][], recorded: ReportStat[],
): (Cell | null)[][] {
  const at = (re: RegExp, column: string): number | null => {
    const s = recorded.find((x) => re.test(x.item) && x.column === column);
    return s ? s.value : null;
  };
  const isTop = (n: string) => new RegExp(`^${n}、`);
  const outcome = /^(?:（[一二三四五六]）|\d{1,2}[.．、])/;
  return candidates.filter((cand) => undecided.every((j) => {
    const column = columns[j] as string;
    const mine = value(cand[j]);
    if (mine === null) return false;
    const get = (re: RegExp): number | null => (re.test(item) ? mine : at(re, column));
    let checked = false;
    // 一 + 二 = （七） + 四
    const a = get(isTop('一'));
    const b = get(isTop('二'));
    const t = get(/^（七）/);
    const d = get(isTop('四'));
    if (a !== null && b !== null && t !== null && d !== null) {
      if (Math.abs(a + b - t - d) > 1e-9) return false;
      checked = true;
    }
    // （七） = the sum of the outcome rows: only when this row is one of them or the total.
    if (t !== null && (outcome.test(item) || /^（七）/.test(item))) {
      const rows = recorded.filter((x) => x.column === column && outcome.test(x.item) && x.item !== item && !isParentRow(x, recorded));
      const parts = rows.reduce((acc, x) => acc + x.value, 0) + (/^（七）/.test(item) ? 0 : mine);
      if (rows.length > 0 && Math.abs(parts - t) > 1e-9) return false;
      if (rows.length > 0) checked = true;
    }
    return checked;
  }));
}

/** A （三） row whose figures are its sub-rows' (recorded rows under it would count twice). */
function isParentRow(s: ReportStat, recorded: ReportStat[]): boolean {
  return /^（[一二三四五六]）/.test(s.item) && recorded.some((x) => x.group === s.item);
}
