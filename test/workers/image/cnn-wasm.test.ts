import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildCnn, trainingLogits, type CnnSpec } from '../../../workers/image/model.js';
import { WasmCnn } from '../../../workers/image/cnn-wasm.js';
import { col2im, im2col, im2colT, maxPool, type ConvGeometry } from '../../../workers/image/im2col.js';
import { maxRelativeDiff, randomBatch, values, type Batch } from './random.js';

/** The loss and gradients of the tf.layers model by autodiff on the cpu backend (the reference). */
function reference(spec: CnnSpec, init: Float32Array[], batch: Batch): { loss: number; grads: Float32Array[] } {
  const model = buildCnn(tf, spec, 3);
  const tensors = model.getWeights().map((w, i) => tf.tensor(init[i]!, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [batch.b, spec.side, spec.side, spec.channels]);
    const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), spec.classes);
    const m = batch.mask ? tf.tensor2d(batch.mask, [batch.b, spec.dense]) : null;
    const w = tf.tensor1d(batch.weights);
    const { value, grads } = tf.variableGrads(() => {
      const perImage = tf.losses.softmaxCrossEntropy(y, trainingLogits(tf, model, x, m), undefined, undefined, tf.Reduction.NONE);
      return tf.div(tf.sum(tf.mul(perImage, w)), batch.wSum) as tf.Scalar;
    }, variables);
    return { loss: value.dataSync()[0]!, grads: variables.map((v) => Float32Array.from(grads[v.name]!.dataSync())) };
  });
  model.dispose();
  return out;
}

// Random network shapes from a seed: odd sides (the last row/column dropped by pooling), 1 and 3 channels, 1–3 blocks.
const specs: CnnSpec[] = [];
const pick = values(60, 11);
for (let i = 0; i < 6; i++) {
  const u = (j: number) => (pick[i * 6 + j]! + 1) / 2;
  const side = [7, 9, 12, 13, 16, 19][i]!;
  const blocks = side > 16 ? 3 : side > 8 ? 2 : 1;
  const first = 2 + Math.floor(u(0) * 6);
  specs.push({ side, channels: u(1) < 0.5 ? 1 : 3, classes: 2 + Math.floor(u(2) * 5), filters: Array.from({ length: blocks }, (_, b) => first + b * 3), batchNorm: false, dense: 3 + Math.floor(u(3) * 9), dropout: 0.3 });
}

// Both ways of taking the filter gradient: dWᵀ = dAᵀ · patches when a block has more filters than patch values (here the first), colsᵀ · dA otherwise.
specs.push({ side: 10, channels: 1, classes: 4, filters: [12, 5], batchNorm: false, dense: 6, dropout: 0.3 });

describe('im2col kernels', () => {
  it('im2col, its transpose and col2im agree with a direct convolution on random strides and paddings', () => {
    // conv(x, W) as Σ over taps computed directly; im2col · W must match, and col2im must be its adjoint: <col2im(d), x> = <d, im2col(x)>.
    for (let t = 0; t < 8; t++) {
      const r = values(12, 100 + t).map((v) => (v + 1) / 2);
      const f = [1, 2, 3, 5][Math.floor(r[0]! * 4)]!;
      const sh = 1 + Math.floor(r[1]! * 3);
      const sw = 1 + Math.floor(r[2]! * 2);
      const n = 1 + Math.floor(r[3]! * 3);
      const h = f + Math.floor(r[4]! * 8);
      const w = f + Math.floor(r[5]! * 8);
      const ci = 1 + Math.floor(r[6]! * 5);
      const top = Math.floor(r[7]! * f);
      const left = Math.floor(r[8]! * f);
      const oh = Math.floor((h + 2 * top - f) / sh) + 1;
      const ow = Math.floor((w + 2 * left - f) / sw) + 1;
      const g: ConvGeometry = { n, h, w, ci, oh, ow, fh: f, fw: f, sh, sw, top, left };
      const x = values(n * h * w * ci, 200 + t);
      const k = f * f * ci;
      const m = n * oh * ow;
      const cols = new Float32Array(m * k);
      im2col(x, g, cols);
      const colsT = new Float32Array(m * k);
      im2colT(x, g, colsT);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) expect(colsT[j * m + i]).toBe(cols[i * k + j]);
      // Every entry is the input pixel it names, or 0 in the padding.
      for (let b = 0; b < n; b++)
        for (let y = 0; y < oh; y++)
          for (let xx = 0; xx < ow; xx++)
            for (let fy = 0; fy < f; fy++)
              for (let fx = 0; fx < f; fx++)
                for (let c = 0; c < ci; c++) {
                  const iy = y * sh - top + fy;
                  const ix = xx * sw - left + fx;
                  const want = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[((b * h + iy) * w + ix) * ci + c]! : 0;
                  expect(cols[((b * oh + y) * ow + xx) * k + (fy * f + fx) * ci + c]).toBe(want);
                }
      const d = values(m * k, 300 + t);
      const dx = new Float32Array(n * h * w * ci).fill(7);
      col2im(d, g, dx);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < dx.length; i++) lhs += dx[i]! * x[i]!;
      for (let i = 0; i < d.length; i++) rhs += d[i]! * cols[i]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(rhs)));
    }
  });

  it('max pooling keeps the first largest value of each window and where it was', () => {
    const x = Float32Array.from([1, 5, 5, 2, 0, 0, 0, 0, 3, 4, 9, 9]);
    // 1 × 3 × 4 × 1 input, 2 × 2 windows at stride 2: the last row is dropped.
    const out = new Float32Array(2);
    const arg = new Int32Array(2);
    maxPool(x, { n: 1, h: 3, w: 4, c: 1, oh: 1, ow: 2, fh: 2, fw: 2, sh: 2, sw: 2, top: 0, left: 0 }, out, arg);
    expect([...out]).toEqual([5, 5]);
    expect([...arg]).toEqual([1, 2]);
  });
});

describe('max pooling against a direct loop', () => {
  it('2 × 2 at stride 2 (the fast path) and 3 × 3 at stride 2 with padding, ReLU zeros (ties) included, odd sides', () => {
    for (const [fh, sh, top] of [[2, 2, 0], [3, 2, 1], [2, 1, 0]] as const) {
      const n = 2;
      const h = 7;
      const w = 9;
      const c = 5;
      // Half the values are exactly 0, as after a ReLU: ties must go to the first in scan order.
      const x = values(n * h * w * c, 77 + fh).map((v) => Math.max(0, v));
      const oh = Math.floor((h + 2 * top - fh) / sh) + 1;
      const ow = Math.floor((w + 2 * top - fh) / sh) + 1;
      const out = new Float32Array(n * oh * ow * c);
      const arg = new Int32Array(out.length);
      maxPool(x, { n, h, w, c, oh, ow, fh, fw: fh, sh, sw: sh, top, left: top }, out, arg);
      let o = 0;
      for (let b = 0; b < n; b++)
        for (let y = 0; y < oh; y++)
          for (let xx = 0; xx < ow; xx++)
            for (let ch = 0; ch < c; ch++, o++) {
              let best = -1;
              for (let fy = 0; fy < fh; fy++)
                for (let fx = 0; fx < fh; fx++) {
                  const iy = y * sh - top + fy;
                  const ix = xx * sh - top + fx;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  const at = ((b * h + iy) * w + ix) * c + ch;
                  if (best < 0 || x[at]! > x[best]!) best = at;
                }
              expect(arg[o]).toBe(best);
              expect(out[o]).toBe(x[best]!);
            }
    }
  });
});

describe('WasmCnn (the direct-kernel training step on wasm)', () => {
  for (const [i, spec] of specs.entries()) {
    it(`gradients and one Adam step agree with tfjs autodiff + tf.train.adam on the cpu backend: ${spec.side}×${spec.side}×${spec.channels}, filters ${spec.filters.join('/')}, dense ${spec.dense}, ${spec.classes} classes`, async () => {
      const b = 3 + i;
      const batch = randomBatch(spec, b, 40 + i, i % 2 === 0);
      await tf.setBackend('cpu');
      const model0 = buildCnn(tf, spec, 5 + i);
      // Non-zero biases, so a bias that is ignored shows.
      const init = model0.getWeights().map((w, j) => (w.shape.length === 1 ? values(w.size, 900 + j).map((v) => v * 0.1) : Float32Array.from(w.dataSync())));
      model0.dispose();
      const ref = reference(spec, init, batch);
      // tfjs's Adam on the cpu backend, from the same weights and gradients.
      const lr = 0.01;
      const vars = init.map((v, j) => tf.variable(tf.tensor(v), true, `ref_${i}_${j}`));
      const adam = tf.train.adam(lr);
      adam.applyGradients(vars.map((v, j) => ({ name: v.name, tensor: tf.tensor(ref.grads[j]!) })));
      const adamRef = vars.map((v) => Float32Array.from(v.dataSync()));
      tf.dispose(vars);
      adam.dispose();

      await tf.setBackend('wasm');
      const model = buildCnn(tf, spec, 5 + i);
      const tensors = model.getWeights().map((w, j) => tf.tensor(init[j]!, w.shape));
      model.setWeights(tensors);
      tf.dispose(tensors);
      expect(WasmCnn.supports(tf, model, spec)).toBe(true);
      const cnn = new WasmCnn(tf, spec, model, b + 2);
      const r = cnn.gradients(batch.x, b, batch.labels, batch.weights, batch.wSum, batch.mask);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
      cnn.grads.forEach((g, j) => expect(maxRelativeDiff(g, ref.grads[j]!), `gradient ${model.trainableWeights[j]!.name}`).toBeLessThan(1e-4));
      cnn.step(batch.x, b, batch.labels, batch.weights, batch.wSum, batch.mask, lr);
      cnn.state.params.forEach((p, j) => expect(maxRelativeDiff(p, adamRef[j]!), `after Adam ${model.trainableWeights[j]!.name}`).toBeLessThan(1e-4));
      model.dispose();
    });
  }

  it('is used only for the network buildCnn makes without batch norm, on wasm', async () => {
    await tf.setBackend('wasm');
    const spec = specs[1]!;
    const model = buildCnn(tf, spec, 1);
    expect(WasmCnn.supports(tf, model, spec)).toBe(true);
    expect(WasmCnn.supports(tf, model, { ...spec, dense: spec.dense + 1 })).toBe(false);
    const withBn = buildCnn(tf, { ...spec, batchNorm: true }, 1);
    expect(WasmCnn.supports(tf, withBn, { ...spec, batchNorm: true })).toBe(false);
    // A model of other layers whose weights happen to line up (a head on features) is not taken for the CNN.
    const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: spec.dense, name: 'dense' }), tf.layers.dense({ units: spec.classes, name: 'logits' })] });
    expect(WasmCnn.supports(tf, head, { ...spec, filters: [] })).toBe(false);
    await tf.setBackend('cpu');
    expect(WasmCnn.supports(tf, model, spec)).toBe(false);
    await tf.setBackend('wasm');
    for (const m of [model, withBn, head]) m.dispose();
  });

  it('store/load round-trip the weights into the model and Adam moments into the tfjs optimizer', async () => {
    await tf.setBackend('wasm');
    const spec = specs[1]!;
    const model = buildCnn(tf, spec, 1);
    const cnn = new WasmCnn(tf, spec, model, 4);
    const batch = randomBatch(spec, 4, 3, true);
    for (let s = 0; s < 3; s++) cnn.step(batch.x, 4, batch.labels, batch.weights, batch.wSum, batch.mask, 0.01);
    const optimizer = tf.train.adam(0.01);
    await cnn.store(tf, optimizer);
    const weights = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
    weights.forEach((w, j) => expect([...w]).toEqual([...cnn.state.params[j]!]));
    const other = new WasmCnn(tf, spec, model, 4);
    await other.load(tf, optimizer);
    expect(other.state.step).toBe(3);
    other.state.m.forEach((m, j) => expect([...m]).toEqual([...cnn.state.m[j]!]));
    other.state.v.forEach((v, j) => expect([...v]).toEqual([...cnn.state.v[j]!]));
    // The next step from the restored state is the same step.
    cnn.step(batch.x, 4, batch.labels, batch.weights, batch.wSum, batch.mask, 0.01);
    other.step(batch.x, 4, batch.labels, batch.weights, batch.wSum, batch.mask, 0.01);
    other.state.params.forEach((p, j) => expect([...p]).toEqual([...cnn.state.params[j]!]));
    optimizer.dispose();
    model.dispose();
  });
});
