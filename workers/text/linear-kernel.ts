/**
 * The logistic baseline's objective with its passes over the sparse matrix in WebAssembly
 * (`linear.wat`): the matrix is copied once into the module's memory, and each evaluation copies
 * the weights in, computes every row's logits there, each row's loss and derivative here
 * (`rowLoss`, the same function the JavaScript objective uses), then the gradient's scatter and
 * the L2 term there, and copies the gradient out. Same operations in the same order as the
 * JavaScript loops of linear.ts, so the same result to the last bit (tested), at a fraction of
 * the cost: the loops of a function that runs once do not wait for the JIT. Null where
 * WebAssembly is missing (linear.ts then runs its JavaScript loops).
 */
import type { Csr } from './linear.js';
import { LINEAR_WASM } from './linear-wasm.js';

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  logits(rows: number, k: number, cols: number, indptr: number, indices: number, values: number, theta: number, z: number): void;
  gradient(rows: number, k: number, cols: number, indptr: number, indices: number, values: number, p: number, grad: number): void;
  regularise(n: number, theta: number, grad: number): number;
}

/** The part of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try {
      const { Module } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
      compiled = new Module(Uint8Array.from(atob(LINEAR_WASM), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * Row r's loss (times its weight s = C·sᵣ) from its logits z[zAt, zAt + outputs), and its
 * derivative with respect to them into p[pAt, pAt + outputs). Binary: one logit, the positive
 * class's; multiclass: softmax.
 */
export function rowLoss(z: Float64Array, zAt: number, p: Float64Array, pAt: number, outputs: number, yr: number, s: number): number {
  if (outputs === 1) {
    const zr = z[zAt]!;
    // log(1 + e^{-z}) for the positive class, log(1 + e^{z}) for the negative, computed stably.
    const sign = yr === 1 ? -1 : 1;
    const t = sign * zr;
    p[pAt] = s * (1 / (1 + Math.exp(-zr)) - (yr === 1 ? 1 : 0));
    return s * (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
  }
  let max = -Infinity;
  for (let k = 0; k < outputs; k++) max = Math.max(max, z[zAt + k]!);
  let sum = 0;
  for (let k = 0; k < outputs; k++) sum += Math.exp(z[zAt + k]! - max);
  for (let k = 0; k < outputs; k++) p[pAt + k] = s * (Math.exp(z[zAt + k]! - max) / sum - (k === yr ? 1 : 0));
  return s * (Math.log(sum) + max - z[zAt + yr]!);
}

/** C·Σᵢ sᵢ·lossᵢ + ½‖W‖² and its gradient, with the matrix passes in WebAssembly; null where it does not run. */
export function wasmObjective(x: Csr, y: ArrayLike<number>, outputs: number, c: number, sw: ArrayLike<number> | undefined): ((theta: Float64Array, grad: Float64Array) => number) | null {
  const compiledModule = module();
  if (!compiledModule) return null;
  const nnz = x.indptr[x.rows]!;
  const dim = outputs * x.cols + outputs;
  let top = 0;
  const take = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const indptr = take((x.rows + 1) * 4);
  const indices = take(nnz * 4);
  const values = take(nnz * 8);
  const theta = take(dim * 8);
  const grad = take(dim * 8);
  const z = take(x.rows * outputs * 8);
  const p = take(x.rows * outputs * 8);
  const { Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const w = new Instance(compiledModule).exports as Exports;
  const have = w.memory.buffer.byteLength;
  if (top > have) w.memory.grow(Math.ceil((top - have) / 65536));
  const buffer = w.memory.buffer;
  new Int32Array(buffer, indptr, x.rows + 1).set(x.indptr);
  new Int32Array(buffer, indices, nnz).set(x.indices.subarray(0, nnz));
  new Float64Array(buffer, values, nnz).set(x.values.subarray(0, nnz));
  const thetaView = new Float64Array(buffer, theta, dim);
  const gradView = new Float64Array(buffer, grad, dim);
  const zView = new Float64Array(buffer, z, x.rows * outputs);
  const pView = new Float64Array(buffer, p, x.rows * outputs);
  return (t, g) => {
    thetaView.set(t);
    w.logits(x.rows, outputs, x.cols, indptr, indices, values, theta, z);
    let loss = 0;
    for (let r = 0; r < x.rows; r++) loss += rowLoss(zView, r * outputs, pView, r * outputs, outputs, y[r]!, c * (sw ? sw[r]! : 1));
    gradView.fill(0);
    w.gradient(x.rows, outputs, x.cols, indptr, indices, values, p, grad);
    const reg = w.regularise(outputs * x.cols, theta, grad);
    g.set(gradView);
    return loss + 0.5 * reg;
  };
}
