/**
 * Leakage for a numeric target: a feature, or the sum or difference of two, that predicts the
 * target almost exactly with a straight line (bike sharing's `cnt = casual + registered`). A
 * model trained with such columns scores R² ≈ 1 on the test rows and is useless in use, where
 * those columns are only known after the fact. Pure and shared by the quality scorer (on its
 * row sample) and the trainer (on its training split).
 */
import { pearson, type SampleTable } from './relations.js';
import { THRESHOLDS as T } from './thresholds.js';

/** One leak: the columns, how they are combined, and the R² of a straight-line fit to the target. */
export interface NumericLeak {
  columns: string[];
  /** `"casual"`, `"casual" + "registered"` or `"a" − "b"`. */
  formula: string;
  r2: number;
}

/** Pairs are searched among at most this many numeric columns (the most correlated first): 40 → 780 pairs. */
const MAX_PAIR_COLUMNS = 40;
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Leaks among `features` for target values `y` (null: missing); strongest first. */
export function numericLeaks(y: (number | null)[], features: { name: string; values: (number | null)[] }[], limits = { single: T.leakageR2, pair: T.leakagePairR2 }): NumericLeak[] {
  const out: NumericLeak[] = [];
  const scored = features.map((f) => ({ ...f, r2: (pearson(f.values, y) ?? 0) ** 2 }));
  const leaking = new Set<string>();
  for (const f of scored) {
    if (f.r2 >= limits.single) {
      out.push({ columns: [f.name], formula: `"${f.name}"`, r2: round(f.r2) });
      leaking.add(f.name);
    }
  }
  const candidates = scored.filter((f) => !leaking.has(f.name)).sort((a, b) => b.r2 - a.r2).slice(0, MAX_PAIR_COLUMNS);
  const combined: (number | null)[] = new Array<number | null>(y.length);
  const used = new Set<string>();
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i]!;
      const b = candidates[j]!;
      if (used.has(a.name) || used.has(b.name)) continue;
      for (const sign of [1, -1] as const) {
        for (let r = 0; r < y.length; r++) {
          const x = a.values[r];
          const z = b.values[r];
          combined[r] = x === null || x === undefined || z === null || z === undefined ? null : x + sign * z;
        }
        const r2 = (pearson(combined, y) ?? 0) ** 2;
        if (r2 >= limits.pair) {
          out.push({ columns: [a.name, b.name], formula: `"${a.name}" ${sign > 0 ? '+' : '−'} "${b.name}"`, r2: round(r2) });
          used.add(a.name);
          used.add(b.name);
          break;
        }
      }
    }
  }
  return out.sort((a, b) => b.r2 - a.r2);
}

/** The quality scorer's view: numeric columns of the row sample against the numeric target. */
export function numericLeakage(t: SampleTable, target: number, exclude: Set<number>): NumericLeak[] {
  const toNumber = (v: string): number | null => {
    if (v === '' || t.missing.has(v)) return null;
    const x = Number(v);
    return Number.isFinite(x) ? x : null;
  };
  const y = t.rows.map((r) => toNumber(r[target]!));
  if (y.filter((v) => v !== null).length < 50) return [];
  const features = t.columns
    .map((c, j) => ({ c, j }))
    .filter(({ c, j }) => j !== target && !exclude.has(j) && (c.type === 'integer' || c.type === 'float'))
    .map(({ c, j }) => ({ name: c.name, values: t.rows.map((r) => toNumber(r[j]!)) }));
  return numericLeaks(y, features);
}
