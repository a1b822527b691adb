/**
 * Drift of a forecasting model version on newer data, three questions:
 * 1. Errors: are the network's errors on the most recent windows (where the actual values are now
 *    known) larger than in its backtest? Ratio of mean absolute errors, both in window units.
 * 2. Level: has the series' mean moved away from the training stretch's? In training spreads.
 * 3. Seasonality: does the recent seasonal profile (mean by hour of the week, day of the week …)
 *    still look like the training one? Pearson correlation of the two profiles.
 * Each gets ok / warning / drift by fixed thresholds, stated in the report.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { loadTable } from '../trainer/load.js';
import { loadForecastArtifact } from './artifact.js';
import { pickBackend } from './backend.js';
import { buildSeries, gridTime, type Frequency, type Series } from './series.js';
import { parseTimeSpec } from './time.js';
import { inputWidth, writeInputs, type WindowSpec, type WindowScale, type Scaling } from './windows.js';

/** Reference statistics saved with the model version. */
export interface DriftReference {
  /** The network's mean absolute validation error per horizon step, in window units. */
  residualMae: number[];
  /** Per training series (at most 1,000): its seasonal profile, the mean by phase of the season minus the series mean, in training spreads. */
  profiles: Array<{ id: string; profile: number[] }>;
}

export type DriftVerdict = 'ok' | 'warning' | 'drift';

/** One of the three checks. */
export interface DriftCheck {
  verdict: DriftVerdict;
  /** The measured figure: error ratio, level shift in training spreads, or profile correlation. */
  value: number | null;
  /** The verdict's rule, in words. */
  rule: string;
  message: string;
}

/** The drift report of a forecasting version on newer data. */
export interface ForecastDriftReport {
  verdict: DriftVerdict;
  /** Series compared (known to the model and long enough). */
  series: number;
  /** Recent forecast windows scored. */
  windows: number;
  residuals: DriftCheck;
  level: DriftCheck;
  seasonality: DriftCheck;
  warnings: string[];
}

/** The phase of a time in a season of `period` steps, from absolute time (so two files agree). */
export function phaseOf(frequency: Frequency, t: number, period: number): number {
  const d = new Date(t);
  const step = frequency.unit === 'ms' ? Math.floor(t / frequency.step) : Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth()) / frequency.step);
  return ((step % period) + period) % period;
}

/** Mean by phase minus the overall mean, in units of `std`, over `values[from, to)` (NaN for an unseen phase). */
export function seasonalProfile(frequency: Frequency, gridOrigin: number, s: Series, from: number, to: number, period: number, std: number): number[] {
  const sums = new Float64Array(period);
  const counts = new Uint32Array(period);
  let total = 0;
  for (let i = from; i < to; i++) {
    const k = phaseOf(frequency, gridTime(frequency, gridOrigin, s.offset + i), period);
    sums[k]! += s.values[i]!;
    counts[k]!++;
    total += s.values[i]!;
  }
  const mean = total / Math.max(1, to - from);
  return Array.from(sums, (v, k) => (counts[k] ? (v / counts[k]! - mean) / std : NaN));
}

function correlation(a: number[], b: number[]): number | null {
  const pairs = a.map((v, i) => [v, b[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pairs.length < 3) return null;
  const mx = pairs.reduce((s, [x]) => s + x, 0) / pairs.length;
  const my = pairs.reduce((s, [, y]) => s + y, 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

const worst = (...v: DriftVerdict[]): DriftVerdict => (v.includes('drift') ? 'drift' : v.includes('warning') ? 'warning' : 'ok');

/** Network forecasts (scaled) of windows at the given origins. */
function forecastWindows(tf: typeof tfjs, model: tfjs.LayersModel, spec: WindowSpec, frequency: Frequency, origin: number, items: Array<{ s: Series; scale: Scaling; p: number }>): { outputs: Float32Array; scales: WindowScale[] } {
  const d = inputWidth(spec);
  const x = new Float32Array(items.length * d);
  const scales = items.map(({ s, scale, p }, i) => writeInputs(spec, frequency, origin, s, scale, p, x, i * d));
  const outputs = tf.tidy(() => {
    const result = model.predict(tf.tensor2d(x, [items.length, d]));
    return Float32Array.from((Array.isArray(result) ? result[0]! : result).dataSync());
  });
  return { outputs, scales };
}

/** Compares `csvPath` (the history up to now, same columns as for training) with the model version in `artifactDir`. */
export async function forecastDrift(artifactDir: string, csvPath: string, options: { recent?: number } = {}): Promise<ForecastDriftReport> {
  const { tf } = await pickBackend('auto');
  const { model, pipeline } = await loadForecastArtifact(tf, artifactDir);
  try {
    const table = await loadTable(csvPath, { numberFormats: pipeline.numberFormats });
    const set = buildSeries(table.columns, table.rows, {
      time: parseTimeSpec(pipeline.time, table.columns),
      target: pipeline.target,
      id: pipeline.id,
      holiday: pipeline.holiday,
      aggregate: pipeline.aggregate,
    });
    const { window, season } = pipeline;
    const H = window.horizon;
    const recent = options.recent ?? Math.max(2 * season.period, 4 * H);
    const known = new Map(pipeline.scaling.map((s) => [s.id, s]));
    const profiles = new Map(pipeline.reference.profiles.map((p) => [p.id, p.profile]));
    const reach = Math.max(window.lags, season.period);
    const usable = set.series.filter((s) => known.has(s.id) && s.values.length >= reach + H + recent);
    if (usable.length === 0) {
      throw new UserInputError(
        `${csvPath} has no series the model knows with the ${reach + H + recent} recent ${pipeline.frequency.label} values a drift check needs. Give the history up to now, with the same ids as in training.`,
      );
    }
    const items = usable.flatMap((s) => {
      const scale = known.get(s.id)!;
      const last = s.values.length - 1 - H;
      return Array.from({ length: recent }, (_, k) => ({ s, scale, p: last - recent + 1 + k }));
    });
    const { outputs, scales } = forecastWindows(tf, model, window, set.frequency, set.origin, items);
    let abs = 0;
    items.forEach(({ s, p }, i) => {
      for (let h = 0; h < H; h++) abs += Math.abs(s.values[p + h + 1]! - (outputs[i * H + h]! * scales[i]!.unit + scales[i]!.level)) / scales[i]!.unit;
    });
    const recentMae = abs / (items.length * H);
    const referenceMae = pipeline.reference.residualMae.reduce((a, b) => a + b, 0) / H;
    const ratio = recentMae / referenceMae;
    const residuals: DriftCheck = {
      verdict: ratio > 1.5 ? 'drift' : ratio > 1.2 ? 'warning' : 'ok',
      value: ratio,
      rule: 'recent errors / backtest errors: above 1.2 a warning, above 1.5 drift',
      message: `The network's errors on the last ${recent} forecasts are ${ratio.toFixed(2)}× its backtest errors${ratio > 1.2 ? ': it forecasts worse than when it was validated' : ''}.`,
    };

    let shiftSum = 0;
    const correlations: number[] = [];
    for (const s of usable) {
      const scale = known.get(s.id)!;
      const from = s.values.length - recent;
      let mean = 0;
      for (let i = from; i < s.values.length; i++) mean += s.values[i]!;
      mean /= recent;
      shiftSum += (mean - scale.mean) / scale.std;
      const reference = profiles.get(s.id);
      if (reference && season.period > 1) {
        const c = correlation(reference, seasonalProfile(set.frequency, set.origin, s, from, s.values.length, season.period, scale.std));
        if (c !== null) correlations.push(c);
      }
    }
    const shift = shiftSum / usable.length;
    const level: DriftCheck = {
      verdict: Math.abs(shift) > 1 ? 'drift' : Math.abs(shift) > 0.5 ? 'warning' : 'ok',
      value: shift,
      rule: 'recent mean − training mean, in training standard deviations: beyond ±0.5 a warning, beyond ±1 drift',
      message: `The recent level is ${Math.abs(shift).toFixed(2)} standard deviations ${shift >= 0 ? 'above' : 'below'} the training stretch's.`,
    };
    const corr = correlations.length ? correlations.reduce((a, b) => a + b, 0) / correlations.length : null;
    const seasonality: DriftCheck =
      corr === null
        ? { verdict: 'ok', value: null, rule: 'no seasonal period to compare', message: 'The series has no season to compare.' }
        : {
            verdict: corr < 0.5 ? 'drift' : corr < 0.8 ? 'warning' : 'ok',
            value: corr,
            rule: `correlation of the recent and the training profile by ${season.label.replace(/^same /, '').replace(/ last .*/, '')} of the season: below 0.8 a warning, below 0.5 drift`,
            message: `The recent seasonal pattern correlates ${corr.toFixed(2)} with the training one${corr < 0.8 ? ': the rhythm has changed' : ''}.`,
          };
    return {
      verdict: worst(residuals.verdict, level.verdict, seasonality.verdict),
      series: usable.length,
      windows: items.length,
      residuals,
      level,
      seasonality,
      warnings: set.series.length > usable.length ? [`${set.series.length - usable.length} series were unknown to the model or too short, and not compared.`] : [],
    };
  } finally {
    model.dispose();
  }
}
