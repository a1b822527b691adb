/**
 * Where to draw the line: a score threshold from a target alert rate ("about 50 alerts a day" out of
 * the rows a day brings), or, with labelled anomalies, from the precision/recall trade-off on the
 * validation rows (best F1 by default, or the lowest threshold that keeps a precision, or the
 * highest that reaches a recall). A row is flagged when its score is ≥ the threshold.
 */
import { quantileSorted } from 'simple-statistics';

/** How the threshold is chosen (stored with the model version). */
export type ThresholdRule =
  | { mode: 'alertRate'; rate: number }
  | { mode: 'bestF1' }
  | { mode: 'recall'; target: number }
  | { mode: 'precision'; target: number };

/** One point of the trade-off: what flagging every row scoring ≥ `threshold` would give. */
export interface CurvePoint {
  threshold: number;
  /** Share of rows flagged. */
  alertRate: number;
  /** With labels: of the flagged rows, the share that are anomalies (1 when none is flagged). */
  precision?: number;
  /** With labels: of the anomalies, the share flagged. */
  recall?: number;
  f1?: number;
}

/** The chosen threshold and why. */
export interface Threshold {
  value: number;
  rule: ThresholdRule;
  /** What the rule gave on the rows it was chosen on (validation). */
  at: CurvePoint;
  /** In words, for the result page. */
  explanation: string;
}

/** The threshold above which about `rate` of `scores` lie. */
export function alertRateThreshold(scores: ArrayLike<number>, rate: number): number {
  const sorted = Float64Array.from(scores).sort();
  if (sorted.length === 0) return Infinity;
  return quantileSorted(Array.from(sorted), Math.min(1, Math.max(0, 1 - rate)));
}

/**
 * The full trade-off, one point per distinct score from the highest down (labels: 1 = anomaly).
 * Without labels, only alert rates.
 */
export function tradeOffCurve(scores: ArrayLike<number>, labels?: ArrayLike<number>): CurvePoint[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = labels ? Array.from(labels).reduce((a, b) => a + b, 0) : 0;
  const points: CurvePoint[] = [];
  let tp = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    if (labels) for (let t = i; t <= j; t++) tp += labels[order[t]!]!;
    const flagged = j + 1;
    const point: CurvePoint = { threshold: scores[order[i]!]!, alertRate: flagged / n };
    if (labels) {
      point.precision = tp / flagged;
      point.recall = positives ? tp / positives : 0;
      point.f1 = point.precision + point.recall > 0 ? (2 * point.precision * point.recall) / (point.precision + point.recall) : 0;
    }
    points.push(point);
    i = j + 1;
  }
  return points;
}

/** At most `max` points of a curve, evenly spaced, always keeping the first and last (for charts). */
export function thin(points: CurvePoint[], max = 200): CurvePoint[] {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]!);
}

/**
 * Picks the threshold by `rule` on validation `scores` (with `labels` for the precision/recall
 * rules). `normalScores` are the validation rows believed normal, for the alert-rate rule.
 */
export function chooseThreshold(rule: ThresholdRule, scores: ArrayLike<number>, labels: ArrayLike<number> | undefined, normalScores: ArrayLike<number>): Threshold {
  if (rule.mode === 'alertRate' || !labels) {
    const rate = rule.mode === 'alertRate' ? rule.rate : 0.01;
    const value = alertRateThreshold(normalScores, rate);
    const flagged = Array.from(normalScores).filter((s) => s >= value).length;
    return {
      value,
      rule: { mode: 'alertRate', rate },
      at: { threshold: value, alertRate: flagged / Math.max(normalScores.length, 1) },
      explanation: `flags about ${formatPercent(rate)} of rows like the validation rows (${flagged} of ${normalScores.length} there)`,
    };
  }
  const curve = tradeOffCurve(scores, labels);
  let best = curve[0]!;
  if (rule.mode === 'bestF1') {
    for (const p of curve) if (p.f1! > best.f1!) best = p;
  } else if (rule.mode === 'recall') {
    best = curve.find((p) => p.recall! >= rule.target) ?? curve.at(-1)!;
  } else {
    // The lowest threshold (most anomalies caught) that keeps the precision.
    const keeping = curve.filter((p) => p.precision! >= rule.target);
    best = keeping.at(-1) ?? curve[0]!;
  }
  const what =
    rule.mode === 'bestF1'
      ? 'the best balance of precision and recall (F1)'
      : rule.mode === 'recall'
        ? `catching at least ${formatPercent(rule.target)} of the known anomalies`
        : `keeping at least ${formatPercent(rule.target)} of alerts real`;
  return {
    value: best.threshold,
    rule,
    at: best,
    explanation: `chosen on the validation rows for ${what}: precision ${formatPercent(best.precision!)}, recall ${formatPercent(best.recall!)}, ${formatPercent(best.alertRate)} of rows flagged`,
  };
}

function formatPercent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)} %`;
}
