/**
 * Image drift and evaluation on a new labelled folder, against independent figures: the training
 * side is the fixture's 900 pictures (summarised when the version is trained), the current side its
 * 300 test pictures as they are, darkened (v → floor(v / 2), re-encoded losslessly) and inverted
 * (sharp's negate). KS statistics, p-values and PSI of brightness and contrast are compared with
 * scipy's, computed from the IDX files by test/workers/image/drift_reference.py.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift } from '../../../workers/drift/check.js';
import type { DriftReport } from '../../../workers/drift/index.js';
import { driftInputSchema } from '../../../workers/drift/schema.js';
import { evaluateInputSchema, evaluateVersion } from '../../../workers/evaluate/index.js';
import { trainImages } from '../../../workers/image/engine.js';
import { imageInputSchema } from '../../../workers/image/schema.js';
import { makeContext } from '../../../workers/protocol.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The fixture's test/ pictures with `f` applied to every grey value, as PNGs in class folders. */
async function transformed(f: 'halve' | 'negate'): Promise<string> {
  const dir = temp(`drift-${f}-`);
  for (const cls of readdirSync(join(fixture, 'test'))) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (const file of readdirSync(join(fixture, 'test', cls))) {
      const source = join(fixture, 'test', cls, file);
      if (f === 'negate') {
        await sharp(source).negate().toFile(join(dir, cls, file));
        continue;
      }
      const { data, info } = await sharp(source).raw().toBuffer({ resolveWithObject: true });
      const halved = Buffer.from(data.map((v) => v >> 1));
      await sharp(halved, { raw: { width: info.width, height: info.height, channels: info.channels } }).png().toFile(join(dir, cls, file));
    }
  }
  return dir;
}

let artifactDir = '';
let accuracy = 0;
let trained: Awaited<ReturnType<typeof trainImages>>;

async function drift(currentPath: string): Promise<DriftReport> {
  const input = driftInputSchema.parse({ currentPath, model: { artifactDir, task: 'multiclass', target: 'label', testMetrics: { accuracy }, kind: 'image' } });
  return checkDrift(input, makeContext({ dataDir: temp('drift-data-') }));
}
const column = (r: DriftReport, name: string) => r.columns.find((c) => c.name === name)!;

describe('image drift and evaluation', () => {
  beforeAll(async () => {
    trained = await trainImages(imageInputSchema.parse({ source: fixture, epochs: 3, augment: false, seed: 7, backend: 'wasm', runId: 'drift' }), makeContext({ dataDir: temp('drift-train-') }));
    artifactDir = trained.artifactDir;
    accuracy = trained.metrics.accuracy;
  }, 300_000);

  it('stores a bounded training-side summary with the version', () => {
    const metadata = JSON.parse(readFileSync(join(artifactDir, 'metadata.json'), 'utf8'));
    const ref = metadata.driftReference;
    expect(ref).toMatchObject({ version: 1, images: 900, sampled: 900 });
    expect(Object.keys(ref.columns)).toEqual(['brightness', 'contrast', 'width', 'height', 'aspect']);
    expect(ref.columns.width.every((w: number) => w === 28)).toBe(true);
    // Held-out predictions only: 90 validation + 300 test pictures have one, the 510 training ones none.
    expect(ref.prediction.filter((p: string | null) => p !== null)).toHaveLength(390);
  });

  it('darkened and inverted pictures drift, with the KS and PSI figures scipy gives', async () => {
    // drift_reference.py: darkened brightness D=0.4966666667 p=4.577202e-51 psi=2.988655;
    // darkened contrast D=0.8722222222 p=1.370078e-182 psi=7.468933; inverted brightness
    // D=0.8466666667 p=6.804279e-169 psi=6.567186; inverted contrast D=0.0266666667 p=0.9966572 psi=0.014152;
    // same brightness D=0.0388888889 p=0.8791925 psi=0.025296.
    const dark = await drift(await transformed('halve'));
    const b = column(dark, 'brightness');
    expect(b.test).toBe('ks');
    expect(b.statistic).toBeCloseTo(0.4966666667, 8);
    expect(b.pValue! / 4.577202e-51).toBeCloseTo(1, 3);
    expect(b.psi).toBeCloseTo(2.988655, 4);
    expect(b.drifted).toBe(true);
    const c = column(dark, 'contrast');
    expect(c.statistic).toBeCloseTo(0.8722222222, 8);
    expect(c.psi).toBeCloseTo(7.468933, 4);
    expect(column(dark, 'width').drifted).toBe(false);
    expect(dark.datasetDrift).toBe(false); // 2 of 5 statistics drifted: below the 0.5 share
    expect(dark.recommendation).not.toBe('none');
    // Labelled folders: performance on the darkened pictures is measured against the registered accuracy.
    expect(dark.performance).toMatchObject({ metric: 'accuracy', reference: accuracy, rows: 300 });
    expect(dark.predictionDrift).not.toBeNull();

    const inverted = await drift(await transformed('negate'));
    expect(column(inverted, 'brightness').statistic).toBeCloseTo(0.8466666667, 8);
    expect(column(inverted, 'brightness').psi).toBeCloseTo(6.567186, 4);
    expect(column(inverted, 'contrast').statistic).toBeCloseTo(0.0266666667, 8);
    expect(column(inverted, 'contrast').pValue).toBeCloseTo(0.9966572, 5);
    expect(column(inverted, 'contrast').drifted).toBe(false);
    expect(inverted.predictionDrift!.drifted).toBe(true);
    expect(inverted.performance!.degraded).toBe(true);

    const same = await drift(join(fixture, 'test'));
    expect(column(same, 'brightness').statistic).toBeCloseTo(0.0388888889, 8);
    expect(column(same, 'brightness').pValue).toBeCloseTo(0.8791925, 5);
    expect(column(same, 'brightness').psi).toBeCloseTo(0.025296, 4);
    expect(same.columns.every((col) => !col.drifted)).toBe(true);
    expect(same.performance!.current).toBeCloseTo(accuracy, 10);
  }, 300_000);

  it('pilot evaluate on a labelled folder: the test/ folder reproduces the training figures; darkened pictures score lower', async () => {
    const run = (file: string) => evaluateVersion(evaluateInputSchema.parse({ artifactDir, file, recorded: trained.metrics, resamples: 50 }), makeContext({ dataDir: temp('eval-') }));
    const same = await run(join(fixture, 'test'));
    expect(same.rows).toEqual({ total: 300, scored: 300, missingLabel: 0, unknownLabel: 0 });
    const m = same.metrics as typeof trained.metrics;
    expect(m.accuracy).toBeCloseTo(trained.metrics.accuracy, 10);
    expect(m.balancedAccuracy).toBeCloseTo(trained.metrics.balancedAccuracy, 10);
    expect(m.confusionMatrix).toEqual(trained.metrics.confusionMatrix);
    expect(m.topK).toEqual(trained.metrics.topK);
    expect(m.perClass.map((c) => c.recall)).toEqual(trained.metrics.perClass.map((c) => c.recall));
    expect(same.differences[0]).toMatchObject({ metric: 'accuracy', difference: 0 });
    const dark = await run(await transformed('halve'));
    expect((dark.metrics as typeof m).accuracy).toBeLessThan(m.accuracy);
    expect(dark.differences[0]!.difference).toBeLessThan(0);
  }, 300_000);
});
