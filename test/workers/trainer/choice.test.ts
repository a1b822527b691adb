/**
 * The network earns its place: when the linear model is as good on the validation rows it becomes
 * the version (a real artifact: same preprocessing, predicts like any version), and the user can
 * force either model. XOR-like data, where a straight line cannot separate the classes, keeps the
 * network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext, type JobContext } from '../../../workers/protocol.js';
import { predictFile, trainInputSchema, trainModel as trainEngine, type TrainInputRaw, verifyArtifact } from '../../../workers/trainer/index.js';
import { Rng } from '../../../workers/trainer/random.js';
import { tempDir, writeCsv } from './helpers.js';

/** The engine takes validated input (the worker entry parses it); tests write it short. */
const trainModel = (raw: TrainInputRaw, ctx: JobContext) => trainEngine(trainInputSchema.parse(raw), ctx);

function table(rule: (a: number, b: number) => boolean, n = 600): string {
  const rng = new Rng(5);
  return writeCsv(['a', 'b', 'y'], Array.from({ length: n }, () => {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    return [a.toFixed(4), b.toFixed(4), rule(a, b) !== rng.next() < 0.05 ? 'yes' : 'no'];
  }));
}

describe('which model becomes the version', () => {
  it('a linear rule: the linear model is registered when as good on validation, and it predicts', async () => {
    const file = table((a, b) => a + b > 0);
    const r = await trainModel({ file, target: 'y', seed: 4, epochs: 40 }, makeContext({ dataDir: tempDir() }));
    // The rule, applied to the validation figures the engine reports.
    expect(r.chosen.model).toBe(r.chosen.validation.linear >= r.chosen.validation.network ? 'linear' : 'network');
    const forced = await trainModel({ file, target: 'y', seed: 4, epochs: 40, model: 'linear' }, makeContext({ dataDir: tempDir() }));
    expect(forced.chosen).toMatchObject({ model: 'linear', forced: true });
    expect(forced.chosen.reason).toMatch(/^You chose to register the linear model/);
    // The registered model is the logistic regression: 2 inputs → 1 output, 3 parameters, and its metrics are the linear baseline's.
    expect(forced.parameters).toBe(3);
    expect(forced.metrics).toEqual(forced.baselines.linear);
    const layers = JSON.parse(readFileSync(join(forced.artifactDir, 'model.json'), 'utf8')).modelTopology.config.layers as { class_name: string }[];
    expect(layers.filter((l) => l.class_name === 'Dense')).toHaveLength(1);
    await expect(verifyArtifact(forced.artifactDir)).resolves.toEqual(forced.checksums);
    const out = join(tempDir(), 'p.csv');
    await predictFile(forced.artifactDir, file, out);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.filter((c) => c[2] === c[3]).length / rows.length).toBeGreaterThan(0.9);
  }, 60_000);

  it('XOR: a straight line cannot do it, so the network is registered and says why', async () => {
    const r = await trainModel({ file: table((a, b) => a * b > 0, 1200), target: 'y', seed: 4 }, makeContext({ dataDir: tempDir() }));
    expect(r.chosen.model).toBe('network');
    expect(r.chosen.validation.network).toBeGreaterThan(r.chosen.validation.linear + 0.2);
    expect(r.chosen.reason).toMatch(/^The network is registered: it does better than the linear model/);
    expect(r.versusLinear.find((c) => c.metric === 'accuracy')!.verdict).toBe('better');
    const forced = await trainModel({ file: table((a, b) => a * b > 0, 1200), target: 'y', seed: 4, epochs: 3, model: 'network' }, makeContext({ dataDir: tempDir() }));
    expect(forced.chosen).toMatchObject({ model: 'network', forced: true });
  }, 90_000);
});
