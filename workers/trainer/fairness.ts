/**
 * A first look at fairness of the test predictions, per group of each protected attribute
 * (selection rate, true/false positive rates, accuracy). The full bias scorer lives in
 * workers/quality/; this is what the trainer can say on its own, with no dependency on it.
 */
import { isMissing } from './values.js';
import { maxOf, minOf } from '../extent.js';

export interface GroupFairness {
  group: string;
  count: number;
  /** Classification: accuracy of the group's predictions. */
  accuracy?: number;
  /** Binary: share of the group predicted positive, true positive rate, false positive rate. */
  selectionRate?: number;
  tpr?: number | null;
  fpr?: number | null;
  /** Regression: mean absolute error and mean prediction of the group. */
  mae?: number;
  meanPredicted?: number;
}

export interface AttributeFairness {
  column: string;
  groups: GroupFairness[];
  /** Binary: lowest selection rate / highest (the "four-fifths rule" flags < 0.8). */
  disparateImpact?: number | null;
  /** Binary: highest TPR − lowest TPR (equal opportunity difference). */
  tprGap?: number | null;
}

const MAX_GROUPS = 20;

/**
 * `groupsOf` are the raw test cells of the attribute; `actual`/`predicted` are class indices
 * (binary: 1 = positive) or values for regression.
 */
export function groupFairness(
  column: string,
  groupsOf: string[],
  task: 'binary' | 'multiclass' | 'regression',
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): AttributeFairness {
  const members = new Map<string, number[]>();
  groupsOf.forEach((raw, i) => {
    const key = isMissing(raw) ? '(missing)' : raw.trim();
    let list = members.get(key);
    if (!list) members.set(key, (list = []));
    list.push(i);
  });
  const ordered = [...members.entries()].sort((a, b) => b[1].length - a[1].length);
  const kept = ordered.slice(0, MAX_GROUPS);
  const rest = ordered.slice(MAX_GROUPS).flatMap(([, rows]) => rows);
  if (rest.length) kept.push(['(other groups)', rest]);

  const groups = kept.map(([group, rows]): GroupFairness => {
    if (task === 'regression') {
      const mae = rows.reduce((s, i) => s + Math.abs(predicted[i]! - actual[i]!), 0) / rows.length;
      return { group, count: rows.length, mae, meanPredicted: rows.reduce((s, i) => s + predicted[i]!, 0) / rows.length };
    }
    const accuracy = rows.filter((i) => predicted[i] === actual[i]).length / rows.length;
    if (task === 'multiclass') return { group, count: rows.length, accuracy };
    const positives = rows.filter((i) => actual[i] === 1);
    const negatives = rows.filter((i) => actual[i] !== 1);
    return {
      group,
      count: rows.length,
      accuracy,
      selectionRate: rows.filter((i) => predicted[i] === 1).length / rows.length,
      tpr: positives.length ? positives.filter((i) => predicted[i] === 1).length / positives.length : null,
      fpr: negatives.length ? negatives.filter((i) => predicted[i] === 1).length / negatives.length : null,
    };
  });
  const result: AttributeFairness = { column, groups };
  if (task === 'binary') {
    const rates = groups.map((g) => g.selectionRate!);
    const max = maxOf(rates);
    result.disparateImpact = max > 0 ? minOf(rates) / max : null;
    const tprs = groups.map((g) => g.tpr).filter((t): t is number => t !== null && t !== undefined);
    result.tprGap = tprs.length >= 2 ? maxOf(tprs) - minOf(tprs) : null;
  }
  return result;
}
