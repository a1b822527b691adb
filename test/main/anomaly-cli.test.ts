import { describe, expect, it } from 'vitest';
import { anomalySettings, describeAnomaly } from '../../main/cli/anomaly.js';
import type { CliContext } from '../../main/cli/command.js';
import { runAnomaly } from '../workers/anomaly/run.js';
import { makeContext } from '../../workers/protocol.js';
import { fixture, tempDir } from '../helpers.js';

const ctx = (flags: CliContext['flags']): CliContext => ({ args: [], flags, json: false, debug: false, dataDir: '', app: () => { throw new Error('unused'); }, out: () => {}, err: () => {} });

describe('pilot train --kind anomaly: flags', () => {
  it('turn into the engine settings, and wrong ones into usage errors', () => {
    expect(anomalySettings(ctx({ label: 'diagnosis', normal: 'benign', 'threshold-rule': 'recall', 'threshold-target': '0.8', exclude: 'id, name' }))).toEqual({
      label: 'diagnosis',
      normal: 'benign',
      thresholdRule: 'recall',
      thresholdTarget: 0.8,
      include: [],
      exclude: ['id', 'name'],
    });
    expect(anomalySettings(ctx({ 'alert-rate': '0.01', 'no-stability': true }))).toMatchObject({ alertRate: 0.01, stability: false });
    expect(() => anomalySettings(ctx({ 'alert-rate': '50' }))).toThrow(/--alert-rate takes a share between 0 and 1/);
    expect(() => anomalySettings(ctx({ normal: 'ok' }))).toThrow(/--normal needs --label/);
    expect(() => anomalySettings(ctx({ 'threshold-rule': 'recall' }))).toThrow(/needs --label/);
    expect(() => anomalySettings(ctx({ label: 'x', 'threshold-rule': 'best' }))).toThrow(/bestF1, recall or precision/);
  });

  it('the result reads as lines with the figures of the run', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = await runAnomaly({ file: fixture('anomaly/breast_cancer_anomaly.csv'), label: 'diagnosis', epochs: 10 }, makeContext({ dataDir: dir }));
      const text = describeAnomaly(r).join('\n');
      expect(text).toContain(`Test PR AUC: network ${r.summary.network.toFixed(3)}, robust z-score ${r.summary.robustZ.toFixed(3)}, isolation forest ${r.summary.isolationForest.toFixed(3)}`);
      expect(text).toContain('label "diagnosis" (normal: "benign"), 25 known anomalies, never trained on');
      expect(text).toContain(r.verdict);
      expect(text).toContain(`  ${r.topAnomalies[0]!.row}: `);
    } finally {
      cleanup();
    }
  });
});
