/**
 * A multilayer perceptron trained with hand-written backpropagation on TensorFlow.js tensors and
 * our own Adam step (adam.ts).
 *
 * Why not `tf.layers` + `model.fit`: (1) reproducibility — fit shuffles with Math.random and a
 * seeded Dropout layer reuses one mask for every batch, so we draw masks and batch order from our
 * own seeded generator; (2) speed on the wasm backend — its matMul takes the fast XNNPACK path only
 * when neither operand is transposed, and autodiff's gradient products are transposed; here every
 * product is written with an explicit (fast) transpose first, and a training step calls the
 * backend's kernels directly (wasm-kernels.ts), without the tensor API's per-op bookkeeping;
 * (3) the optimizer is a few thousand floats, cheaper as one SIMD loop than as dozens of small
 * tensor ops per batch.
 * The trained weights are saved as a standard tfjs layers model (see artifact.ts).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from './random.js';
import { adamStep, type AdamState } from './adam.js';
import { lossAndGrad } from './loss.js';
import { WasmKernels, type Matrix } from './wasm-kernels.js';
import type { Task } from './task.js';

type Tf = typeof tfjs;

/** The network's shape. Hidden layers use ReLU; the output is linear (logits). */
export interface MlpSpec {
  inputs: number;
  hidden: number[];
  outputs: number;
  dropout: number;
  /**
   * A linear path from the inputs straight to the output ("wide & deep"), so the network contains
   * logistic/linear regression as a special case and does not do worse than it on small data.
   */
  skip?: boolean;
}

/**
 * Everything needed to continue training exactly where it stopped (saved in checkpoints): the
 * parameters W₀, b₀, W₁, b₁ … (W is fan-in × fan-out, row-major), then the skip path's W
 * (inputs × outputs) when `skip`, and Adam's moments and step count.
 */
export type MlpState = AdamState;

export class Mlp {
  readonly layers: Array<{ fanIn: number; fanOut: number }>;
  state: MlpState;
  /** The last batch's gradients, one per parameter array, filled in place. */
  private readonly gradients: Float32Array[];
  /** Per layer, its weight gradient (fan-in × fan-out) followed by its bias gradient: `gradients` are views into these. */
  private readonly layerGradients: Float32Array[];
  private readonly buffers: Float32Array[] = [];
  private kernels: WasmKernels | null = null;

  constructor(
    private readonly tf: Tf,
    readonly spec: MlpSpec,
    rng: Rng,
  ) {
    const sizes = [spec.inputs, ...spec.hidden, spec.outputs];
    this.layers = sizes.slice(1).map((fanOut, i) => ({ fanIn: sizes[i]!, fanOut }));
    const params: Float32Array[] = [];
    for (const { fanIn, fanOut } of this.layers) {
      // Glorot uniform, as Keras's Dense default; biases start at zero.
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
      params.push(w, new Float32Array(fanOut));
    }
    // The skip path starts at zero: training begins as the plain MLP and grows the linear part as needed.
    if (spec.skip) params.push(new Float32Array(spec.inputs * spec.outputs));
    this.state = {
      params,
      m: params.map((p) => new Float32Array(p.length)),
      v: params.map((p) => new Float32Array(p.length)),
      step: 0,
    };
    this.layerGradients = this.layers.map(({ fanIn, fanOut }) => new Float32Array((fanIn + 1) * fanOut));
    this.gradients = this.layerGradients.flatMap((g, l) => {
      const weights = this.layers[l]!.fanIn * this.layers[l]!.fanOut;
      return [g.subarray(0, weights), g.subarray(weights)];
    });
    if (spec.skip) this.gradients.push(new Float32Array(spec.inputs * spec.outputs));
  }

  /** Number of trainable parameters. */
  get size(): number {
    return this.state.params.reduce((sum, p) => sum + p.length, 0);
  }

  /**
   * One Adam step on a batch of `n` rows (`x` is n × inputs). Returns the batch's mean loss
   * before the step. `rng` draws the dropout masks.
   */
  trainBatch(task: Task, x: Float32Array, y: Float32Array, w: Float32Array | null, n: number, learningRate: number, rng: Rng): number {
    const kernels = this.wasmKernels();
    const loss = kernels ? this.gradientsOnWasm(kernels, task, x, y, w, n, rng) : this.gradientsWithTensors(task, x, y, w, n, rng);
    this.adam(this.gradients, learningRate);
    return loss;
  }

  /** The wasm backend's kernels while it is active (made once, again if tfjs switched backends), else null. */
  private wasmKernels(): WasmKernels | null {
    const { tf } = this;
    if (tf.getBackend() !== 'wasm') return null;
    if (!this.kernels?.isFor(tf)) {
      try {
        this.kernels = new WasmKernels(tf);
      } catch {
        return null; // a tfjs whose internals changed: the tensor path still works
      }
    }
    return this.kernels;
  }

  /**
   * Forward and backward pass on the wasm backend, straight on its kernels (see wasm-kernels.ts).
   *
   * XNNPACK's fast matrix product needs both operands untransposed (transposed operands fall to a
   * plain loop, several times slower). A weight gradient Aᵀ·dZ therefore takes Aᵀ transposed
   * here in JavaScript, and dZ as the right-hand operand, which XNNPACK repacks on every call
   * (about 1.5 ns per element, more than our transpose: so the narrower dZ goes there, not A).
   * Aᵀ gets an extra row of ones, so the same product also yields the bias gradient (Σ of dZ's
   * columns) as its last row. dZ itself never leaves the backend: the ReLU gate is two more
   * kernels (Step, Multiply), cheaper than copying 16k floats out, gating them and back in.
   */
  private gradientsOnWasm(k: WasmKernels, task: Task, x: Float32Array, y: Float32Array, w: Float32Array | null, n: number, rng: Rng): number {
    const { params } = this.state;
    const { inputs, outputs } = this.spec;
    const last = this.layers.length - 1;
    const keep = 1 - this.spec.dropout;
    try {
      const activations: Matrix[] = [k.upload(x, n, inputs)];
      const masks: Matrix[] = [];
      this.layers.forEach(({ fanIn, fanOut }, l) => {
        let a = k.matMul(activations[l]!, k.upload(params[2 * l]!, fanIn, fanOut), params[2 * l + 1]!, l === last ? 'linear' : 'relu');
        if (l < last && keep < 1) a = k.mul(a, (masks[l + 1] = k.upload(dropoutMask(n * fanOut, keep, rng), n, fanOut)));
        activations.push(a);
      });
      const logits = k.read(activations[last + 1]!, this.scratch(0, n * outputs));
      if (this.spec.skip) {
        const linear = k.read(k.matMul(activations[0]!, k.upload(params[params.length - 1]!, inputs, outputs)), this.scratch(1, n * outputs));
        for (let i = 0; i < logits.length; i++) logits[i]! += linear[i]!;
      }
      const { loss, grad } = lossAndGrad(task, logits, y, w, n);

      const xT = k.upload(withOnesRow(this.scratch(2, (inputs + 1) * n), x, n, inputs), inputs + 1, n);
      let dzm = k.upload(grad, n, outputs);
      if (this.spec.skip) {
        // The skip path has no bias: its gradient is the product without the ones row.
        const product = k.read(k.matMul(xT, dzm), this.scratch(3, (inputs + 1) * outputs));
        this.gradients[params.length - 1]!.set(product.subarray(0, inputs * outputs));
      }
      for (let l = last; l >= 0; l--) {
        const { fanIn, fanOut } = this.layers[l]!;
        const slot = 4 + 4 * l;
        const input = l === 0 ? x : k.read(activations[l]!, this.scratch(slot, n * fanIn));
        const inputT = l === 0 ? xT : k.upload(withOnesRow(this.scratch(slot + 1, (fanIn + 1) * n), input, n, fanIn), fanIn + 1, n);
        // Weight and bias gradients in one product, into the layer's joint gradient buffer.
        k.read(k.matMul(inputT, dzm), this.layerGradients[l]!);
        if (l === 0) break;
        const wT = this.scratch(slot + 2, fanOut * fanIn);
        transposeInto(params[2 * l]!, fanIn, fanOut, wT);
        // Through ReLU and dropout: the input was relu(z)·mask (mask entries 0 or 1/keep), positive
        // exactly where the gradient passes, which dropout then scales by the same mask.
        let gate = k.step(activations[l]!);
        const mask = masks[l];
        if (mask) gate = k.mul(gate, mask);
        dzm = k.mul(k.matMul(dzm, k.upload(wT, fanOut, fanIn)), gate);
      }
      return loss;
    } finally {
      k.release();
    }
  }

  /** Forward and backward pass through the tensor API, for backends that take transposed operands at no extra cost (cpu's strided loops, libtensorflow). */
  private gradientsWithTensors(task: Task, x: Float32Array, y: Float32Array, w: Float32Array | null, n: number, rng: Rng): number {
    const { tf } = this;
    const { params } = this.state;
    const last = this.layers.length - 1;
    const keep = 1 - this.spec.dropout;
    let loss = 0;
    // The tidy returns nothing: returning typed arrays would make tfjs walk every element looking for tensors.
    tf.tidy(() => {
      const activations: tfjs.Tensor2D[] = [tf.tensor2d(x, [n, this.spec.inputs])];
      const weights = this.layers.map(({ fanIn, fanOut }, l) => tf.tensor2d(params[2 * l]!, [fanIn, fanOut]));
      this.layers.forEach(({ fanOut }, l) => {
        const bias = tf.tensor1d(params[2 * l + 1]!);
        let a: tfjs.Tensor2D = tf.fused.matMul({ a: activations[l]!, b: weights[l]!, bias, activation: l === last ? 'linear' : 'relu' }) as tfjs.Tensor2D;
        if (l < last && keep < 1) a = tf.mul(a, tf.tensor2d(dropoutMask(n * fanOut, keep, rng), [n, fanOut]));
        activations.push(a);
      });
      let output = activations[last + 1]!;
      const skip = this.spec.skip ? tf.tensor2d(params[params.length - 1]!, [this.spec.inputs, this.spec.outputs]) : null;
      if (skip) output = tf.add(output, tf.matMul(activations[0]!, skip));
      const result = lossAndGrad(task, output.dataSync() as Float32Array, y, w, n);
      loss = result.loss;
      this.backwardWithFlags(activations, weights, result.grad, n, keep);
    });
    return loss;
  }

  /** Backpropagation with transposed operands (`tf.matMul`'s flags), filling `gradients`. */
  private backwardWithFlags(activations: tfjs.Tensor2D[], weights: tfjs.Tensor2D[], outputGrad: Float32Array, n: number, keep: number): void {
    const { tf } = this;
    const grads = this.gradients;
    const { params } = this.state;
    const last = this.layers.length - 1;
    let dz: tfjs.Tensor2D = tf.tensor2d(outputGrad, [n, this.spec.outputs]);
    if (this.spec.skip) grads[params.length - 1]!.set(tf.matMul(activations[0]!, dz, true, false).dataSync());
    for (let l = last; l >= 0; l--) {
      const input = activations[l]!;
      grads[2 * l]!.set(tf.matMul(input, dz, true, false).dataSync());
      grads[2 * l + 1]!.set(tf.sum(dz, 0).dataSync());
      if (l > 0) {
        const da = tf.matMul(dz, weights[l]!, false, true);
        let gate = tf.step(input);
        if (keep < 1) gate = tf.mul(gate, tf.scalar(1 / keep));
        dz = tf.mul(da, gate);
      }
    }
  }

  /** A reused buffer of at least `length` floats (per slot), so a batch allocates no large arrays. */
  private scratch(slot: number, length: number): Float32Array {
    let buffer = this.buffers[slot];
    if (!buffer || buffer.length < length) buffer = this.buffers[slot] = new Float32Array(length);
    return buffer.length === length ? buffer : buffer.subarray(0, length);
  }

  private adam(grads: Float32Array[], learningRate: number): void {
    adamStep(this.state, grads, learningRate);
  }

  /** Logits for `n` rows (no dropout), computed in chunks to bound memory. */
  logits(x: Float32Array, n: number, chunk = 8192): Float32Array {
    const { tf } = this;
    const { inputs, outputs } = this.spec;
    const out = new Float32Array(n * outputs);
    const last = this.layers.length - 1;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      let values: Float32Array = new Float32Array(0);
      tf.tidy(() => {
        let a: tfjs.Tensor2D = tf.tensor2d(x.subarray(start * inputs, (start + rows) * inputs), [rows, inputs]);
        this.layers.forEach(({ fanIn, fanOut }, l) => {
          const weights = tf.tensor2d(this.state.params[2 * l]!, [fanIn, fanOut]);
          const bias = tf.tensor1d(this.state.params[2 * l + 1]!);
          a = tf.fused.matMul({ a, b: weights, bias, activation: l === last ? 'linear' : 'relu' }) as tfjs.Tensor2D;
        });
        if (this.spec.skip) {
          const skip = tf.tensor2d(this.state.params[this.state.params.length - 1]!, [inputs, outputs]);
          a = tf.add(a, tf.matMul(tf.tensor2d(x.subarray(start * inputs, (start + rows) * inputs), [rows, inputs]), skip));
        }
        values = a.dataSync() as Float32Array;
      });
      out.set(values, start * outputs);
    }
    return out;
  }

  /** A deep copy of the parameters (to keep the best epoch's weights). */
  snapshot(): Float32Array[] {
    return this.state.params.map((p) => p.slice());
  }
}

/**
 * Writes the transpose of a rows × columns matrix into `out` (columns × rows). Four rows at a time:
 * each pass then writes four neighbouring floats, twice as fast as one row at a time (0.6 against
 * 1.2 ns per element for 256 × 100).
 */
function transposeInto(x: Float32Array, rows: number, columns: number, out: Float32Array): void {
  if (columns === 1) {
    out.set(x.subarray(0, rows));
    return;
  }
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a = r * columns;
    const b = a + columns;
    const c = b + columns;
    const d = c + columns;
    for (let j = 0; j < columns; j++) {
      const o = j * rows + r;
      out[o] = x[a + j]!;
      out[o + 1] = x[b + j]!;
      out[o + 2] = x[c + j]!;
      out[o + 3] = x[d + j]!;
    }
  }
  for (; r < rows; r++) {
    const row = r * columns;
    for (let j = 0; j < columns; j++) out[j * rows + r] = x[row + j]!;
  }
}

/** Writes xᵀ (x is rows × columns) into `out`, followed by a row of `rows` ones. */
function withOnesRow(out: Float32Array, x: Float32Array, rows: number, columns: number): Float32Array {
  transposeInto(x, rows, columns, out);
  out.fill(1, columns * rows, (columns + 1) * rows);
  return out;
}

/** Inverted dropout: each unit kept with probability `keep`, its value scaled by 1/keep. */
function dropoutMask(size: number, keep: number, rng: Rng): Float32Array {
  const mask = new Float32Array(size);
  const scale = 1 / keep;
  for (let i = 0; i < size; i++) mask[i] = rng.next() < keep ? scale : 0;
  return mask;
}
