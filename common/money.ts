/**
 * Money's minor units (cents, pence, yen…), the part of money handling that the ROI model in the
 * main process and the ROI page in the renderer must agree on to the digit. Pure and
 * dependency-free, like everything in common/.
 */

const digitsCache = new Map<string, number>();

/** How many minor digits the currency has: 2 for USD and EUR, 0 for JPY, 3 for KWD (2 for a code Intl does not know). */
export function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // a malformed code throws a RangeError; callers validate codes where it matters
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Minor units as an exact decimal string in major units: 123456 USD → "1234.56", -5 → "-0.05". */
export function toDecimalString(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`toDecimalString: ${minor} is not a whole number of minor units`);
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
