import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forecastInputSchema, trainForecast, type ForecastInputRaw, type ForecastResult } from '../../../workers/forecast/index.js';
import type { JobContext } from '../../../workers/protocol.js';
import type { EpochRecord } from '../../../workers/trainer/fit.js';
import { Rng } from '../../../workers/trainer/random.js';

/** Runs the engine as the worker entry does: the input validated (defaults filled in) first. */
export function train(raw: ForecastInputRaw, ctx: JobContext<EpochRecord>): Promise<ForecastResult> {
  return trainForecast(forecastInputSchema.parse(raw), ctx);
}

export const fixture = (name: string) => join(import.meta.dirname, '../../fixtures', name);

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'forecast-'));
}

/** Writes a CSV from a header and rows into a fresh temp dir and returns its path. */
export function writeCsv(header: string[], rows: Array<Array<string | number>>, name = 'data.csv'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

/** `hours` hourly counts from 2024-01-01: a daily cycle, quieter weekends, noise (seeded). */
export function hourlyCounts(hours: number, seed = 5): Array<[string, number]> {
  const rng = new Rng(seed);
  return Array.from({ length: hours }, (_, i) => {
    const t = Date.UTC(2024, 0, 1) + i * 3_600_000;
    const d = new Date(t);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const v = 40 + 30 * Math.sin((2 * Math.PI * d.getUTCHours()) / 24) * (weekend ? 0.4 : 1) + 8 * rng.next();
    return [new Date(t).toISOString().slice(0, 16).replace('T', ' '), Math.max(0, Math.round(v))];
  });
}
