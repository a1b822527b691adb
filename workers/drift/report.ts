/** The drift report: what `checkDrift` returns. Plain JSON. */
import type { PsiBand } from './psi.js';
import type { FileIdentity, ReferenceProfile } from './profile.js';
import type { ForecastDriftReport } from '../forecast/drift.js';
import type { TextDriftDetails } from '../text/drift.js';
import type { ImageDriftDetails } from '../image/embedding.js';

/** The per-column test, chosen as Evidently's defaults choose (see `select.ts`). */
export type DriftTest = 'ks' | 'chi-squared' | 'z' | 'wasserstein' | 'jensen-shannon';

/**
 * `judged`: a test ran. `insufficient-data`: too few values on one side to judge.
 * `type-changed`: numbers became text or the reverse (counted as drifted). `skipped`: an
 * identifier-like text column (every value unique), which no distribution test can judge.
 */
export type ColumnStatus = 'judged' | 'insufficient-data' | 'type-changed' | 'skipped';

/** Binned reference vs current shares of one column, for a chart. */
export type Overlay =
  | {
      kind: 'histogram';
      /** Equal-width bin edges over the reference range: `edges.length − 1` bins. */
      edges: number[];
      reference: number[];
      current: number[];
      /** Current share below the reference minimum / above its maximum. */
      currentBelow: number;
      currentAbove: number;
    }
  | {
      kind: 'categories';
      /** Category (or value) labels; the last may be "(other)". */
      labels: string[];
      reference: number[];
      current: number[];
    };

/** The verdict on one column. */
export interface ColumnDrift {
  name: string;
  /** How the reference reads the column. */
  type: 'numeric' | 'categorical';
  status: ColumnStatus;
  /** The test that decided, or null when none ran. */
  test: DriftTest | null;
  /** The statistic of `test`: KS D, chi-squared, z, normed W1 or JS distance. */
  statistic: number | null;
  /** p-value for the KS, chi-squared and Z tests; null for the distances. */
  pValue: number | null;
  /** What decides: the p-value bound (drift when p < threshold) or the distance bound (drift when ≥). */
  threshold: number | null;
  /** How the KS p-value was computed, when the test is KS. */
  pValueMethod?: 'exact' | 'asymptotic';
  /** PSI over 10 reference-quantile bins (categories for text), reported alongside; null when not judged. */
  psi: number | null;
  psiBand: PsiBand | null;
  drifted: boolean;
  /** Why this test, and what the result means, in one or two sentences. */
  explanation: string;
  /** Non-missing values and missing cells on each side. */
  reference: { count: number; missing: number };
  current: { count: number; missing: number };
  overlay: Overlay | null;
}

/** Performance against the registered test metric, when labels and predictions are in the current file. */
export interface PerformanceDrift {
  metric: 'accuracy' | 'mae' | 'rmse';
  /** The registered (reference) value. */
  reference: number;
  current: number;
  /** How much worse, in the metric's units: reference − current for accuracy, current − reference for errors. */
  drop: number;
  /** `drop` exceeds the tolerance (a share of the reference value). */
  degraded: boolean;
  /** Rows with both a label and a prediction. */
  rows: number;
  /**
   * 95 % interval of the current value from these rows (Wilson for accuracy, normal for MAE/RMSE);
   * when it holds the registered value, the change is within the noise and the summary says
   * "about the same". Absent in reports stored before it existed.
   */
  interval?: [number, number];
}

export interface DriftReport {
  /** Feature columns compared (prediction and label columns are reported separately). */
  columns: ColumnDrift[];
  /** Drifted columns ÷ judged columns (0 when none judged). */
  driftShare: number;
  /** `driftShare` reached the dataset threshold. */
  datasetDrift: boolean;
  /** The share that makes dataset drift (default 0.5). */
  driftShareThreshold: number;
  /** Columns a test could judge; the denominator of `driftShare`. */
  judgedColumns: number;
  driftedColumns: number;
  /** Drift of the prediction column, when one was named and found on both sides. */
  predictionDrift: ColumnDrift | null;
  /** Drift of the label (target) column, when one was named and found on both sides. */
  labelDrift: ColumnDrift | null;
  performance: PerformanceDrift | null;
  /** In the reference, absent from the current file. */
  missingColumns: string[];
  /** In the current file, absent from the reference (not compared). */
  extraColumns: string[];
  rows: { reference: number; current: number };
  /** The files compared (the reference as its profile recorded it). */
  files: { reference: FileIdentity; current: FileIdentity };
  /** Plain-language summary for a manager. */
  summary: string;
  /** `retrain`: dataset or performance drift; `watch`: some columns drifted; `none`: nothing to do; `unknown`: nothing could be judged. */
  recommendation: 'retrain' | 'watch' | 'none' | 'unknown';
  /** How each file was read (sniffer and scan notes). */
  warnings: string[];
  /** The reference profile, when it was built in this run and `includeProfile` was set (to cache it). */
  referenceProfile?: ReferenceProfile;
  /** A forecasting version's checks (recent errors vs the backtest's, level and seasonality vs training); `columns` is then empty. */
  forecast?: ForecastDriftReport;
  /** A text version's check: the columns are vocabulary, words per document and unseen words; these are the figures behind them. */
  text?: TextDriftDetails;
  /** An image version's check: the columns are picture statistics; this is the comparison of how the pictures look to the model (its embeddings). */
  image?: ImageDriftDetails;
}
