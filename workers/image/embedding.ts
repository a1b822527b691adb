/**
 * Embedding drift: do new pictures look different *to the model*? The picture statistics
 * (stats.ts) catch a darker camera or a new size, not a new kind of object of the same brightness;
 * the network's own features do. A picture's embedding is what the classifier's last layer reads:
 * the output of the last hidden layer (the dense ReLU layer before dropout and the class logits),
 * for a CNN trained here and for a transfer version alike (there the head's hidden layer, computed
 * from the frozen backbone's features).
 *
 * Method (Rabanser, Günnemann & Lipton, "Failing Loudly", NeurIPS 2019, whose comparison found a
 * dimensionality reduction followed by a kernel two-sample test among the most reliable detectors
 * of shifts in images): at training, the embeddings of up to 1,000 *held-out* pictures (validation
 * and test: pictures the network learned from sit closer to what it fitted, so they would make any
 * new batch look shifted) are reduced to their first principal components (at most 16), and the
 * projected points are stored with the version. A check embeds up to 1,000 of the new pictures,
 * projects them on the same components, and runs the MMD test (mmd.ts: Gaussian kernel, median
 * heuristic, seeded permutation p-value). Bounded: ≤ 1,000 × 16 numbers stored, ≤ 2,000 points
 * compared, 500 permutations.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ImagePreprocessing } from './artifact.js';
import { fillBatch, type ImageSet, type Normalisation } from './data.js';
import { fitPca, mmdTest, project } from './mmd.js';
import { scorePictures } from './score.js';

type Tf = typeof tfjs;

/** Principal components kept. */
export const EMBEDDING_COMPONENTS = 16;
/** Pictures embedded on each side at most (a seeded sample beyond). */
export const EMBEDDING_MAX = 1000;
/** Relabellings for the p-value. */
export const PERMUTATIONS = 500;
/** Fewest pictures on a side for the test (with fewer, the permutation test cannot reach p < 0.05 anyway: 5 + 5 points have 252 splits). */
export const MIN_PICTURES = 5;
/** Points of each side in the report's chart. */
const CHART_POINTS = 300;

/** The training side, saved in metadata.json under `driftReference.embedding`. */
export interface EmbeddingReference {
  method: 'pca-mmd';
  /** The layer whose output is the embedding, and its width. */
  layer: string;
  dims: number;
  mean: number[];
  /** Unit vectors (components × dims). */
  components: number[][];
  explainedRatio: number[];
  /** Held-out pictures' projected embeddings (pictures × components, 6 significant digits). */
  points: number[][];
}

/** The embedding check in a drift report (`report.image.embedding`). */
export interface EmbeddingDrift {
  method: 'pca-mmd';
  layer: string;
  components: number;
  /** Share of the held-out embeddings' variance the components keep. */
  explained: number;
  reference: number;
  current: number;
  /** Unbiased MMD², kernel σ, p-value from `permutations` relabellings; drift when p < threshold. */
  statistic: number;
  bandwidth: number;
  pValue: number;
  permutations: number;
  threshold: number;
  drifted: boolean;
  /** Per component: the difference of the means in reference standard deviations (new − held-out). */
  shift: number[];
  /** First two components, up to 300 points a side, for a chart. */
  scatter: { reference: [number, number][]; current: [number, number][] };
  /** One plain sentence. */
  explanation: string;
}

/** What an image drift report adds beside its columns. */
export interface ImageDriftDetails {
  embedding: EmbeddingDrift | null;
  /** Why there is no embedding check (a version saved before it existed), else null. */
  note: string | null;
}

/** A model from the network's input to its embedding (the input of its last dense layer); shares the network's weights (do not dispose it). */
export function embeddingModel(tf: Tf, network: tfjs.LayersModel): { model: tfjs.LayersModel; layer: string; dims: number } | null {
  const layers = network.layers;
  const last = layers.map((l) => l.getClassName()).lastIndexOf('Dense');
  if (last <= 0) return null;
  // The layer before the logits, skipping dropout (the identity at inference).
  let feature = last - 1;
  while (feature > 0 && layers[feature]!.getClassName() === 'Dropout') feature--;
  const source = layers[feature]!;
  const output = source.output;
  if (Array.isArray(output)) return null;
  const dims = output.shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  if (output.shape.length !== 2) return null;
  return { model: tf.model({ inputs: network.inputs, outputs: output }), layer: source.name, dims };
}

function rows2d(values: Float32Array | Int32Array | Uint8Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
}

/** Embeddings of decoded pictures (training side). */
export function embedSet(tf: Tf, embedder: tfjs.LayersModel, dims: number, set: ImageSet, rows: number[], norm: Normalisation, batch = 256): number[][] {
  const size = set.side * set.side * set.channels;
  const buffer = new Float32Array(batch * size);
  const out: number[][] = [];
  for (let start = 0; start < rows.length; start += batch) {
    const part = rows.slice(start, start + batch);
    fillBatch(set, part, norm, buffer, null, false);
    const values = tf.tidy(() => (embedder.predict(tf.tensor4d(buffer.subarray(0, part.length * size), [part.length, set.side, set.side, set.channels])) as tfjs.Tensor).dataSync());
    out.push(...rows2d(values, part.length, dims));
  }
  return out;
}

/** Embeddings of picture files (unreadable ones left out). */
export async function embedFiles(tf: Tf, embedder: tfjs.LayersModel, dims: number, pre: ImagePreprocessing, paths: string[], signal?: AbortSignal): Promise<number[][]> {
  const scored = await scorePictures(tf, embedder, pre, paths, { width: dims, ...(signal ? { signal } : {}) });
  return rows2d(scored.probs, paths.length, dims).filter((_, i) => scored.errors[i] === null);
}

const sig = (v: number) => Number(v.toPrecision(6));

/** The training-side summary from held-out pictures' embeddings. */
export function embeddingReference(embeddings: number[][], layer: string): EmbeddingReference | null {
  const dims = embeddings[0]?.length ?? 0;
  if (embeddings.length < MIN_PICTURES || dims === 0) return null;
  const pca = fitPca(embeddings, Math.min(EMBEDDING_COMPONENTS, dims, embeddings.length - 1));
  return {
    method: 'pca-mmd',
    layer,
    dims,
    mean: pca.mean.map(sig),
    components: pca.components.map((c) => c.map(sig)),
    explainedRatio: pca.explainedRatio.map(sig),
    points: embeddings.map((e) => project(pca, e).map(sig)),
  };
}

function meanStd(points: number[][], c: number): { mean: number; std: number } {
  const n = points.length;
  const mean = points.reduce((s, p) => s + p[c]!, 0) / n;
  const v = points.reduce((s, p) => s + (p[c]! - mean) ** 2, 0) / Math.max(n - 1, 1);
  return { mean, std: Math.sqrt(v) };
}

/** The MMD check of the new pictures' embeddings against the stored reference. */
export function embeddingDrift(reference: EmbeddingReference, embeddings: number[][], threshold: number, seed: number): EmbeddingDrift {
  const current = embeddings.map((e) => project(reference, e));
  const test = mmdTest(reference.points, current, PERMUTATIONS, seed);
  const drifted = test.pValue < threshold;
  const k = reference.components.length;
  const shift = Array.from({ length: k }, (_, c) => {
    const r = meanStd(reference.points, c);
    return sig((meanStd(current, c).mean - r.mean) / (r.std || 1));
  });
  const pick = (points: number[][]): [number, number][] => {
    const count = Math.min(points.length, CHART_POINTS);
    return Array.from({ length: count }, (_, i) => {
      const point = points[Math.floor((i * points.length) / count)]!;
      return [sig(point[0]!), sig(point[1] ?? 0)];
    });
  };
  const p = test.pValue < 0.001 ? 'p < 0.001' : `p = ${test.pValue.toFixed(3)}`;
  const explanation = drifted
    ? `The new pictures look different to the model: in the features it decides on (its last hidden layer), they sit apart from held-out training pictures (MMD test, ${p}).`
    : `To the model, the new pictures look like its training pictures: in the features it decides on, no difference from held-out training pictures was found (MMD test, ${p}).`;
  return {
    method: 'pca-mmd',
    layer: reference.layer,
    components: k,
    explained: sig(reference.explainedRatio.reduce((s, x) => s + x, 0)),
    reference: reference.points.length,
    current: current.length,
    statistic: test.statistic,
    bandwidth: test.bandwidth,
    pValue: test.pValue,
    permutations: test.permutations,
    threshold,
    drifted,
    shift,
    scatter: { reference: pick(reference.points), current: pick(current) },
    explanation,
  };
}
