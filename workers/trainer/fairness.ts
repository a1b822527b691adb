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
  /**
   * Counted in the attribute's disparate impact and TPR gap: at least MIN_FAIRNESS_GROUP rows and not
   * the "(missing)" group (the verdict and the bias scorer judge the same groups).
   */
  judged?: boolean;
  /** Fewer than SMALL_FAIRNESS_GROUP rows: its rates are uncertain by about ±10 points or more (read the interval). */
  small?: boolean;
  /** Classification: accuracy of the group's predictions. */
  accuracy?: number;
  /** Binary: share of the group predicted positive, true positive rate, false positive rate. */
  selectionRate?: number;
  /** 95 % Wilson interval of the selection rate. */
  selectionRateInterval?: [number, number];
  tpr?: number | null;
  /** 95 % Wilson interval of the true positive rate (null without positives). */
  tprInterval?: [number, number] | null;
  fpr?: number | null;
  /** Regression: mean absolute error and mean prediction of the group. */
  mae?: number;
  meanPredicted?: number;
}

export interface AttributeFairness {
  column: string;
  groups: GroupFairness[];
  /** Binary: lowest selection rate / highest among judged groups (the "four-fifths rule" flags < 0.8). */
  disparateImpact?: number | null;
  /**
   * Binary: the range the disparate impact could plausibly take given the group sizes: the lowest
   * group's interval against the highest group's (low ÷ high ends). A 0.00 from 30 rows reads 0.00–0.41.
   */
  disparateImpactRange?: [number, number] | null;
  /** Binary: the judged groups with the lowest and highest selection rate (the ratio's two ends). */
  lowestGroup?: string | null;
  highestGroup?: string | null;
  /** Binary: highest TPR − lowest TPR among judged groups (equal opportunity difference). */
  tprGap?: number | null;
}

const MAX_GROUPS = 20;
/** Groups below this many test rows are shown but not judged (the bias scorer's and the verdict's rule). */
export const MIN_FAIRNESS_GROUP = 30;
/** Below this many rows a group's rates carry an interval of about ±10 points or more: marked small. */
export const SMALL_FAIRNESS_GROUP = 100;
const Z95 = 1.959963984540054;

/** The 95 % Wilson score interval of `k` successes in `n` (Wilson 1927; statsmodels' proportion_confint method="wilson"). */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

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
    const size = { judged: rows.length >= MIN_FAIRNESS_GROUP && group !== '(missing)', small: rows.length < SMALL_FAIRNESS_GROUP };
    if (task === 'regression') {
      const mae = rows.reduce((s, i) => s + Math.abs(predicted[i]! - actual[i]!), 0) / rows.length;
      return { group, count: rows.length, ...size, mae, meanPredicted: rows.reduce((s, i) => s + predicted[i]!, 0) / rows.length };
    }
    const accuracy = rows.filter((i) => predicted[i] === actual[i]).length / rows.length;
    if (task === 'multiclass') return { group, count: rows.length, ...size, accuracy };
    const positives = rows.filter((i) => actual[i] === 1);
    const negatives = rows.filter((i) => actual[i] !== 1);
    const selected = rows.filter((i) => predicted[i] === 1).length;
    const caught = positives.filter((i) => predicted[i] === 1).length;
    return {
      group,
      count: rows.length,
      ...size,
      accuracy,
      selectionRate: selected / rows.length,
      selectionRateInterval: wilsonInterval(selected, rows.length),
      tpr: positives.length ? caught / positives.length : null,
      tprInterval: positives.length ? wilsonInterval(caught, positives.length) : null,
      fpr: negatives.length ? negatives.filter((i) => predicted[i] === 1).length / negatives.length : null,
    };
  });
  const result: AttributeFairness = { column, groups };
  if (task === 'binary') {
    // Only judged groups count, as in the bias scorer: a 12-row group's 0 % would otherwise set the ratio alone.
    const judged = groups.filter((g) => g.judged);
    const rates = judged.map((g) => g.selectionRate!);
    const max = rates.length >= 2 ? maxOf(rates) : 0;
    const low = judged.find((g) => g.selectionRate === minOf(rates));
    const high = judged.find((g) => g.selectionRate === max);
    result.disparateImpact = rates.length >= 2 && max > 0 ? minOf(rates) / max : null;
    result.lowestGroup = result.disparateImpact === null ? null : (low?.group ?? null);
    result.highestGroup = result.disparateImpact === null ? null : (high?.group ?? null);
    result.disparateImpactRange =
      result.disparateImpact === null || !low || !high
        ? null
        : [low.selectionRateInterval![0] / high.selectionRateInterval![1], Math.min(1, low.selectionRateInterval![1] / Math.max(high.selectionRateInterval![0], 1e-12))];
    const tprs = judged.map((g) => g.tpr).filter((t): t is number => t !== null && t !== undefined);
    result.tprGap = tprs.length >= 2 ? maxOf(tprs) - minOf(tprs) : null;
  }
  return result;
}
