/**
 * Turning logits into the outputs people read — class probabilities or predictions in the target's
 * units — and scoring them, for the network and for the baselines alike.
 */
import { probabilities } from './loss.js';
import { classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './metrics.js';
import type { TargetSpec } from './task.js';

/** Predictions of a model for n rows: probabilities (n × classes) or values in target units. */
export type Outputs = { kind: 'classes'; probs: Float32Array } | { kind: 'values'; values: Float64Array };

export function outputsFromLogits(target: TargetSpec, logits: Float32Array, n: number): Outputs {
  if (target.task === 'regression') {
    return { kind: 'values', values: Float64Array.from(logits, (z) => z * target.std + target.mean) };
  }
  return { kind: 'classes', probs: probabilities(target.task, logits, n) };
}

/** Scores outputs against encoded targets `y` (class indices or standardised values). */
export function score(target: TargetSpec, y: Float32Array, outputs: Outputs): ClassificationMetrics | RegressionMetrics {
  if (target.task === 'regression') {
    if (outputs.kind !== 'values') throw new Error('regression needs values');
    return regressionMetrics(Float64Array.from(y, (v) => v * target.std + target.mean), outputs.values);
  }
  if (outputs.kind !== 'classes') throw new Error('classification needs probabilities');
  return classificationMetrics(target.classes, y, outputs.probs, target.task === 'binary');
}

/** The headline number used for comparisons and importance: accuracy, or R² for regression. */
export function headline(metrics: ClassificationMetrics | RegressionMetrics): number {
  return 'accuracy' in metrics ? metrics.accuracy : metrics.r2;
}
