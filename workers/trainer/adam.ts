/**
 * Adam (Kingma & Ba), the optimizer of every run: one step over all parameter arrays of a model.
 *
 * The step runs as one WebAssembly SIMD loop (`adam.wat`, four floats at a time): for the
 * reference MLP's 10,700 parameters it takes about 9 µs per batch including the copies in and out,
 * against 34 µs for the same loop in JavaScript (a square root and a division per parameter), out
 * of some 650 µs per batch in all. Should WebAssembly SIMD be missing, the JavaScript loop runs.
 */
import { ADAM_WASM } from './adam-wasm.js';

export const BETA1 = 0.9;
export const BETA2 = 0.999;
export const EPSILON = 1e-7;

/** What Adam keeps between steps (part of a model's checkpointed state). */
export interface AdamState {
  params: Float32Array[];
  /** First and second moment estimates, one per parameter array. */
  m: Float32Array[];
  v: Float32Array[];
  /** Steps taken so far (bias correction). */
  step: number;
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  adam(n: number, g: number, p: number, m: number, v: number, step: number, eps: number): void;
}

/** The part of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel === undefined) {
    try {
      const bytes = Uint8Array.from(atob(ADAM_WASM), (c) => c.charCodeAt(0));
      const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
      kernel = new Instance(new Module(bytes)).exports as Kernel;
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/** Whether the WebAssembly kernel runs here (false: the JavaScript loop does). */
export function adamKernelAvailable(): boolean {
  return loadKernel() !== null;
}

/**
 * One Adam step in place: `grads[k]` is the gradient of `state.params[k]`. `useKernel: false`
 * forces the JavaScript loop (tests compare the two).
 */
export function adamStep(state: AdamState, grads: Float32Array[], learningRate: number, useKernel = true): void {
  state.step++;
  const correction1 = 1 - BETA1 ** state.step;
  const correction2 = 1 - BETA2 ** state.step;
  // The bias corrections folded into the step size and epsilon (the form Keras and PyTorch use).
  const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
  const epsilon = EPSILON * Math.sqrt(correction2);
  const wasm = useKernel ? loadKernel() : null;
  if (wasm) stepWithKernel(wasm, state, grads, stepSize, epsilon);
  else for (let k = 0; k < grads.length; k++) stepLoop(grads[k]!, state.params[k]!, state.m[k]!, state.v[k]!, stepSize, epsilon);
}

function stepLoop(g: Float32Array, p: Float32Array, m: Float32Array, v: Float32Array, stepSize: number, epsilon: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = (m[i] = BETA1 * m[i]! + (1 - BETA1) * gi);
    const vi = (v[i] = BETA2 * v[i]! + (1 - BETA2) * gi * gi);
    p[i]! -= (stepSize * mi) / (Math.sqrt(vi) + epsilon);
  }
}

/**
 * Lays the arrays out in the kernel's memory as four regions (gradients, parameters, m, v), each
 * array padded to a multiple of four floats (padding lanes hold zeros and are never copied back),
 * runs the loop once over everything and copies parameters and moments back.
 */
function stepWithKernel(wasm: Kernel, state: AdamState, grads: Float32Array[], stepSize: number, epsilon: number): void {
  let total = 0;
  for (const p of state.params) total += (p.length + 3) & ~3;
  const bytes = 16 * total;
  const have = wasm.memory.buffer.byteLength;
  if (have < bytes) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
  const heap = new Float32Array(wasm.memory.buffer, 0, 4 * total);
  const regions = [grads, state.params, state.m, state.v];
  for (let r = 0; r < 4; r++) {
    let offset = r * total;
    for (const array of regions[r]!) {
      heap.set(array, offset);
      const padded = (array.length + 3) & ~3;
      heap.fill(0, offset + array.length, offset + padded);
      offset += padded;
    }
  }
  wasm.adam(total, 0, 4 * total, 8 * total, 12 * total, stepSize, epsilon);
  for (let r = 1; r < 4; r++) {
    let offset = r * total;
    for (const array of regions[r]!) {
      array.set(heap.subarray(offset, offset + array.length));
      offset += (array.length + 3) & ~3;
    }
  }
}
