/**
 * The bounded evaluation: the bootstrap's ROC AUC from one sort (`WeightedAuc`) is exactly what
 * sorting each resample gives (`rocAuc`, checked against scikit-learn in the trainer's tests),
 * ties and repeats included; the streaming reader keeps regression rows whose label is negative
 * (before: a negative value was taken for an unknown class and the row was dropped).
 */
import { describe, expect, it } from 'vitest';
import { WeightedAuc } from '../../../workers/evaluate/resample.js';
import { evaluateInputSchema, evaluateVersion } from '../../../workers/evaluate/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { rocAuc } from '../../../workers/trainer/metrics.js';
import { Rng } from '../../../workers/trainer/random.js';
import { regressionArtifact, tempDir, writeCsv } from './helpers.js';

describe('bounded evaluation', () => {
  it('gives every resample the AUC that sorting it gives, to the last bit', () => {
    const rng = new Rng(3);
    for (const n of [2, 7, 300, 5000]) {
      // Scores rounded to two decimals: many ties, as a small or calibrated model has.
      const scores = Float64Array.from({ length: n }, () => Math.round(rng.next() * 100) / 100);
      const actual = Float64Array.from(scores, (s) => (rng.next() < s ? 1 : 0));
      const auc = new WeightedAuc(scores, actual);
      for (let b = 0; b < 20; b++) {
        const sample = Int32Array.from({ length: n }, () => rng.int(n));
        const slow = rocAuc(Float64Array.from(sample, (i) => scores[i]!), Float64Array.from(sample, (i) => actual[i]!));
        const fast = auc.of(sample);
        if (Number.isNaN(slow)) expect(fast).toBeNaN();
        else expect(fast).toBe(slow);
      }
    }
  });

  it('scores regression rows whose label is negative', async () => {
    const dir = tempDir();
    const artifactDir = await regressionArtifact(dir);
    // prediction = (1.5·(x − 2)/2 + 0.5)·4 + 10 = 3x + 6: x = −4 → −6.
    const file = writeCsv(dir, 'negative.csv', ['x', 'y'], [[-4, -6], [-3, -3], [0, 6], [1, 9], [2, 12]]);
    const result = await evaluateVersion(evaluateInputSchema.parse({ artifactDir, file, backend: 'cpu', resamples: 0 }), makeContext({ dataDir: dir }));
    expect(result.rows).toEqual({ total: 5, scored: 5, missingLabel: 0, unknownLabel: 0 });
    expect(result.metrics).toMatchObject({ mae: expect.closeTo(0, 5), r2: expect.closeTo(1, 5) });
  });
});
