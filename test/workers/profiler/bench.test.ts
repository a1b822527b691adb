import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../workers/protocol.js';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { benchDisk } from '../../../workers/profiler/bench-disk.js';
import { benchMatmul, benchMemory, matmulFlops } from '../../../workers/profiler/bench-compute.js';
import { benchImageTraining, benchTraining, REFERENCE_MODELS } from '../../../workers/profiler/bench-train.js';
import { benchImageShapes, specFor, trainingFlops } from '../../../workers/profiler/bench-image.js';
import { buildCnn } from '../../../workers/image/model.js';
import { registerWasmConvKernels } from '../../../workers/image/wasm-conv.js';
import { runBenchmarks, type BenchPlan } from '../../../workers/profiler/benchmarks.js';
import { Mlp } from '../../../workers/trainer/mlp.js';
import { Rng } from '../../../workers/trainer/random.js';
import type { BackendStatus, PilotBackend } from '../../../workers/profiler/types.js';

type Tf = typeof import('@tensorflow/tfjs');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'profiler-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const live = () => new AbortController().signal;
const aborted = () => {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
};

let tf: Tf;
beforeAll(async () => {
  tf = await loadBackend('cpu');
});

describe('compute benchmarks', () => {
  it('counts 2n³ FLOPs per n×n product', () => {
    expect(matmulFlops(2)).toBe(16);
    expect(matmulFlops(512)).toBe(268_435_456);
  });

  it('measures a positive matmul rate and stops on cancel', async () => {
    const gflops = await benchMatmul(tf, 32, 10, live());
    expect(Number.isFinite(gflops) && gflops > 0).toBe(true);
    await expect(benchMatmul(tf, 32, 10, aborted())).rejects.toBeInstanceOf(CancelledError);
    // Nothing leaks: the inputs are disposed even when cancelled.
    const before = tf.memory().numTensors;
    await benchMatmul(tf, 16, 5, live());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures a positive memory bandwidth and stops on cancel', async () => {
    const gbps = await benchMemory(8 * 1024 * 1024, 20, live());
    expect(Number.isFinite(gbps) && gbps > 0).toBe(true);
    await expect(benchMemory(1024 * 1024, 20, aborted())).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('disk benchmark', () => {
  it('writes, syncs, reads and removes its file', async () => {
    const dir = mkdtempSync(path.join(tmp, 'disk-'));
    const result = await benchDisk({ dir, bytes: 8 * 1024 * 1024, freeBytes: null, signal: live() });
    expect(result.skipped).toBeNull();
    expect(result.writeMBps! > 0 && result.readMBps! > 0).toBe(true);
    // O_DIRECT works on ext4/xfs (this machine's /tmp); tmpfs refuses it and the read falls back to the cache.
    expect(typeof result.uncached).toBe('boolean');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('skips with the reason when the drive has too little free space', async () => {
    const result = await benchDisk({ dir: tmp, bytes: 64 * 1024 * 1024, freeBytes: 512 * 1024 * 1024, signal: live() });
    expect(result).toEqual({ writeMBps: null, readMBps: null, uncached: false, skipped: 'skipped: only 0.5 GB free on the data drive; the test needs 1.1 GB' });
  });

  it('skips with the reason when it cannot create its file', async () => {
    const missing = await benchDisk({ dir: path.join(tmp, 'missing'), bytes: 4 * 1024 * 1024, freeBytes: null, signal: live() });
    expect(missing.skipped).toMatch(/cannot create a test file in .*missing \(the directory does not exist\)/u);
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const notDir = await benchDisk({ dir: file, bytes: 4 * 1024 * 1024, freeBytes: null, signal: live() });
    expect(notDir.skipped).toMatch(/^skipped: cannot create a test file/u);
  });

  it('removes its file when cancelled half-way', async () => {
    const dir = mkdtempSync(path.join(tmp, 'cancel-'));
    const controller = new AbortController();
    const run = benchDisk({ dir, bytes: 16 * 1024 * 1024, freeBytes: null, signal: controller.signal, onProgress: (fraction) => fraction >= 0.25 && controller.abort() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('training benchmarks', () => {
  it('trains the tabular reference MLP on cpu and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const rate = await benchTraining(tf, 'tabular', 10, live());
    expect(Number.isFinite(rate) && rate > 0).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('times the trainer network on wasm and frees its buffers', async () => {
    const wasm = await loadBackend('wasm');
    const before = wasm.backend().numDataIds();
    const rate = await benchTraining(wasm, 'tabular', 10, live());
    expect(Number.isFinite(rate) && rate > 0).toBe(true);
    expect(wasm.backend().numDataIds()).toBe(before);
    await loadBackend('cpu');
  });

  it('describes each reference model with its batch and unit', () => {
    const tabular = REFERENCE_MODELS.tabular;
    expect(tabular).toMatchObject({ batch: 256, unit: 'rows', description: 'MLP 100→64→64→1, batch 256' });
    // Timed with the trainer's own network: 100·64+64 + 64·64+64 + 64+1 = 10,689 weights, bench/train.mjs's reference MLP.
    if (!('network' in tabular)) throw new Error('the tabular step should time the trainer network');
    expect(new Mlp(tf, tabular.network, new Rng(1)).size).toBe(10_689);
    const anomaly = REFERENCE_MODELS.anomaly;
    if (!('build' in anomaly)) throw new Error('the anomaly step is a tf.layers model');
    const model = anomaly.build(tf);
    // 30·16+16 + 16·8+8 + 8·16+16 + 16·30+30 = 1,286.
    expect(model.countParams()).toBe(1_286);
    model.dispose();
  });

  it("times the image trainer's own network and wasm step at 28 px grey and 64 px colour, freeing its buffers", async () => {
    const wasm = await loadBackend('wasm');
    registerWasmConvKernels();
    const image = REFERENCE_MODELS.image;
    if (!('image' in image)) throw new Error("the image step should time the image trainer's network");
    expect(image.image.map((s) => [s.side, s.channels])).toEqual([[28, 1], [64, 3]]);
    // The trainer's network for 28 × 28 × 1, 10 classes, ≥ 2,000 pictures: conv 3·3·1·32+32, conv 3·3·32·64+64,
    // dense 7·7·64·128+128, logits 128·10+10 = 320 + 18,496 + 401,536 + 1,290 = 421,642 weights.
    const model = buildCnn(wasm, specFor(image.image[0]!, 'wasm'), 1);
    expect(model.countParams()).toBe(421_642);
    model.dispose();
    const before = wasm.backend().numDataIds();
    const points = await benchImageTraining(wasm, 600, live(), 1);
    expect(points.map((p) => [p.side, p.channels, p.batch, p.step])).toEqual([[28, 1, 8, 'wasm-direct'], [64, 3, 8, 'wasm-direct']]);
    expect(points.every((p) => Number.isFinite(p.imagesPerSec) && p.imagesPerSec > 0)).toBe(true);
    expect(wasm.backend().numDataIds()).toBe(before);
    await expect(benchImageTraining(wasm, 600, aborted(), 1)).rejects.toBeInstanceOf(CancelledError);
    await loadBackend('cpu');
  });

  it('counts training FLOPs as 3 × forward and scales a shape it did not time by them', async () => {
    // 28 × 28 × 1 → conv 32 → pool → conv 64 → pool → dense 128 → 10, forward multiply-adds × 2:
    // 2·28²·9·1·32 + 2·14²·9·32·64 + 2·7²·64·128 + 2·128·10 = 451,584 + 7,225,344 + 802,816 + 2,560 = 8,482,304.
    const small = { side: 28, channels: 1 as const, classes: 10, trainImages: 3500 };
    const large = { side: 64, channels: 3 as const, classes: 10, trainImages: 3500 };
    expect(trainingFlops(specFor(small, 'wasm'))).toBe(3 * 8_482_304);
    // 64 × 64 × 3 → conv 32 → conv 64 → conv 128 (maps 64, 32, 16, then 8 × 8 × 128 into dense 128):
    // 2·64²·9·3·32 + 2·32²·9·32·64 + 2·16²·9·64·128 + 2·8²·128·128 + 2·128·10 = 7,077,888 + 37,748,736 + 37,748,736 + 2,097,152 + 2,560.
    expect(trainingFlops(specFor(large, 'wasm'))).toBe(3 * 84_675_072);
    // With no CPU budget the second shape is scaled, not timed (the cpu backend's path).
    const points = await benchImageShapes(tf, [small, large], 2, 1, 0, live(), false);
    expect(points.map((p) => p.measured)).toEqual([true, false]);
    expect(points[1]!.imagesPerSec).toBeCloseTo((points[0]!.imagesPerSec * 8_482_304) / 84_675_072, 6);
    expect(points[0]!.step).toBe('tensor');
  });
});

describe('runBenchmarks', () => {
  const plan: BenchPlan = { matmulSizes: [16, 32], matmulBudgetMs: 5, memoryBytes: 1024 * 1024, memoryBudgetMs: 5, diskBytes: 4 * 1024 * 1024, trainBudgetMs: 5, trainMinBatches: 1 };
  const backends: BackendStatus[] = [
    { name: 'tensorflow', available: false, reason: 'not installed' },
    { name: 'cpu', available: true, reason: 'cpu' },
  ];
  const pilots: PilotBackend[] = [
    { template: 'tabular', backend: 'cpu', reason: 'cpu' },
    { template: 'anomaly', backend: 'cpu', reason: 'cpu' },
    { template: 'text', backend: null, reason: 'none' },
  ];

  it('measures every loadable backend and pilot, reporting monotonic progress up to 1', async () => {
    const fractions: number[] = [];
    const result = await runBenchmarks({
      mode: 'quick', plan, backends, pilots, dataDir: tmp, freeBytes: null, signal: live(),
      loadBackend: async () => tf,
      progress: (fraction) => fractions.push(fraction),
    });
    expect(result.matmul.map((point) => [point.backend, point.size])).toEqual([['cpu', 16], ['cpu', 32]]);
    expect(result.matmulGflops.cpu).toBe(Math.max(...result.matmul.map((point) => point.gflops)));
    expect(Object.keys(result.trainSamplesPerSec).sort()).toEqual(['anomaly', 'tabular']);
    expect(result.memoryGBps! > 0 && result.diskWriteMBps! > 0).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((value, i) => i === 0 || value >= fractions[i - 1]! - 1e-12)).toBe(true);
  });

  it('turns a failing stage into a note, and falls back to cpu for a pilot whose backend fails', async () => {
    const result = await runBenchmarks({
      mode: 'quick', plan,
      backends: [...backends, { name: 'wasm', available: true, reason: 'wasm' }],
      pilots: [{ template: 'tabular', backend: 'wasm', reason: 'wasm' }],
      dataDir: tmp, freeBytes: null, signal: live(),
      loadBackend: async (name) => {
        if (name === 'wasm') throw new Error('wasm exploded');
        return tf;
      },
      progress: () => {},
    });
    expect(result.notes).toContain('matmul on wasm failed: wasm exploded');
    expect(result.train[0]).toMatchObject({ template: 'tabular', backend: 'cpu', note: 'measured on cpu because training failed on wasm' });
  });

  it('stops with CancelledError when cancelled', async () => {
    const controller = new AbortController();
    const run = runBenchmarks({
      mode: 'quick', plan, backends, pilots, dataDir: tmp, freeBytes: null, signal: controller.signal,
      loadBackend: async () => tf,
      progress: (_fraction, stage) => stage.startsWith('Memory') && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});
