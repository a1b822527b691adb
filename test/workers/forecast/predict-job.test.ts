/** `predict.run` dispatches a forecasting model (metadata.json kind "forecast") to predictForecast. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { predictEngine, predictInputSchema } from '../../../workers/predict/index.js';
import { hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

describe('predict.run with a forecasting model', () => {
  it('writes the next steps of the series with intervals', async () => {
    const file = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 5));
    const r = await train({ file, time: 'time', target: 'calls', horizon: 4, lags: 24, epochs: 2 }, makeContext({ dataDir: tempDir() }));
    const outPath = join(tempDir(), 'next.csv');
    const p = await predictEngine(predictInputSchema.parse({ artifactDir: r.artifactDir, path: file, outPath }), makeContext());
    expect(p).toMatchObject({ kind: 'forecast', rows: 4, addedColumns: ['time', 'step', 'forecast', 'lower', 'upper'] });
    const lines = readFileSync(outPath, 'utf8').trim().split('\n');
    // The history ends at hour 839 (2024-02-04 23:00): the forecast starts the next hour.
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['2024-02-05', '2024-02-05 01:00', '2024-02-05 02:00', '2024-02-05 03:00']);
  });

  it("defuses series ids a spreadsheet would run as formulas (a leading '), unless asked not to", async () => {
    // The id =HYPERLINK("x"), quoted as CSV writes it.
    const rows = ['"=HYPERLINK(""x"")"', 'shop'].flatMap((id, k) => hourlyCounts(24 * 7 * 5, k + 1).map(([t, v]) => [t, id, v]));
    const file = writeCsv(['time', 'shop', 'calls'], rows);
    const r = await train({ file, time: 'time', target: 'calls', id: 'shop', horizon: 2, lags: 24, epochs: 1 }, makeContext({ dataDir: tempDir() }));
    const ids = async (escapeFormulas?: boolean) => {
      const outPath = join(tempDir(), 'next.csv');
      await predictEngine(
        predictInputSchema.parse({ artifactDir: r.artifactDir, path: file, outPath, ...(escapeFormulas === undefined ? {} : { escapeFormulas }) }),
        makeContext(),
      );
      return [
        ...new Set(
          readFileSync(outPath, 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',')[0]),
        ),
      ];
    };
    expect(await ids()).toEqual([`"'=HYPERLINK(""x"")"`, 'shop']);
    expect(await ids(false)).toEqual([`"=HYPERLINK(""x"")"`, 'shop']);
  });
});
