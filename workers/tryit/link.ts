/**
 * The model's output in the space where feature contributions add up ("link space"): the log-odds
 * of the explained class for classification, the value in the target's units for regression.
 * Probabilities do not add up (a push from 0.5 is not worth the same as one from 0.99), log-odds do:
 * a linear model's log-odds are exactly w·x + b.
 *
 * The logits come from the same layers the saved model has, rebuilt with a linear output
 * (`buildLayersModel`, the artifact's own builder), so they are the network's, not a re-derivation.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { buildLayersModel } from '../trainer/artifact.js';
import type { TargetSpec } from '../trainer/task.js';

/** The saved model's dense layers rebuilt with a linear output: the logits the output activation is applied to. */
export function logitsModel(tf: typeof tfjs, model: tfjs.LayersModel): tfjs.LayersModel {
  const dense = model.layers.filter((l) => /^dense_\d+$/.test(l.name)).sort((a, b) => Number(a.name.slice(6)) - Number(b.name.slice(6)));
  const skip = model.layers.find((l) => l.name === 'linear_skip');
  const params: Float32Array[] = [];
  const sizes: number[] = [];
  for (const layer of dense) {
    const [kernel, bias] = layer.getWeights();
    sizes.push(kernel!.shape[1]!);
    params.push(kernel!.dataSync() as Float32Array, bias!.dataSync() as Float32Array);
  }
  if (skip) params.push(skip.getWeights()[0]!.dataSync() as Float32Array);
  const inputs = dense[0]!.getWeights()[0]!.shape[0]!;
  return buildLayersModel(tf, { inputs, hidden: sizes.slice(0, -1), outputs: sizes.at(-1)!, dropout: 0, skip: skip !== undefined }, params, 'linear');
}

/** Which output a contribution explains: the positive class (binary), one class (multiclass), the value (regression). */
export interface LinkTarget {
  task: TargetSpec['task'];
  /** Multiclass: the index of the explained class. */
  classIndex: number;
  /** Regression: the target's scale. */
  mean: number;
  std: number;
}

/** Logits (n × k) → one link-space number per row. */
export function linkOf(logits: ArrayLike<number>, n: number, k: number, target: LinkTarget): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    if (target.task === 'binary') out[r] = logits[r]!;
    else if (target.task === 'regression') out[r] = logits[r]! * target.std + target.mean;
    else {
      // log p_c − log(1 − p_c) = z_c − log Σ_{j≠c} e^{z_j}, computed stably.
      const c = target.classIndex;
      let max = -Infinity;
      for (let j = 0; j < k; j++) if (j !== c) max = Math.max(max, logits[r * k + j]!);
      let sum = 0;
      for (let j = 0; j < k; j++) if (j !== c) sum += Math.exp(logits[r * k + j]! - max);
      out[r] = logits[r * k + c]! - (max + Math.log(sum));
    }
  }
  return out;
}

/** A link-space number back to what people read: the probability of the class, or the value. */
export function fromLink(value: number, task: TargetSpec['task']): number {
  return task === 'regression' ? value : 1 / (1 + Math.exp(-value));
}

/** The evaluator `shapleySampling` calls: rows through the logits model, then to link space. */
export function linkEvaluator(tf: typeof tfjs, logits: tfjs.LayersModel, k: number, target: LinkTarget) {
  return (x: Float32Array, n: number): Float64Array => {
    const input = tf.tensor2d(x, [n, x.length / n]);
    const result = logits.predict(input, { batchSize: n }) as tfjs.Tensor;
    const values = result.dataSync();
    input.dispose();
    result.dispose();
    return linkOf(values, n, k, target);
  };
}
