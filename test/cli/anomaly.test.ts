/** `pilot train --kind anomaly` and `pilot predict` on an anomaly model, as real processes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const file = fixture('anomaly/breast_cancer_anomaly.csv');

describe('pilot train --kind anomaly', () => {
  it('trains with labels, prints the documented JSON, and predict scores a file with the model', () => {
    const run = pilot(['train', file, '--kind', 'anomaly', '--label', 'diagnosis', '--normal', 'benign', '--epochs', '10', '--project', 'cells', '--json'], { dataDir: dir });
    expect(run.stderr).toMatch(/epoch 1 {2}loss \d/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      kind: string;
      task: string;
      target: string;
      summary: { metric: string; network: number; robustZ: number; isolationForest: number };
      baselines: Record<string, unknown>;
      threshold: { value: number };
      verdict: string;
      runId: number;
      runKey: string;
      artifactDir: string;
      version: number;
      modelVersionId: number;
    };
    expect(result).toMatchObject({ kind: 'anomaly', task: 'anomaly', target: 'diagnosis', summary: { metric: 'prAuc' } });
    expect(Object.keys(result.baselines).sort()).toEqual(['isolationForest', 'robustZ']);
    expect(result.artifactDir).toBe(join(dir, 'models', result.runKey));
    // Registered as a model version of the project, which the registry lists.
    expect(result.version).toBe(1);
    const versions = pilot(['models', 'list', 'cells', '--json'], { dataDir: dir });
    expect(versions.stdout).toContain(`"task": "anomaly"`);

    const out = join(dir, 'scored.csv');
    const predicted = pilot(['predict', 'cells@1', file, '--out', out, '--json'], { dataDir: dir });
    expect(predicted.code).toBe(0);
    const p = JSON.parse(predicted.stdout) as { rows: number; flagged: number; threshold: number; addedColumns: string[] };
    expect(p).toMatchObject({ task: 'anomaly', modelVersionId: result.modelVersionId, rows: 382, threshold: result.threshold.value, addedColumns: ['anomaly_score', 'anomaly_flag', 'top_feature_1', 'top_feature_2', 'top_feature_3'] });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(383);
    expect(lines.slice(1).filter((l) => l.split(',')[32] === '1')).toHaveLength(p.flagged);
  });

  it('wrong flags are usage errors (exit 2)', () => {
    const rate = pilot(['train', file, '--kind', 'anomaly', '--alert-rate', '50'], { dataDir: dir });
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--alert-rate takes a share between 0 and 1/);
  });
});
