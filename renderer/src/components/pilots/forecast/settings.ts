/** The forecasting pilot's own settings, saved with the project's wizard state, and its results recognised by shape. */
import type { ForecastTrainOutcome } from '../../../../../main/contract/forecast.js';
import { readSettings, saveSettings } from '../branch.svelte.js';

export const FORECAST_STEPS = ['Series', 'Train', 'Results'] as const;

/** What the user chose in the forecasting branch. */
export interface ForecastSettings {
  /** The date or timestamp column. */
  time: string;
  /** An hour (or time-of-day) column joined to a date column (`dteday` + `hr`); '' for none. */
  hour: string;
  /** The value to forecast. */
  target: string;
  /** A column telling several series apart; '' for one series. */
  id: string;
  /** A 0/1 column of holidays or other known special days; '' for none. */
  holiday: string;
  /** Steps ahead (null: the engine's default for the frequency). */
  horizon: number | null;
  epochs: number | null;
  [key: string]: string | number | boolean | null;
}

const DEFAULTS: ForecastSettings = { time: '', hour: '', target: '', id: '', holiday: '', horizon: null, epochs: null };

export function forecastSettings(): ForecastSettings {
  return readSettings('forecast', DEFAULTS);
}

export function saveForecastSettings(settings: ForecastSettings): Promise<void> {
  return saveSettings('forecast', settings);
}

/** The engine's time specification: one column, or a date and an hour column joined by `+`. */
export function timeSpec(s: ForecastSettings): string {
  return s.hour ? `${s.time}+${s.hour}` : s.time;
}

/** The optional columns, as the channels take them. */
export function optionalColumns(s: ForecastSettings): { id?: string; holiday?: string } {
  return { ...(s.id ? { id: s.id } : {}), ...(s.holiday ? { holiday: s.holiday } : {}) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored run result that is a forecasting run's (results cross the process boundary as plain JSON). */
export function isForecastOutcome(value: unknown): value is ForecastTrainOutcome {
  if (!isObject(value) || value.kind !== 'forecast') return false;
  return isObject(value.summary) && isObject(value.comparisons) && isObject(value.baselineLabels) && isObject(value.example) && isObject(value.intervals) && Array.isArray(value.backtest) && Array.isArray(value.epochs);
}

function parseTime(t: string): number {
  const iso = /^\d{4}-\d{2}$/.test(t) ? `${t}-01` : t;
  return Date.parse(iso.length > 10 ? `${iso.replace(' ', 'T')}Z` : `${iso}T00:00Z`);
}

/** Days since the first point of a series, for a plot's x axis (times are ISO text: `2012-03-01 05:00`); the point's index when a time does not parse. */
export function daysSince(times: readonly string[]): number[] {
  const parsed = times.map(parseTime);
  if (parsed.some((t) => !Number.isFinite(t))) return times.map((_, i) => i);
  return parsed.map((t) => Math.round(((t - parsed[0]!) / 86_400_000) * 1000) / 1000);
}
