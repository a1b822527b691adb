import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { WasmCnn } from '../../../workers/image/cnn-wasm.js';
import { buildCnn, type CnnSpec } from '../../../workers/image/model.js';
import { findImageThreadEntry, GradientHelper, parallelStep } from '../../../workers/image/parallel.js';
import { scheduledRate } from '../../../workers/image/train.js';
import { trainImages as engine } from '../../../workers/image/engine.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import { makeContext, type JobContext } from '../../../workers/protocol.js';
import { maxRelativeDiff, randomBatch } from './random.js';

const trainImages = (raw: ImageInputRaw, ctx: JobContext) => engine(imageInputSchema.parse(raw), ctx);
const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

// The thread entry must be JavaScript: bundled the way the app build does, inside the repo (git-ignored .tmp/) so its npm imports resolve.
const outDir = resolve('.tmp/image-thread-test');
beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { 'image-thread': 'workers/image/thread.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  process.env.PILOT_IMAGE_THREAD = join(outDir, 'image-thread.mjs');
  await tf.setBackend('wasm');
});
afterAll(() => {
  delete process.env.PILOT_IMAGE_THREAD;
});

const spec: CnnSpec = { side: 12, channels: 1, classes: 4, filters: [6, 12], batchNorm: false, dense: 10, dropout: 0.3 };
const size = spec.side * spec.side * spec.channels;

/** Six Adam steps on batches of 13 (odd: the halves differ), with a dropout mask and unequal class weights. */
async function train(helper: GradientHelper | null): Promise<{ params: Float32Array[]; losses: number[]; predicted: number[] }> {
  const model = buildCnn(tf, spec, 5);
  const cnn = new WasmCnn(tf, spec, model, 13);
  model.dispose();
  const losses: number[] = [];
  const predicted: number[] = [];
  for (let s = 0; s < 6; s++) {
    const { x, b, labels, weights, wSum, mask } = randomBatch(spec, 13, 100 + s, true, 200 + s);
    const out = helper ? parallelStep(cnn, helper, size, spec.dense, x, b, labels, weights, wSum, mask, 0.01) : cnn.step(x, b, labels, weights, wSum, mask, 0.01);
    losses.push(out.loss);
    predicted.push(...out.predicted);
  }
  return { params: cnn.state.params.map((p) => Float32Array.from(p)), losses, predicted };
}

describe('data-parallel image training', () => {
  it('two threads give one thread’s training to float rounding, and the same result every run', async () => {
    const entry = findImageThreadEntry();
    expect(entry).not.toBeNull();
    const sizes = [9 * 6, 6, 9 * 6 * 12, 12, 3 * 3 * 12 * 10, 10, 10 * 4, 4];
    const started = await GradientHelper.start(entry!, spec, 13, sizes);
    if (!(started instanceof GradientHelper)) throw new Error(started.error);
    try {
      const one = await train(null);
      const two = await train(started);
      const again = await train(started);
      // Six steps of Adam at a large rate: the weights move well away from the start, and agree.
      const start = buildCnn(tf, spec, 5);
      const initial = start.getWeights().map((w) => Float32Array.from(w.dataSync()));
      start.dispose();
      expect(maxRelativeDiff(one.params[2]!, initial[2]!)).toBeGreaterThan(0.01);
      one.params.forEach((p, i) => expect(maxRelativeDiff(two.params[i]!, p)).toBeLessThan(1e-4));
      one.losses.forEach((l, i) => expect(two.losses[i]!).toBeCloseTo(l, 5));
      expect(two.predicted).toEqual(one.predicted);
      // Deterministic: the same batches on two threads give bit-identical weights.
      two.params.forEach((p, i) => expect(Buffer.from(again.params[i]!.buffer).equals(Buffer.from(p.buffer))).toBe(true));
    } finally {
      await started.close();
    }
  }, 120_000);

  it('the cosine schedule starts at the rate, halves it midway and ends at 0', () => {
    expect(scheduledRate(0.002, 'cosine', 0, 100)).toBeCloseTo(0.002, 12);
    expect(scheduledRate(0.002, 'cosine', 50, 100)).toBeCloseTo(0.001, 12);
    expect(scheduledRate(0.002, 'cosine', 100, 100)).toBeCloseTo(0, 12);
    expect(scheduledRate(0.002, 'cosine', 25, 100)).toBeCloseTo(0.001 * (1 + Math.SQRT1_2), 12);
    expect(scheduledRate(0.002, 'constant', 99, 100)).toBe(0.002);
  });

  it('a pilot on two threads records it and trains like one thread; cancel and resume still give the same run', async () => {
    const source = temp('image-par-');
    for (const part of ['train', 'test']) {
      for (const cls of ['bag', 'sneaker', 'trouser']) {
        for (const f of readdirSync(join(fixture, part, cls)).sort().slice(0, part === 'train' ? 20 : 10)) cpSync(join(fixture, part, cls, f), join(source, part, cls, f));
      }
    }
    const input = { source, epochs: 3, patience: 10, seed: 3, backend: 'wasm' as const, schedule: 'cosine' as const };
    const one = await trainImages({ ...input, threads: 1, runId: 'one' }, makeContext({ dataDir: temp('image-one-') }));
    const two = await trainImages({ ...input, runId: 'two' }, makeContext({ dataDir: temp('image-two-') }));
    expect(one.threads.used).toBe(1);
    expect(two.threads.used).toBe(2);
    expect(two.threads.reason).toMatch(/two data-parallel threads/);
    expect(two.hyperparameters.schedule).toBe('cosine');
    two.epochs.forEach((e, i) => {
      expect(e.loss).toBeCloseTo(one.epochs[i]!.loss, 4);
      expect(e.valLoss).toBeCloseTo(one.epochs[i]!.valLoss, 4);
    });
    expect(two.metrics.accuracy).toBeCloseTo(one.metrics.accuracy, 2);

    // Cancelled after epoch 1 on two threads, resumed: the same epochs as the uninterrupted run.
    const dataDir = temp('image-par-c-');
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    const progress = ctx.progress;
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 1/3') controller.abort();
    };
    await expect(trainImages({ ...input, runId: 'c' }, ctx)).rejects.toThrow();
    const resumed = await trainImages({ ...input, resumeFrom: 'c' }, makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(1);
    const strip = (r: typeof one) => r.epochs.map(({ seconds: _s, samplesPerSec: _p, etaSeconds: _e, ...rest }) => rest);
    expect(strip(resumed)).toEqual(strip(two));
  }, 300_000);
});
