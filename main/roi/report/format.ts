/** Number, percent and date formatting for the report; anything non-finite prints as a dash. */

const DASH = '—';

export function fmtNumber(value: number | null | undefined, locale: string, digits = 2): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

/** A fraction 0…1 as a percentage ("12.5 %" in the locale's style). */
export function fmtFraction(value: number | null | undefined, locale: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** A value already in percent (12.5 → "12.5 %"). */
export function fmtPercent(value: number | null | undefined, locale: string): string {
  return typeof value === 'number' && Number.isFinite(value) ? fmtFraction(value / 100, locale) : DASH;
}

export function fmtMetric(value: number | null | undefined, kind: 'fraction' | 'number' | undefined, locale: string): string {
  return kind === 'fraction' ? fmtFraction(value, locale) : fmtNumber(value, locale, 4);
}

/** An ISO date-time as a readable date and time; an unparseable string is shown as given. */
export function fmtDate(iso: string | undefined, locale: string): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
}

/** Seconds as "2 h 05 min", "3 min 20 s", "12 s". */
export function fmtDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DASH;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** Months as "month 7.4" or the reason it never happens. */
export function fmtMonth(month: number | null, locale: string): string {
  return month === null || !Number.isFinite(month) ? 'never' : `month ${fmtNumber(month, locale, 1)}`;
}
