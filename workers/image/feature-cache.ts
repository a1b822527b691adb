/**
 * Features of a frozen backbone, computed once per picture. A frozen backbone (no fine-tuning; a
 * graph model is always frozen) gives the same output for the same input in every epoch, so
 * running it over every picture in every epoch only repeats work: MobileNetV2 at 224 × 224 costs
 * ~0.3 GFLOP a picture, its head a few thousand. Here the backbone and the head's pooling (the
 * layers before `head_dense`) run once over the training and validation pictures in small batches,
 * and the loop trains the head on the stored vectors (train.ts). The saved version is the same
 * whole model (backbone + head), so predict, evaluate, drift and Try it see no difference.
 *
 * Augmentation changes a picture every epoch; features can only be stored for fixed inputs. The
 * rule: without augmentation, one view per picture (the picture as is). With augmentation,
 * `min(epochs, AUGMENTED_VIEWS)` views per training picture, fixed by the seed: the picture as is,
 * its mirror image when flips are allowed (else a seeded augmented copy), and seeded augmented
 * copies (data.ts `drawAugmentation`: flip when allowed, shift ≤ 10 %, brightness ±10 %); each
 * epoch trains on one view per picture drawn by the run's generator. So the head sees at most four
 * variants of a picture instead of a fresh one each epoch (none in a one-epoch run), and the result says so in a warning.
 * Validation pictures have one view (as is), as without the cache.
 *
 * Memory: (training pictures × views + validation pictures) × features × 4 bytes, at most
 * FEATURE_CACHE_MAX_BYTES (1 GiB: MobileNetV2's 1,280 pooled features are 5 KB a view, so ~200,000
 * views); above it the run takes the uncached path with a warning.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { throwIfCancelled } from '../protocol.js';
import { Rng } from '../trainer/random.js';
import { AS_IS, drawAugmentation, fillPicture, type Augmentation, type ImageSet, type Normalisation } from './data.js';

type Tf = typeof tfjs;

/** Most bytes the stored features may take. */
export const FEATURE_CACHE_MAX_BYTES = 2 ** 30;
/** Most views stored per training picture when augmenting. */
export const AUGMENTED_VIEWS = 4;
/** Pictures per backbone forward pass while computing the features (MobileNetV2 at 224: ~40 MB of activations a picture). */
export const FEATURE_BATCH = 16;

/** Stored features: each cached row's views, one after the other. */
export interface FeatureCache {
  /** Index of the first model layer that reads the features (the head after its pooling). */
  from: number;
  /** One view's shape (without the batch) and its number of floats. */
  shape: number[];
  size: number;
  /** Views per training picture (the first is the picture as is); validation pictures have one. */
  views: number;
  /** slot[row]: the row's first view in `data` (in views, not floats), −1 when the row is not cached. */
  slot: Int32Array;
  /** count[row]: views stored for the row. */
  count: Uint8Array;
  data: Float32Array;
}

/** What the cache would be for a run, or why the run trains uncached. */
export type FeatureCachePlan =
  | { cached: true; from: number; shape: number[]; size: number; views: number; bytes: number; rule: string }
  | { cached: false; reason: string };

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MB`;

/** Decides whether the run's backbone features are cached, how many views a picture gets, and the rule in words. */
export function featureCachePlan(
  model: tfjs.Sequential,
  options: { enabled: boolean; fineTuned: string[]; augment: boolean; flips: boolean; maxEpochs: number; train: number; validation: number; maxBytes?: number },
): FeatureCachePlan {
  if (!options.enabled) return { cached: false, reason: 'turned off for this run (featureCache: false): the backbone runs on every picture in every epoch' };
  if (options.fineTuned.length > 0) return { cached: false, reason: "the backbone's last block is fine-tuned, so its features change every step and are computed anew for each batch" };
  const from = model.layers.findIndex((l) => l.name === 'head_dense');
  const before = model.layers[from - 1];
  if (from < 1 || !before) return { cached: false, reason: 'the model has no head to train on stored features' };
  const outShape = before.outputShape as (number | null)[];
  const shape = outShape.slice(1);
  if (shape.some((d) => d === null || d <= 0)) return { cached: false, reason: `the backbone's features have no fixed size ([${shape.map((d) => d ?? 'any').join(', ')}])` };
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const views = options.augment ? Math.max(1, Math.min(options.maxEpochs, AUGMENTED_VIEWS)) : 1;
  const bytes = (options.train * views + options.validation) * size * 4;
  const max = options.maxBytes ?? FEATURE_CACHE_MAX_BYTES;
  if (bytes > max) {
    return {
      cached: false,
      reason: `storing the backbone's features would take ${mb(bytes)} (${options.train} training pictures × ${views} view${views > 1 ? 's' : ''} + ${options.validation} validation × ${size} floats), over the ${mb(max)} bound, so the backbone runs on every picture in every epoch (slower); fewer pictures (maxImages) or no augmentation keep the features stored`,
    };
  }
  const what = `${options.train} training${views > 1 ? ` × ${views} views` : ''} + ${options.validation} validation pictures × ${size} floats, ${mb(bytes)}`;
  const rule = !options.augment
    ? `The frozen backbone ran once over each picture and the head trained on its stored features (${what}).`
    : views === 1
      ? `The frozen backbone ran once over each picture as is and the head trained on its stored features, so the single epoch saw no augmentation (${what}).`
      : `The frozen backbone ran once over ${views} fixed views of each training picture — as is, ${options.flips ? 'mirrored' : 'one seeded augmented copy'}${views > 2 ? `, ${views - 2} seeded augmented cop${views > 3 ? 'ies' : 'y'} (${options.flips ? 'flip, ' : ''}shift ≤ 10 %, brightness ±10 %)` : ''} — and each epoch trained the head on one view per picture drawn by the seed, so augmentation was limited to these ${views} variants instead of new ones every epoch (${what}).`;
  return { cached: true, from, shape: shape as number[], size, views, bytes, rule };
}

/** The fixed views of a training picture: as is, mirrored when flips are allowed, then seeded augmentations. */
function viewsOf(rng: Rng, side: number, views: number, flips: boolean): Augmentation[] {
  const out: Augmentation[] = [AS_IS];
  if (views > 1) out.push(flips ? { ...AS_IS, flip: true } : drawAugmentation(rng, side, flips));
  while (out.length < views) out.push(drawAugmentation(rng, side, flips));
  return out;
}

/** Runs layers [0, from) of `model` (the backbone and the head's pooling) on a normalised batch, in inference mode. */
export function backboneFeatures(tf: Tf, model: tfjs.Sequential, from: number, x: tfjs.Tensor): tfjs.Tensor {
  return tf.tidy(() => {
    let h = x;
    for (const layer of model.layers.slice(0, from)) h = layer.apply(h, { training: false }) as tfjs.Tensor;
    return h;
  });
}

/**
 * Computes the cache for a `featureCachePlan`: `plan.views` views of each `train` row, one of each
 * `validation` row, FEATURE_BATCH pictures a forward pass. Cancellable between batches.
 */
export async function computeFeatures(
  tf: Tf,
  model: tfjs.Sequential,
  plan: Extract<FeatureCachePlan, { cached: true }>,
  set: ImageSet,
  train: number[],
  validation: number[],
  norm: Normalisation,
  flips: boolean,
  seed: number,
  signal: AbortSignal,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<FeatureCache> {
  const rng = new Rng(seed);
  const jobs: { row: number; view: Augmentation }[] = [];
  for (const row of train) for (const view of viewsOf(rng, set.side, plan.views, flips)) jobs.push({ row, view });
  for (const row of validation) jobs.push({ row, view: AS_IS });
  const slot = new Int32Array(set.n).fill(-1);
  const count = new Uint8Array(set.n);
  jobs.forEach((job, i) => {
    if (slot[job.row] === -1) slot[job.row] = i;
    count[job.row]!++;
  });
  const data = new Float32Array(jobs.length * plan.size);
  const picture = set.side * set.side * set.channels;
  const buffer = new Float32Array(FEATURE_BATCH * picture);
  for (let start = 0; start < jobs.length; start += FEATURE_BATCH) {
    throwIfCancelled(signal);
    const part = jobs.slice(start, start + FEATURE_BATCH);
    part.forEach((job, i) => fillPicture(set, job.row, norm, buffer, i * picture, job.view));
    const values = tf.tidy(() => {
      const x = tf.tensor4d(buffer.subarray(0, part.length * picture), [part.length, set.side, set.side, set.channels]);
      return backboneFeatures(tf, model, plan.from, x).dataSync();
    });
    data.set(values, start * plan.size);
    onProgress(Math.min(start + FEATURE_BATCH, jobs.length), jobs.length);
    // Lets a cancel request (and progress messages) through between forward passes.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { from: plan.from, shape: plan.shape, size: plan.size, views: plan.views, slot, count, data };
}

/** Writes view `view` of `row`'s features at `out[offset…]`. */
export function copyFeatures(cache: FeatureCache, row: number, view: number, out: Float32Array, offset: number): void {
  const at = (cache.slot[row]! + view) * cache.size;
  out.set(cache.data.subarray(at, at + cache.size), offset);
}
