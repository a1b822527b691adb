/**
 * The anomaly threshold is stored with the version and used by `pilot predict`: trained with a
 * target alert rate (no labels) and with a label-based rule, the version record and the artifact
 * hold the same threshold and rule, and predicting another file flags exactly the rows whose score
 * reaches that stored value (counted here from the written scores, not from the predictor's count).
 * Drift of such a version compares its scores on a new batch with its scores on the training file;
 * its bundle keeps the threshold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const source = fixture('anomaly/breast_cancer_anomaly.csv');

interface Stored {
  version: { testMetrics: { threshold: number; alertRate: number }; artifactDir: string };
}

/** The version's stored threshold (registry) and the artifact's (metadata.json), which must agree. */
function storedThreshold(ref: string): { value: number; rule: Record<string, unknown> } {
  const shown = pilot(['models', 'show', ref, '--json'], { dataDir: dir });
  expect(shown.code).toBe(0);
  const { version } = JSON.parse(shown.stdout) as Stored;
  const metadata = JSON.parse(readFileSync(join(version.artifactDir, 'metadata.json'), 'utf8')) as {
    threshold: { value: number; rule: Record<string, unknown> };
  };
  expect(metadata.threshold.value).toBe(version.testMetrics.threshold);
  return metadata.threshold;
}

/** Predicts `file` and counts the flags from the written scores against `threshold`. */
function flagsOf(ref: string, file: string, threshold: number): { flagged: number; counted: number; flagColumn: number; rows: number } {
  const out = join(dir, `${ref.replace('@', '-')}-scored.csv`);
  const run = pilot(['predict', ref, file, '--out', out, '--force', '--json'], { dataDir: dir });
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as { flagged: number; threshold: number; rows: number };
  expect(result.threshold).toBe(threshold);
  const [header, ...lines] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const score = header!.indexOf('anomaly_score');
  const flag = header!.indexOf('anomaly_flag');
  return {
    flagged: result.flagged,
    counted: lines.filter((c) => Number(c[score]) >= threshold).length,
    flagColumn: lines.filter((c) => c[flag] === '1').length,
    rows: lines.length,
  };
}

describe('the anomaly threshold stored with the version', () => {
  it('from --alert-rate (no labels): the same value in the registry and the artifact, applied as is to another file', () => {
    // Training sees no label: the diagnosis column is left out as a feature.
    const train = pilot(
      ['train', source, '--kind', 'anomaly', '--exclude', 'diagnosis', '--alert-rate', '0.1', '--no-stability', '--epochs', '8', '--project', 'rate', '--json'],
      { dataDir: dir },
    );
    expect(train.code).toBe(0);
    const result = JSON.parse(train.stdout) as { threshold: { value: number; rule: { mode: string; rate: number } } };
    expect(result.threshold.rule).toEqual({ mode: 'alertRate', rate: 0.1 });
    const stored = storedThreshold('rate@1');
    expect(stored).toMatchObject({ value: result.threshold.value, rule: { mode: 'alertRate', rate: 0.1 } });

    // Only the malignant rows: an alert rate recomputed on this file would flag about 10 %; the stored threshold flags most of them.
    const lines = readFileSync(source, 'utf8').trim().split('\n');
    const malignant = join(dir, 'malignant.csv');
    writeFileSync(malignant, [lines[0], ...lines.slice(1).filter((l) => l.endsWith(',malignant'))].join('\n') + '\n');
    const f = flagsOf('rate@1', malignant, stored.value);
    expect(f.rows).toBe(25);
    expect(f.flagged).toBe(f.counted);
    expect(f.flagColumn).toBe(f.counted);
    expect(f.counted / f.rows).toBeGreaterThan(0.3);

    // Drift of the version: its scores on a batch of the malignant and 40 benign rows against its scores on the training file.
    const shifted = join(dir, 'shifted.csv');
    writeFileSync(
      shifted,
      [
        lines[0],
        ...lines.slice(1).filter((l) => l.endsWith(',malignant')),
        ...lines
          .slice(1)
          .filter((l) => l.endsWith(',benign'))
          .slice(0, 40),
      ].join('\n') + '\n',
    );
    const drift = pilot(['drift', 'rate@1', shifted, '--json'], { dataDir: dir });
    expect(drift.code).toBe(0);
    const report = JSON.parse(drift.stdout) as { predictionDrift: { drifted: boolean; explanation: string } | null; columns: unknown[] };
    expect(report.predictionDrift).toMatchObject({ drifted: true, explanation: expect.stringMatching(/model's outputs on the reference rows/) });
    // The 30 measurements and diagnosis (a plain column to a version trained without labels).
    expect(report.columns).toHaveLength(31);
    const same = JSON.parse(pilot(['drift', 'rate@1', source, '--json'], { dataDir: dir }).stdout) as {
      predictionDrift: { drifted: boolean; statistic: number };
    };
    expect(same.predictionDrift).toMatchObject({ drifted: false, statistic: 0 });

    // A bundle carries the threshold: the imported version flags the same rows.
    const bundle = join(dir, 'rate.pilotmodel');
    expect(pilot(['models', 'export', 'rate@1', bundle], { dataDir: dir }).code).toBe(0);
    const other = tempDir();
    try {
      expect(pilot(['models', 'import', bundle], { dataDir: other.dir }).code).toBe(0);
      const out = join(other.dir, 'scored.csv');
      const again = pilot(['predict', '1', malignant, '--out', out, '--json'], { dataDir: other.dir });
      expect(JSON.parse(again.stdout)).toMatchObject({ threshold: stored.value, flagged: f.flagged });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'rate-1-scored.csv'), 'utf8'));
    } finally {
      other.cleanup();
    }
  }, 300_000);

  it('from the label-based rule (recall 0.9): stored with its rule; predict and evaluate flag by it', () => {
    const train = pilot(
      [
        'train',
        source,
        '--kind',
        'anomaly',
        '--label',
        'diagnosis',
        '--normal',
        'benign',
        '--threshold-rule',
        'recall',
        '--threshold-target',
        '0.9',
        '--epochs',
        '8',
        '--project',
        'recall',
        '--json',
      ],
      { dataDir: dir },
    );
    expect(train.code).toBe(0);
    const stored = storedThreshold('recall@1');
    expect(stored.rule).toEqual({ mode: 'recall', target: 0.9 });
    const f = flagsOf('recall@1', source, stored.value);
    expect(f.rows).toBe(382);
    expect(f.flagged).toBe(f.counted);
    expect(f.flagColumn).toBe(f.counted);

    // Evaluate flags by the same stored threshold: its recall and precision are the ones counted from predict's output.
    const [header, ...cells] = readFileSync(join(dir, 'recall-1-scored.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const [score, diagnosis] = [header!.indexOf('anomaly_score'), header!.indexOf('diagnosis')];
    const flaggedRows = cells.filter((c) => Number(c[score]) >= stored.value);
    const hits = flaggedRows.filter((c) => c[diagnosis] === 'malignant').length;
    const evaluated = pilot(['evaluate', 'recall@1', source, '--json'], { dataDir: dir });
    expect(evaluated.code).toBe(0);
    const e = JSON.parse(evaluated.stdout) as {
      task: string;
      metrics: { threshold: number; recall: number; precision: number; anomalies: number };
      differences: Array<{ metric: string }>;
    };
    expect(e.task).toBe('anomaly');
    expect(e.metrics.threshold).toBe(stored.value);
    expect(e.metrics.anomalies).toBe(25);
    expect(e.metrics.recall).toBeCloseTo(hits / 25, 10);
    expect(e.metrics.precision).toBeCloseTo(hits / flaggedRows.length, 10);
    expect(e.differences.map((d) => d.metric)).toEqual(['prAuc', 'rocAuc', 'precisionAtK', 'precision', 'recall', 'f1', 'alertRate']);
  }, 120_000);
});
