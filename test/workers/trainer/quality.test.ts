/**
 * The quality bar: on public datasets, with a fixed seed, the network at least matches the
 * logistic/linear baseline trained on the same split (within a few points), and clearly beats
 * "no model". Adult is subsampled to keep the test quick on a shared 2-core machine.
 */
import { describe, expect, it } from 'vitest';
import { type JobContext, makeContext } from '../../../workers/protocol.js';
import { trainInputSchema, trainModel as trainEngine, type TrainInputRaw, type TrainResult } from '../../../workers/trainer/index.js';
import { fixture, tempDir } from './helpers.js';

/** The engine as the worker entry runs it: input validated by its schema first. */
const trainModel = (raw: TrainInputRaw, ctx: JobContext) => trainEngine(trainInputSchema.parse(raw), ctx);

async function train(input: Parameters<typeof trainModel>[0]): Promise<TrainResult> {
  return trainModel(input, makeContext({ dataDir: tempDir() }));
}

describe('quality bar (fixed seed)', () => {
  // Test splits are small for Pima (115 rows), Iris (24) and Wine (27): one row is 1–4 points.
  const cases = [
    { file: 'iris.csv', target: 'species', task: 'multiclass', tolerance: 0.05 },
    { file: 'wine.csv', target: 'class', task: 'multiclass', tolerance: 0.04 },
    { file: 'pima.csv', target: 'Outcome', task: 'binary', tolerance: 0.03 },
    { file: 'adult.csv', target: 'income', task: 'binary', tolerance: 0.02, maxRows: 6000 },
  ] as const;
  for (const c of cases) {
    it(`${c.file}: network accuracy ≥ logistic − ${c.tolerance}`, async () => {
      const r = await train({ file: fixture(c.file), target: c.target, seed: 42, ...('maxRows' in c ? { maxRows: c.maxRows } : {}) });
      expect(r.task).toBe(c.task);
      const { network, linear, majority } = r.summary;
      expect(network).toBeGreaterThanOrEqual(linear - c.tolerance);
      expect(network).toBeGreaterThan(majority + 0.05);
      // The summary agrees with the full metrics (same numbers, two places).
      expect(network).toBe((r.metrics as { accuracy: number }).accuracy);
    });
  }

  it('bike_day.csv cnt (casual and registered excluded, they sum to cnt): R² ≥ linear', async () => {
    const r = await train({ file: fixture('bike_day.csv'), target: 'cnt', exclude: ['casual', 'registered'], seed: 42 });
    expect(r.task).toBe('regression');
    expect(r.summary.network).toBeGreaterThanOrEqual(r.summary.linear - 0.02);
    expect(r.summary.network).toBeGreaterThan(0.7);
    expect(r.excluded).toContainEqual({ column: 'casual', reason: 'excluded by you' });
    expect(r.excluded.find((e) => e.column === 'instant')?.reason).toMatch(/identifier-like/);
  });

  it('is reproducible: same seed, same backend → same epochs and metrics', async () => {
    const input = { file: fixture('pima.csv'), target: 'Outcome', seed: 7, backend: 'wasm' as const };
    const a = await train(input);
    const b = await train(input);
    expect(b.epochs.map((e) => [e.loss, e.valLoss])).toEqual(a.epochs.map((e) => [e.loss, e.valLoss]));
    expect(b.metrics).toEqual(a.metrics);
    expect(b.checksums.files['weights.bin']).toBe(a.checksums.files['weights.bin']);
    const c = await train({ ...input, seed: 8 });
    expect(c.checksums.files['weights.bin']).not.toBe(a.checksums.files['weights.bin']);
  });
});
