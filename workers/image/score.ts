/**
 * Scoring picture files with a saved image model: each file decoded and resized as at training
 * time (preprocessing.json: side, channels, normalisation), then the network's class
 * probabilities, in batches. Shared by prediction, evaluation on a labelled folder and drift.
 * A file that cannot be read keeps its place with the reason; it is never fatal.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled } from '../protocol.js';
import type { ImagePreprocessing } from './artifact.js';
import { ImageReadError, loadImage, pixels } from './decode.js';

type Tf = typeof tfjs;

/** Probabilities per file (`k` each, or `width` outputs; NaN for unreadable files) and the reason per unreadable file. */
export interface ScoredPictures {
  probs: Float32Array;
  errors: (string | null)[];
  failed: number;
}

/** Scores `paths` in batches of `batch`; `onBatch` is told how many are done. */
export async function scorePictures(
  tf: Tf,
  model: tfjs.LayersModel,
  pre: ImagePreprocessing,
  paths: string[],
  options: { signal?: AbortSignal; batch?: number; onBatch?: (done: number) => void; width?: number } = {},
): Promise<ScoredPictures> {
  // `width`: values per picture the model outputs when it is not the class probabilities (embeddings).
  const k = options.width ?? pre.classes.length;
  const size = pre.side * pre.side * pre.channels;
  const batch = options.batch ?? 64;
  const probs = new Float32Array(paths.length * k).fill(NaN);
  const errors: (string | null)[] = [];
  let failed = 0;
  for (let start = 0; start < paths.length; start += batch) {
    if (options.signal) throwIfCancelled(options.signal);
    const part = paths.slice(start, start + batch);
    const x = new Float32Array(part.length * size);
    for (const [i, path] of part.entries()) {
      try {
        networkInput(await pixels(await loadImage(path), pre.side, pre.side, pre.channels), pre, x.subarray(i * size, (i + 1) * size));
        errors.push(null);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
        errors.push(error.message);
        failed++;
      }
    }
    const out = tf.tidy(() => (model.predict(tf.tensor4d(x, [part.length, pre.side, pre.side, pre.channels])) as tfjs.Tensor).dataSync());
    part.forEach((_, i) => {
      if (errors[start + i] === null) probs.set(out.subarray(i * k, (i + 1) * k), (start + i) * k);
    });
    options.onBatch?.(Math.min(start + batch, paths.length));
  }
  return { probs, errors, failed };
}

/** A picture's resized 8-bit pixels (side × side × channels) as the network's input: normalised as at training time, into `out`. */
export function networkInput(raw: Uint8Array, pre: ImagePreprocessing, out: Float32Array = new Float32Array(raw.length)): Float32Array {
  for (let p = 0; p < raw.length; p++) {
    const c = p % pre.channels;
    out[p] = (raw[p]! / 255 - pre.normalisation.mean[c]!) / pre.normalisation.std[c]!;
  }
  return out;
}

/** Index of the largest of the `k` probabilities of row `i`. */
export function argmaxRow(probs: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
  return best;
}
