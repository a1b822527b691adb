import { describe, expect, it } from 'vitest';
import { previewForecast } from '../../../workers/forecast/index.js';
import { fixture, writeCsv } from './helpers.js';

describe('previewForecast', () => {
  it('reads bike_hour as training does: hourly, weekly season, counts summed, the gaps, a downsampled plot', async () => {
    const p = await previewForecast({ file: fixture('bike_hour.csv'), time: 'dteday+hr', target: 'cnt' }, 200);
    expect(p.frequency.label).toBe('hourly');
    expect(p.season.label).toBe('same hour last week');
    expect(p.aggregate).toBe('sum');
    expect(p.alerts.map((a) => a.kind)).toEqual(['gaps']);
    expect(p.defaultHorizon).toBe(24);
    expect(p.seriesCount).toBe(1);
    const s = p.series[0]!;
    expect(s).toMatchObject({ length: 17_544, first: '2011-01-01', last: '2012-12-31 23:00' });
    expect(s.values.length).toBeLessThanOrEqual(200);
    // Each point is the mean of 88 consecutive hours: all near the data's overall mean of 189.
    const mean = s.values.reduce((a, b) => a + b, 0) / s.values.length;
    expect(mean).toBeGreaterThan(170);
    expect(mean).toBeLessThan(210);
  });

  it('shows at most five series of many', async () => {
    const rows = Array.from({ length: 8 }, (_, s) => Array.from({ length: 30 }, (_, d) => [`2024-01-${String(d + 1).padStart(2, '0')}`, `s${s}`, d + s])).flat();
    const p = await previewForecast({ file: writeCsv(['day', 'shop', 'sales'], rows), time: 'day', target: 'sales', id: 'shop' });
    expect(p.seriesCount).toBe(8);
    expect(p.series.map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(p.frequency.label).toBe('daily');
  });
});
