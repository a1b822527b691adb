import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BagKernel } from '../../../workers/text/bag-kernel.js';
import { EmbeddingBag, EPS_ROW, TABLE_RATE } from '../../../workers/text/network.js';
import type { Bag } from '../../../workers/text/tokenize.js';
import { Rng } from '../../../workers/trainer/random.js';

/** Seeded bags over `buckets` rows: distinct sorted ids, weights summing to 1. */
function bagsFor(n: number, buckets: number, rng: Rng): Bag[] {
  return Array.from({ length: n }, () => {
    const size = 1 + Math.floor(rng.next() * 40);
    const ids = Int32Array.from(new Set(Array.from({ length: size }, () => Math.floor(rng.next() * buckets)))).sort();
    const raw = Array.from(ids, () => 1 + Math.floor(rng.next() * 3));
    const total = raw.reduce((a, b) => a + b, 0);
    return { ids, weights: Float32Array.from(raw, (c) => c / total) };
  });
}

/** The table's forward sum and row-wise Adagrad written out per element, in double precision. */
function referenceHidden(e: Float64Array, bags: Bag[], dim: number): Float64Array {
  const h = new Float64Array(bags.length * dim);
  bags.forEach((bag, r) => bag.ids.forEach((id, q) => {
    for (let j = 0; j < dim; j++) h[r * dim + j]! += bag.weights[q]! * e[id * dim + j]!;
  }));
  return h;
}

function referenceAdagrad(e: Float64Array, v: Float64Array, bags: Bag[], dh: Float32Array, dim: number, rate: number): void {
  bags.forEach((bag, r) => {
    let square = 0;
    for (let j = 0; j < dim; j++) square += dh[r * dim + j]! ** 2;
    if (square === 0) return;
    bag.ids.forEach((id, q) => {
      const w = bag.weights[q]!;
      v[id]! += (w * w * square) / dim;
      for (let j = 0; j < dim; j++) e[id * dim + j]! -= ((rate * w) / (Math.sqrt(v[id]!) + EPS_ROW)) * dh[r * dim + j]!;
    });
  });
}

describe('the embedding bag kernel (WebAssembly SIMD)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const dim of [16, 8]) {
    it(`computes the bags' sums and the Adagrad steps of a reference loop, width ${dim}`, async () => {
      const spec = { buckets: 512, dim, outputs: 1 };
      const rng = new Rng(7);
      const train = bagsFor(96, spec.buckets, rng);
      const validation = bagsFor(20, spec.buckets, rng);
      const y = Int32Array.from(train, () => (rng.next() < 0.4 ? 1 : 0));
      const wasmNet = new EmbeddingBag(spec, new Rng(3));
      const kernel = BagKernel.create(wasmNet, [train, validation], 32);
      expect(kernel).not.toBeNull();
      const e = Float64Array.from(wasmNet.state.e);
      const v = new Float64Array(spec.buckets);
      for (let from = 0; from < train.length; from += 32) {
        const docs = Int32Array.from({ length: 32 }, (_, i) => from + i);
        const bags = Array.from(docs, (i) => train[i]!);
        const h = kernel!.hidden(0, docs);
        const expected = referenceHidden(e, bags, dim);
        for (let i = 0; i < h.length; i++) expect(h[i]).toBeCloseTo(expected[i]!, 6);
        // The head's gradient for this batch, then the same table step both ways.
        const headNet = new EmbeddingBag(spec, new Rng(3));
        headNet.state.w.set(wasmNet.state.w);
        headNet.state.b.set(wasmNet.state.b);
        const { dh } = await headNet.headStep(tf, Float32Array.from(expected), 32, y.subarray(from, from + 32), null, 0.05);
        await kernel!.trainBatch(tf, 0, docs, y.subarray(from, from + 32), null, 0.05);
        referenceAdagrad(e, v, bags, dh, dim, 0.05 * TABLE_RATE);
      }
      kernel!.store();
      let worst = 0;
      for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(wasmNet.state.e[i]! - e[i]!));
      expect(worst).toBeLessThan(1e-5);
      for (let i = 0; i < v.length; i++) expect(wasmNet.state.vE[i]).toBeCloseTo(v[i]!, 9);
      // Rows no bag touched are unchanged.
      const touched = new Set(train.flatMap((b) => Array.from(b.ids)));
      const untouched = Array.from({ length: spec.buckets }, (_, i) => i).filter((i) => !touched.has(i));
      expect(untouched.length).toBeGreaterThan(0);
      for (const i of untouched) expect(wasmNet.state.vE[i]).toBe(0);
      // Validation logits through the kernel equal the network's own (JavaScript) forward pass.
      const z = kernel!.logits(1);
      const zJs = wasmNet.logits(validation);
      for (let i = 0; i < z.length; i++) expect(z[i]).toBeCloseTo(zJs[i]!, 5);
    });
  }

  it('the JavaScript loops take the same steps as the kernel', async () => {
    const spec = { buckets: 256, dim: 16, outputs: 3 };
    const rng = new Rng(11);
    const train = bagsFor(64, spec.buckets, rng);
    const y = Int32Array.from(train, () => Math.floor(rng.next() * 3));
    const a = new EmbeddingBag(spec, new Rng(5));
    const b = new EmbeddingBag(spec, new Rng(5));
    const kernel = BagKernel.create(a, [train], 32)!;
    for (let from = 0; from < 64; from += 32) {
      const docs = Int32Array.from({ length: 32 }, (_, i) => from + i);
      await kernel.trainBatch(tf, 0, docs, y.subarray(from, from + 32), null, 0.05);
      await b.trainBatch(tf, Array.from(docs, (i) => train[i]!), y.subarray(from, from + 32), null, 0.05);
    }
    kernel.store();
    for (let i = 0; i < a.state.e.length; i++) expect(a.state.e[i]).toBeCloseTo(b.state.e[i]!, 5);
    for (let i = 0; i < a.state.w.length; i++) expect(a.state.w[i]).toBeCloseTo(b.state.w[i]!, 5);
    expect(BagKernel.create(a, [train], 32, 'javascript')).toBeNull();
  });
});
