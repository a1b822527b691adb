import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../workers/protocol.js';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { benchDisk } from '../../../workers/profiler/bench-disk.js';
import { benchMatmul, benchMemory, matmulFlops } from '../../../workers/profiler/bench-compute.js';
import { benchTraining, REFERENCE_MODELS } from '../../../workers/profiler/bench-train.js';
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

  it('confirms stock tfjs-backend-wasm cannot train the CNN (why image pilots get cpu)', async () => {
    const wasm = await loadBackend('wasm');
    await expect(benchTraining(wasm, 'image', 10, live())).rejects.toThrow(/Conv2DBackpropFilter/u);
    await loadBackend('cpu');
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
