/** The forecast results in plain words (renderer/src/components/pilots/forecast/words.ts) on a real run. */
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';

import { comparisonSentences, coverageSentence, headline } from '../../../renderer/src/components/pilots/forecast/words.js';
import { hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

describe('forecast results in plain words', () => {
  it('says how much closer, says so plainly when a baseline wins, and "about the same" when not significant', async () => {
    const file = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 6));
    const r = await train({ file, time: 'time', target: 'calls', horizon: 6, lags: 48, epochs: 5 }, makeContext({ dataDir: tempDir() }));
    const naive = comparisonSentences(r).find((s) => s.baseline === 'naive')!;
    // A strong daily cycle: the last value is a poor forecast six hours ahead.
    expect(naive.tone).toBe('better');
    expect(naive.text).toBe(`The network's forecasts are ${Math.round(r.comparisons.naive.closer * 100)} % closer than 'the last value'.`);
    const worse = comparisonSentences({ ...r, comparisons: { ...r.comparisons, linear: { closer: -0.2, z: -3.1, significant: true } } }).find((s) => s.baseline === 'linear')!;
    expect(worse).toMatchObject({ tone: 'worse', text: expect.stringMatching(/^'a linear autoregression' is 20 % closer than the network: the simpler forecast wins/) });
    const same = comparisonSentences({ ...r, comparisons: { ...r.comparisons, seasonalNaive: { closer: 0.08, z: 1.2, significant: false } } }).find((s) => s.baseline === 'seasonalNaive')!;
    expect(same).toMatchObject({ tone: 'same', text: expect.stringMatching(/about as close as 'same hour last week' \(a 8 % difference that could be chance\)/) });
    expect(headline(r)).toMatch(/^Forecasting 6 hourly steps ahead over the most recent stretch .*\(MASE\) is \d\.\d\d/);
    expect(coverageSentence({ ...r, intervals: { ...r.intervals, level: 0.9, coverage: 0.79 } })).toMatch(/90 % prediction intervals held 79 % .* fewer than promised/);
  });
});
