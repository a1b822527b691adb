/** `pilot train` and `pilot predict` as real processes: the JSON shape, the registered version, predictions, bad input. */
import Database from 'better-sqlite3';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainOutcome } from '../../main/contract/index.js';
import { databasePath } from '../../main/paths.js';
import type { ClassificationMetrics } from '../../workers/trainer/metrics.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
const iris = fixture('iris.csv');
const irisLines = readFileSync(iris, 'utf8').trim().split('\n');

/** Rows of the database, read directly: the CLI's JSON must agree with what was stored. */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(databasePath(dataDir), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

// The whole result of the reference run, shared by the checks below.
let result: TrainOutcome;
let trainRun: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  trainRun = pilot(['train', iris, '--target', 'species', '--epochs', '30', '--seed', '1', '--json'], { dataDir });
  result = JSON.parse(trainRun.code === 0 ? trainRun.stdout : '{}') as TrainOutcome;
});

describe('pilot train', () => {
  it('prints the documented JSON shape on stdout and per-epoch progress on stderr', () => {
    expect(trainRun.code, trainRun.stderr).toBe(0);
    expect(result).toMatchObject({
      modelVersionId: expect.any(Number),
      version: 1,
      projectId: expect.any(Number),
      runId: expect.any(Number),
      backend: expect.stringMatching(/^(tensorflow|wasm|cpu)$/),
      task: 'multiclass',
      target: 'species',
      classes: ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'],
      samplesPerSec: expect.any(Number),
    });
    // Every data row lands in exactly one split.
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(irisLines.length - 1);
    for (const key of ['accuracy', 'balancedAccuracy', 'f1', 'logLoss'] as const) expect(typeof (result.metrics as ClassificationMetrics)[key]).toBe('number');
    expect(Object.keys(result.baselines).sort()).toEqual(['linear', 'majority']);
    expect(result.epochs.length).toBeGreaterThan(0);
    expect(result.epochs.length).toBeLessThanOrEqual(30);
    expect(result.epochs[0]).toMatchObject({ epoch: 1, loss: expect.any(Number), valLoss: expect.any(Number) });
    // One stderr line per epoch, with its loss.
    const epochLines = trainRun.stderr.split('\n').filter((line) => /^epoch \d+ {2}loss \d/.test(line));
    expect(epochLines).toHaveLength(result.epochs.length);
  });

  it('beats the majority baseline, whose accuracy is the largest class share of the test split', () => {
    const metrics = result.metrics as ClassificationMetrics;
    const majority = result.baselines.majority as ClassificationMetrics;
    const matrix = metrics.confusionMatrix.matrix;
    const perClass = matrix.map((row) => row.reduce((a, b) => a + b, 0));
    const total = perClass.reduce((a, b) => a + b, 0);
    expect(total).toBe(result.rows.test);
    expect(majority.accuracy).toBeCloseTo(Math.max(...perClass) / total, 10);
    // Accuracy recomputed from the confusion matrix's diagonal.
    expect(metrics.accuracy).toBeCloseTo(matrix.reduce((sum, row, i) => sum + row[i]!, 0) / total, 10);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(majority.accuracy);
  });

  it('stores the run, its epochs and the model version the JSON names', () => {
    const [version] = query<{ id: number; version: number; task: string; backend: string; artifact_sha256: string; dataset_sha256: string }>('SELECT * FROM model_versions WHERE id = ?', result.modelVersionId);
    expect(version).toMatchObject({ version: 1, task: 'multiclass', backend: result.backend, dataset_sha256: result.datasetSha256 });
    expect(version!.artifact_sha256).toMatch(/^[0-9a-f]{64}$/);
    const [run] = query<{ status: string; checkpoint_dir: string | null }>('SELECT * FROM runs WHERE id = ?', result.runId);
    expect(run).toMatchObject({ status: 'succeeded', checkpoint_dir: null });
    const losses = query<{ step: number; value: number }>(`SELECT step, value FROM metrics WHERE run_id = ? AND key = 'loss' ORDER BY step`, result.runId);
    expect(losses.map((l) => l.value)).toEqual(result.epochs.map((e: { loss: number }) => expect.closeTo(e.loss, 9)));
    expect(query(`SELECT action, version FROM model_events WHERE version_id = ?`, result.modelVersionId)).toEqual([{ action: 'register', version: 1 }]);
  });

  it('fails on a missing target column with a message that lists the columns', () => {
    const run = pilot(['train', iris, '--target', 'colour'], { dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pilot train: The target column "colour" is not in iris\.csv\. Its columns are: sepal_length, sepal_width, petal_length, petal_width, species\./m);
    expect(pilot(['train', iris], { dataDir }).code).toBe(2);
  });
});

describe('pilot predict', () => {
  it('writes one prediction per input row, with the label a class the model knows', () => {
    const out = join(dir, 'predicted.csv');
    const run = pilot(['predict', String(result.modelVersionId), iris, '--out', out, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: irisLines.length - 1, modelVersionId: result.modelVersionId, warnings: [] });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(irisLines.length);
    const header = lines[0]!.split(',');
    const at = header.indexOf('prediction');
    expect(at).toBe(5);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      expect(result.classes).toContain(cells[at]);
      const probabilities = cells.slice(at + 1).map(Number);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it('accepts PROJECT@VERSION and warns about a missing column instead of failing', () => {
    const partial = join(dir, 'no-petal-width.csv');
    writeFileSync(partial, `${irisLines.map((line) => line.split(',').filter((_, i) => i !== 3).join(',')).join('\n')}\n`);
    const out = join(dir, 'partial-out.csv');
    const run = pilot(['predict', 'iris@1', partial, '--out', out], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: Column\(s\) "petal_width" are missing from the file/);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(irisLines.length);
  });

  it('refuses a model that does not exist or was edited by hand', () => {
    const missing = pilot(['predict', 'iris@9', iris, '--out', join(dir, 'x.csv')], { dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/iris has no version "9"/);
    appendFileSync(join(result.artifactDir, 'metadata.json'), ' ');
    const edited = pilot(['predict', 'iris@1', iris, '--out', join(dir, 'y.csv')], { dataDir });
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/metadata\.json .*does not match its checksum/);
  });
});
