/** The frozen-backbone feature cache's plan (views, bytes, bound, when it is off) and its views, on a model whose "features" are the pictures themselves. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AS_IS, fillPicture, type ImageSet } from '../../../workers/image/data.js';
import { computeFeatures, featureCachePlan } from '../../../workers/image/feature-cache.js';
import { CancelledError } from '../../../workers/protocol.js';
import { Rng } from '../../../workers/trainer/random.js';

/** backbone (a 1 × 1 convolution) → head_pool (flatten) → head_dense → head_logits: the layers buildTransfer names. */
function model(identity: boolean): tf.Sequential {
  const m = tf.sequential();
  if (!identity) m.add(tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 2, kernelSize: 1, name: 'backbone' }));
  m.add(tf.layers.flatten({ ...(identity ? { inputShape: [6, 6, 3] } : {}), name: 'head_pool' }));
  m.add(tf.layers.dense({ units: 4, activation: 'relu', name: 'head_dense' }));
  m.add(tf.layers.dense({ units: 2, name: 'head_logits' }));
  return m;
}

function set(): ImageSet {
  const rng = new Rng(3);
  const n = 5;
  return { side: 6, channels: 3, n, x: Uint8Array.from({ length: n * 108 }, () => rng.int(256)), y: new Int32Array(n), rel: [], fromTest: new Uint8Array(n) };
}

const base = { enabled: true, fineTuned: [], augment: false, flips: true, maxEpochs: 30, train: 100, validation: 20 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('featureCachePlan', () => {
  it('stores one view without augmentation, min(epochs, 4) with it, and says which', () => {
    const m = model(false);
    expect(featureCachePlan(m, base)).toMatchObject({ cached: true, from: 2, shape: [72], size: 72, views: 1, bytes: 120 * 72 * 4 });
    const two = featureCachePlan(m, { ...base, augment: true, maxEpochs: 2 });
    expect(two).toMatchObject({ cached: true, views: 2, bytes: (200 + 20) * 72 * 4, rule: expect.stringMatching(/2 fixed views of each training picture — as is, mirrored — .*limited to these 2 variants/) });
    const four = featureCachePlan(m, { ...base, augment: true, flips: false });
    expect(four).toMatchObject({ views: 4, rule: expect.stringMatching(/as is, one seeded augmented copy, 2 seeded augmented copies \(shift ≤ 10 %, brightness ±10 %\)/) });
    expect(featureCachePlan(m, { ...base, augment: true, maxEpochs: 1 })).toMatchObject({ views: 1, rule: expect.stringMatching(/saw no augmentation/) });
  });

  it('is off with fine-tuning, when turned off, and over the memory bound (saying why)', () => {
    const m = model(false);
    expect(featureCachePlan(m, { ...base, fineTuned: ['conv'] })).toMatchObject({ cached: false, reason: expect.stringMatching(/fine-tuned, so its features change every step/) });
    expect(featureCachePlan(m, { ...base, enabled: false })).toMatchObject({ cached: false, reason: expect.stringMatching(/turned off/) });
    const bytes = 120 * 72 * 4;
    expect(featureCachePlan(m, { ...base, maxBytes: bytes })).toMatchObject({ cached: true });
    expect(featureCachePlan(m, { ...base, maxBytes: bytes - 1 })).toMatchObject({
      cached: false,
      reason: expect.stringMatching(/would take 0\.03 MB \(100 training pictures × 1 view \+ 20 validation × 72 floats\), over the 0\.03 MB bound, so the backbone runs on every picture in every epoch/),
    });
  });
});

describe('computeFeatures', () => {
  it('stores each training picture as is, mirrored and seeded augmented copies; validation as is; cancellable', async () => {
    const m = model(true);
    const s = set();
    const norm = { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] };
    const plan = featureCachePlan(m, { ...base, augment: true, train: 3, validation: 2 });
    if (!plan.cached) throw new Error(plan.reason);
    const signal = new AbortController().signal;
    const cache = await computeFeatures(tf, m, plan, s, [0, 1, 2], [3, 4], norm, true, 9, signal);
    expect(Array.from(cache.count)).toEqual([4, 4, 4, 1, 1]);
    expect(Array.from(cache.slot)).toEqual([0, 4, 8, 12, 13]);
    const view = (r: number, v: number) => Array.from(cache.data.subarray((cache.slot[r]! + v) * 108, (cache.slot[r]! + v + 1) * 108));
    const asIs = new Float32Array(108);
    for (const r of [0, 1, 2, 3, 4]) {
      fillPicture(s, r, norm, asIs, 0, AS_IS);
      // The "backbone" here is a flatten: the features are the normalised pixels.
      expect(view(r, 0)).toEqual(Array.from(asIs));
      if (r > 2) continue;
      const mirrored = Array.from({ length: 108 }, (_, i) => asIs[Math.floor(i / 18) * 18 + (5 - Math.floor((i % 18) / 3)) * 3 + (i % 3)]!);
      expect(view(r, 1)).toEqual(mirrored);
      expect(view(r, 2)).not.toEqual(view(r, 0));
      expect(view(r, 3)).not.toEqual(view(r, 2));
    }
    // Fixed by the seed.
    const again = await computeFeatures(tf, m, plan, s, [0, 1, 2], [3, 4], norm, true, 9, signal);
    expect(again.data).toEqual(cache.data);
    const other = await computeFeatures(tf, m, plan, s, [0, 1, 2], [3, 4], norm, true, 10, signal);
    expect(other.data).not.toEqual(cache.data);
    const stop = new AbortController();
    stop.abort();
    await expect(computeFeatures(tf, m, plan, s, [0, 1, 2], [3, 4], norm, true, 9, stop.signal)).rejects.toBeInstanceOf(CancelledError);
  });
});
