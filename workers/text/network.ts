/**
 * The fastText-style network: a document is the mean of its hashed word and bigram embeddings
 * (an embedding bag), followed by one dense layer to the class logits (sigmoid for binary,
 * softmax for multiclass).
 *
 * The embedding table is buckets × dim (millions of weights) but a batch touches a few thousand
 * rows, so the bag and its gradient are computed sparsely here, with lazy row-wise Adam (one second
 * moment per row, as large embedding tables are usually trained) on the rows a batch touched: TensorFlow.js has no sparse gradient (the gradient of `gather` is a dense table-sized
 * tensor every step). The dense head — logits, loss and the gradients of the head and of the
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

/** Weights and Adam's moments (checkpointed): E (buckets × dim), W (dim × outputs), b (outputs). */
export interface BagState {
  e: Float32Array;
  w: Float32Array;
  b: Float32Array;
  mE: Float32Array;
  /** One second moment per row of E (row-wise Adam): the rows' elements share a scale, a quarter of the work per element. */
  vE: Float32Array;
  mW: Float32Array;
  vW: Float32Array;
  mB: Float32Array;
  vB: Float32Array;
  step: number;
  /** Adam's step count when each row of E was last updated (lazy Adam catches up its decay). */
  lastStep: Int32Array;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-7;

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
      mE: new Float32Array(e.length),
      vE: new Float32Array(buckets),
      mW: new Float32Array(w.length),
      vW: new Float32Array(w.length),
      mB: new Float32Array(outputs),
      vB: new Float32Array(outputs),
      step: 0,
      lastStep: new Int32Array(buckets),
    };
  }

  /** Per table row, its slot in the batch's compact gradient (valid when `markStep` is the current step). */
  private slot = new Int32Array(0);
  private markStep = new Int32Array(0);
  /** The batch's gradient for the rows it touched, slot by slot (small enough to stay in cache). */
  private compact = new Float32Array(0);
  private rows = new Int32Array(0);

  private ensureScratch(nnz: number): void {
    if (this.slot.length === 0) {
      this.slot = new Int32Array(this.spec.buckets);
      this.markStep = new Int32Array(this.spec.buckets).fill(-1);
    }
    if (this.rows.length < nnz) {
      this.rows = new Int32Array(nnz);
      this.compact = new Float32Array(nnz * this.spec.dim);
    }
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
    // The bag's gradient, summed per touched row into a compact buffer, then lazy Adam on those rows only.
    let nnz = 0;
    for (const bag of bags) nnz += bag.ids.length;
    this.ensureScratch(nnz);
    const { slot, markStep, compact: g, rows } = this;
    let touched = 0;
    for (let r = 0; r < n; r++) {
      const { ids, weights } = bags[r]!;
      const o = r * d;
      for (let q = 0; q < ids.length; q++) {
        const id = ids[q]!;
        let at: number;
        if (markStep[id] !== t) {
          markStep[id] = t;
          at = touched++;
          slot[id] = at;
          rows[at] = id;
          const base = at * d;
          for (let j = 0; j < d; j++) g[base + j] = 0;
        } else at = slot[id]!;
        const base = at * d;
        const wq = weights[q]!;
        for (let j = 0; j < d; j++) g[base + j]! += wq * dh![o + j]!;
      }
    }
    const lr1 = learningRate / c1;
    const { e, mE, vE, lastStep } = s;
    for (let at = 0; at < touched; at++) {
      const id = rows[at]!;
      const base = id * d;
      const gBase = at * d;
      // Skipped steps had zero gradient: the moments decayed by β^(gap) meanwhile.
      const gap = t - 1 - lastStep[id]!;
      const decay1 = gap > 0 ? BETA1 * BETA1 ** gap : BETA1;
      const decay2 = gap > 0 ? BETA2 * BETA2 ** gap : BETA2;
      let square = 0;
      for (let j = 0; j < d; j++) square += g[gBase + j]! * g[gBase + j]!;
      const v = (vE[id] = decay2 * vE[id]! + ((1 - BETA2) * square) / d);
      const scale = lr1 / (Math.sqrt(v / c2) + EPS);
      for (let j = 0; j < d; j++) {
        const m = (mE[base + j] = decay1 * mE[base + j]! + (1 - BETA1) * g[gBase + j]!);
        e[base + j]! -= scale * m;
      }
      lastStep[id] = t;
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
