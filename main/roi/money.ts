/**
 * Money as integer minor units (cents, pence, yen…). Every amount the ROI model shows is rounded
 * once to the currency's minor unit and then only added as integers, so a column of figures always
 * sums to the total shown — binary floating point never puts a total a cent off.
 *
 * Inputs that people type (a rate of 0.2834 per kWh, a salary of 61.50 per hour) stay decimal
 * numbers: they are prices, not amounts, and need more precision than a cent.
 */
import { minorDigits, toDecimalString } from '../../common/money.js';

/** An amount in the currency's minor unit (integer; 1234 = 12.34 USD, 1234 = 1,234 JPY). */
export type Minor = number;

/** Currency codes that Intl knows (ISO 4217), for validation. */
export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf('currency').includes(code);
}

/** Whether this runtime can format numbers for the locale (a BCP 47 tag such as `de-DE`). */
export function isKnownLocale(locale: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length === 1;
  } catch {
    return false; // a malformed tag throws a RangeError
  }
}

export { minorDigits, toDecimalString };

/**
 * Rounds an amount in major units (12.345 USD) to minor units (1235), half away from zero
 * (commercial rounding). The product is cleaned to 15 significant digits first, because
 * 1.005 × 100 is 100.49999999999999 in binary and a person expects 101.
 */
export function toMinor(amount: number, currency: string): Minor {
  return roundHalfAway(amount, minorDigits(currency));
}

/** Rounds to `digits` decimals and returns the value × 10^digits as an integer, half away from zero. */
export function roundHalfAway(value: number, digits: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`roundHalfAway: ${value} is not a finite number`);
  const scaled = Number((Math.abs(value) * 10 ** digits).toPrecision(15));
  const rounded = Math.round(scaled);
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/** Minor units back to a major-unit number, for charts and arithmetic that is rounded again. */
export function toMajor(minor: Minor, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

const formatterCache = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string, compact: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}|${compact}`;
  let format = formatterCache.get(key);
  if (!format) {
    format = compact
      ? new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 })
      : new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatterCache.set(key, format);
  }
  return format;
}

/**
 * Formats minor units for people: `formatMoney(123456, 'EUR', 'de-DE')` → "1.234,56 €" (with a
 * no-break space). The exact decimal string is formatted, never a float, so large sums stay exact.
 */
export function formatMoney(minor: Minor, currency: string, locale: string): string {
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast is for the ES2023 lib types.
  return formatter(currency, locale, false).format(toDecimalString(minor, currency) as unknown as number);
}

/** A short form for chart axes: "$1.2M", "1,2 Mio. €". */
export function formatMoneyCompact(minor: Minor, currency: string, locale: string): string {
  return formatter(currency, locale, true).format(toMajor(minor, currency));
}

/** Sums minor units; throws rather than return a total that lost precision. */
export function sumMinor(amounts: readonly Minor[]): Minor {
  let total = 0;
  for (const amount of amounts) total += amount;
  if (!Number.isSafeInteger(total)) throw new RangeError('sumMinor: total is beyond exact integer range');
  return total;
}
