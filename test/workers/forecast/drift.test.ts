import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { forecastDrift } from '../../../workers/forecast/index.js';
import { hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

describe('forecastDrift', () => {
  it('finds no drift when the process goes on, and drift in errors, level and rhythm when it changes', async () => {
    const weeks = 24 * 7;
    const file = writeCsv(['time', 'calls'], hourlyCounts(6 * weeks));
    const r = await train({ file, time: 'time', target: 'calls', horizon: 6, lags: 48, epochs: 5 }, makeContext({ dataDir: tempDir() }));
    // Two more weeks of the same process (the same generator, continued).
    const later = hourlyCounts(8 * weeks);
    const same = await forecastDrift(r.artifactDir, writeCsv(['time', 'calls'], later));
    expect(same.windows).toBe(2 * weeks);
    expect(same.level.verdict).toBe('ok');
    expect(same.seasonality.verdict).toBe('ok');
    expect(same.seasonality.value!).toBeGreaterThan(0.9);
    expect(same.residuals.value!).toBeLessThan(1.2);
    expect(same.verdict).toBe('ok');

    // The last two weeks: busier by half, with the daily peak twelve hours later.
    const changed = later.map(([t, v], i) => [t, i < 6 * weeks ? v : Math.round(1.5 * (later[i - 12]?.[1] ?? v))]);
    const drifted = await forecastDrift(r.artifactDir, writeCsv(['time', 'calls'], changed));
    expect(drifted.verdict).toBe('drift');
    expect(drifted.residuals.verdict).toBe('drift');
    expect(drifted.level.value!).toBeGreaterThan(0.5);
    expect(drifted.seasonality.value!).toBeLessThan(0.5);
    expect(drifted.seasonality.message).toMatch(/the rhythm has changed/);
  });
});
