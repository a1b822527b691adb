/** `pilot models …` and `pilot evaluate` as real processes against a seeded data directory. */
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertDataset } from '../../db/datasets.js';
import { recordEvent } from '../../db/registry.js';
import { openStore } from '../../db/store.js';
import { databasePath } from '../../main/paths.js';
import { pilot, tempDir } from '../helpers.js';
import * as tf from '@tensorflow/tfjs';
import { writeArtifact } from '../../workers/trainer/artifact.js';
import type { Preprocessing } from '../../workers/trainer/preprocess.js';
import { BINARY, binaryArtifact, writeCsv } from '../workers/evaluate/helpers.js';

const { dir, cleanup } = tempDir('pilot-models-');
afterAll(cleanup);
const dataDir = join(dir, 'home');
let evalFile = '';
let trainFile = '';

beforeAll(async () => {
  const artifactDir = await binaryArtifact(dir);
  // Version 3 reads x and region (color was left out as a leak): the feature list is what differs.
  await tf.setBackend('cpu');
  const v3Artifact = join(dir, 'model-v3');
  const preprocessing: Preprocessing = {
    version: 1,
    features: [
      { column: 'x', kind: 'numeric', scaler: { median: 0, mean: 0, std: 1 } },
      { column: 'region', kind: 'categorical', levels: ['A', 'B'], other: true },
    ],
    inputs: ['x', 'region=A', 'region=B', 'region=(other)'],
  };
  await writeArtifact(tf, v3Artifact, { inputs: 4, hidden: [], outputs: 1, dropout: 0 }, [Float32Array.from(BINARY.w), Float32Array.from([BINARY.b])], { preprocessing, target: { column: 'y', task: 'binary', classes: ['no', 'yes'] } }, { runId: 'v3' });
  evalFile = writeCsv(dir, 'march.csv', ['x', 'color', 'region', 'y'], [
    [1, 'red', 'A', 'yes'],
    [-1, 'blue', 'A', 'no'],
    [0.5, 'red', 'B', 'yes'],
    [-0.5, 'red', 'B', 'yes'],
    [0.2, 'green', 'B', 'no'],
  ]);
  const store = openStore(databasePath(dataDir));
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, question, created_at, updated_at) VALUES (1, 'churn', 'Who leaves?', 0, 0)`).run();
  for (const id of [1, 2, 3]) {
    db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, result, started_at) VALUES (?, 1, 'x', 'succeeded', ?, 0)`).run(
      id,
      JSON.stringify({ fairness: [{ column: 'region', groups: [] }], excluded: id === 3 ? [{ column: 'color', reason: 'gives the answer away' }] : [] }),
    );
    db.prepare(
      `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
       VALUES (?, 1, ?, ?, ?, 'cpu', 'binary', 'y', ?, ?, ?, 'h', ?)`,
    ).run(id, id, id, 'd'.repeat(64), JSON.stringify({ learningRate: 0.001 * id, batchSize: 32 * id }), JSON.stringify({ accuracy: 0.7 + id / 100 }), id === 3 ? v3Artifact : artifactDir, Date.UTC(2026, 0, id));
    recordEvent(db, { projectId: 1, versionId: id, version: id, action: 'register', fromStage: null, toStage: 'candidate', alias: null, actor: 'test', reason: '', at: Date.UTC(2026, 0, id) });
  }
  // Version 2 was trained on a registered dataset, to check the changed-file flag.
  trainFile = writeCsv(dir, 'train.csv', ['x', 'color', 'y'], [[1, 'red', 'yes'], [-1, 'blue', 'no']]);
  const sha256 = createHash('sha256').update(readFileSync(trainFile)).digest('hex');
  const { dataset } = upsertDataset(
    db,
    { path: trainFile, name: 'train.csv', sizeBytes: statSync(trainFile).size, mtimeMs: 0, sha256, delimiter: ',', encoding: 'utf-8', hasHeader: true, columns: ['x', 'color', 'y'], rowCount: 2, warnings: [], jobId: null },
    0,
  );
  db.prepare('UPDATE model_versions SET dataset_id = ?, dataset_sha256 = ? WHERE id = 2').run(dataset.id, sha256);
  store.close();
});

const json = (args: string[]) => {
  const run = pilot([...args, '--json'], { dataDir });
  expect(run.stderr + run.stdout).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};

describe('pilot models', () => {
  it('promotes, aliases, rolls back, and answers history --at from the events', () => {
    expect(json(['models', 'list', 'churn']).map((v: { version: number; stage: string }) => [v.version, v.stage])).toEqual([
      [3, 'candidate'],
      [2, 'candidate'],
      [1, 'candidate'],
    ]);
    expect(json(['models', 'promote', 'churn@1', '--to', 'production', '--reason', 'first pilot']).version.stage).toBe('production');
    const second = json(['models', 'promote', '2', '--to', 'production', '--reason', 'better']);
    expect(second.replaced).toMatchObject({ version: 1, stage: 'staging' });
    expect(json(['models', 'alias', 'churn@2', 'champion']).version.aliases).toEqual(['champion']);
    expect(json(['models', 'show', 'churn@champion']).version.version).toBe(2);

    const now = pilot(['models', 'history', 'churn', '--at', new Date().toISOString()], { dataDir });
    expect(now.stdout).toMatch(/version 2 of churn was in production/);
    const before = pilot(['models', 'history', 'churn', '--at', '2020-01-01'], { dataDir });
    expect(before.stdout).toMatch(/No version of churn was in production at 2020-01-01 23:59:59/);

    const back = json(['models', 'rollback', 'churn', '--reason', 'v2 flags loyal customers']);
    expect([back.restored.version, back.pulled.version, back.pulled.stage]).toEqual([1, 2, 'archived']);
    // The alias follows production back: the archived version no longer answers churn@champion.
    expect([back.pulled.aliases, back.restored.aliases, back.movedAliases]).toEqual([[], ['champion'], ['champion']]);
    expect(json(['models', 'show', 'churn@champion']).version.version).toBe(1);
    const again = pilot(['models', 'rollback', 'churn', '--reason', 'again'], { dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Every earlier production version of churn was itself rolled back from: there is nothing to roll back to/);
    const noReason = pilot(['models', 'rollback', 'churn'], { dataDir });
    expect(noReason.code).toBe(2);

    const history = json(['models', 'history', 'churn']);
    expect(history.events.map((e: { action: string; version: number }) => `${e.action}:${e.version}`)).toEqual([
      'register:1', 'register:2', 'register:3', 'promote:1', 'demote:1', 'promote:2', 'alias-set:2', 'rollback:2', 'rollback:1', 'alias-removed:2', 'alias-set:1',
    ]);
    expect(history.events.at(-1)).toMatchObject({ reason: 'Moved from version 2 by the rollback: v2 flags loyal customers', actor: expect.stringMatching(/\(pilot cli\)$/) });
  });

  it('compares versions and flags a dataset that is not registered', () => {
    const c = json(['models', 'compare', 'churn@1', 'churn@3']);
    expect(c.metrics).toEqual([{ name: 'accuracy', values: [0.71, 0.73], differs: true }]);
    expect(c.hyperparameters).toEqual([
      { name: 'learningRate', values: [0.001, 0.003], differs: true },
      { name: 'batchSize', values: [32, 96], differs: true },
    ]);
    // The features each model reads, from its saved preprocessing and its run's exclusions.
    expect(c.features).toEqual([
      { name: 'x', values: ['number', 'number'], differs: false },
      { name: 'color', values: ['category (2 levels + other)', 'left out: gives the answer away'], differs: true },
      { name: 'region', values: [null, 'category (2 levels + other)'], differs: true },
    ]);
    expect(c.featureChanges).toEqual(['Version 3 uses region that version 1 does not; drops color.']);
    const text = pilot(['models', 'compare', 'churn@1', 'churn@3'], { dataDir }).stdout;
    // Integers print as integers (a batch size of 32, not 32.000); fractions keep three decimals.
    expect(text).toMatch(/\* batchSize\s+32\s+96\s*$/m);
    expect(text).not.toMatch(/32\.000|96\.000/);
    expect(text).toMatch(/\* learningRate\s+0\.001\s+0\.003/);
    expect(text).toMatch(/\* region\s+not in its data\s+category \(2 levels \+ other\)/);
    expect(text).toContain('Version 3 uses region that version 1 does not; drops color.');
    expect(c.environment[0]).toEqual({ name: 'backend', values: ['cpu', 'cpu'], differs: false });
    const lineage = json(['models', 'show', 'churn@3']).lineage;
    expect(lineage.flags.join(' ')).toMatch(/no longer registered/);
  });

  it('flags a training dataset whose file changed since the version was trained', () => {
    const before = json(['models', 'show', 'churn@2']).lineage;
    expect([before.dataset.name, before.datasetCheck.status, before.datasetChanged]).toEqual(['train.csv', 'unchanged', false]);
    appendFileSync(trainFile, '0.5,red,yes\n');
    const after = json(['models', 'show', 'churn@2']).lineage;
    expect([after.datasetCheck.status, after.datasetChanged]).toEqual(['changed', true]);
    expect(after.flags[0]).toMatch(/train.csv changed since version 2 was trained on it/);
  });

  it('exports a bundle and imports it as a new candidate with an import event', () => {
    const bundle = join(dir, 'churn-v3.pilotmodel');
    const written = json(['models', 'export', 'churn@3', bundle]);
    expect(written.files).toHaveLength(5);
    const imported = json(['models', 'import', bundle]);
    expect(imported).toMatchObject({ projectName: 'churn', version: 4, stage: 'candidate', testMetrics: { accuracy: 0.73 } });
    const events = json(['models', 'history', 'churn', '--of', 'churn@4']).events;
    expect(events).toMatchObject([{ action: 'import', toStage: 'candidate', reason: expect.stringMatching(/Imported from churn-v3.pilotmodel/) }]);
    const tampered = join(dir, 'tampered.pilotmodel');
    const bytes = readFileSync(bundle);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0xff;
    writeFileSync(tampered, bytes);
    const refused = pilot(['models', 'import', tampered], { dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not match its SHA-256: the bundle was damaged or tampered with. Nothing was imported/);
    expect(json(['models', 'list', 'churn'])).toHaveLength(4);
    expect(readdirSync(join(dataDir, 'models')).filter((name) => name.includes('partial'))).toEqual([]);
    const missing = pilot(['models', 'import', join(dir, 'nope.pilotmodel')], { dataDir });
    expect(missing.stderr).toMatch(/does not exist or is not a file/);
  });

  it('evaluates a version on a labelled file through the worker and stores the evaluation', () => {
    const result = json(['evaluate', 'churn@1', evalFile]);
    expect(result.rows).toMatchObject({ total: 5, scored: 5 });
    // By hand: logits 2.5, -3.5, 1.5, -0.5, -0.1 → yes, no, yes, no, no; actual yes, no, yes, yes, no → 4/5.
    expect(result.metrics.accuracy).toBeCloseTo(0.8, 10);
    expect(result.differences[0]).toMatchObject({ metric: 'accuracy', recorded: 0.71 });
    expect(result.differences[0].difference).toBeCloseTo(0.09, 10);
    expect(result.fairness.map((f: { column: string }) => f.column)).toEqual(['region']);
    expect(result.columns.unseenCategories).toEqual([{ column: 'color', rows: 1 }]);
    const shown = json(['models', 'show', 'churn@1']);
    expect(shown.evaluations).toMatchObject([{ metric: 'accuracy', value: expect.closeTo(0.8, 10), recorded: 0.71 }]);
  });
});
