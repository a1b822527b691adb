/**
 * The fastText-style network: a document is the mean of its hashed word and bigram embeddings
 * (an embedding bag), followed by one dense layer to the class logits (sigmoid for binary,
 * softmax for multiclass).
 *
 * The embedding table is buckets × dim (millions of weights) but a batch touches a few thousand
 * rows, so the bag and its gradient are computed sparsely here: TensorFlow.js has no sparse
 * gradient (the gradient of `gather` is a dense table-sized tensor every step). The table learns
 * by row-wise Adagrad (one accumulated squared gradient per row, as large embedding tables are
 * usually trained), applied to each (document, row) pair of the batch as it is read: one pass
 * over the batch's features, no table-sized moments, and nothing to catch up for rows a step did
 * not touch. The dense head — logits, loss and the gradients of the head and of the
 * bag — runs on the TensorFlow.js backend chosen for the run. Everything random draws from the
 * seeded generator, so a run is reproducible on the same backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from '../trainer/random.js';
import type { Bag } from './tokenize.js';

type Tf = typeof tfjs;

/** The network's shape. `outputs` is 1 for binary (one logit), else the number of classes. */
export interface BagSpec {
  buckets: number;
  dim: number;
  outputs: number;
}

/** What scoring and explaining need: the shape and the weights (a trained network, or a saved version's, `text/artifact.ts` `savedBag`). */
export interface BagWeights {
  spec: BagSpec;
  state: Pick<BagState, 'e' | 'w' | 'b'>;
}

/** Weights and optimiser state (checkpointed): E (buckets × dim), W (dim × outputs), b (outputs). */
export interface BagState {
  e: Float32Array;
  w: Float32Array;
  b: Float32Array;
  /** Row-wise Adagrad's accumulated squared gradient (mean over the row) per row of E. */
  vE: Float32Array;
  mW: Float32Array;
  vW: Float32Array;
  mB: Float32Array;
  vB: Float32Array;
  /** Adam steps of the head so far. */
  step: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-7;
/** Adagrad's ε for the table: far below the per-pair gradients (≈ 10⁻⁶), so steps stay scale-free. */
export const EPS_ROW = 1e-12;
/**
 * The table's Adagrad step relative to the head's Adam step: Adagrad's steps shrink as squared
 * gradients accumulate, so it starts larger (4× converged in as many epochs as Adam did, on the
 * SpamAssassin fixture and the whole corpus, with an equal or lower validation loss).
 */
export const TABLE_RATE = 4;

export class EmbeddingBag {
  state: BagState;

  constructor(
    readonly spec: BagSpec,
    rng: Rng,
  ) {
    const { buckets, dim, outputs } = spec;
    const e = new Float32Array(buckets * dim);
    // fastText's initialisation: uniform in ±1/dim.
    for (let i = 0; i < e.length; i++) e[i] = (rng.next() * 2 - 1) / dim;
    const w = new Float32Array(dim * outputs);
    const limit = Math.sqrt(6 / (dim + outputs));
    for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
    this.state = {
      e,
      w,
      b: new Float32Array(outputs),
      vE: new Float32Array(buckets),
      mW: new Float32Array(w.length),
      vW: new Float32Array(w.length),
      mB: new Float32Array(outputs),
      vB: new Float32Array(outputs),
      step: 0,
    };
  }

  get size(): number {
    return this.state.e.length + this.state.w.length + this.state.b.length;
  }

  /** The bags' mean embeddings, n × dim. */
  hidden(bags: Bag[]): Float32Array {
    const d = this.spec.dim;
    const h = new Float32Array(bags.length * d);
    if (d === 16) hidden16(bags, this.state.e, h);
    else hiddenAny(bags, this.state.e, h, d);
    return h;
  }

  /** Logits, n × outputs, computed here (evaluation; the head is one small product). */
  logits(bags: Bag[]): Float32Array {
    return this.head(this.hidden(bags), bags.length);
  }

  /**
   * One step on a batch; returns the batch's mean (weighted) loss. `y`: class index per
   * document; `sw`: sample weights or null.
   */
  async trainBatch(tf: Tf, bags: Bag[], y: ArrayLike<number>, sw: ArrayLike<number> | null, learningRate: number): Promise<number> {
    const { loss, dh } = await this.headStep(tf, this.hidden(bags), bags.length, y, sw, learningRate);
    // Row-wise Adagrad on each (document, row) pair: the pair's gradient is its weight times the
    // document's hidden-layer gradient, so its squared norm is weight² · ‖dh‖².
    const s = this.state;
    if (this.spec.dim === 16) adagrad16(bags, s.e, s.vE, dh, learningRate * TABLE_RATE);
    else adagradAny(bags, s.e, s.vE, dh, learningRate * TABLE_RATE, this.spec.dim);
    return loss;
  }

  /**
   * The dense head's part of a step, on the run's TensorFlow.js backend: from the batch's hidden
   * sums h (n × dim), the loss, one Adam step on W and b, and the gradient of the loss with
   * respect to h (for the table's update, which the caller makes).
   */
  async headStep(tf: Tf, h: Float32Array, n: number, y: ArrayLike<number>, sw: ArrayLike<number> | null, learningRate: number): Promise<{ loss: number; dh: Float32Array }> {
    const { dim: d, outputs: k } = this.spec;
    const target = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      if (k === 1) target[r] = y[r]!;
      else target[r * k + y[r]!] = 1;
    }
    const weights = Float32Array.from({ length: n }, (_, r) => (sw ? sw[r]! : 1));
    // The gradients written out (no gradient tape: a handful of kernels per batch instead of
    // dozens, which is most of the head's cost at this size). With z = hW + b and the softmax (or
    // sigmoid) p: ∂loss/∂z = (p − y)·s / Σs, dW = hᵀ·∂z, db = Σ∂z, dh = ∂z·Wᵀ.
    const out = tf.tidy(() => {
      const hT = tf.tensor2d(h, [n, d]);
      const wT = tf.tensor2d(this.state.w, [d, k]);
      const yT = tf.tensor2d(target, [n, k]);
      const sT = tf.tensor2d(weights, [n, 1]);
      const z = tf.add(tf.matMul(hT, wT), tf.tensor1d(this.state.b));
      const perRow =
        k === 1
          ? tf.add(tf.sub(tf.relu(z), tf.mul(z, yT)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))
          : tf.neg(tf.sum(tf.mul(yT, tf.logSoftmax(z)), 1, true));
      const total = tf.sum(sT);
      const loss = tf.div(tf.sum(tf.mul(perRow, sT)), total);
      const dz = tf.div(tf.mul(tf.sub(k === 1 ? tf.sigmoid(z) : tf.softmax(z), yT), sT), total);
      return [loss, tf.matMul(dz, wT, false, true), tf.matMul(hT, dz, true, false), tf.sum(dz, 0)];
    });
    const [lossData, dh, dw, db] = out.map((t) => t.dataSync() as Float32Array);
    for (const t of out) t.dispose();
    const s = this.state;
    s.step++;
    const t = s.step;
    const c1 = 1 - BETA1 ** t;
    const c2 = 1 - BETA2 ** t;
    adamDense(s.w, s.mW, s.vW, dw!, learningRate, c1, c2);
    adamDense(s.b, s.mB, s.vB, db!, learningRate, c1, c2);
    return { loss: lossData![0]!, dh: dh! };
  }

  /** Logits from hidden sums (n × dim) through the head. */
  head(h: Float32Array, n: number): Float32Array {
    const { dim: d, outputs: k } = this.spec;
    const z = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        let s = this.state.b[c]!;
        for (let j = 0; j < d; j++) s += h[r * d + j]! * this.state.w[j * k + c]!;
        z[r * k + c] = s;
      }
    }
    return z;
  }
}

/** Σ weight · row of E per bag, into h (n × d). */
function hiddenAny(bags: Bag[], e: Float32Array, h: Float32Array, d: number): void {
  for (let r = 0; r < bags.length; r++) {
    const { ids, weights } = bags[r]!;
    const o = r * d;
    for (let q = 0; q < ids.length; q++) {
      const base = ids[q]! * d;
      const wq = weights[q]!;
      for (let k = 0; k < d; k++) h[o + k]! += wq * e[base + k]!;
    }
  }
}

/**
 * `hiddenAny` for the default width, 16: the sums stay in sixteen locals (registers) instead of
 * being loaded and stored per feature, which is where the generic loop spends its time.
 */
function hidden16(bags: Bag[], e: Float32Array, h: Float32Array): void {
  for (let r = 0; r < bags.length; r++) {
    const { ids, weights } = bags[r]!;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
    for (let q = 0; q < ids.length; q++) {
      const b = ids[q]! << 4;
      const w = weights[q]!;
      a0 += w * e[b]!; a1 += w * e[b + 1]!; a2 += w * e[b + 2]!; a3 += w * e[b + 3]!;
      a4 += w * e[b + 4]!; a5 += w * e[b + 5]!; a6 += w * e[b + 6]!; a7 += w * e[b + 7]!;
      a8 += w * e[b + 8]!; a9 += w * e[b + 9]!; a10 += w * e[b + 10]!; a11 += w * e[b + 11]!;
      a12 += w * e[b + 12]!; a13 += w * e[b + 13]!; a14 += w * e[b + 14]!; a15 += w * e[b + 15]!;
    }
    const o = r << 4;
    h[o] = a0; h[o + 1] = a1; h[o + 2] = a2; h[o + 3] = a3; h[o + 4] = a4; h[o + 5] = a5; h[o + 6] = a6; h[o + 7] = a7;
    h[o + 8] = a8; h[o + 9] = a9; h[o + 10] = a10; h[o + 11] = a11; h[o + 12] = a12; h[o + 13] = a13; h[o + 14] = a14; h[o + 15] = a15;
  }
}

/** Row-wise Adagrad per (document, row) pair; `rate` is the table's step. */
function adagradAny(bags: Bag[], e: Float32Array, vE: Float32Array, dh: Float32Array, rate: number, d: number): void {
  for (let r = 0; r < bags.length; r++) {
    const { ids, weights } = bags[r]!;
    const o = r * d;
    let dhSquare = 0;
    for (let j = 0; j < d; j++) dhSquare += dh[o + j]! * dh[o + j]!;
    if (dhSquare === 0) continue;
    for (let q = 0; q < ids.length; q++) {
      const id = ids[q]!;
      const wq = weights[q]!;
      const v = (vE[id] = vE[id]! + (wq * wq * dhSquare) / d);
      const scale = (rate * wq) / (Math.sqrt(v) + EPS_ROW);
      const base = id * d;
      for (let j = 0; j < d; j++) e[base + j]! -= scale * dh[o + j]!;
    }
  }
}

/** `adagradAny` for width 16, the document's gradient held in locals. */
function adagrad16(bags: Bag[], e: Float32Array, vE: Float32Array, dh: Float32Array, rate: number): void {
  for (let r = 0; r < bags.length; r++) {
    const { ids, weights } = bags[r]!;
    const o = r << 4;
    const g0 = dh[o]!, g1 = dh[o + 1]!, g2 = dh[o + 2]!, g3 = dh[o + 3]!, g4 = dh[o + 4]!, g5 = dh[o + 5]!, g6 = dh[o + 6]!, g7 = dh[o + 7]!;
    const g8 = dh[o + 8]!, g9 = dh[o + 9]!, g10 = dh[o + 10]!, g11 = dh[o + 11]!, g12 = dh[o + 12]!, g13 = dh[o + 13]!, g14 = dh[o + 14]!, g15 = dh[o + 15]!;
    const dhSquare = g0 * g0 + g1 * g1 + g2 * g2 + g3 * g3 + g4 * g4 + g5 * g5 + g6 * g6 + g7 * g7 + g8 * g8 + g9 * g9 + g10 * g10 + g11 * g11 + g12 * g12 + g13 * g13 + g14 * g14 + g15 * g15;
    if (dhSquare === 0) continue;
    const perWeight = dhSquare / 16;
    for (let q = 0; q < ids.length; q++) {
      const id = ids[q]!;
      const wq = weights[q]!;
      const v = (vE[id] = vE[id]! + wq * wq * perWeight);
      const s = (rate * wq) / (Math.sqrt(v) + EPS_ROW);
      const b = id << 4;
      e[b]! -= s * g0; e[b + 1]! -= s * g1; e[b + 2]! -= s * g2; e[b + 3]! -= s * g3;
      e[b + 4]! -= s * g4; e[b + 5]! -= s * g5; e[b + 6]! -= s * g6; e[b + 7]! -= s * g7;
      e[b + 8]! -= s * g8; e[b + 9]! -= s * g9; e[b + 10]! -= s * g10; e[b + 11]! -= s * g11;
      e[b + 12]! -= s * g12; e[b + 13]! -= s * g13; e[b + 14]! -= s * g14; e[b + 15]! -= s * g15;
    }
  }
}

function adamDense(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, lr: number, c1: number, c2: number): void {
  for (let i = 0; i < p.length; i++) {
    m[i] = BETA1 * m[i]! + (1 - BETA1) * g[i]!;
    v[i] = BETA2 * v[i]! + (1 - BETA2) * g[i]! * g[i]!;
    p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + EPS);
  }
}

/** Class probabilities from logits: n × classes (binary: [1 − p, p]). */
export function probabilitiesOf(z: Float32Array, n: number, outputs: number): Float32Array {
  const k = outputs === 1 ? 2 : outputs;
  const probs = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    if (outputs === 1) {
      const p = 1 / (1 + Math.exp(-z[r]!));
      probs[2 * r] = 1 - p;
      probs[2 * r + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(z[r * k + c]! - max);
    for (let c = 0; c < k; c++) probs[r * k + c] = Math.exp(z[r * k + c]! - max) / sum;
  }
  return probs;
}
