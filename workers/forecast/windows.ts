/**
 * Windows: the network's (and the linear autoregression's) rows. A window at origin p (the last
 * observed step) holds the past `lags` values of its series, scaled to the window's own level
 * (see `Scaling`), the calendar of the first forecast step, and the holiday flags of the forecast
 * steps when a holiday column is given; its targets are the next `horizon` values, scaled the same way.
 */
import { gridTime, type Frequency, type Series } from './series.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The seasonal period used by the seasonal-naive baseline and the MASE scale. */
export interface Season {
  /** In steps (1 = no seasonality: the seasonal naive forecast is the naive one). */
  period: number;
  /** The baseline in words: 'same hour last week'. */
  label: string;
}

/** The natural season of a frequency: a day for sub-hourly data, a week for hourly and daily, a year for weekly and monthly. */
export function seasonOf(frequency: Frequency): Season {
  if (frequency.unit === 'month') {
    if (frequency.step === 1) return { period: 12, label: 'same month last year' };
    if (frequency.step === 3) return { period: 4, label: 'same quarter last year' };
    return { period: 1, label: 'last value' };
  }
  const step = frequency.step;
  if (step < HOUR && DAY % step === 0) return { period: DAY / step, label: 'same time yesterday' };
  if (step < DAY && (7 * DAY) % step === 0) return { period: (7 * DAY) / step, label: 'same hour last week' };
  if (step === DAY) return { period: 7, label: 'same day last week' };
  if (step === 7 * DAY) return { period: 52, label: 'same week last year' };
  return { period: 1, label: 'last value' };
}

/** Which calendar features the frequency makes meaningful. */
export interface CalendarSpec {
  hour: boolean;
  weekday: boolean;
  month: boolean;
}

export function calendarFor(frequency: Frequency): CalendarSpec {
  const ms = frequency.unit === 'ms' ? frequency.step : frequency.step * 30 * DAY;
  return { hour: ms < DAY, weekday: ms < 7 * DAY, month: ms <= 31 * DAY };
}

export function calendarWidth(c: CalendarSpec): number {
  return (c.hour ? 24 : 0) + (c.weekday ? 7 : 0) + (c.month ? 12 : 0);
}

/** Writes the one-hot calendar of time `t` into `out` from `at`; returns the next position. */
export function writeCalendar(c: CalendarSpec, t: number, out: Float32Array, at: number): number {
  const d = new Date(t);
  let o = at;
  if (c.hour) {
    out.fill(0, o, o + 24);
    out[o + d.getUTCHours()] = 1;
    o += 24;
  }
  if (c.weekday) {
    out.fill(0, o, o + 7);
    out[o + d.getUTCDay()] = 1;
    o += 7;
  }
  if (c.month) {
    out.fill(0, o, o + 12);
    out[o + d.getUTCMonth()] = 1;
    o += 12;
  }
  return o;
}

/**
 * A series' scaling, fitted on its training stretch. Each window is then expressed relative to its
 * own recent level (the mean of its lags), so a series that grew (bike rentals rose by half from
 * 2011 to 2012) looks the same to the model at every level:
 * - `ratio` (series that are never negative, such as counts): value / level − 1, so patterns scale with the level;
 * - `shift` (series that can be negative, such as temperatures): (value − level) / std.
 */
export interface Scaling {
  id: string;
  mode: 'ratio' | 'shift';
  mean: number;
  std: number;
}

/** A window's way back to value units: value = scaled · unit + level. */
export interface WindowScale {
  level: number;
  unit: number;
}

/** How the windows are laid out (saved with the model). */
export interface WindowSpec {
  lags: number;
  horizon: number;
  calendar: CalendarSpec;
  /** One input per forecast step with its holiday flag. */
  holiday: boolean;
}

export function inputWidth(spec: WindowSpec): number {
  return spec.lags + calendarWidth(spec.calendar) + (spec.holiday ? spec.horizon : 0);
}

/** A set of windows with where each came from. */
export interface Windows {
  /** n × inputs. */
  x: Float32Array;
  /** n × horizon, scaled like the inputs. */
  y: Float32Array;
  n: number;
  /** Per window: its level and unit (value = scaled · unit + level). */
  level: Float64Array;
  unit: Float64Array;
  /** Per window: index of its series in the set, and its origin (position of the last observed value in the series). */
  series: Uint32Array;
  origin: Uint32Array;
}

/** A window's origin, as a series index and position. */
export interface Origin {
  series: number;
  position: number;
}

/** The level and unit of the window whose last observed value is at `p`. */
export function windowScale(spec: WindowSpec, s: Series, scale: Scaling, p: number): WindowScale {
  let sum = 0;
  for (let j = p - spec.lags + 1; j <= p; j++) sum += s.values[j]!;
  const level = sum / spec.lags;
  if (scale.mode === 'shift') return { level, unit: scale.std };
  // A window of (nearly) zeros still needs a unit: a tenth of the series' mean level.
  const unit = Math.max(level, 0.1 * scale.mean, 1e-9);
  return { level: unit, unit };
}

/**
 * Writes one window's inputs at origin `p` of `s` into `x` from `at` and returns its scale. The
 * caller guarantees that `p − lags + 1 ≥ 0`. Holiday flags past the series' recorded ones count as 0.
 */
export function writeInputs(spec: WindowSpec, frequency: Frequency, origin: number, s: Series, scale: Scaling, p: number, x: Float32Array, at: number): WindowScale {
  const { lags, horizon } = spec;
  const w = windowScale(spec, s, scale, p);
  const start = p - lags + 1;
  for (let j = 0; j < lags; j++) x[at + j] = (s.values[start + j]! - w.level) / w.unit;
  let o = writeCalendar(spec.calendar, gridTime(frequency, origin, s.offset + p + 1), x, at + lags);
  if (spec.holiday) for (let h = 1; h <= horizon; h++) x[o++] = s.holiday?.[p + h] ?? 0;
  return w;
}

/** Builds the windows at the given origins (inputs and, when every target exists, targets). */
export function buildWindows(spec: WindowSpec, frequency: Frequency, gridOrigin: number, series: Series[], scaling: Scaling[], origins: Origin[]): Windows {
  const d = inputWidth(spec);
  const n = origins.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n * spec.horizon);
  const seriesIndex = new Uint32Array(n);
  const originIndex = new Uint32Array(n);
  const level = new Float64Array(n);
  const unit = new Float64Array(n);
  origins.forEach(({ series: si, position: p }, i) => {
    const s = series[si]!;
    const w = writeInputs(spec, frequency, gridOrigin, s, scaling[si]!, p, x, i * d);
    for (let h = 1; h <= spec.horizon; h++) {
      const v = s.values[p + h];
      y[i * spec.horizon + h - 1] = v === undefined ? NaN : (v - w.level) / w.unit;
    }
    seriesIndex[i] = si;
    originIndex[i] = p;
    level[i] = w.level;
    unit[i] = w.unit;
  });
  return { x, y, n, series: seriesIndex, origin: originIndex, level, unit };
}

/** Mode, mean and spread of each series over its steps before `trainEnd` (a grid index); a flat stretch gets spread 1. */
export function fitScaling(series: Series[], trainEnd: number): Scaling[] {
  return series.map((s) => {
    const end = Math.max(1, Math.min(s.values.length, trainEnd - s.offset));
    let sum = 0;
    let min = Infinity;
    for (let i = 0; i < end; i++) {
      sum += s.values[i]!;
      min = Math.min(min, s.values[i]!);
    }
    const mean = sum / end;
    let sq = 0;
    for (let i = 0; i < end; i++) sq += (s.values[i]! - mean) ** 2;
    const std = Math.sqrt(sq / end);
    return { id: s.id, mode: min >= 0 && mean > 0 ? 'ratio' : 'shift', mean, std: std > 1e-9 * Math.max(1, Math.abs(mean)) ? std : 1 };
  });
}
