import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvKernels } from '../../../workers/image/wasm-conv.js';
import { convGradients, maxRelativeDiff, values } from './random.js';

interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  mult: number;
  f: number;
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

/** Gradients of Σ depthwiseConv2d(x, W) ⊙ r with respect to x and W, on the active backend. */
function gradients(k: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  return convGradients(tf, (x, w) => tf.depthwiseConv2d(x, w, k.stride, k.pad), [k.n, k.h, k.w, k.c], [k.f, k.f, k.c, k.mult], seed);
}

// Random shapes from a seed: both strides, both paddings, odd sizes, channel multipliers 1–3
// (MobileNet uses 3×3, stride 1 and 2, 'same', multiplier 1).
const cases: Case[] = [];
const rand = values(400, 11);
let r = 0;
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    for (let i = 0; i < 3; i++) {
      const pick = (lo: number, hi: number): number => lo + Math.floor(((rand[r++]! + 1) / 2) * (hi - lo + 1));
      const f = [1, 3, 5][pick(0, 2)]!;
      cases.push({ n: pick(1, 3), h: pick(f, 13), w: pick(f, 11), c: [1, 3, 8, 17][pick(0, 3)]!, mult: pick(1, 3), f, stride, pad });
    }
  }
}

describe('wasm DepthwiseConv2dNativeBackpropInput / BackpropFilter', () => {
  const reference = new Map<Case, { dx: Float32Array; dw: Float32Array }>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    cases.forEach((k, i) => reference.set(k, gradients(k, 300 + i)));
    await tf.setBackend('wasm');
  });

  it('the package lacks both (so this module is needed) and registering adds them', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeUndefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    registerWasmConvKernels();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
  });

  it(`agrees with the cpu backend on ${cases.length} random shapes`, () => {
    registerWasmConvKernels();
    cases.forEach((k, i) => {
      const got = gradients(k, 300 + i);
      const want = reference.get(k)!;
      expect(got.dx.length).toBe(want.dx.length);
      expect(got.dw.length).toBe(want.dw.length);
      expect(maxRelativeDiff(got.dx, want.dx), `dx ${JSON.stringify(k)}`).toBeLessThan(1e-5);
      expect(maxRelativeDiff(got.dw, want.dw), `dW ${JSON.stringify(k)}`).toBeLessThan(1e-5);
    });
  });
});
