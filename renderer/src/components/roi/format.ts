/**
 * How ROI figures read on the page. Money arrives as integer minor units and is formatted from its
 * exact decimal string, so a total is never shown a cent off; anything not finite reads "—"
 * (a NaN or Infinity never reaches the screen).
 */
import { minorDigits, toDecimalString } from '../../../../common/money.js';

/** 123456 (USD) → "1234.56": exact, from the integer (the same function the ROI model uses). */
export const decimalString = toDecimalString;

function formatter(currency: string, locale: string, compact = false): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}) });
  } catch {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', ...(compact ? { notation: 'compact' } : {}) });
  }
}

/** Minor units → "$1,234.56" in the case's locale; "—" when not a finite number. */
export function money(minor: number | null | undefined, currency: string, locale: string): string {
  if (typeof minor !== 'number' || !Number.isSafeInteger(minor)) return '—';
  // Intl formats a decimal string exactly (no binary rounding on the way).
  return formatter(currency, locale).format(decimalString(minor, currency) as unknown as number);
}

/** Minor units → "$12K": for chart axes. */
export function moneyCompact(minor: number, currency: string, locale: string): string {
  if (!Number.isFinite(minor)) return '—';
  return formatter(currency, locale, true).format(minor / 10 ** minorDigits(currency));
}

/** Minor units → major units as a number, for chart coordinates only. */
export function major(minor: number, currency: string): number {
  return Number.isFinite(minor) ? minor / 10 ** minorDigits(currency) : 0;
}

/** 12.345 → "12.3 %"; "—" when not finite. */
export function pct(value: number | null | undefined, digits = 1): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: Math.abs(value) >= 100 ? 0 : digits })} %`;
}

/** A fractional payback month in words. */
export function paybackWords(month: number | null | undefined, reason: string | null | undefined): string {
  if (typeof month !== 'number' || !Number.isFinite(month)) return reason ? `never: ${lowerFirst(reason)}` : 'never: benefits do not cover costs';
  if (month === 0) return 'immediately';
  const years = Math.floor(month / 12);
  const rest = month - years * 12;
  const months = `${rest.toLocaleString(undefined, { maximumFractionDigits: 1 })} month${rest === 1 ? '' : 's'}`;
  return years > 0 ? `after ${years} year${years > 1 ? 's' : ''}${rest >= 0.05 ? ` and ${months}` : ''}` : `after ${months}`;
}

function lowerFirst(text: string): string {
  return text.length > 1 && /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** A plain number for a table or a field, "—" when not finite. */
export function num(value: number | null | undefined, digits = 2): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString(undefined, { maximumFractionDigits: digits }) : '—';
}

/** The unit with the currency filled in: "{currency} per hour" → "EUR per hour". */
export function unitOf(unit: string, currency: string): string {
  return unit.replaceAll('{currency}', currency);
}
