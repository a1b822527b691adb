/**
 * A multilayer perceptron trained with hand-written backpropagation on TensorFlow.js tensors and
 * an Adam step in JavaScript.
 *
 * Why not `tf.layers` + `model.fit`: (1) reproducibility — fit shuffles with Math.random and a
 * seeded Dropout layer reuses one mask for every batch, so we draw masks and batch order from our
 * own seeded generator; (2) speed on the wasm backend — its matMul takes the fast XNNPACK path only
 * when neither operand is transposed, and autodiff's gradient products are transposed; here every
 * product is written with an explicit (fast) transpose first; (3) the optimizer is a few thousand
 * floats, cheaper as one JavaScript loop than as dozens of small tensor ops per batch.
 * The trained weights are saved as a standard tfjs layers model (see artifact.ts).
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Rng } from './random.js';
import { lossAndGrad } from './loss.js';
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

/** Everything needed to continue training exactly where it stopped (saved in checkpoints). */
export interface MlpState {
  /** W₀, b₀, W₁, b₁ … (W is fan-in × fan-out, row-major), then the skip path's W (inputs × outputs) when `skip`. */
  params: Float32Array[];
  /** Adam's first and second moment estimates, one per parameter array. */
  m: Float32Array[];
  v: Float32Array[];
  /** Adam steps taken so far (bias correction). */
  step: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

export class Mlp {
  readonly layers: Array<{ fanIn: number; fanOut: number }>;
  state: MlpState;

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
    const { tf } = this;
    const { params } = this.state;
    const last = this.layers.length - 1;
    const keep = 1 - this.spec.dropout;
    let loss = 0;
    const grads: Float32Array[] = new Array<Float32Array>(params.length);
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
      let dz: tfjs.Tensor2D = tf.tensor2d(result.grad, [n, this.spec.outputs]);
      const ones = tf.ones([1, n]) as tfjs.Tensor2D;
      // On wasm, every product is written without transpose flags (see the class comment); other
      // backends (cpu's strided loops, libtensorflow) take transposed operands at no extra cost.
      const wasm = tf.getBackend() === 'wasm';
      // Xᵀ transposed in JavaScript while copying: cheaper than a transpose kernel.
      const xT = wasm ? tf.tensor2d(transposeRows(x, n, this.spec.inputs), [this.spec.inputs, n]) : null;
      const inputGrad = (input: tfjs.Tensor2D, transposed: tfjs.Tensor2D | null) =>
        (transposed ? tf.matMul(transposed, dz) : tf.matMul(input, dz, true, false)).dataSync() as Float32Array;
      if (skip) grads[params.length - 1] = inputGrad(activations[0]!, xT);
      for (let l = last; l >= 0; l--) {
        const input = activations[l]!;
        // Hidden activations are transposed in JavaScript too: the wasm Transpose kernel (a generic
        // N-d loop) took ~58 µs for 256 × 64 in a kernel profile, more than download + copy + upload.
        const inputT = !wasm ? null : l === 0 ? xT : tf.tensor2d(transposeRows(input.dataSync() as Float32Array, n, this.layers[l - 1]!.fanOut), [this.layers[l - 1]!.fanOut, n]);
        grads[2 * l] = inputGrad(input, inputT);
        // Σ over rows as a 1 × n product: the wasm backend's Sum over axis 0 transposes first and is slower.
        grads[2 * l + 1] = (wasm ? tf.matMul(ones, dz) : tf.sum(dz, 0)).dataSync() as Float32Array;
        if (l > 0) {
          const da = wasm ? tf.matMul(dz, tf.transpose(weights[l]!)) : tf.matMul(dz, weights[l]!, false, true);
          // ReLU and dropout together: the input was relu(z)·mask/keep, positive exactly where the
          // gradient passes, and then scaled by 1/keep.
          let gate = tf.step(input);
          if (keep < 1) gate = tf.mul(gate, tf.scalar(1 / keep));
          dz = tf.mul(da, gate);
        }
      }
    });
    this.adam(grads, learningRate);
    return loss;
  }

  private adam(grads: Float32Array[], learningRate: number): void {
    const state = this.state;
    state.step++;
    const correction1 = 1 - BETA1 ** state.step;
    const correction2 = 1 - BETA2 ** state.step;
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    const epsilon = EPSILON * Math.sqrt(correction2);
    for (let k = 0; k < grads.length; k++) {
      const g = grads[k]!;
      const p = state.params[k]!;
      const m = state.m[k]!;
      const v = state.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = BETA1 * m[i]! + (1 - BETA1) * gi);
        const vi = (v[i] = BETA2 * v[i]! + (1 - BETA2) * gi * gi);
        p[i]! -= (stepSize * mi) / (Math.sqrt(vi) + epsilon);
      }
    }
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

function transposeRows(x: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = x[r * columns + c]!;
  return out;
}

/** Inverted dropout: each unit kept with probability `keep`, its value scaled by 1/keep. */
function dropoutMask(size: number, keep: number, rng: Rng): Float32Array {
  const mask = new Float32Array(size);
  const scale = 1 / keep;
  for (let i = 0; i < size; i++) mask[i] = rng.next() < keep ? scale : 0;
  return mask;
}
