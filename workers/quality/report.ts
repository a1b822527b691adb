/**
 * The quality report: the engine's JSON result, the CLI's `--json` output and what the HTML
 * renderer and the Data page draw. Plain data; numbers are null where they do not apply.
 */
import type { PiiKind } from './pii.js';

export type ColumnType = 'integer' | 'float' | 'boolean' | 'date' | 'datetime' | 'categorical' | 'text' | 'identifier' | 'empty';

/** One column's profile. */
export interface ColumnReport {
  name: string;
  type: ColumnType;
  /** Non-missing cells. */
  count: number;
  /** Missing cells (empty or a missing marker after trimming). */
  missing: number;
  /** Missing cells per marker that occurred (`""` is an empty cell). */
  missingMarkers: Record<string, number>;
  /** Distinct non-missing values (exact unless `distinctEstimated`). */
  distinct: number;
  /** True when `distinct` is a HyperLogLog estimate (standard error ≈ 0.8 %). */
  distinctEstimated: boolean;
  /** Numbers: smallest/largest value. Dates: earliest/latest as written (ISO forms only). */
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  /** Sample standard deviation (n − 1). */
  std: number | null;
  skewness: number | null;
  /** p1, p5, p25, p50, p75, p95, p99: exact while the column's distinct values fit the exact map, else from the KLL sketch (rank error < 1 %). */
  quantiles: Record<'p1' | 'p5' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', number> | null;
  /** Equal-width histogram over [min, max] (integers with a small range: one bin per value); counts exact or from the sketch, as quantiles. */
  histogram: { edges: number[]; counts: number[] } | null;
  zeros: number;
  negatives: number;
  /** Values outside Tukey's fences (Q1 − 1.5 IQR, Q3 + 1.5 IQR); exact or from the sketch, as quantiles. */
  outliers: number | null;
  /** The most frequent values (approximate when `topApproximate`). */
  topValues: { value: string; count: number }[];
  topApproximate: boolean;
  /** Non-missing cells per kind of value. */
  kinds: { integer: number; float: number; boolean: number; date: number; text: number };
  /** Values with leading or trailing whitespace. */
  whitespace: number;
  /** Groups of values equal but for letter case (`Male`/`male`), up to 5. */
  caseVariants: string[][];
  /** Text values: mean and longest length. */
  meanLength: number | null;
  maxLength: number | null;
  /** Personal data found: counts per kind and masked samples. */
  pii: Partial<Record<PiiKind, number>>;
  piiSamples: string[];
  /** Personal data inside free-text cells: spans per kind, cells holding any, masked excerpts. */
  textPii: { counts: Partial<Record<PiiKind, number>>; texts: number; examples: string[] };
  /** Values of another kind than the column's type (examples of text in a numeric column). */
  mixedExamples: string[];
  flags: { constant: boolean; unique: boolean; highCardinality: boolean; suspiciousZeros: boolean };
  /** How the column's numbers were read when not plain dot-decimal (decimal comma, thousands separators), in one sentence; null otherwise. */
  numberFormat: string | null;
}

export type Severity = 'info' | 'warning' | 'error';

/** One finding, with a plain-language message and what to do about it. */
export interface Alert {
  code: string;
  severity: Severity;
  /** The column concerned, or null for the whole dataset. */
  column: string | null;
  message: string;
  fix: string;
}

/** One group's outcome and (with predictions) error rates. Rates are null when their denominator is 0. */
export interface GroupReport {
  group: string;
  count: number;
  share: number;
  positives: number;
  positiveRate: number | null;
  /** Bootstrap 95 % interval of the positive rate (seeded, 1000 resamples). */
  positiveRateInterval: [number, number] | null;
  /** Positive rate / the most favoured group's; null when not judged. */
  disparateImpact: number | null;
  /** Positive rate − the most favoured group's. */
  statisticalParityDifference: number | null;
  /** False when the group has fewer rows than the minimum to judge. */
  judged: boolean;
  /** Prediction fields (present with a prediction column). */
  predicted?: number;
  selectionRate?: number | null;
  tpr?: number | null;
  fpr?: number | null;
  fnr?: number | null;
  tnr?: number | null;
  precision?: number | null;
  accuracy?: number | null;
  counts?: { tp: number; fp: number; tn: number; fn: number };
  /** Selection rate / the reference group's (AIF360 disparate impact on predictions). */
  selectionRateRatio?: number | null;
}

/** Fairness of one protected attribute (or an intersection such as `sex × race`). */
export interface AttributeBias {
  groups: GroupReport[];
  /** The judged group with the highest positive rate, the reference for ratios and differences. */
  mostFavoured: string | null;
  /** Lowest judged positive rate / highest (Fairlearn demographic_parity_ratio). */
  disparateImpact: number | null;
  /** Highest − lowest judged positive rate (Fairlearn demographic_parity_difference). */
  statisticalParityDifference: number | null;
  /** Groups below the four-fifths rule. */
  fourFifthsFailures: string[];
  /* Present with a prediction column, across judged groups: */
  /** Lowest / highest selection rate (Fairlearn selection-rate ratio; pass band 0.8–1.25). */
  selectionRateRatio?: number | null;
  /** The larger of the TPR and FPR gaps (max − min each): Fairlearn equalized_odds_difference. */
  equalizedOddsDifference?: number | null;
  /** TPR max − min (equal opportunity). */
  equalOpportunityDifference?: number | null;
  /**
   * Signed, AIF360's definition: ½[(FPR_g − FPR_ref) + (TPR_g − TPR_ref)] against the group with
   * the highest selection rate, reported for the group where it is largest in magnitude; negative
   * means that group gets fewer positive predictions at equal truth.
   */
  averageOddsDifference?: number | null;
  /** Precision max − min (predictive parity). */
  predictiveParityDifference?: number | null;
}

export interface CorrelationPair {
  a: string;
  b: string;
  method: 'pearson' | 'spearman' | 'cramersV';
  value: number;
}

export interface QualityReport {
  file: { path: string; bytes: number; encoding: string; delimiter: string; hasHeader: boolean };
  rows: number;
  columnsCount: number;
  /** Extra copies of identical rows (rows − distinct rows). */
  duplicateRows: number;
  /** Rows with fewer or more fields than the header, and the first line numbers of such rows. */
  raggedRows: { short: number; long: number; firstLines: number[] };
  /** 0–100: the weighted parts, capped while an error-level (69) or fairness (89) alert stands. */
  score: number;
  /** The weighted parts' score before the cap; null when no cap applied. */
  scoreBeforeCap: number | null;
  /** The headline above the score, naming the worst finding first. */
  verdict: { level: Severity | 'ok'; headline: string; worst: Alert | null };
  scoreBreakdown: { completeness: number; uniqueness: number; validity: number; consistency: number; balance: number };
  columns: ColumnReport[];
  alerts: Alert[];
  correlations: { method: string; sampleRows: number; pairs: CorrelationPair[]; matrix: { columns: string[]; values: (number | null)[][] } };
  target: {
    column: string;
    positive: string | null;
    classes: { value: string; count: number; share: number }[];
    conflictingGroups: number;
    conflictingRows: number;
    /** Categorical targets: accuracy of each feature alone (majority per value or decile) against the majority baseline. */
    leakage: { column: string; accuracy: number; baseline: number }[];
    /** Numeric targets: features, or sums/differences of two, that predict the target almost exactly (R² of a straight-line fit). */
    numericLeakage: { columns: string[]; formula: string; r2: number }[];
  } | null;
  bias: Record<string, AttributeBias> | null;
  biasSettings: { prediction: string | null; threshold: number | null; minGroupSize: number; missingTarget: number; unusablePredictions: number } | null;
  trainTest: { file: string; rows: number; overlappingRows: number; unseenCategories: { column: string; values: string[]; rows: number }[] } | null;
  /** One sentence per column whose numbers use a decimal comma or thousands separators: how they were read. */
  numberFormats: string[];
  warnings: string[];
  elapsedMs: number;
}
