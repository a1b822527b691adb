/**
 * `image.plan`: what a run on a folder would be before it starts — the same side, channels, split
 * and network the trainer then uses (checked against a real run's result), the backbone check's
 * answer (name and input shape, or the reason), and a fresh timing of the trainer's own step.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainImages } from '../../../workers/image/engine.js';
import { trainingFlops } from '../../../workers/image/model.js';
import { planImages } from '../../../workers/image/plan.js';
import { imageInputSchema, imagePlanInputSchema } from '../../../workers/image/schema.js';
import { makeContext } from '../../../workers/protocol.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const plan = (raw: Parameters<typeof imagePlanInputSchema.parse>[0]) => planImages(imagePlanInputSchema.parse(raw), makeContext({ dataDir: tmpdir() }));

describe('planImages', () => {
  it("sizes the run as the trainer does, times its step, then checks a backbone: the trainer's own model folder, and a folder that is not a model", async () => {
    const source = join(fixtures, 'fashion-mnist-small');
    const planned = await plan({ source, backend: 'wasm', time: true });
    // 600 train/ + 300 test/ PNGs of 28 × 28 grey: validation is 15 % of train/.
    expect(planned).toMatchObject({ pictures: 900, side: 28, channels: 1, test: 300, validation: 90, train: 510, maxEpochs: 30, backend: 'wasm', backbone: null, backboneError: null });
    expect(planned.classes).toHaveLength(10);
    // The network the trainer builds for 510 pictures: 16 filters, then 32; dense 64.
    expect(planned.network).toMatchObject({ side: 28, channels: 1, classes: 10, filters: [16, 32], dense: 64, batchNorm: false });
    // 2·28²·9·1·16 + 2·14²·9·16·32 + 2·7²·32·64 + 2·64·10 = 225,792 + 1,806,336 + 200,704 + 1,280, × 3 for the backward pass.
    expect(planned.trainingFlops).toBe(3 * 2_234_112);
    expect(planned.trainingFlops).toBe(trainingFlops(planned.network!));
    expect(planned.timing).toMatchObject({ batch: 8, steps: 2, step: 'wasm-direct' });
    expect(planned.timing!.imagesPerSec).toBeGreaterThan(0);

    // The same folder trained for one epoch: the plan's figures are the run's.
    const dataDir = mkdtempSync(join(tmpdir(), 'plan-'));
    const run = await trainImages(imageInputSchema.parse({ source, backend: 'wasm', epochs: 1, runId: 'base' }), makeContext({ dataDir }));
    expect(run.rows).toEqual({ train: planned.train, validation: planned.validation, test: planned.test });
    expect(run.network).toMatchObject(planned.network!);

    // That run's model folder as a backbone: its name, input and the layer the head reads.
    const withBackbone = await plan({ source: join(fixtures, 'fashion-mnist-backbone'), backbone: run.artifactDir, backend: 'wasm', time: true });
    expect(withBackbone.backboneError).toBeNull();
    expect(withBackbone.backbone).toMatchObject({ name: 'base', inputShape: [28, 28, 1], featureLayer: 'pool_2', fineTuned: [] });
    expect(withBackbone).toMatchObject({ side: 28, channels: 1, network: null, trainingFlops: null });
    expect(withBackbone.timing!.step).toBe('tensor');
    const fine = await plan({ source: join(fixtures, 'fashion-mnist-backbone'), backbone: run.artifactDir, fineTune: true, backend: 'wasm' });
    expect(fine.backbone!.fineTuned).toEqual(['conv_2']);

    // Not a model: the pictures folder itself, and a broken model.json. The plan still answers, with the reason.
    const notModel = await plan({ source, backbone: join(fixtures, 'fashion-mnist-backbone'), backend: 'wasm' });
    expect(notModel.backbone).toBeNull();
    expect(notModel.backboneError).toMatch(/fashion-mnist-backbone is not a model folder: it has no model\.json/);
    expect(notModel.side).toBe(28);
    const broken = mkdtempSync(join(tmpdir(), 'broken-'));
    writeFileSync(join(broken, 'model.json'), '{"format": "layers-model", "modelTop');
    expect((await plan({ source, backbone: broken, backend: 'wasm' })).backboneError).toMatch(/is not valid JSON/);
  }, 600_000);
});
