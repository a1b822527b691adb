import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvKernels } from '../../../workers/image/wasm-conv.js';
import { convGradients, maxRelativeDiff, values } from './random.js';

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  f: number;
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

/** Gradients of Σ conv2d(x, W) ⊙ r with respect to x and W, on the active backend. */
function gradients(c: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  return convGradients(tf, (x, w) => tf.conv2d(x, w, c.stride, c.pad), [c.n, c.h, c.w, c.ci], [c.f, c.f, c.ci, c.co], seed);
}

// Random shapes from a seed, covering both strides, both paddings, odd sizes, 1 and many channels.
const cases: Case[] = [];
const rand = values(400, 7);
let r = 0;
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    for (let i = 0; i < 3; i++) {
      const pick = (lo: number, hi: number): number => lo + Math.floor(((rand[r++]! + 1) / 2) * (hi - lo + 1));
      const f = [1, 3, 5][pick(0, 2)]!;
      cases.push({ n: pick(1, 4), h: pick(f, 13), w: pick(f, 11), ci: [1, 3, 8, 17][pick(0, 3)]!, co: pick(1, 20), f, stride, pad });
    }
  }
}

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput', () => {
  const reference = new Map<Case, { dx: Float32Array; dw: Float32Array }>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    cases.forEach((c, i) => reference.set(c, gradients(c, 100 + i)));
    await tf.setBackend('wasm');
  });

  it('the package lacks the filter gradient (so this module is needed) and registering adds it', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerWasmConvKernels();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  for (const backpropInput of [false, true]) {
    it(`agrees with the cpu backend on ${cases.length} random shapes (im2col input gradient: ${backpropInput})`, () => {
      registerWasmConvKernels({ backpropInput });
      cases.forEach((c, i) => {
        const got = gradients(c, 100 + i);
        const want = reference.get(c)!;
        expect(got.dw.length).toBe(want.dw.length);
        expect(maxRelativeDiff(got.dw, want.dw), JSON.stringify(c)).toBeLessThan(1e-4);
        expect(maxRelativeDiff(got.dx, want.dx), JSON.stringify(c)).toBeLessThan(1e-4);
      });
      registerWasmConvKernels({ backpropInput: false });
    });
  }

  it('matrix products with transposed operands (routed through Transpose) agree with the cpu backend', async () => {
    registerWasmConvKernels();
    const shapes: [number[], number[], boolean, boolean][] = [
      [[7, 5], [7, 3], true, false],
      [[4, 6], [9, 6], false, true],
      [[6, 4], [9, 6], true, true],
      [[2, 5, 3], [2, 5, 4], true, false],
      [[3, 2, 6], [3, 7, 6], false, true],
    ];
    for (const [sa, sb, ta, tb] of shapes) {
      const va = values(sa.reduce((x, y) => x * y, 1), 11);
      const vb = values(sb.reduce((x, y) => x * y, 1), 12);
      await tf.setBackend('cpu');
      const want = tf.tidy(() => tf.matMul(tf.tensor(va, sa), tf.tensor(vb, sb), ta, tb).dataSync() as Float32Array);
      await tf.setBackend('wasm');
      const got = tf.tidy(() => tf.matMul(tf.tensor(va, sa), tf.tensor(vb, sb), ta, tb).dataSync() as Float32Array);
      expect(maxRelativeDiff(got, want), JSON.stringify([sa, sb, ta, tb])).toBeLessThan(1e-5);
    }
  });

  it('the max-pool gradient agrees with the cpu backend, ties (ReLU zeros) included', async () => {
    registerWasmConvKernels();
    const poolCases: [number[], number, number, 'same' | 'valid'][] = [
      [[2, 8, 8, 3], 2, 2, 'valid'],
      [[1, 7, 9, 5], 2, 2, 'same'],
      [[3, 6, 6, 2], 3, 1, 'same'],
      [[2, 9, 7, 4], 3, 2, 'valid'],
    ];
    for (const [shape, size, stride, pad] of poolCases) {
      const count = shape.reduce((a, b) => a * b, 1);
      // Half the inputs are zero (as after a ReLU), so many windows tie.
      const xv = values(count, 21).map((v) => Math.max(0, v));
      const grad = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(xv, shape as [number, number, number, number]);
          const out = tf.maxPool(x, size, stride, pad);
          const r = tf.tensor(values(out.size, 22), out.shape);
          return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, size, stride, pad), r)))(x).dataSync() as Float32Array;
        });
      };
      const want = await grad('cpu');
      const got = await grad('wasm');
      expect(maxRelativeDiff(got, want), JSON.stringify([shape, size, stride, pad])).toBeLessThan(1e-6);
    }
  });

  it('trains a tiny conv net on wasm: the loss falls', () => {
    registerWasmConvKernels();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    // Class 1 images are bright on the left half, class 0 on the right half.
    const n = 32;
    const xs = new Float32Array(n * 64);
    const ys = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const label = i % 2;
      for (let p = 0; p < 64; p++) xs[i * 64 + p] = (p % 8 < 4) === (label === 1) ? 1 : 0;
      ys[i * 2 + label] = 1;
    }
    const x = tf.tensor4d(xs, [n, 8, 8, 1]);
    const y = tf.tensor2d(ys, [n, 2]);
    const optimizer = tf.train.adam(0.05);
    const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const first = loss().dataSync()[0]!;
    for (let i = 0; i < 30; i++) tf.dispose(optimizer.minimize(loss, true)!);
    const last = loss().dataSync()[0]!;
    expect(tf.getBackend()).toBe('wasm');
    expect(last).toBeLessThan(first * 0.5);
    tf.dispose([x, y]);
    model.dispose();
  });
});
