/**
 * The pilot's CNN trained on the wasm backend without the tensor API: one training step is a
 * fixed sequence of XNNPACK matrix products (the backend's own `_FusedMatMul`, called directly
 * through the trainer's WasmKernels) with the patch gathering, pooling and their gradients in
 * typed-array loops (im2col.ts), and Adam as one WebAssembly SIMD loop (trainer/adam.ts).
 *
 * Why: through tf.layers and autodiff a step runs ~60 engine ops (broadcasts, reshapes, the
 * gradient tape, per-op bookkeeping) and the backward convolutions go through generic kernels.
 * Here each conv block costs: im2col → cols · W (+ bias, ReLU fused) → max-pool with argmax
 * forward; the pool gradient scattered straight into dA and dAᵀ, dWᵀ = dAᵀ · cols (cols reused
 * from the forward pass, so no second gather), dcols = dA · Wᵀ → col2im backward. Every product
 * takes XNNPACK's fast path (no transposed operand; the small weight matrices are transposed here).
 *
 * Only the network model.ts builds without batch norm (3 × 3 'same' convolutions, ReLU, 2 × 2
 * max-pools, dense ReLU, dropout, dense logits). The weights live here during an epoch and are
 * copied into the tf.layers model (and Adam's moments into the tfjs optimizer, under its own
 * names) by `store`, so validation, checkpoints, best-weights snapshots and the saved model all
 * see exactly what the tensor path would have left.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { adamStep, BETA1, BETA2, EPSILON, type AdamState } from '../trainer/adam.js';
import { WasmKernels, type Matrix } from '../trainer/wasm-kernels.js';
import { columnSums, im2col, im2colT, maxPool, pool2Geometry, sameGeometry, transpose, type PoolGeometry } from './im2col.js';
import type { CnnSpec } from './model.js';

type Tf = typeof tfjs;

/** 3 × 3 'same' convolution at stride 1, channels-last: the attributes of the backend's Conv2D kernels. */
const SAME = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };

interface Block {
  ci: number;
  co: number;
  /** Input side (height, width) of this block. */
  h: number;
  w: number;
}

/** The loss and the predicted class of each picture of one step. */
export interface StepResult {
  loss: number;
  predicted: Int32Array;
}

/** The trainable weights' shapes of buildCnn's network without batch norm, in order. */
function expectedShapes(spec: CnnSpec): number[][] {
  const shapes: number[][] = [];
  let side = spec.side;
  let ci: number = spec.channels;
  for (const co of spec.filters) {
    shapes.push([3, 3, ci, co], [co]);
    side = Math.floor(side / 2);
    ci = co;
  }
  shapes.push([side * side * ci, spec.dense], [spec.dense], [spec.dense, spec.classes], [spec.classes]);
  return shapes;
}

export class WasmCnn {
  private readonly kernels: WasmKernels;
  private readonly blocks: Block[];
  private readonly features: number;
  readonly state: AdamState;
  /** The last step's gradients, in `model.trainableWeights` order and layouts. */
  readonly grads: Float32Array[];
  private readonly variables: tfjs.Variable[];
  // Per block: patches, activations, pooled output, argmax; and their gradients. Sized for the largest batch.
  private readonly cols: Float32Array[];
  private readonly act: Float32Array[];
  private readonly pooled: Float32Array[];
  private readonly argmax: Int32Array[];
  private readonly dAct: Float32Array;
  private readonly dActT: Float32Array;
  private readonly dPooled: Float32Array[];
  private readonly wT: Float32Array;
  private readonly small: Record<'hidden' | 'dropped' | 'logits' | 'dLogits' | 'dHidden' | 'pooledT' | 'dropT', Float32Array>;

  /** Whether the fast step can train this network on the active backend. */
  static supports(tf: Tf, model: tfjs.Sequential, spec: CnnSpec): boolean {
    if (tf.getBackend() !== 'wasm' || spec.batchNorm) return false;
    // Exactly the layers buildCnn makes (a model with anything else — a backbone, other blocks — takes the tensor path).
    const names = [...spec.filters.flatMap((_, i) => [`conv_${i + 1}`, `relu_${i + 1}`, `pool_${i + 1}`]), 'flatten', 'dense', 'dropout', 'logits', 'probabilities'];
    if (model.layers.length !== names.length || model.layers.some((layer, i) => layer.name !== names[i])) return false;
    const shapes = expectedShapes(spec);
    const weights = model.trainableWeights;
    return weights.length === shapes.length && weights.every((w, i) => w.shape.length === shapes[i]!.length && w.shape.every((d, j) => d === shapes[i]![j]));
  }

  constructor(
    tf: Tf,
    private readonly spec: CnnSpec,
    model: tfjs.Sequential,
    private readonly maxBatch: number,
  ) {
    this.kernels = new WasmKernels(tf);
    this.blocks = [];
    let h = spec.side;
    let w = spec.side;
    let ci: number = spec.channels;
    for (const co of spec.filters) {
      this.blocks.push({ ci, co, h, w });
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      ci = co;
    }
    this.features = h * w * ci;
    this.variables = model.trainableWeights.map((v) => v.read() as tfjs.Variable);
    const params = this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const expected = [...this.blocks.flatMap((b) => [9 * b.ci * b.co, b.co]), this.features * spec.dense, spec.dense, spec.dense * spec.classes, spec.classes];
    if (params.length !== expected.length || params.some((p, i) => p.length !== expected[i])) {
      throw new Error('WasmCnn: the model is not the network model.ts builds without batch norm');
    }
    this.state = { params, m: params.map((p) => new Float32Array(p.length)), v: params.map((p) => new Float32Array(p.length)), step: 0 };
    this.grads = params.map((p) => new Float32Array(p.length));
    const n = maxBatch;
    this.cols = this.blocks.map((b) => new Float32Array(n * b.h * b.w * 9 * b.ci));
    this.act = this.blocks.map((b) => new Float32Array(n * b.h * b.w * b.co));
    this.pooled = this.blocks.map((b) => new Float32Array(n * Math.floor(b.h / 2) * Math.floor(b.w / 2) * b.co));
    this.argmax = this.pooled.map((p) => new Int32Array(p.length));
    this.dPooled = this.pooled.map((p) => new Float32Array(p.length));
    const largestAct = Math.max(...this.act.map((a) => a.length));
    this.dAct = new Float32Array(largestAct);
    this.dActT = new Float32Array(largestAct);
    this.wT = new Float32Array(Math.max(...params.map((p) => p.length)));
    const d = spec.dense;
    const k = spec.classes;
    this.small = {
      hidden: new Float32Array(n * d),
      dropped: new Float32Array(n * d),
      logits: new Float32Array(n * k),
      dLogits: new Float32Array(n * k),
      dHidden: new Float32Array(n * d),
      pooledT: new Float32Array(n * this.features),
      dropT: new Float32Array(n * d),
    };
  }

  /** Takes the model's current weights and the optimizer's moments (after a resume), if it has any. */
  async load(tf: Tf, optimizer: tfjs.Optimizer): Promise<void> {
    this.variables.forEach((v, i) => this.state.params[i]!.set(v.dataSync() as Float32Array));
    const named = await optimizer.getWeights();
    if (named.length !== 1 + 2 * this.variables.length) return;
    this.state.step = (await named[0]!.tensor.data())[0]!;
    const count = this.variables.length;
    for (let i = 0; i < count; i++) {
      this.state.m[i]!.set(named[1 + i]!.tensor.dataSync() as Float32Array);
      this.state.v[i]!.set(named[1 + count + i]!.tensor.dataSync() as Float32Array);
    }
    void tf;
  }

  /** Copies the weights into the model and Adam's state into the tfjs optimizer (same names and layout as its own). */
  async store(tf: Tf, optimizer: tfjs.Optimizer): Promise<void> {
    this.variables.forEach((v, i) => {
      const t = tf.tensor(this.state.params[i]!, v.shape);
      v.assign(t);
      t.dispose();
    });
    const adam = optimizer as unknown as { accumulatedFirstMoment?: { variable: tfjs.Variable }[]; accumulatedSecondMoment?: { variable: tfjs.Variable }[] };
    const old = [...(adam.accumulatedFirstMoment ?? []), ...(adam.accumulatedSecondMoment ?? [])].map((e) => e.variable);
    const weights = [
      { name: 'iter', tensor: tf.scalar(this.state.step, 'int32') },
      ...this.variables.map((v, i) => ({ name: `${v.name}/m`, tensor: tf.tensor(this.state.m[i]!, v.shape) })),
      ...this.variables.map((v, i) => ({ name: `${v.name}/v`, tensor: tf.tensor(this.state.v[i]!, v.shape) })),
    ];
    await optimizer.setWeights(weights);
    // setWeights makes variables of the tensors given; the tensors and the variables it replaced are ours to free.
    tf.dispose(weights.map((w) => w.tensor));
    tf.dispose(old);
  }

  /**
   * One step of Adam on `b` pictures (x: b × side × side × channels, normalised), weighted
   * cross-entropy Σ wᵢ·CEᵢ / wSum, dropout `mask` (b × dense, already scaled) or null.
   */
  step(x: Float32Array, b: number, labels: Int32Array, weights: Float32Array, wSum: number, mask: Float32Array | null, learningRate: number): StepResult {
    const result = this.gradients(x, b, labels, weights, wSum, mask);
    adamStep(this.state, this.grads, learningRate);
    return result;
  }

  /** The loss, predictions and (into `grads`) the gradients of one batch, without changing the weights. */
  gradients(x: Float32Array, b: number, labels: Int32Array, weights: Float32Array, wSum: number, mask: Float32Array | null): StepResult {
    if (b > this.maxBatch) throw new RangeError(`batch of ${b} is larger than the ${this.maxBatch} this step was sized for`);
    const K = this.kernels;
    const { dense: d, classes: k } = this.spec;
    const p = this.state.params;
    const g = this.grads;
    const s = this.small;
    const F = this.features;
    const pools: PoolGeometry[] = [];
    /** Each block's input (NHWC, JavaScript copy), for its filter gradient's patches. */
    const inputs: Float32Array[] = [];
    try {
      // Forward: conv blocks. XNNPACK's convolution (bias and ReLU fused) reads the NHWC batch as it is.
      let input = K.uploadTensor(x, [b, this.spec.side, this.spec.side, this.spec.channels]);
      this.blocks.forEach((blk, l) => {
        const m = b * blk.h * blk.w;
        const filter = K.uploadTensor(p[2 * l]!, [3, 3, blk.ci, blk.co]);
        const bias = K.uploadTensor(p[2 * l + 1]!, [blk.co]);
        const a = K.run('FusedConv2D', { x: input, filter, bias }, { ...SAME, activation: 'relu', leakyreluAlpha: 0 });
        const act = this.act[l]!.subarray(0, m * blk.co);
        K.readTensor(a, act);
        const pool = pool2Geometry(b, blk.h, blk.w, blk.co);
        maxPool(act, pool, this.pooled[l]!, this.argmax[l]!);
        pools.push(pool);
        inputs.push(l === 0 ? x : this.pooled[l - 1]!);
        input = K.uploadTensor(this.pooled[l]!, [b, pool.oh, pool.ow, blk.co]);
      });
      const L = this.blocks.length;
      const iD = 2 * L;
      const flat = this.pooled[L - 1]!.subarray(0, b * F);
      const flatM: Matrix = { dataId: input.dataId, shape: [1, b, F], dtype: 'float32' };
      const hidden = s.hidden.subarray(0, b * d);
      K.read(K.matMul(flatM, K.upload(p[iD]!, F, d), p[iD + 1]!, 'relu'), hidden);
      const dropped = s.dropped.subarray(0, b * d);
      if (mask) for (let i = 0; i < b * d; i++) dropped[i] = hidden[i]! * mask[i]!;
      else dropped.set(hidden);
      const logits = s.logits.subarray(0, b * k);
      K.read(K.matMul(K.upload(dropped, b, d), K.upload(p[iD + 2]!, d, k), p[iD + 3]!), logits);

      // Loss and its gradient on the logits: softmax − one-hot, weighted.
      const dLogits = s.dLogits.subarray(0, b * k);
      const predicted = new Int32Array(b);
      let loss = 0;
      for (let i = 0; i < b; i++) {
        const row = i * k;
        let max = logits[row]!;
        let best = 0;
        for (let c = 1; c < k; c++) {
          if (logits[row + c]! > max) {
            max = logits[row + c]!;
            best = c;
          }
        }
        predicted[i] = best;
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(logits[row + c]! - max);
        const y = labels[i]!;
        const scale = weights[i]! / wSum;
        loss += scale * (Math.log(sum) + max - logits[row + y]!);
        for (let c = 0; c < k; c++) dLogits[row + c] = scale * (Math.exp(logits[row + c]! - max) / sum - (c === y ? 1 : 0));
      }

      // Backward: the two dense layers.
      const dLogitsM = K.upload(dLogits, b, k);
      const dropT = s.dropT.subarray(0, b * d);
      transpose(dropped, b, d, dropT);
      K.read(K.matMul(K.upload(dropT, d, b), dLogitsM), g[iD + 2]!);
      columnSums(dLogits, b, k, g[iD + 3]!);
      transpose(p[iD + 2]!, d, k, this.wT);
      const dHidden = s.dHidden.subarray(0, b * d);
      K.read(K.matMul(dLogitsM, K.upload(this.wT.subarray(0, k * d), k, d)), dHidden);
      for (let i = 0; i < b * d; i++) dHidden[i] = hidden[i]! > 0 ? dHidden[i]! * (mask ? mask[i]! : 1) : 0;
      const dHiddenM = K.upload(dHidden, b, d);
      const pooledT = s.pooledT.subarray(0, F * b);
      transpose(flat, b, F, pooledT);
      K.read(K.matMul(K.upload(pooledT, F, b), dHiddenM), g[iD]!);
      columnSums(dHidden, b, d, g[iD + 1]!);
      transpose(p[iD]!, F, d, this.wT);
      K.read(K.matMul(dHiddenM, K.upload(this.wT.subarray(0, d * F), d, F)), this.dPooled[L - 1]!.subarray(0, b * F));

      // Backward: conv blocks, last first.
      for (let l = L - 1; l >= 0; l--) {
        const blk = this.blocks[l]!;
        const m = b * blk.h * blk.w;
        const co = blk.co;
        const kk = 9 * blk.ci;
        const pool = pools[l]!;
        const outputs = b * pool.oh * pool.ow * co;
        const act = this.act[l]!;
        const arg = this.argmax[l]!;
        const dp = this.dPooled[l]!;
        const dA = this.dAct.subarray(0, m * co);
        dA.fill(0);
        // XNNPACK repacks a product's right-hand operand on every call: the smaller of the
        // patches (m × k) and dA (m × co) takes that place. The first block (k = 9) uses
        // dWᵀ = dAᵀ · cols, the others dW = colsᵀ · dA.
        const patchesRight = kk < co;
        const dAT = this.dActT.subarray(0, m * co);
        if (patchesRight) dAT.fill(0);
        // The pool gradient goes to each window's argmax, through ReLU (zero where the activation is).
        // Windows do not overlap (stride = size), so each position gets at most one value.
        // The bias gradient (Σ dA per channel) is summed here: dA is non-zero only where this writes.
        const db = g[2 * l + 1]!;
        db.fill(0);
        for (let o = 0, ch = 0; o < outputs; o++, ch = ch + 1 === co ? 0 : ch + 1) {
          const at = arg[o]!;
          if (at >= 0 && act[at]! > 0) {
            const v = dp[o]!;
            dA[at] = v;
            db[ch]! += v;
            if (patchesRight) {
              const row = (at / co) | 0;
              dAT[(at - row * co) * m + row] = v;
            }
          }
        }
        const geom = sameGeometry(b, blk.h, blk.w, blk.ci, 3);
        const cols = this.cols[l]!.subarray(0, m * kk);
        const dAM = K.upload(dA, m, co);
        if (patchesRight) {
          im2col(inputs[l]!, geom, cols);
          const dWT = this.wT.subarray(0, co * kk);
          K.read(K.matMul(K.upload(dAT, co, m), K.upload(cols, m, kk)), dWT);
          transpose(dWT, co, kk, g[2 * l]!);
        } else {
          im2colT(inputs[l]!, geom, cols);
          K.read(K.matMul(K.upload(cols, kk, m), dAM), g[2 * l]!);
        }
        if (l > 0) {
          // dx = dA convolved with the filter turned 180° and its channels swapped ('same', stride 1).
          const flipped = this.wT.subarray(0, co * kk);
          const ci = blk.ci;
          for (let fy = 0; fy < 3; fy++)
            for (let fx = 0; fx < 3; fx++)
              for (let c = 0; c < ci; c++)
                for (let o = 0; o < co; o++) flipped[((fy * 3 + fx) * co + o) * ci + c] = p[2 * l]![(((2 - fy) * 3 + (2 - fx)) * ci + c) * co + o]!;
          const dx = K.run('Conv2D', { x: { dataId: dAM.dataId, shape: [b, blk.h, blk.w, co], dtype: 'float32' }, filter: K.uploadTensor(flipped, [3, 3, co, ci]) }, SAME);
          K.readTensor(dx, this.dPooled[l - 1]!.subarray(0, b * blk.h * blk.w * ci));
        }
      }
      return { loss, predicted };
    } finally {
      K.release();
    }
  }
}

/** Adam's constants here are the tfjs optimizer's defaults (`tf.train.adam(lr)`); checked by the tests. */
export const ADAM_CONSTANTS = { beta1: BETA1, beta2: BETA2, epsilon: EPSILON };
