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
    const run = pilot(['train', file, '--kind', 'anomaly', '--label', 'diagnosis', '--normal', 'benign', '--epochs', '10', '--json'], { dataDir: dir });
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
      runId: string;
      artifactDir: string;
    };
    expect(result).toMatchObject({ kind: 'anomaly', task: 'anomaly', target: 'diagnosis', summary: { metric: 'prAuc' } });
    expect(Object.keys(result.baselines).sort()).toEqual(['isolationForest', 'robustZ']);
    expect(result.artifactDir).toBe(join(dir, 'models', result.runId));

    const out = join(dir, 'scored.csv');
    const predicted = pilot(['predict', result.runId, file, '--out', out, '--json'], { dataDir: dir });
    expect(predicted.code).toBe(0);
    const p = JSON.parse(predicted.stdout) as { rows: number; flagged: number; threshold: number; addedColumns: string[] };
    expect(p).toMatchObject({ rows: 382, threshold: result.threshold.value, addedColumns: ['anomaly_score', 'anomaly_flag', 'top_feature_1', 'top_feature_2', 'top_feature_3'] });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(383);
    expect(lines.slice(1).filter((l) => l.split(',')[32] === '1')).toHaveLength(p.flagged);
  });

  it('wrong flags are usage errors (exit 2); a model that is not there says so (exit 1)', () => {
    const rate = pilot(['train', file, '--kind', 'anomaly', '--alert-rate', '50'], { dataDir: dir });
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--alert-rate takes a share between 0 and 1/);
    const missing = pilot(['predict', 'no-such-model', file, '--out', join(dir, 'x.csv')], { dataDir: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No model in .*no-such-model/);
  });
});
