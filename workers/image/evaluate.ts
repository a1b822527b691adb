/**
 * Evaluation beyond the shared classification metrics (workers/trainer/metrics.ts): top-k
 * accuracy, example thumbnails for each kind of mistake, the most confidently wrong test pictures,
 * and a saliency map (|gradient × input| of the predicted class) for each picture shown.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { fillBatch, type ImageSet, type Normalisation } from './data.js';
import { pngDataUrl } from './decode.js';
import { inferenceLogits } from './model.js';

type Tf = typeof tfjs;

/** One test picture shown in a gallery. */
export interface ShownImage {
  path: string;
  actual: string;
  predicted: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** The picture as the network saw it (PNG data URL, 2× scale). */
  image: string;
  /** |gradient × input| of the predicted class, brighter = more influence (PNG data URL). */
  saliency: string;
}

/** Mistakes of one kind (actual → predicted). */
export interface MistakeKind {
  actual: string;
  predicted: string;
  count: number;
  examples: ShownImage[];
}

/** The image-specific part of the evaluation. */
export interface ImageEvaluation {
  /** Share of test pictures whose class is among the k most probable (k = 3 and 5, when there are more classes than k). */
  topK: { k: number; accuracy: number }[];
  mistakes: MistakeKind[];
  mostConfidentlyWrong: ShownImage[];
}

/** Fraction of rows whose true class is among the k most probable. */
export function topKAccuracy(probs: Float32Array, y: ArrayLike<number>, k: number, classes: number): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    const p = probs[i * classes + y[i]!]!;
    let above = 0;
    for (let c = 0; c < classes; c++) if (probs[i * classes + c]! > p) above++;
    if (above < k) hits++;
  }
  return hits / Math.max(y.length, 1);
}

/**
 * The saliency map of one picture (`input`: the network's normalised side × side × channels
 * input): |gradient × input| of class `classIndex`'s logit, summed over channels, scaled so the
 * strongest pixel is 255.
 */
export function saliencyMap(tf: Tf, model: tfjs.LayersModel, input: Float32Array, side: number, channels: number, classIndex: number): Uint8Array {
  const saliency = tf.tidy(() => {
    const x = tf.tensor4d(input, [1, side, side, channels]);
    const grad = tf.grad((v: tfjs.Tensor) => tf.sum(tf.slice(inferenceLogits(model, v as tfjs.Tensor4D), [0, classIndex], [1, 1])))(x);
    return tf.sum(tf.abs(tf.mul(grad, x)), -1).dataSync() as Float32Array;
  });
  const max = saliency.reduce((m, v) => Math.max(m, v), 1e-12);
  return Uint8Array.from(saliency, (v) => Math.round((v / max) * 255));
}

async function show(tf: Tf, model: tfjs.Sequential, set: ImageSet, row: number, norm: Normalisation, classes: string[], probs: Float32Array, index: number): Promise<ShownImage> {
  const k = classes.length;
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[index * k + c]! > probs[index * k + best]!) best = c;
  const size = set.side * set.side * set.channels;
  const input = new Float32Array(size);
  fillBatch(set, [row], norm, input, null, false);
  const heat = saliencyMap(tf, model, input, set.side, set.channels, best);
  const pixels = set.x.subarray(row * size, (row + 1) * size);
  return {
    path: set.rel[row]!,
    actual: classes[set.y[row]!]!,
    predicted: classes[best]!,
    confidence: probs[index * k + best]!,
    image: await pngDataUrl(pixels, set.side, set.side, set.channels, set.side < 64 ? 2 : 1),
    saliency: await pngDataUrl(heat, set.side, set.side, 1, set.side < 64 ? 2 : 1),
  };
}

/** Galleries and top-k for the test rows, given the network's test probabilities. */
export async function imageEvaluation(tf: Tf, model: tfjs.Sequential, set: ImageSet, test: number[], probs: Float32Array, norm: Normalisation, classes: string[]): Promise<ImageEvaluation> {
  const k = classes.length;
  const y = test.map((r) => set.y[r]!);
  const topK = [3, 5].filter((t) => k > t).map((t) => ({ k: t, accuracy: topKAccuracy(probs, y, t, k) }));
  const predicted = test.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
    return best;
  });
  const wrong = test.map((_, i) => i).filter((i) => predicted[i] !== y[i]);
  const kinds = new Map<string, number[]>();
  for (const i of wrong) {
    const key = `${y[i]}→${predicted[i]}`;
    kinds.set(key, [...(kinds.get(key) ?? []), i]);
  }
  // A picture can be in both galleries: its saliency (a backward pass through the whole network, a backbone's too) is computed once.
  const shown = new Map<number, Promise<ShownImage>>();
  const showOnce = (i: number) => {
    if (!shown.has(i)) shown.set(i, show(tf, model, set, test[i]!, norm, classes, probs, i));
    return shown.get(i)!;
  };
  const mistakes: MistakeKind[] = [];
  const sortedKinds = [...kinds.values()].sort((a, b) => b.length - a.length).slice(0, 12);
  for (const list of sortedKinds) {
    const byConfidence = [...list].sort((a, b) => probs[b * k + predicted[b]!]! - probs[a * k + predicted[a]!]!);
    const examples: ShownImage[] = [];
    for (const i of byConfidence.slice(0, 3)) examples.push(await showOnce(i));
    mistakes.push({ actual: classes[y[list[0]!]!]!, predicted: classes[predicted[list[0]!]!]!, count: list.length, examples });
  }
  const confident = [...wrong].sort((a, b) => probs[b * k + predicted[b]!]! - probs[a * k + predicted[a]!]!).slice(0, 8);
  const mostConfidentlyWrong: ShownImage[] = [];
  for (const i of confident) mostConfidentlyWrong.push(await showOnce(i));
  return { topK, mistakes, mostConfidentlyWrong };
}
