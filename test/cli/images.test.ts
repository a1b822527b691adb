import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, pilot, tempDir } from '../helpers.js';

describe('pilot train --kind image / pilot predict on an image model (real worker processes)', () => {
  it('trains, registers a model version, and predicts a folder', () => {
    const data = tempDir();
    const source = tempDir('images-');
    for (const cls of ['bag', 'trouser']) {
      for (const f of readdirSync(fixture(`fashion-mnist-small/train/${cls}`)).slice(0, 15)) cpSync(fixture(`fashion-mnist-small/train/${cls}/${f}`), join(source.dir, cls, f));
    }
    const trained = pilot(['train', source.dir, '--kind', 'image', '--epochs', '2', '--project', 'garments', '--json'], { dataDir: data.dir });
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout) as { kind: string; modelVersionId: number; version: number; classes: string[]; summary: { metric: string }; artifactDir: string };
    expect(result.kind).toBe('image');
    expect(result.version).toBe(1);
    expect(result.modelVersionId).toBeGreaterThan(0);
    expect(result.classes).toEqual(['bag', 'trouser']);
    expect(result.summary.metric).toBe('accuracy');
    const listed = pilot(['models', 'list', '--json'], { dataDir: data.dir });
    expect(listed.stdout).toContain('garments');

    const out = join(data.dir, 'predictions.csv');
    const predicted = pilot(['predict', result.artifactDir, fixture('fashion-mnist-small/test/bag'), '--out', out, '--json'], { dataDir: data.dir });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect((JSON.parse(predicted.stdout) as { rows: number }).rows).toBe(30);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('path,prediction,probability,probability_bag,probability_trouser,error');
    data.cleanup();
    source.cleanup();
  }, 240_000);

  it('refuses an unknown --kind', () => {
    const data = tempDir();
    const run = pilot(['train', fixture('iris.csv'), '--kind', 'sound'], { dataDir: data.dir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--kind is tabular, image, text, anomaly or forecast, not "sound"/);
    data.cleanup();
  });
});
