/**
 * Columns that give the answer away, found on the training rows before any training: for a
 * numeric target, a column or the sum/difference of two that follows it almost exactly (R² of a
 * straight line); for classes, one column whose values alone (or its deciles) name the class
 * almost always while guessing the commonest class does not. They are left out by default, with
 * the reason; `include` brings one back when it truly is known before the outcome.
 */
import { numericLeaks } from '../quality/numeric-leakage.js';
import { THRESHOLDS as T } from '../quality/thresholds.js';
import { isMissing, parseNumber } from './values.js';

/** A column the trainer leaves out because it leaks the target, and why. */
export interface LeakExclusion {
  column: string;
  reason: string;
}

/** Reason texts start with this, so screens and the verdict can tell a leak from other exclusions. */
export const LEAK_REASON = 'gives the answer away';

/**
 * `columns` are candidate features with their training-row values; `targetValues` the raw target
 * cells of the same rows. `task` decides which check runs.
 */
export function findLeaks(task: 'binary' | 'multiclass' | 'regression', target: string, targetValues: string[], columns: { name: string; numeric: boolean; values: string[] }[]): LeakExclusion[] {
  if (targetValues.length < 50) return [];
  const num = (v: string): number | null => (isMissing(v) ? null : parseNumber(v));
  if (task === 'regression') {
    const y = targetValues.map(num);
    const features = columns.filter((c) => c.numeric).map((c) => ({ name: c.name, values: c.values.map(num) }));
    return numericLeaks(y, features).flatMap((leak) =>
      leak.columns.map((column) => ({
        column,
        reason: `${LEAK_REASON}: ${leak.columns.length === 1 ? 'on its own it' : `${leak.formula}`} predicts "${target}" almost exactly (R² ${leak.r2.toFixed(4)} on the training rows)`,
      })),
    );
  }
  const counts = new Map<string, number>();
  for (const v of targetValues) counts.set(v, (counts.get(v) ?? 0) + 1);
  const baseline = Math.max(...counts.values()) / targetValues.length;
  if (baseline >= T.leakageBaseline) return [];
  const out: LeakExclusion[] = [];
  for (const c of columns) {
    const keys = c.numeric ? deciles(c.values.map(num)) : c.values.map((v) => (isMissing(v) ? '(missing)' : v.trim()));
    if (!c.numeric && new Set(keys).size > targetValues.length / 2) continue; // an identifier-like column: each value its own bin
    const table = new Map<string, Map<string, number>>();
    keys.forEach((k, i) => {
      let row = table.get(k);
      if (!row) table.set(k, (row = new Map()));
      row.set(targetValues[i]!, (row.get(targetValues[i]!) ?? 0) + 1);
    });
    let correct = 0;
    for (const row of table.values()) correct += Math.max(...row.values());
    const accuracy = correct / targetValues.length;
    if (accuracy >= T.leakageAccuracy) {
      out.push({ column: c.name, reason: `${LEAK_REASON}: on its own it names "${target}" right in ${(accuracy * 100).toFixed(1)} % of the training rows (guessing the commonest class: ${(baseline * 100).toFixed(1)} %)` });
    }
  }
  return out;
}

function deciles(xs: (number | null)[]): string[] {
  const sorted = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  const cuts = Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / 10)] ?? 0);
  return xs.map((x) => {
    if (x === null) return 'missing';
    let b = 0;
    while (b < cuts.length && x >= cuts[b]!) b++;
    return String(b);
  });
}
