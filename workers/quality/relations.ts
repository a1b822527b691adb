/**
 * Relations between columns, computed on the seeded row sample: correlated pairs (Pearson and
 * Spearman for numbers, Cramér's V for categories) and target leakage (one feature that alone
 * predicts the target almost perfectly). Sampling keeps this O(sample × columns²), independent
 * of file size; the report says how many rows it used.
 */
import type { ColumnReport, CorrelationPair } from './report.js';
import { THRESHOLDS as T } from './thresholds.js';
import { maxOf } from '../extent.js';

const MAX_NUMERIC = 50;
const MAX_CATEGORICAL = 50;
const MAX_LEVELS = 50;

/** `rows[i][j]` is the trimmed value of column `columns[j]` in sampled row i. */
export interface SampleTable {
  columns: ColumnReport[];
  rows: string[][];
  missing: Set<string>;
}

export function correlations(t: SampleTable): { pairs: CorrelationPair[]; matrix: { columns: string[]; values: (number | null)[][] } } {
  const pairs: CorrelationPair[] = [];
  const numeric = t.columns
    .map((c, j) => ({ c, j }))
    .filter(({ c }) => c.type === 'integer' || c.type === 'float')
    .slice(0, MAX_NUMERIC);
  const values = numeric.map(({ j }) => numericColumn(t, j));
  const ranks = values.map(rank);
  const matrix: (number | null)[][] = numeric.map(() => numeric.map(() => null));
  for (let a = 0; a < numeric.length; a++) {
    matrix[a]![a] = 1;
    for (let b = a + 1; b < numeric.length; b++) {
      const r = pearsonOf(values[a]!, values[b]!);
      const rho = pearsonOf(ranks[a]!, ranks[b]!);
      matrix[a]![b] = r;
      matrix[b]![a] = r;
      const name = (i: number) => numeric[i]!.c.name;
      if (r !== null && Math.abs(r) > T.correlation) pairs.push({ a: name(a), b: name(b), method: 'pearson', value: r });
      else if (rho !== null && Math.abs(rho) > T.correlation) pairs.push({ a: name(a), b: name(b), method: 'spearman', value: rho });
    }
  }
  const categorical = t.columns
    .map((c, j) => ({ c, j }))
    .filter(({ c }) => (c.type === 'categorical' || c.type === 'boolean') && c.distinct <= MAX_LEVELS && c.distinct > 1)
    .slice(0, MAX_CATEGORICAL);
  for (let a = 0; a < categorical.length; a++) {
    for (let b = a + 1; b < categorical.length; b++) {
      const v = cramersV(t.rows, categorical[a]!.j, categorical[b]!.j, t.missing);
      if (v !== null && v > T.correlation) pairs.push({ a: categorical[a]!.c.name, b: categorical[b]!.c.name, method: 'cramersV', value: v });
    }
  }
  return { pairs, matrix: { columns: numeric.map(({ c }) => c.name), values: matrix.map((row) => row.map((v) => (v === null ? null : round(v)))) } };
}

/** Accuracy of predicting the target from each feature alone (majority per value or per decile bin). */
export function leakage(t: SampleTable, target: number, exclude: Set<number>): { column: string; accuracy: number; baseline: number }[] {
  const labels = t.rows.map((r) => r[target]!);
  const known = labels.map((l) => l !== '' && !t.missing.has(l));
  const n = known.filter(Boolean).length;
  if (n < 50) return [];
  const counts = new Map<string, number>();
  labels.forEach((l, i) => known[i] && counts.set(l, (counts.get(l) ?? 0) + 1));
  if (counts.size < 2 || counts.size > MAX_LEVELS) return [];
  const baseline = Math.max(...counts.values()) / n;
  const out: { column: string; accuracy: number; baseline: number }[] = [];
  t.columns.forEach((c, j) => {
    if (j === target || exclude.has(j)) return;
    let keys: string[];
    if (c.type === 'integer' || c.type === 'float' || (c.type === 'identifier' && c.mean !== null)) {
      keys = decileKeys(t.rows.map((r) => toNumber(r[j]!, t.missing)));
    } else {
      keys = t.rows.map((r) => r[j]!);
      if (new Set(keys).size > n / 2) return; // a free-text or ID column: every value is its own "bin"
    }
    const table = new Map<string, Map<string, number>>();
    for (let i = 0; i < keys.length; i++) {
      if (!known[i]) continue;
      let row = table.get(keys[i]!);
      if (!row) table.set(keys[i]!, (row = new Map()));
      row.set(labels[i]!, (row.get(labels[i]!) ?? 0) + 1);
    }
    let correct = 0;
    for (const row of table.values()) correct += maxOf(row.values());
    out.push({ column: c.name, accuracy: round(correct / n), baseline: round(baseline) });
  });
  return out.sort((a, b) => b.accuracy - a.accuracy);
}

function decileKeys(xs: (number | null)[]): string[] {
  const sorted = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const cuts = Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / 10)] ?? 0);
  return xs.map((x) => {
    if (x === null) return 'missing';
    let b = 0;
    while (b < cuts.length && x >= cuts[b]!) b++;
    return String(b);
  });
}

function toNumber(v: string, missing: Set<string>): number | null {
  if (v === '' || missing.has(v)) return null;
  const x = Number(v);
  return Number.isFinite(x) ? x : null;
}

/** Column j of the sample as numbers, NaN where missing or not a number (typed, so loops over it allocate nothing). */
function numericColumn(t: SampleTable, j: number): Float64Array {
  const out = new Float64Array(t.rows.length);
  for (let i = 0; i < out.length; i++) out[i] = toNumber(t.rows[i]![j]!, t.missing) ?? Number.NaN;
  return out;
}

/**
 * Average ranks (ties share their mean rank); missing (NaN) stays missing. The present values are
 * sorted natively; a value's rank is the middle of its run of equal values in that order.
 */
function rank(xs: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] === xs[i]) n++;
  const sorted = new Float64Array(n);
  n = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] === xs[i]) sorted[n++] = xs[i]!;
  sorted.sort();
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x !== x) {
      out[i] = Number.NaN;
      continue;
    }
    // The run of x: from the first item not below it to the last item not above it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    out[i] = (first + lo - 1) / 2 + 1;
  }
  return out;
}

/** `pearson` over typed columns with NaN for missing: the same sums in the same order. */
function pearsonOf(x: Float64Array, y: Float64Array): number | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a !== a || b !== b) continue;
    n++;
    const dx = a - mx;
    const dy = b - my;
    mx += dx / n;
    my += dy / n;
    sxx += dx * (a - mx);
    syy += dy * (b - my);
    sxy += dx * (b - my);
  }
  if (n < 3 || sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Pearson's r over rows where both are present; null when undefined (constant or < 3 rows). */
export function pearson(x: (number | null)[], y: (number | null)[]): number | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null || a === undefined || b === undefined) continue;
    n++;
    const dx = a - mx;
    const dy = b - my;
    mx += dx / n;
    my += dy / n;
    sxx += dx * (a - mx);
    syy += dy * (b - my);
    sxy += dx * (b - my);
  }
  if (n < 3 || sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Cramér's V (no bias correction) from the contingency table of two categorical columns. */
export function cramersV(rows: string[][], a: number, b: number, missing: Set<string>): number | null {
  const table = new Map<string, Map<string, number>>();
  const colTotals = new Map<string, number>();
  let n = 0;
  for (const r of rows) {
    const x = r[a]!;
    const y = r[b]!;
    if (x === '' || y === '' || missing.has(x) || missing.has(y)) continue;
    n++;
    let row = table.get(x);
    if (!row) table.set(x, (row = new Map()));
    row.set(y, (row.get(y) ?? 0) + 1);
    colTotals.set(y, (colTotals.get(y) ?? 0) + 1);
  }
  const k = Math.min(table.size, colTotals.size);
  if (n === 0 || k < 2) return null;
  let chi2 = 0;
  for (const row of table.values()) {
    let rowTotal = 0;
    for (const c of row.values()) rowTotal += c;
    for (const [y, colTotal] of colTotals) {
      const expected = (rowTotal * colTotal) / n;
      const observed = row.get(y) ?? 0;
      chi2 += (observed - expected) ** 2 / expected;
    }
  }
  return Math.sqrt(chi2 / (n * (k - 1)));
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
