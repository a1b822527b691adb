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
const EPS_ROW = 1e-12;
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
    const e = this.state.e;
    const h = new Float32Array(bags.length * d);
    for (let r = 0; r < bags.length; r++) {
      const { ids, weights } = bags[r]!;
      const o = r * d;
      for (let q = 0; q < ids.length; q++) {
        const base = ids[q]! * d;
        const wq = weights[q]!;
        for (let k = 0; k < d; k++) h[o + k]! += wq * e[base + k]!;
      }
    }
    return h;
  }

  /** Logits, n × outputs, computed here (evaluation; the head is one small product). */
  logits(bags: Bag[]): Float32Array {
    const { dim: d, outputs: k } = this.spec;
    const h = this.hidden(bags);
    const z = new Float32Array(bags.length * k);
    for (let r = 0; r < bags.length; r++) {
      for (let c = 0; c < k; c++) {
        let s = this.state.b[c]!;
        for (let j = 0; j < d; j++) s += h[r * d + j]! * this.state.w[j * k + c]!;
        z[r * k + c] = s;
      }
    }
    return z;
  }

  /**
   * One Adam step on a batch; returns the batch's mean (weighted) loss. `y`: class index per
   * document; `sw`: sample weights or null.
   */
  async trainBatch(tf: Tf, bags: Bag[], y: ArrayLike<number>, sw: ArrayLike<number> | null, learningRate: number): Promise<number> {
    const { dim: d, outputs: k } = this.spec;
    const n = bags.length;
    const h = this.hidden(bags);
    const target = new Float32Array(n * k);
    for (let r = 0; r < n; r++) {
      if (k === 1) target[r] = y[r]!;
      else target[r * k + y[r]!] = 1;
    }
    const weights = Float32Array.from({ length: n }, (_, r) => (sw ? sw[r]! : 1));
    const out = tf.tidy(() => {
      const hT = tf.tensor2d(h, [n, d]);
      const wT = tf.tensor2d(this.state.w, [d, k]);
      const bT = tf.tensor1d(this.state.b);
      const yT = tf.tensor2d(target, [n, k]);
      const sT = tf.tensor1d(weights);
      const lossOf = (hh: tfjs.Tensor, ww: tfjs.Tensor, bb: tfjs.Tensor): tfjs.Scalar => {
        const z = tf.add(tf.matMul(hh as tfjs.Tensor2D, ww as tfjs.Tensor2D), bb);
        const perRow =
          k === 1
            ? tf.sum(tf.add(tf.sub(tf.relu(z), tf.mul(z, yT)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))), 1)
            : tf.neg(tf.sum(tf.mul(yT, tf.logSoftmax(z)), 1));
        return tf.div(tf.sum(tf.mul(perRow, sT)), tf.sum(sT)) as tfjs.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(lossOf)([hT, wT, bT]);
      return [value, ...grads];
    });
    const [lossData, dh, dw, db] = await Promise.all(out.map((t) => t.data() as Promise<Float32Array>));
    for (const t of out) t.dispose();
    const s = this.state;
    s.step++;
    const t = s.step;
    const c1 = 1 - BETA1 ** t;
    const c2 = 1 - BETA2 ** t;
    adamDense(s.w, s.mW, s.vW, dw!, learningRate, c1, c2);
    adamDense(s.b, s.mB, s.vB, db!, learningRate, c1, c2);
    // Row-wise Adagrad on each (document, row) pair: the pair's gradient is its weight times the
    // document's hidden-layer gradient, so its squared norm is weight² · ‖dh‖².
    const { e, vE } = s;
    for (let r = 0; r < n; r++) {
      const { ids, weights } = bags[r]!;
      const o = r * d;
      let dhSquare = 0;
      for (let j = 0; j < d; j++) dhSquare += dh![o + j]! * dh![o + j]!;
      if (dhSquare === 0) continue;
      for (let q = 0; q < ids.length; q++) {
        const id = ids[q]!;
        const wq = weights[q]!;
        const v = (vE[id] = vE[id]! + (wq * wq * dhSquare) / d);
        const scale = (learningRate * TABLE_RATE * wq) / (Math.sqrt(v) + EPS_ROW);
        const base = id * d;
        for (let j = 0; j < d; j++) e[base + j]! -= scale * dh![o + j]!;
      }
    }
    return lossData![0]!;
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
