/**
 * Test selection, following Evidently's `get_default_stattest`: small reference (≤ 1000 values)
 * → a hypothesis test (p < 0.05 is drift); large reference → a distance (≥ 0.1 is drift), since
 * with many rows every tiny difference becomes "significant".
 */
import type { DriftTest } from './report.js';

/** The knobs of the decision. Defaults are Evidently's. */
export interface DriftThresholds {
  /** Reference values at or below which a hypothesis test is used. */
  smallReferenceRows: number;
  /** Drift when a test's p-value is below this. */
  pValue: number;
  /** Drift when the normed Wasserstein distance reaches this. */
  wasserstein: number;
  /** Drift when the Jensen–Shannon distance reaches this. */
  jensenShannon: number;
  /** Numeric columns with at most this many distinct values (both files together) are treated as categories. */
  maxDiscreteValues: number;
  /** Fewest non-missing values on each side for a verdict. */
  minRows: number;
}

export const DEFAULT_THRESHOLDS: DriftThresholds = {
  smallReferenceRows: 1000,
  pValue: 0.05,
  wasserstein: 0.1,
  jensenShannon: 0.1,
  maxDiscreteValues: 5,
  minRows: 30,
};

export interface TestChoice {
  test: DriftTest;
  /** The decision bound for this test. */
  threshold: number;
  /** Why this test, in words. */
  reason: string;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The test for a column, given its type, the reference size and distinct values in both files together. */
export function chooseTest(type: 'numeric' | 'categorical', referenceCount: number, distinct: number, t: DriftThresholds): TestChoice {
  const small = referenceCount <= t.smallReferenceRows;
  const size = `the reference has ${fmt(referenceCount)} values (${small ? '≤' : '>'} ${fmt(t.smallReferenceRows)})`;
  const discrete = type === 'categorical' || distinct <= t.maxDiscreteValues;
  const shape =
    type === 'categorical'
      ? `the column is categorical with ${fmt(distinct)} categories`
      : discrete
        ? `the column is numeric with only ${fmt(distinct)} distinct values (≤ ${t.maxDiscreteValues}), so it is treated as categories`
        : `the column is numeric with more than ${t.maxDiscreteValues} distinct values`;
  const because = `${capitalise(size)} and ${shape}`;
  if (small) {
    if (!discrete) {
      return { test: 'ks', threshold: t.pValue, reason: `${because}: two-sample Kolmogorov–Smirnov test, drift when p < ${t.pValue}.` };
    }
    if (distinct <= 2) {
      return { test: 'z', threshold: t.pValue, reason: `${because}: two-proportion Z test, drift when p < ${t.pValue}.` };
    }
    return { test: 'chi-squared', threshold: t.pValue, reason: `${because}: chi-squared test, drift when p < ${t.pValue}.` };
  }
  if (!discrete) {
    return {
      test: 'wasserstein',
      threshold: t.wasserstein,
      reason: `${because}: Wasserstein distance normed by the reference standard deviation, drift when ≥ ${t.wasserstein}.`,
    };
  }
  return { test: 'jensen-shannon', threshold: t.jensenShannon, reason: `${because}: Jensen–Shannon distance, drift when ≥ ${t.jensenShannon}.` };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
