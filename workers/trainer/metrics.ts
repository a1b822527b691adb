/**
 * Offline evaluation on the test split: the figures a manager can defend. Classification:
 * accuracy, balanced accuracy, per-class and macro precision/recall/F1, log loss, confusion
 * matrix, calibration bins; binary adds ROC AUC, PR AUC (average precision) and a threshold table.
 * Regression: MAE, RMSE, R², MAPE and a sample of residuals.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Test rows of this class. */
  support: number;
}

/** One reliability bin: among rows whose predicted probability fell in [from, to), how often the event happened. */
export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Precision and recall of the positive class if rows scoring ≥ threshold are called positive. */
export interface ThresholdRow {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of rows called positive. */
  positiveRate: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  balancedAccuracy: number;
  /** Binary: of the positive class; multiclass: macro averages. */
  precision: number;
  recall: number;
  f1: number;
  macro: { precision: number; recall: number; f1: number };
  perClass: ClassMetrics[];
  logLoss: number;
  /** `matrix[actual][predicted]`, in the order of `labels`. */
  confusionMatrix: { labels: string[]; matrix: number[][] };
  /** Binary: of P(positive); multiclass: of the top class's probability against being right. */
  calibration: CalibrationBin[];
  positiveClass?: string;
  rocAuc?: number;
  prAuc?: number;
  thresholds?: ThresholdRow[];
}

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  r2: number;
  /** Mean absolute percentage error over rows whose actual value is not 0; null when all are 0. */
  mape: number | null;
  /** Up to 200 (actual, predicted) pairs spread over the test rows, for the residual plot. */
  residuals: Array<{ actual: number; predicted: number }>;
}

const EPS = 1e-15;

/**
 * `y` holds class indices; `probs` is n × k (k = classes.length; binary: column 1 is the positive
 * class). Binary decisions use `threshold` on P(positive); multiclass takes the most probable class.
 */
export function classificationMetrics(classes: string[], y: ArrayLike<number>, probs: Float32Array, binary: boolean, threshold = 0.5): ClassificationMetrics {
  const n = y.length;
  const k = classes.length;
  const matrix = classes.map(() => new Array<number>(k).fill(0));
  let logLoss = 0;
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const actual = y[i]!;
    let best = 0;
    if (binary) best = probs[2 * i + 1]! >= threshold ? 1 : 0;
    else for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
    predicted[i] = best;
    matrix[actual]![best]!++;
    logLoss -= Math.log(Math.min(Math.max(probs[i * k + actual]!, EPS), 1 - EPS));
  }
  const perClass = classes.map((label, c) => {
    const tp = matrix[c]![c]!;
    const support = matrix[c]!.reduce((a, b) => a + b, 0);
    const called = matrix.reduce((sum, row) => sum + row[c]!, 0);
    const precision = called ? tp / called : 0;
    const recall = support ? tp / support : 0;
    return { label, precision, recall, f1: f1(precision, recall), support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const mean = (pick: (c: ClassMetrics) => number) => present.reduce((sum, c) => sum + pick(c), 0) / Math.max(present.length, 1);
  const macro = { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) };
  const correct = classes.reduce((sum, _, c) => sum + matrix[c]![c]!, 0);
  const metrics: ClassificationMetrics = {
    accuracy: n ? correct / n : 0,
    balancedAccuracy: macro.recall,
    ...(binary ? { precision: perClass[1]!.precision, recall: perClass[1]!.recall, f1: perClass[1]!.f1 } : macro),
    macro,
    perClass,
    logLoss: n ? logLoss / n : 0,
    confusionMatrix: { labels: classes, matrix },
    calibration: [],
  };
  if (binary) {
    const scores = Float64Array.from({ length: n }, (_, i) => probs[2 * i + 1]!);
    const positives = Uint8Array.from({ length: n }, (_, i) => (y[i] === 1 ? 1 : 0));
    metrics.positiveClass = classes[1]!;
    metrics.rocAuc = rocAuc(scores, positives);
    metrics.prAuc = averagePrecision(scores, positives);
    metrics.thresholds = thresholdTable(scores, positives);
    metrics.calibration = calibration(scores, positives);
  } else {
    const confidence = Float64Array.from({ length: n }, (_, i) => probs[i * k + predicted[i]!]!);
    const right = Uint8Array.from({ length: n }, (_, i) => (predicted[i] === y[i] ? 1 : 0));
    metrics.calibration = calibration(confidence, right);
  }
  return metrics;
}

function f1(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Area under the ROC curve: the probability a random positive scores above a random negative (ties count half). */
export function rocAuc(scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    for (let t = i; t <= j; t++) if (positives[order[t]!]) {
      rankSum += rank;
      nPos++;
    }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct score thresholds, from the highest score down. */
export function averagePrecision(scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const nPos = Array.from(positives).reduce((a, b) => a + b, 0);
  if (nPos === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    for (let t = i; t <= j; t++) tp += positives[order[t]!]!;
    seen = j + 1;
    const recall = tp / nPos;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
    i = j + 1;
  }
  return ap;
}

function thresholdTable(scores: Float64Array, positives: Uint8Array): ThresholdRow[] {
  const nPos = positives.reduce((a, b) => a + b, 0);
  const rows: ThresholdRow[] = [];
  for (let step = 1; step <= 19; step++) {
    const threshold = step / 20;
    let tp = 0;
    let called = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i]! >= threshold) {
        called++;
        tp += positives[i]!;
      }
    }
    const precision = called ? tp / called : 1;
    const recall = nPos ? tp / nPos : 0;
    rows.push({ threshold, precision, recall, f1: f1(precision, recall), positiveRate: scores.length ? called / scores.length : 0 });
  }
  return rows;
}

function calibration(scores: Float64Array, events: Uint8Array, bins = 10): CalibrationBin[] {
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.floor(scores[i]! * bins));
    sums[b]! += scores[i]!;
    hits[b]! += events[i]!;
    counts[b]!++;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    out.push({ from: b / bins, to: (b + 1) / bins, count: counts[b]!, meanPredicted: sums[b]! / counts[b]!, observedRate: hits[b]! / counts[b]! });
  }
  return out;
}

export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= Math.max(n, 1);
  let abs = 0;
  let squares = 0;
  let total = 0;
  let pct = 0;
  let pctCount = 0;
  for (let i = 0; i < n; i++) {
    const error = predicted[i]! - actual[i]!;
    abs += Math.abs(error);
    squares += error * error;
    total += (actual[i]! - mean) ** 2;
    if (Math.abs(actual[i]!) > 1e-12) {
      pct += Math.abs(error / actual[i]!);
      pctCount++;
    }
  }
  const residuals: RegressionMetrics['residuals'] = [];
  const stride = Math.max(1, Math.ceil(n / 200));
  for (let i = 0; i < n; i += stride) residuals.push({ actual: actual[i]!, predicted: predicted[i]! });
  return {
    mae: abs / Math.max(n, 1),
    rmse: Math.sqrt(squares / Math.max(n, 1)),
    r2: total > 0 ? 1 - squares / total : 0,
    mape: pctCount ? pct / pctCount : null,
    residuals,
  };
}
