import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { predictAnomalies } from '../../../workers/anomaly/index.js';
import { runAnomaly } from './run.js';
import type { LabelledMetrics } from '../../../workers/anomaly/evaluate.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import { fixture, tempDir } from '../trainer/helpers.js';

const breastCancer = fixture('anomaly/breast_cancer_anomaly.csv');
const fashion = fixture('anomaly/fashion_anomaly.csv');

describe('train.anomaly with labels (breast cancer, malignant as the rare class)', () => {
  it('beats a random ranking clearly, compares honestly with its baselines, and saves a model that predicts the same scores', async () => {
    const ctx = makeContext({ dataDir: tempDir() });
    const r = await runAnomaly({ file: breastCancer, label: 'diagnosis', normal: 'benign', epochs: 80, runId: 'bc' }, ctx);
    expect(r.kind).toBe('anomaly');
    expect(r.label).toMatchObject({ column: 'diagnosis', normal: 'benign', anomalyValues: ['malignant'], normalRows: 357, anomalyRows: 25 });
    // Labelled anomalies never train: the training split holds only benign rows.
    expect(r.rows.train).toBe(357 - Math.round(357 * 0.15) * 2);
    const m = r.metrics as LabelledMetrics;
    expect(m.anomalies).toBe(13);
    expect(m.rocAuc).toBeGreaterThan(0.85);
    // A random ranking's average precision is the anomaly rate (13 / 67 ≈ 0.19).
    expect(m.prAuc).toBeGreaterThan(3 * (m.anomalies / m.rows));
    expect(r.summary.metric).toBe('prAuc');
    expect(Object.keys(r.baselines).sort()).toEqual(['isolationForest', 'robustZ']);
    expect(r.summary.isolationForest).toBe((r.baselines.isolationForest as LabelledMetrics).prAuc);
    // The words follow the numbers: each comparison's verdict agrees with its bootstrap interval and is named in the verdict.
    for (const c of r.comparisons) {
      const expected = c.interval[0] > 0 ? 'network better' : c.interval[1] < 0 ? 'baseline better' : 'about the same';
      expect(c.verdict).toBe(expected);
      expect(c.interval[0]).toBeLessThanOrEqual(c.interval[1]);
    }
    expect(r.verdict).toMatch(/robust z-score rule/);
    expect(r.verdict).toMatch(/isolation forest/);
    if (r.comparisons.some((c) => c.verdict === 'baseline better')) expect(r.verdict).toMatch(/better than the network/);
    expect(r.threshold.rule).toEqual({ mode: 'bestF1' });
    expect(r.curve.length).toBeGreaterThan(10);
    expect(r.histogram.reduce((s, b) => s + b.anomaly, 0)).toBe(13);
    // Top anomalies carry their reasons, shares in (0, 1].
    expect(r.topAnomalies).toHaveLength(20);
    expect(r.topAnomalies.filter((t) => t.knownAnomaly).length).toBeGreaterThan(10);
    for (const t of r.topAnomalies) expect(t.contributions[0]!.share).toBeGreaterThan(0);
    // Progress per epoch with the live-chart detail.
    const epochs = ctx.reports.filter((p) => p.stage.startsWith('Epoch '));
    expect(epochs).toHaveLength(r.epochs.length);
    expect(epochs[0]!.detail).toMatchObject({ epoch: 1, loss: expect.any(Number), valLoss: expect.any(Number), samplesPerSec: expect.any(Number) });

    await expect(verifyArtifact(r.artifactDir)).resolves.toEqual(r.checksums);
    const metadata = JSON.parse(readFileSync(join(r.artifactDir, 'metadata.json'), 'utf8')) as { kind: string; threshold: { value: number } };
    expect(metadata.kind).toBe('anomaly');
    expect(metadata.threshold.value).toBe(r.threshold.value);

    // Predict the file back with the saved tf.layers model: the same scores as the trained network's, row by row.
    const out = join(tempDir(), 'scored.csv');
    const p = await predictAnomalies(r.artifactDir, breastCancer, out);
    expect(p.rows).toBe(382);
    expect(p.addedColumns).toEqual(['anomaly_score', 'anomaly_flag', 'top_feature_1', 'top_feature_2', 'top_feature_3']);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/,diagnosis,anomaly_score,anomaly_flag,top_feature_1,top_feature_2,top_feature_3$/);
    const cells = lines.slice(1).map((l) => l.split(','));
    for (const top of r.topAnomalies.slice(0, 5)) {
      const row = cells[top.row - 1]!;
      expect(Number(row[31])).toBeCloseTo(top.score, 3);
      expect(row[32]).toBe(top.flagged ? '1' : '0');
      expect(row[33]).toBe(`${top.contributions[0]!.column} (${Math.round(100 * top.contributions[0]!.share)}%)`);
    }
    // Flags fall far more often on malignant rows than on benign ones.
    const rate = (value: string) => {
      const rows = cells.filter((c) => c[30] === value);
      return rows.filter((c) => c[32] === '1').length / rows.length;
    };
    expect(rate('malignant')).toBeGreaterThan(3 * rate('benign'));
    expect(p.flagged).toBe(cells.filter((c) => c[32] === '1').length);
  });
});

describe('train.anomaly without labels (Fashion-MNIST pixels)', () => {
  it('reports the score distribution, the top anomalies with their pixels, and stability across seeds', async () => {
    const r = await runAnomaly({ file: fashion, exclude: ['item'], epochs: 15, alertRate: 0.05, runId: 'fm' }, makeContext({ dataDir: tempDir() }));
    expect(r.label).toBeNull();
    expect(r.target).toBe('');
    expect(r.summary.metric).toBe('stability');
    expect(r.stability!.network!.spearman).toBeGreaterThan(0.8);
    expect(r.summary.network).toBe(r.stability!.network!.spearman);
    expect(r.summary.robustZ).toBe(1);
    expect(r.threshold.rule).toEqual({ mode: 'alertRate', rate: 0.05 });
    expect(r.histogram.reduce((s, b) => s + b.normal + b.anomaly, 0)).toBe(r.rows.test);
    expect(r.verdict).toMatch(/Without labelled anomalies/);
    expect(r.topAnomalies[0]!.contributions[0]!.column).toMatch(/^p\d+$/);
    // The labels were not used, yet the bags (4.8 % of rows: about 1 of 20 by chance) crowd the top 20.
    const labels = readFileSync(fashion, 'utf8').trim().split('\n').slice(1).map((l) => l.slice(l.lastIndexOf(',') + 1));
    const bags = r.topAnomalies.filter((t) => labels[t.row - 1] === 'bag').length;
    expect(bags).toBeGreaterThanOrEqual(5);
  });
});
