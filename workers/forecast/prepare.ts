/**
 * From the CSV to training, validation and backtest windows. The split is by time only: the most
 * recent stretch is the test, the stretch before it validation (early stopping, interval
 * calibration), everything earlier training. A training window's targets all lie before the
 * validation stretch, so no value the model is scored on was ever a training target.
 */
import { UserInputError } from '../protocol.js';
import { loadTable } from '../trainer/load.js';
import { buildSeries, formatTime, gridTime, type SeriesSet, type TimeAlert } from './series.js';
import { parseTimeSpec, type TimeSpec } from './time.js';
import { buildWindows, calendarFor, fitScaling, seasonOf, type Origin, type Scaling, type Season, type WindowSpec, type Windows } from './windows.js';
import { formatMap, type ForecastInput } from './schema.js';
import { maseScale } from './metrics.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Everything the engine needs, from the data. */
export interface PreparedForecast {
  set: SeriesSet;
  timeSpec: TimeSpec;
  season: Season;
  window: WindowSpec;
  scaling: Scaling[];
  /** Per series, the MASE denominator (in-sample seasonal-naive MAE on the training stretch). */
  maseScales: number[];
  train: Windows;
  /** Every window whose forecast starts at or after the validation stretch (the backtest); `split` tells validation from test. */
  evaluation: Windows;
  /** Per evaluation window: 0 validation, 1 test, 2 neither (its targets straddle the validation/test boundary). */
  split: Uint8Array;
  /** Grid indices: training steps are < valStart; the test stretch starts at testStart; `end` is one past the last step. */
  bounds: { valStart: number; testStart: number; end: number };
  /** Time stretches in words (ISO), for the report. */
  stretches: { train: [string, string]; validation: [string, string]; test: [string, string] };
  datasetSha256: string;
  warnings: string[];
  alerts: TimeAlert[];
}

/** The default horizon for a frequency: a day of hourly data, two weeks of daily data, six months of monthly data … */
export function defaultHorizon(set: SeriesSet): number {
  const f = set.frequency;
  if (f.unit === 'month') return f.step === 1 ? 6 : f.step === 3 ? 4 : 3;
  if (f.step < HOUR) return Math.min(48, Math.round((6 * HOUR) / f.step));
  if (f.step < DAY) return Math.round(DAY / f.step);
  if (f.step === DAY) return 14;
  return 8;
}

/** Loads the file and cuts it into windows. Throws `UserInputError` for data that cannot make a forecast. */
export async function prepareForecast(input: ForecastInput): Promise<PreparedForecast> {
  const table = await loadTable(input.file, { numberFormats: formatMap(input.numberFormats) });
  const timeSpec = parseTimeSpec(input.time, table.columns);
  const set = buildSeries(table.columns, table.rows, {
    time: timeSpec,
    target: input.target,
    id: input.id ?? null,
    holiday: input.holiday ?? null,
    aggregate: input.aggregate,
  });
  const warnings = [...table.warnings, ...set.warnings];
  const lengths = set.series.map((s) => s.values.length);
  const longest = Math.max(...lengths);
  const horizon = input.horizon ?? Math.min(defaultHorizon(set), Math.max(1, Math.floor(longest / 10)));
  const unit = set.frequency.label;
  if (horizon >= longest) {
    throw new UserInputError(
      `The horizon (${horizon} ${unit} steps) is longer than the history (${longest} step(s)${set.series.length > 1 ? ' in the longest series' : ''}): a model cannot be tested on what it has never seen. Use a horizon well under a tenth of the history, or give a longer history.`,
    );
  }

  // The season, shortened (hourly: a day instead of a week) or dropped when the history holds too few of them.
  let season = seasonOf(set.frequency);
  if (longest < 4 * season.period + horizon && season.label === 'same hour last week' && set.frequency.step === HOUR) {
    season = { period: 24, label: 'same hour yesterday' };
    warnings.push('The history is too short for weekly seasonality: the seasonal naive baseline uses the same hour yesterday.');
  }
  if (longest < 4 * season.period + horizon && season.period > 1) {
    warnings.push(`The history is too short to use the season (${season.label}): the seasonal naive baseline is the last value.`);
    season = { period: 1, label: 'last value' };
  }
  const lags = input.lags ?? Math.min(400, Math.max(season.period, horizon, 2));
  const reach = Math.max(lags, season.period);
  const minimum = reach + 3 * horizon + 20;
  const usable = set.series.filter((s) => s.values.length >= minimum);
  if (usable.length === 0) {
    const many = set.series.length > 1;
    throw new UserInputError(
      `${many ? `All ${set.series.length.toLocaleString('en')} series are too short: the longest has` : 'The series has only'} ${longest} ${unit} point(s); forecasting ${horizon} step(s) from ${lags} past step(s) needs at least ${minimum} (a window, training targets, validation and test). ` +
        (many ? 'Pick fewer, longer series, or leave out the id column to forecast their total.' : 'Give a longer history, or a shorter horizon (--horizon) and fewer lags (--lags).'),
    );
  }
  if (usable.length < set.series.length) {
    warnings.push(`${set.series.length - usable.length} of ${set.series.length} series have fewer than ${minimum} points and were left out.`);
  }
  set.series = usable;

  const end = Math.max(...usable.map((s) => s.offset + s.values.length));
  const start = Math.min(...usable.map((s) => s.offset));
  const span = end - start;
  const testLen = Math.max(horizon, Math.round(input.testFraction * span));
  const valLen = Math.max(horizon, Math.round(input.validationFraction * span));
  const testStart = end - testLen;
  const valStart = testStart - valLen;

  const scaling = fitScaling(usable, valStart);
  const constant = usable.every((s) => {
    const n = Math.min(s.values.length, valStart - s.offset);
    for (let i = 1; i < n; i++) if (s.values[i] !== s.values[0]) return false;
    return true;
  });
  if (constant) {
    throw new UserInputError(
      `The values of '${input.target}' never change in the training stretch (always ${usable[0]!.values[0]}): there is nothing to forecast, the last value is always right. Pick a column that varies.`,
    );
  }
  const window: WindowSpec = { lags, horizon, calendar: calendarFor(set.frequency), holiday: input.holiday !== undefined };
  const trainOrigins: Origin[] = [];
  const evalOrigins: Origin[] = [];
  const splitOf: number[] = [];
  usable.forEach((s, si) => {
    for (let p = reach - 1; p + horizon < s.values.length; p++) {
      const a = s.offset + p;
      if (a + horizon < valStart) trainOrigins.push({ series: si, position: p });
      else if (a + 1 >= valStart) {
        evalOrigins.push({ series: si, position: p });
        splitOf.push(a + horizon < testStart ? 0 : a + 1 >= testStart ? 1 : 2);
      }
    }
  });
  const split = Uint8Array.from(splitOf);
  const count = (k: number) => split.reduce((n, v) => n + (v === k ? 1 : 0), 0);
  if (trainOrigins.length < 20 || count(0) === 0 || count(1) === 0) {
    throw new UserInputError(
      `Too little history for a ${horizon}-step forecast from ${lags} past steps: ${trainOrigins.length} training window(s), ${count(0)} for validation, ${count(1)} for the test. Give a longer history, or a shorter horizon and fewer lags.`,
    );
  }
  const time = (i: number) => formatTime(gridTime(set.frequency, set.origin, i));
  return {
    set,
    timeSpec,
    season,
    window,
    scaling,
    maseScales: usable.map((s) => maseScale(s.values, valStart - s.offset, season.period)),
    train: buildWindows(window, set.frequency, set.origin, usable, scaling, trainOrigins),
    evaluation: buildWindows(window, set.frequency, set.origin, usable, scaling, evalOrigins),
    split,
    bounds: { valStart, testStart, end },
    stretches: { train: [time(start), time(valStart - 1)], validation: [time(valStart), time(testStart - 1)], test: [time(testStart), time(end - 1)] },
    datasetSha256: table.sha256,
    warnings,
    alerts: set.alerts,
  };
}

/** Indices of the evaluation windows in stretch `k` (0 validation, 1 test). */
export function rowsOf(split: Uint8Array, k: number): Uint32Array {
  const rows: number[] = [];
  split.forEach((v, i) => {
    if (v === k) rows.push(i);
  });
  return Uint32Array.from(rows);
}
