/**
 * Scoring every model on the same windows: the test stretch for the headline metrics, the
 * rolling-origin backtest over successive folds of the validation and test stretches, and the
 * prediction intervals (residual quantiles per horizon step from the validation windows, their
 * coverage measured on the test windows, which never shaped them).
 *
 * The backtest is rolling-origin with updated inputs and fixed parameters: every model is fitted
 * once on the training stretch, then forecasts from each origin of each fold with the data known
 * at that origin. Later folds lie further from the training data, so a fold-by-fold rise in error
 * shows how fast the model ages.
 */
import { compareErrors, forecastMetrics, quantile, type ErrorComparison, type ForecastMetrics } from './metrics.js';
import { rowsOf, type PreparedForecast } from './prepare.js';
import { formatTime, gridTime } from './series.js';

/** The models compared, by result name. */
export const MODEL_NAMES = ['network', 'naive', 'seasonalNaive', 'linear'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** One value per model, computed by `f`. */
export function byModel<T>(f: (name: ModelName) => T): Record<ModelName, T> {
  return { network: f('network'), naive: f('naive'), seasonalNaive: f('seasonalNaive'), linear: f('linear') };
}

/** Forecasts of every evaluation window (windows × horizon, value units), per model. */
export type Forecasts = Record<ModelName, Float64Array>;

/** One fold of the rolling-origin backtest. */
export interface BacktestFold {
  fold: number;
  /** First and last forecast origin's first forecast time (ISO). */
  from: string;
  to: string;
  windows: number;
  /** Which stretch the fold lies in. */
  stretch: 'validation' | 'test';
  /** MASE of each model on this fold. */
  mase: Record<ModelName, number>;
}

/** The network's prediction intervals. */
export interface IntervalReport {
  /** The coverage aimed at (0.9). */
  level: number;
  /** How they are made, in words. */
  method: string;
  /** Share of test values inside their interval, overall and per horizon step. */
  coverage: number;
  coverageByStep: number[];
  /** Mean interval width per horizon step, in value units. */
  meanWidthByStep: number[];
  /** Residual quantiles per step in window units (saved with the model). */
  lower: number[];
  upper: number[];
}

/** The actual values of the evaluation windows (windows × horizon). */
export function actuals(prep: PreparedForecast): Float64Array {
  const { evaluation, window } = prep;
  const H = window.horizon;
  const out = new Float64Array(evaluation.n * H);
  for (let i = 0; i < evaluation.n; i++) {
    const s = prep.set.series[evaluation.series[i]!]!;
    for (let h = 1; h <= H; h++) out[i * H + h - 1] = s.values[evaluation.origin[i]! + h]!;
  }
  return out;
}

/** Naive (last value) and seasonal naive (the value one season before, `period · ⌈h / period⌉` steps back) forecasts. */
export function naiveForecasts(prep: PreparedForecast): { naive: Float64Array; seasonalNaive: Float64Array } {
  const { evaluation, window, season } = prep;
  const H = window.horizon;
  const m = season.period;
  const naive = new Float64Array(evaluation.n * H);
  const seasonalNaive = new Float64Array(evaluation.n * H);
  for (let i = 0; i < evaluation.n; i++) {
    const s = prep.set.series[evaluation.series[i]!]!;
    const p = evaluation.origin[i]!;
    for (let h = 1; h <= H; h++) {
      naive[i * H + h - 1] = s.values[p]!;
      seasonalNaive[i * H + h - 1] = s.values[p + h - m * Math.ceil(h / m)]!;
    }
  }
  return { naive, seasonalNaive };
}

/** Scaled outputs (windows × horizon) back to value units, with each window's level and unit. */
export function unscale(prep: PreparedForecast, scaled: ArrayLike<number>): Float64Array {
  const H = prep.window.horizon;
  const { level, unit } = prep.evaluation;
  const out = new Float64Array(scaled.length);
  for (let i = 0; i < prep.evaluation.n; i++) for (let h = 0; h < H; h++) out[i * H + h] = scaled[i * H + h]! * unit[i]! + level[i]!;
  return out;
}

/** The network's mean absolute validation error per horizon step, in window units (the drift reference). */
export function validationResidualMae(prep: PreparedForecast, network: Float64Array): number[] {
  const H = prep.window.horizon;
  const actual = actuals(prep);
  const rows = rowsOf(prep.split, 0);
  return Array.from({ length: H }, (_, h) => {
    let sum = 0;
    for (const i of rows) sum += Math.abs(actual[i * H + h]! - network[i * H + h]!) / prep.evaluation.unit[i]!;
    return sum / Math.max(rows.length, 1);
  });
}

/** Test metrics of each model, the backtest folds and the intervals. */
export function evaluateForecasts(
  prep: PreparedForecast,
  forecasts: Forecasts,
  level: number,
  folds: number,
): {
  test: Record<ModelName, ForecastMetrics>;
  validation: Record<ModelName, ForecastMetrics>;
  comparisons: Record<Exclude<ModelName, 'network'>, ErrorComparison>;
  backtest: BacktestFold[];
  intervals: IntervalReport;
} {
  const H = prep.window.horizon;
  const actual = actuals(prep);
  const { evaluation, split, set } = prep;
  const scale = Float64Array.from(evaluation.series, (s) => prep.maseScales[s]!);
  const testRows = rowsOf(split, 1);
  const valRows = rowsOf(split, 0);
  const score = (rows: ArrayLike<number>) => byModel((name) => forecastMetrics(actual, forecasts[name], scale, H, rows));

  // Folds: half cut the validation stretch, half the test stretch, in equal spans of first forecast time.
  const first = (i: number) => set.series[evaluation.series[i]!]!.offset + evaluation.origin[i]! + 1;
  let last = -Infinity;
  for (let i = 0; i < evaluation.n; i++) last = Math.max(last, first(i));
  const { valStart, testStart } = prep.bounds;
  const valFolds = Math.floor(folds / 2);
  const spans: Array<{ from: number; to: number; stretch: BacktestFold['stretch'] }> = [];
  const cut = (lo: number, hi: number, count: number, stretch: BacktestFold['stretch']) => {
    const width = (hi - lo + 1) / count;
    for (let f = 0; f < count; f++) spans.push({ from: Math.ceil(lo + f * width), to: Math.ceil(lo + (f + 1) * width) - 1, stretch });
  };
  cut(valStart, testStart - 1, valFolds, 'validation');
  cut(testStart, last, folds - valFolds, 'test');
  const backtest: BacktestFold[] = [];
  for (const { from, to, stretch } of spans) {
    const rows: number[] = [];
    for (let i = 0; i < evaluation.n; i++) if (first(i) >= from && first(i) <= to) rows.push(i);
    if (rows.length === 0) continue;
    const mase = byModel((name) => forecastMetrics(actual, forecasts[name], scale, H, rows).mase);
    backtest.push({
      fold: backtest.length + 1,
      from: formatTime(gridTime(set.frequency, set.origin, from)),
      to: formatTime(gridTime(set.frequency, set.origin, to)),
      windows: rows.length,
      stretch,
      mase,
    });
  }

  // Intervals: validation residuals per step, in each window's unit (so they widen with the level of a count series).
  const lower: number[] = [];
  const upper: number[] = [];
  const net = forecasts.network;
  const stdOf = (i: number) => evaluation.unit[i]!;
  for (let h = 0; h < H; h++) {
    const residuals = Float64Array.from(valRows, (i) => (actual[i * H + h]! - net[i * H + h]!) / stdOf(i)).sort();
    lower.push(quantile(residuals, (1 - level) / 2));
    upper.push(quantile(residuals, (1 + level) / 2));
  }
  const coverageByStep: number[] = [];
  const meanWidthByStep: number[] = [];
  let inside = 0;
  for (let h = 0; h < H; h++) {
    let hits = 0;
    let widthSum = 0;
    for (const i of testRows) {
      const std = stdOf(i);
      const y = actual[i * H + h]!;
      const f = net[i * H + h]!;
      if (y >= f + lower[h]! * std && y <= f + upper[h]! * std) hits++;
      widthSum += (upper[h]! - lower[h]!) * std;
    }
    inside += hits;
    coverageByStep.push(hits / Math.max(testRows.length, 1));
    meanWidthByStep.push(widthSum / Math.max(testRows.length, 1));
  }
  // Newey–West lags: errors of overlapping windows stay correlated for about a horizon, and often a season.
  const lags = Math.max(1, Math.min(Math.max(2 * H, prep.season.period), Math.floor(testRows.length / 4)));
  const versus = (name: ModelName) => compareErrors(actual, net, forecasts[name], scale, H, testRows, lags);
  return {
    test: score(testRows),
    comparisons: { naive: versus('naive'), seasonalNaive: versus('seasonalNaive'), linear: versus('linear') },
    validation: score(valRows),
    backtest,
    intervals: {
      level,
      method: `the ${((1 - level) / 2) * 100}th and ${((1 + level) / 2) * 100}th percentiles of the network's errors on the validation stretch, per horizon step`,
      coverage: inside / Math.max(testRows.length * H, 1),
      coverageByStep,
      meanWidthByStep,
      lower,
      upper,
    },
  };
}
