import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
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
    const result = JSON.parse(trained.stdout) as { kind: string; modelVersionId: number; version: number; classes: string[]; summary: { metric: string }; artifactDir: string; threads: { used: number }; timings: { stage: string }[] };
    expect(result.kind).toBe('image');
    // The built worker finds its bundled second training thread (dist/image-thread.js) on a machine with two cores.
    expect(result.threads.used).toBe(availableParallelism() >= 2 ? 2 : 1);
    expect(result.timings.map((t) => t.stage)).toContain('training');
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

    // pilot evaluate on a labelled folder (bag/ and trouser/ of the fixture's test/): stored like any evaluation.
    const labelled = tempDir('images-eval-');
    for (const cls of ['bag', 'trouser']) cpSync(fixture(`fashion-mnist-small/test/${cls}`), join(labelled.dir, cls), { recursive: true });
    const evaluated = pilot(['evaluate', 'garments@1', labelled.dir, '--json'], { dataDir: data.dir });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const evaluation = JSON.parse(evaluated.stdout) as { rows: { scored: number }; metrics: { accuracy: number; confusionMatrix: { matrix: number[][] } }; differences: { metric: string }[]; evaluationId: number };
    expect(evaluation.rows.scored).toBe(60);
    expect(evaluation.metrics.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(evaluation.differences[0]!.metric).toBe('accuracy');
    expect(evaluation.evaluationId).toBeGreaterThan(0);

    // pilot drift against the version's training pictures: stored in the drift history.
    const drifted = pilot(['drift', 'garments@1', labelled.dir, '--json'], { dataDir: data.dir });
    expect(drifted.code, drifted.stderr).toBe(0);
    const report = JSON.parse(drifted.stdout) as { columns: { name: string; test: string }[]; predictionDrift: unknown; performance: { rows: number }; driftReportId: number; image: { embedding: { reference: number } | null } };
    expect(report.columns.map((c) => c.name)).toEqual(['brightness', 'contrast', 'width', 'height', 'aspect']);
    expect(report.columns[0]!.test).toBe('ks');
    expect(report.performance.rows).toBe(60);
    expect(report.driftReportId).toBeGreaterThan(0);
    // Beside the statistics, how the pictures look to the model (its held-out pictures' embeddings against these 60).
    expect(report.image.embedding).toMatchObject({ method: 'pca-mmd', current: 60 });
    expect(report.image.embedding!.reference).toBeGreaterThanOrEqual(5);
    const history = pilot(['drift', 'history', '--json'], { dataDir: data.dir });
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(1);

    // A folder that is not a model, as --backbone: refused before any picture is read.
    const refused = pilot(['train', source.dir, '--kind', 'image', '--backbone', labelled.dir, '--project', 'garments'], { dataDir: data.dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is not a model folder: it has no model\.json/);
    labelled.cleanup();
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
