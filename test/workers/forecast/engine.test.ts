import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, makeContext, type ProgressReport } from '../../../workers/protocol.js';
import { predictForecast } from '../../../workers/forecast/index.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import { fixture, hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

describe('trainForecast on bike_hour (UCI Bike Sharing, hourly rentals 2011–2012)', () => {
  it('beats the seasonal naive forecast on the last months held out, and predicts the next hours', async () => {
    const file = fixture('bike_hour.csv');
    const ctx = makeContext({ dataDir: tempDir() });
    // Six hours ahead from a week of lags and the holiday flags; a short, fixed training budget.
    const r = await train({ file, time: 'dteday+hr', target: 'cnt', holiday: 'holiday', horizon: 6, epochs: 12, batchSize: 256, learningRate: 0.002, runId: 'bike' }, ctx);
    expect(r.time.frequency.label).toBe('hourly');
    expect(r.time.season).toEqual({ period: 168, label: 'same hour last week' });
    expect(r.time.aggregate).toBe('sum');
    // The test stretch is the most recent tenth (from late October 2012), validation just before it.
    expect(r.stretches.test).toEqual(['2012-10-19 22:00', '2012-12-31 23:00']);
    expect(r.stretches.validation[1] < r.stretches.test[0]).toBe(true);
    // bike_hour has 165 missing hours (17,379 rows over 17,544 hours): reported, with the rule used.
    expect(r.alerts.find((a) => a.kind === 'gaps')).toMatchObject({ count: 165 });
    // The quality bar: MASE below 1, and better than every baseline on the same windows.
    expect(r.summary.metric).toBe('mase');
    expect(r.summary.network).toBeLessThan(1);
    expect(r.summary.network).toBeLessThan(r.summary.seasonalNaive);
    expect(r.summary.network).toBeLessThan(r.summary.naive);
    expect(r.summary.network).toBeLessThan(r.summary.linear);
    // Closer than 'same hour last week' by far more than chance (Diebold–Mariano on the test windows).
    expect(r.comparisons.seasonalNaive.closer).toBeGreaterThan(0.3);
    expect(r.comparisons.seasonalNaive.significant).toBe(true);
    expect(r.baselineLabels.seasonalNaive).toBe('same hour last week');
    expect(r.metrics.byStep).toHaveLength(6);
    expect(r.metrics.mape).not.toBeNull();
    expect(r.backtest.length).toBe(4);
    expect(r.backtest.at(-1)!.stretch).toBe('test');
    // Intervals calibrated on validation, measured on test: near their 90 % (test is stormier: Sandy, the holidays).
    expect(r.intervals.coverage).toBeGreaterThan(0.7);
    expect(r.intervals.coverage).toBeLessThan(0.97);
    expect(ctx.reports.filter((p) => p.stage.startsWith('Epoch '))).toHaveLength(r.epochs.length);
    expect(r.epochs[0]!.samplesPerSec).toBeGreaterThan(0);
    await expect(verifyArtifact(r.artifactDir)).resolves.toEqual(r.checksums);
    expect(JSON.parse(readFileSync(join(r.artifactDir, 'metadata.json'), 'utf8')).kind).toBe('forecast');

    // Forecast from the history up to the example window's origin: the saved tfjs model gives the engine's forecasts.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const [date, hour] = r.example.historyTimes.at(-1)!.split(' ');
    const originRow = lines.findIndex((l) => l.split(',')[1] === date && l.split(',')[5] === String(Number(hour!.slice(0, 2))));
    expect(originRow).toBeGreaterThan(0);
    const future = lines.slice(originRow + 1, originRow + 7).map((l) => l.replace(/,\d+$/, ','));
    const history = join(tempDir(), 'history.csv');
    writeFileSync(history, [...lines.slice(0, originRow + 1), ...future].join('\n') + '\n');
    const out = join(tempDir(), 'forecast.csv');
    const p = await predictForecast(r.artifactDir, history, out, { horizon: 6 });
    expect(p).toMatchObject({ rows: 6, series: 1, horizon: 6, intervalLevel: 0.9 });
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((c) => c[0])).toEqual(r.example.times);
    rows.forEach((c, h) => {
      expect(Number(c[2])).toBeCloseTo(r.example.forecasts.network[h]!, 1);
      expect(Number(c[3])).toBeLessThanOrEqual(Number(c[2]));
      expect(Number(c[4])).toBeGreaterThanOrEqual(Number(c[2]));
    });
  });
});

describe('trainForecast runs', () => {
  const file = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 6));
  const input = { file, time: 'time', target: 'calls', horizon: 6, lags: 48, epochs: 5, batchSize: 64 };

  it('is reproducible, and resumes a cancelled run from its checkpoint to the same result', async () => {
    const dataDir = tempDir();
    const full = await train({ ...input, runId: 'full' }, makeContext({ dataDir }));
    const again = await train({ ...input, runId: 'again' }, makeContext({ dataDir }));
    expect(again.summary).toEqual(full.summary);
    expect(again.epochs.map((e) => e.valLoss)).toEqual(full.epochs.map((e) => e.valLoss));

    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    ctx.progress = (report: ProgressReport) => {
      if (report.stage.startsWith('Epoch 2/')) controller.abort();
    };
    await expect(train({ ...input, runId: 'cut' }, ctx)).rejects.toBeInstanceOf(CancelledError);
    const resumed = await train({ ...input, resumeFrom: 'cut' }, makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(resumed.epochs.map((e) => e.valLoss)).toEqual(full.epochs.map((e) => e.valLoss));
    expect(resumed.summary).toEqual(full.summary);
  });
});
