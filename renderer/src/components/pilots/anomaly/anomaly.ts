/** Reading an anomaly run for the wizard: alert rates from daily volumes, a chosen point of the trade-off, figures in words. */
import type { CurvePoint } from '../../../../../workers/anomaly/threshold.js';

/** "Flag about 50 a day" out of `rowsPerDay` rows a day, as the share of rows to flag (clamped to 0.0001…0.5). */
export function alertRateFromDaily(alertsPerDay: number, rowsPerDay: number): number | null {
  if (!(alertsPerDay > 0) || !(rowsPerDay > 0)) return null;
  return Math.min(0.5, Math.max(0.0001, alertsPerDay / rowsPerDay));
}

/** The curve point whose threshold is closest to `threshold` (the curve is ordered from the highest threshold down). */
export function pointNear(curve: readonly CurvePoint[], threshold: number): { point: CurvePoint; index: number } | null {
  if (curve.length === 0) return null;
  let index = 0;
  for (let i = 1; i < curve.length; i++) if (Math.abs(curve[i]!.threshold - threshold) < Math.abs(curve[index]!.threshold - threshold)) index = i;
  return { point: curve[index]!, index };
}

/** A rate as a percentage with one decimal; "—" when absent. */
export function pct(value: number | undefined | null): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '—';
}

/** A score or a ratio with two or three significant decimals; "—" when absent. */
export function num(value: number | undefined | null): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3);
}

/** What flagging at a point means, in a sentence a manager can act on. */
export function describePoint(point: CurvePoint, rowsPerDay: number | null): string {
  const perDay = rowsPerDay ? ` — about ${Math.round(point.alertRate * rowsPerDay).toLocaleString('en')} alerts a day at ${rowsPerDay.toLocaleString('en')} rows a day` : '';
  if (point.precision === undefined || point.recall === undefined) return `Flags ${pct(point.alertRate)} of rows${perDay}.`;
  return `Flags ${pct(point.alertRate)} of rows${perDay}; catches ${pct(point.recall)} of the known anomalies, and ${pct(point.precision)} of its alerts are real.`;
}

/** Display names of the detectors. */
export const DETECTORS = { network: 'Network (autoencoder)', robustZ: 'Robust z-score rule', isolationForest: 'Isolation forest' } as const;

/** The anomaly pilot's settings the user decides: which column (if any) marks known anomalies, and how many alerts to raise. */
export interface AnomalySettings {
  /** The column marking known anomalies, or null to train without labels. */
  label: string | null;
  /** The label value meaning normal (null: the most common value). */
  normal: string | null;
  /** How the threshold is chosen: an alert rate, or a precision/recall rule (labels only). */
  mode: 'alertRate' | 'bestF1' | 'recall' | 'precision';
  /** Share of rows to flag, for `alertRate`. */
  alertRate: number;
  /** The recall or precision to reach, for `recall` / `precision` (0–1). */
  target: number;
}

/** A finished `train.anomaly` job's result, recognised by its shape (job results cross the process boundary as plain JSON). */
export function isAnomalyResult(value: unknown): value is Omit<import('../../../../../workers/anomaly/engine.js').AnomalyResult, 'runId'> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; summary?: unknown; topAnomalies?: unknown; curve?: unknown; histogram?: unknown };
  return v.kind === 'anomaly' && typeof v.summary === 'object' && Array.isArray(v.topAnomalies) && Array.isArray(v.curve) && Array.isArray(v.histogram);
}

/** The live epochs among a job's pushed details. */
export function epochPoints(details: readonly unknown[]): { epoch: number; loss: number; valLoss: number }[] {
  return details.flatMap((d) => {
    if (typeof d !== 'object' || d === null) return [];
    const r = d as { epoch?: unknown; loss?: unknown; valLoss?: unknown };
    return typeof r.epoch === 'number' && typeof r.loss === 'number' && typeof r.valLoss === 'number' ? [{ epoch: r.epoch, loss: r.loss, valLoss: r.valLoss }] : [];
  });
}
