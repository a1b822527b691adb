/**
 * What the wizard shows before training: how the time column reads, the step, the season, the
 * rule for combining values, the quality alerts, the defaults, and the series themselves
 * (downsampled for the plot). Same reading as training, so what the user sees is what is trained on.
 */
import type { Engine } from '../protocol.js';
import { loadTable } from '../trainer/load.js';
import { defaultHorizon } from './prepare.js';
import { buildSeries, formatTime, gridTime, type Frequency, type TimeAlert } from './series.js';
import { parseTimeSpec } from './time.js';
import { formatMap, type ForecastPreviewInput } from './schema.js';
import { seasonOf, type Season } from './windows.js';

/** One series, downsampled to at most `points` points (means of consecutive steps). */
export interface PreviewSeries {
  id: string;
  /** Steps in the series. */
  length: number;
  first: string;
  last: string;
  /** Point times (ISO) and values. */
  times: string[];
  values: number[];
}

/** The preview of a forecasting dataset. */
export interface ForecastPreview {
  format: string;
  frequency: Frequency;
  season: Season;
  aggregate: 'sum' | 'mean';
  aggregateReason: string;
  alerts: TimeAlert[];
  warnings: string[];
  /** Series in the file, and the first few (at most 5) for the plot. */
  seriesCount: number;
  series: PreviewSeries[];
  /** The horizon the engine would choose. */
  defaultHorizon: number;
}

/** Reads `file` as the engine would and summarises it. Throws `UserInputError` as training would (mixed time formats …). */
export async function previewForecast(
  input: { file: string; time: string; target: string; id?: string; holiday?: string; aggregate?: 'auto' | 'sum' | 'mean'; numberFormats?: ForecastPreviewInput['numberFormats'] },
  points = 400,
): Promise<ForecastPreview> {
  const table = await loadTable(input.file, { numberFormats: formatMap(input.numberFormats ?? []) });
  const set = buildSeries(table.columns, table.rows, {
    time: parseTimeSpec(input.time, table.columns),
    target: input.target,
    id: input.id ?? null,
    holiday: input.holiday ?? null,
    aggregate: input.aggregate ?? 'auto',
  });
  const series = set.series.slice(0, 5).map((s): PreviewSeries => {
    const n = s.values.length;
    const stride = Math.max(1, Math.ceil(n / points));
    const times: string[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i += stride) {
      let sum = 0;
      const end = Math.min(n, i + stride);
      for (let j = i; j < end; j++) sum += s.values[j]!;
      times.push(formatTime(gridTime(set.frequency, set.origin, s.offset + i)));
      values.push(sum / (end - i));
    }
    return { id: s.id, length: n, first: formatTime(gridTime(set.frequency, set.origin, s.offset)), last: formatTime(gridTime(set.frequency, set.origin, s.offset + n - 1)), times, values };
  });
  return {
    format: set.format,
    frequency: set.frequency,
    season: seasonOf(set.frequency),
    aggregate: set.aggregate,
    aggregateReason: set.aggregateReason,
    alerts: set.alerts,
    warnings: [...table.warnings, ...set.warnings],
    seriesCount: set.series.length,
    series,
    defaultHorizon: defaultHorizon(set),
  };
}

/** The `forecast.preview` job: the preview in a worker, so a large file never blocks the main process. */
export const previewForecastEngine: Engine<ForecastPreviewInput, ForecastPreview> = async ({ points, ...input }, ctx) => {
  ctx.progress({ fraction: 0.1, stage: 'Reading the series' });
  const preview = await previewForecast(input, points);
  ctx.progress({ fraction: 1, stage: 'Done' });
  return preview;
};
