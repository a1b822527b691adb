/**
 * Transfer learning from the real MobileNetV2 (test/fixtures/mobilenet-v2, 224 × 224 × 3) on a few
 * dozen real Fashion-MNIST pictures a class (28 px grey, resized to 224 and fed as three equal
 * channels), through the engine. The frozen backbone's features are computed once and the head
 * trains on them (feature-cache.ts); the same run with the cache turned off runs the backbone in
 * every batch. Checked: the cached run learns (well above the majority class and chance), the two
 * paths train the same network (the same first epoch to float rounding), the stored features equal
 * the saved version's own backbone output picture by picture (also the mirrored view), the saved
 * version predicts the test pictures as the run's evaluation did, a cached run cancelled while
 * computing features stops, and one cancelled after its first epoch resumes from the checkpoint
 * (the same first epoch, nine more: epochs cost little on stored features). Time and peak memory are printed, not asserted.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImageArtifact } from '../../../workers/image/artifact.js';
import { decodeAll, fillPicture, AS_IS } from '../../../workers/image/data.js';
import { trainImages as engine } from '../../../workers/image/engine.js';
import type { ImageEpochRecord } from '../../../workers/image/train.js';
import { computeFeatures, featureCachePlan } from '../../../workers/image/feature-cache.js';
import { listImages } from '../../../workers/image/files.js';
import { predictImages } from '../../../workers/image/predict.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import { CancelledError, makeContext, type JobContext } from '../../../workers/protocol.js';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import type * as tfjs from '@tensorflow/tfjs';

const trainImages = (raw: ImageInputRaw, ctx: JobContext) => engine(imageInputSchema.parse(raw), ctx);
const fixtures = join(import.meta.dirname, '../../fixtures');
const mobilenet = join(fixtures, 'mobilenet-v2');
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const CLASSES = ['trouser', 'bag', 'sneaker'];

/** The first 16 training and 6 test pictures of each class. */
function smallSet(): string {
  const dir = temp('mobilenet-set-');
  for (const cls of CLASSES) {
    for (const [part, n] of [['train', 16], ['test', 6]] as const) {
      for (const f of readdirSync(join(fixtures, 'fashion-mnist-small', part, cls)).sort().slice(0, n)) cpSync(join(fixtures, 'fashion-mnist-small', part, cls, f), join(dir, part, cls, f));
    }
  }
  return dir;
}

/** Peak resident memory of this process so far (VmHWM), in MB. */
function peakMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line?.match(/\d+/)?.[0] ?? 0) / 1024);
}

const strip = (r: { epochs: { loss: number; valLoss: number; accuracy: number; valAccuracy: number }[] }) => r.epochs.map((e) => ({ loss: e.loss, valLoss: e.valLoss, accuracy: e.accuracy, valAccuracy: e.valAccuracy }));

describe('transfer learning from the real MobileNetV2', () => {
  it('trains a head on stored features, the same network as without them; cancel, resume, and the saved version predicts end to end', async () => {
    const source = smallSet();
    const dataDir = temp('mobilenet-data-');
    const input = { source, backbone: mobilenet, epochs: 10, patience: 10, batchSize: 16, augment: false, flips: false, seed: 7, backend: 'wasm' as const, threads: 1 as const };

    // A cancel while the features are computed stops the run.
    const early = new AbortController();
    const ctxEarly = makeContext({ dataDir, signal: early.signal });
    ctxEarly.progress = (report) => {
      if (report.stage.startsWith("Computing the backbone's features (")) early.abort();
    };
    await expect(trainImages({ ...input, runId: 'early' }, ctxEarly)).rejects.toBeInstanceOf(CancelledError);

    // The cached run is cancelled after its first epoch and resumed (the features are computed again, the loop continues from the checkpoint).
    const t0 = performance.now();
    const controller = new AbortController();
    const ctx = makeContext<ImageEpochRecord>({ dataDir, signal: controller.signal });
    const progress = ctx.progress;
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 1/10') controller.abort();
    };
    await expect(trainImages({ ...input, runId: 'cached' }, ctx)).rejects.toBeInstanceOf(CancelledError);
    const first = ctx.reports.find((r) => r.stage === 'Epoch 1/10')!.detail!;
    const cached = await trainImages({ ...input, resumeFrom: 'cached' }, makeContext({ dataDir }));
    const cachedSeconds = (performance.now() - t0) / 1000;
    const peakCached = peakMb();
    expect(cached.resumedFromEpoch).toBe(1);
    expect(cached.epochs[0]).toEqual(first);
    expect(cached.epochs).toHaveLength(10);

    const t1 = performance.now();
    // One epoch is enough to compare: the first epoch of a longer run draws the same batches and masks.
    const uncached = await trainImages({ ...input, epochs: 1, featureCache: false, runId: 'uncached' }, makeContext({ dataDir }));
    const uncachedSeconds = (performance.now() - t1) / 1000;
    console.log(
      `MobileNetV2 head, ${cached.rows.train} train / ${cached.rows.validation} validation / ${cached.rows.test} test pictures: cached (1 epoch, cancelled, resumed for 9) ${cachedSeconds.toFixed(1)} s, uncached (1 epoch) ${uncachedSeconds.toFixed(1)} s (training ${uncached.trainSeconds.toFixed(1)} s); test accuracy ${cached.metrics.accuracy.toFixed(3)} (majority ${cached.summary.majority.toFixed(3)}, linear ${cached.summary.linear.toFixed(3)}); peak RSS ${peakCached} MB after the cached runs, ${peakMb()} MB after the uncached one`,
    );
    for (const r of [cached, uncached]) console.log(r.timings.map((t) => `${t.stage} ${t.seconds.toFixed(1)} s`).join(', '));

    // Cut at its 7 × 7 average pooling (1 × 1 × 1,280): the head flattens it.
    expect(cached.backbone).toMatchObject({ format: 'layers-model', inputShape: [224, 224, 3], featureLayer: 'average_pooling2d_1', featureShape: [1, 1, 1280], fineTuned: [] });
    expect(cached.network).toMatchObject({ side: 224, channels: 3, pooling: 'flatten' });
    expect(cached.featureCache).toMatchObject({ used: true, views: 1, floats: 1280, bytes: (cached.rows.train + cached.rows.validation) * 1280 * 4 });
    expect(uncached.featureCache).toMatchObject({ used: false, reason: expect.stringMatching(/turned off/) });
    expect(cached.timings.map((t) => t.stage)).toContain('backbone features');
    expect(uncached.timings.map((t) => t.stage)).not.toContain('backbone features');
    expect(cached.rows.test).toBe(18);

    // It learns: the majority class is 1/3 of the balanced test pictures (chance too).
    expect(cached.summary.majority).toBeCloseTo(1 / 3, 5);
    expect(cached.metrics.accuracy).toBeGreaterThanOrEqual(0.7);
    // Both paths train the same head on the same numbers (the features differ by float rounding at most).
    const [e] = strip(cached);
    const [u] = strip(uncached);
    expect(e!.loss).toBeCloseTo(u!.loss, 4);
    expect(e!.valLoss).toBeCloseTo(u!.valLoss, 4);
    expect(e!.accuracy).toBe(u!.accuracy);
    expect(e!.valAccuracy).toBe(u!.valAccuracy);

    // The saved version embeds the backbone and predicts the pictures themselves: the same answers as the run's evaluation.
    await verifyArtifact(cached.artifactDir);
    const out = join(source, 'predictions.csv');
    const predicted = await predictImages(cached.artifactDir, join(source, 'test'), out);
    expect(predicted.rows).toBe(18);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const { labels, matrix } = cached.metrics.confusionMatrix;
    const counted = labels.map(() => labels.map(() => 0));
    for (const r of rows) counted[labels.indexOf(r[0]!.split('/')[0]!)]![labels.indexOf(r[1]!)]!++;
    expect(counted).toEqual(matrix);

    // The stored features are the saved version's own backbone output, picture by picture (batch of one, model.predict), also for the mirrored view.
    const tf = await loadBackend('wasm');
    const { model, preprocessing } = await loadImageArtifact(tf, cached.artifactDir);
    const listing = await listImages(join(source, 'test'));
    const { set } = await decodeAll(listing.entries.slice(0, 6), listing.classes, 224, 3, makeContext(), () => {});
    const plan = featureCachePlan(model as tfjs.Sequential, { enabled: true, fineTuned: [], augment: true, flips: true, maxEpochs: 2, train: set.n, validation: 0 });
    if (!plan.cached) throw new Error(plan.reason);
    expect(plan.views).toBe(2);
    const rowsOf = Array.from({ length: set.n }, (_, i) => i);
    const store = await computeFeatures(tf, model as tfjs.Sequential, plan, set, rowsOf, [], preprocessing.normalisation, true, 1, new AbortController().signal);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('head_pool').output as tfjs.SymbolicTensor });
    const picture = new Float32Array(224 * 224 * 3);
    const mirrored = new Float32Array(picture.length);
    let worst = 0;
    let spread = 0;
    let mirrorGap = 0;
    for (const r of rowsOf) {
      fillPicture(set, r, preprocessing.normalisation, picture, 0, AS_IS);
      for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) for (let c = 0; c < 3; c++) mirrored[(y * 224 + x) * 3 + c] = picture[(y * 224 + 223 - x) * 3 + c]!;
      for (const [view, pixels] of [picture, mirrored].entries()) {
        const expected = tf.tidy(() => (sub.predict(tf.tensor4d(pixels, [1, 224, 224, 3])) as tfjs.Tensor).dataSync());
        const at = (store.slot[r]! + view) * store.size;
        const got = store.data.subarray(at, at + store.size);
        expect(got.length).toBe(1280);
        for (let i = 0; i < 1280; i++) {
          worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
          spread = Math.max(spread, Math.abs(expected[i]!));
          if (view === 1) mirrorGap = Math.max(mirrorGap, Math.abs(got[i]! - store.data[store.slot[r]! * store.size + i]!));
        }
      }
    }
    console.log(`stored vs recomputed features: largest difference ${worst.toExponential(2)} (largest feature ${spread.toFixed(2)}; mirrored vs as-is up to ${mirrorGap.toFixed(2)})`);
    expect(worst).toBeLessThan(1e-5);
    expect(spread).toBeGreaterThan(0.1);
    expect(mirrorGap).toBeGreaterThan(0.01);
    model.dispose();
  }, 600_000);
});
