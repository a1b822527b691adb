import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { Mlp } from '../../../workers/trainer/mlp.js';
import { Rng } from '../../../workers/trainer/random.js';
import { lossAndGrad } from '../../../workers/trainer/loss.js';
import { WasmKernels } from '../../../workers/trainer/wasm-kernels.js';

/** Reference gradients from tfjs autodiff (tf.grads) of the same network and loss. */
function referenceGradients(mlp: Mlp, task: 'binary' | 'multiclass' | 'regression', x: Float32Array, y: Float32Array, w: Float32Array, n: number): Float32Array[] {
  const params = mlp.state.params.map((p, i) => {
    const layer = mlp.layers[i >> 1];
    if (!layer) return tf.tensor2d(p, [mlp.spec.inputs, mlp.spec.outputs]); // the skip path
    return i % 2 === 0 ? tf.tensor2d(p, [layer.fanIn, layer.fanOut]) : tf.tensor1d(p);
  });
  const k = mlp.spec.outputs;
  const f = (...ps: tf.Tensor[]) => {
    const input = tf.tensor2d(x, [n, mlp.spec.inputs]);
    let a: tf.Tensor = input;
    for (let l = 0; l < mlp.layers.length; l++) {
      a = tf.add(tf.matMul(a as tf.Tensor2D, ps[2 * l] as tf.Tensor2D), ps[2 * l + 1]!);
      if (l < mlp.layers.length - 1) a = tf.relu(a);
    }
    if (mlp.spec.skip) a = tf.add(a, tf.matMul(input, ps[ps.length - 1] as tf.Tensor2D));
    const wt = tf.tensor1d(w);
    if (task === 'binary') {
      const z = a.reshape([n]);
      const yt = tf.tensor1d(y);
      const l = tf.add(tf.sub(tf.relu(z), tf.mul(z, yt)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      return tf.div(tf.sum(tf.mul(l, wt)), n) as tf.Scalar;
    }
    if (task === 'multiclass') {
      const logp = tf.logSoftmax(a as tf.Tensor2D);
      const onehot = tf.oneHot(tf.tensor1d(Array.from(y), 'int32'), k);
      return tf.div(tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(logp, onehot), 1)), wt)), n) as tf.Scalar;
    }
    return tf.div(tf.sum(tf.mul(tf.square(tf.sub(a.reshape([n]), tf.tensor1d(y))), wt)), n) as tf.Scalar;
  };
  return tf.grads(f)(params).map((g) => g.dataSync() as Float32Array);
}

describe('Mlp backpropagation', () => {
  // cpu takes the transpose-flag path; wasm the explicit-transpose path (XNNPACK's fast path).
  for (const [task, backend] of [['binary', 'cpu'], ['multiclass', 'cpu'], ['regression', 'cpu'], ['binary', 'wasm'], ['multiclass', 'wasm']] as const) {
    it(`matches tfjs autodiff gradients (${task}, ${backend})`, async () => {
      await loadBackend(backend);
      const rng = new Rng(7);
      const n = 13;
      const d = 5;
      const k = task === 'multiclass' ? 3 : 1;
      const mlp = new Mlp(tf, { inputs: d, hidden: [8, 6], outputs: k, dropout: 0, skip: true }, rng);
      // A non-zero skip path, so its gradient and its effect on the others are both checked.
      mlp.state.params[mlp.state.params.length - 1]!.forEach((_, i, p) => (p[i] = rng.next() - 0.5));
      const x = Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
      const y = Float32Array.from({ length: n }, () => (task === 'regression' ? rng.next() : rng.int(task === 'binary' ? 2 : 3)));
      const w = Float32Array.from({ length: n }, () => 0.5 + rng.next());
      const expected = referenceGradients(mlp, task, x, y, w, n);
      // Capture our gradients by running one step with lr 0 through a spy on the Adam update.
      const captured: Float32Array[] = [];
      const original = (mlp as unknown as { adam: (g: Float32Array[], lr: number) => void }).adam;
      (mlp as unknown as { adam: (g: Float32Array[], lr: number) => void }).adam = (g) => captured.push(...g.map((a) => a.slice()));
      const loss = mlp.trainBatch(task, x, y, w, n, 0, rng);
      (mlp as unknown as { adam: typeof original }).adam = original;
      expect(captured).toHaveLength(expected.length);
      captured.forEach((g, i) => {
        const e = expected[i]!;
        for (let j = 0; j < e.length; j++) expect(g[j]).toBeCloseTo(e[j]!, 4);
      });
      const logits = mlp.logits(x, n);
      expect(loss).toBeCloseTo(lossAndGrad(task, logits, y, w, n, false).loss, 5);
    });
  }

  it('the wasm and cpu paths give the same gradients with dropout (same masks, batch of 70 rows)', async () => {
    // Dropout masks come from our seeded generator, so both backends see the same ones; the wasm
    // path gates the gradient in JavaScript, the cpu path with tf.step.
    const capture = async (backend: 'wasm' | 'cpu') => {
      await loadBackend(backend);
      const rng = new Rng(11);
      const n = 70;
      const d = 9;
      const mlp = new Mlp(tf, { inputs: d, hidden: [12, 7], outputs: 3, dropout: 0.3, skip: true }, rng);
      mlp.state.params[mlp.state.params.length - 1]!.forEach((_, i, p) => (p[i] = rng.next() - 0.5));
      const x = Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
      const y = Float32Array.from({ length: n }, () => rng.int(3));
      const captured: Float32Array[] = [];
      (mlp as unknown as { adam: (g: Float32Array[]) => void }).adam = (g) => captured.push(...g.map((a) => a.slice()));
      const loss = mlp.trainBatch('multiclass', x, y, null, n, 0, rng);
      return { captured, loss };
    };
    const wasm = await capture('wasm');
    const cpu = await capture('cpu');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    expect(wasm.captured).toHaveLength(cpu.captured.length);
    wasm.captured.forEach((g, i) => {
      const c = cpu.captured[i]!;
      expect(g.length).toBe(c.length);
      for (let j = 0; j < c.length; j++) expect(g[j]).toBeCloseTo(c[j]!, 5);
    });
  });

  it('frees every wasm buffer a training step makes, also when the step throws', async () => {
    await loadBackend('wasm');
    const rng = new Rng(2);
    const n = 32;
    const mlp = new Mlp(tf, { inputs: 4, hidden: [8], outputs: 1, dropout: 0.2, skip: true }, rng);
    const x = Float32Array.from({ length: n * 4 }, () => rng.next());
    const y = Float32Array.from({ length: n }, () => rng.int(2));
    mlp.trainBatch('binary', x, y, null, n, 0.01, rng);
    const before = tf.backend().numDataIds();
    for (let i = 0; i < 20; i++) mlp.trainBatch('binary', x, y, null, n, 0.01, rng);
    expect(tf.backend().numDataIds()).toBe(before);
    // A failure after the forward pass made its buffers (the first read of the logits).
    const read = vi.spyOn(WasmKernels.prototype, 'read').mockImplementationOnce(() => {
      throw new Error('injected');
    });
    expect(() => mlp.trainBatch('binary', x, y, null, n, 0.01, rng)).toThrow('injected');
    read.mockRestore();
    expect(tf.backend().numDataIds()).toBe(before);
    // Too few values for the rows asked for: refused before anything is made.
    expect(() => mlp.trainBatch('binary', x, y, null, n + 5, 0.01, rng)).toThrow(/cannot fill/);
    expect(tf.backend().numDataIds()).toBe(before);
  });

  it('Adam reduces the loss of a separable problem on the wasm backend', async () => {
    await loadBackend('wasm');
    const rng = new Rng(1);
    const n = 256;
    const x = Float32Array.from({ length: n * 2 }, () => rng.next() * 2 - 1);
    const y = Float32Array.from({ length: n }, (_, i) => (x[2 * i]! + x[2 * i + 1]! > 0 ? 1 : 0));
    const mlp = new Mlp(tf, { inputs: 2, hidden: [16], outputs: 1, dropout: 0.1 }, rng);
    const first = mlp.trainBatch('binary', x, y, null, n, 0.01, rng);
    let last = first;
    for (let i = 0; i < 300; i++) last = mlp.trainBatch('binary', x, y, null, n, 0.01, rng);
    expect(first).toBeGreaterThan(0.5);
    expect(last).toBeLessThan(0.15);
  });
});
