/**
 * Personal data in a cell: emails, phone numbers, payment card numbers (Luhn-checked), IBANs
 * (ISO 13616 mod-97 checked), IP addresses and US social security numbers. Checks are cheap
 * shape tests first, so ordinary values leave after one or two comparisons. Samples are masked
 * before they leave the engine: a report must never become a copy of the personal data.
 */

/** The personal-data kinds counted per column. */
export type PiiKind = 'email' | 'phone' | 'card' | 'iban' | 'ip' | 'nationalId';
export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'card', 'iban', 'ip', 'nationalId'];

const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const SSN = /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9A-Fa-f:]{2,39}$/;
const PHONE = /^\+?[\d\s().-]{7,20}$/;
const CARD = /^\d(?:[ -]?\d){12,18}$/;
const IBAN = /^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$/;

/** The kind of personal data `v` (trimmed) looks like, or null. */
export function detectPii(v: string): PiiKind | null {
  const n = v.length;
  if (n < 7 || n > 64) return null;
  if (v.indexOf('@') > 0) return EMAIL.test(v) ? 'email' : null;
  const c = v.charCodeAt(0);
  if (c >= 65 && c <= 90) {
    return n >= 15 && IBAN.test(v) && ibanValid(v) ? 'iban' : null;
  }
  if (!((c >= 48 && c <= 57) || c === 43 || c === 40)) return v.indexOf(':') > 0 && IPV6.test(v) && v.split(':').length > 3 ? 'ip' : null;
  if (n === 11 && SSN.test(v)) return 'nationalId';
  if (IPV4.test(v)) return 'ip';
  if (n >= 13 && CARD.test(v) && luhnValid(v)) return 'card';
  if (PHONE.test(v) && isFormattedPhone(v)) return 'phone';
  if (v.indexOf(':') >= 0 && IPV6.test(v) && v.split(':').length > 3) return 'ip';
  return null;
}

/**
 * False only where `detectPii` surely finds nothing in the ASCII value `bytes[from, to)`: its
 * early exits above, on bytes, for cells that never became strings. Outside 7–64 characters; or
 * no `@` after the first character and a start that rules out every kind (a capital letter for an
 * IBAN needs 15 characters; a start other than a digit, `+` or `(` leaves only IPv6, which needs a
 * `:`). Keep the two in step.
 */
export function mayHoldPii(bytes: Uint8Array, from: number, to: number): boolean {
  const n = to - from;
  if (n < 7 || n > 64) return false;
  const c = bytes[from]!;
  if ((c >= 48 && c <= 57) || c === 43 || c === 40) return true;
  const upper = c >= 65 && c <= 90;
  if (upper && n >= 15) return true;
  let colon = false;
  for (let k = from + 1; k < to; k++) {
    const d = bytes[k];
    if (d === 64) return true;
    if (d === 58) colon = true;
  }
  return upper ? false : colon;
}

/**
 * A bare run of digits is an integer column, not a phone number: count a phone only when it is
 * written like one (a + prefix, or separators between 7–15 digits).
 */
function isFormattedPhone(v: string): boolean {
  let digits = 0;
  let separators = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 43) separators++;
  }
  if (digits < 7 || digits > 15) return false;
  if (/^\d{4}-\d{2}-\d{2}/.test(v) || /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(v)) return false; // dates
  if (/^-?\d+\.\d+$/.test(v)) return false; // decimals
  return v.charCodeAt(0) === 43 || separators >= 1;
}

/** The Luhn (mod 10) check used by payment card numbers; spaces and dashes are ignored. */
export function luhnValid(v: string): boolean {
  let sum = 0;
  let double = false;
  let count = 0;
  for (let i = v.length - 1; i >= 0; i--) {
    const c = v.charCodeAt(i);
    if (c === 32 || c === 45) continue;
    if (c < 48 || c > 57) return false;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    count++;
  }
  return count >= 12 && sum % 10 === 0;
}

/** ISO 13616: move the first four characters to the end, letters become 10..35, the number mod 97 must be 1. */
export function ibanValid(v: string): boolean {
  const s = v.replace(/ /g, '').toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) remainder = (remainder * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) remainder = (remainder * 100 + (c - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

/** Masks all but a few characters: `j***@e***.com`, `**** **** **** 1111`, `***-**-6789`. */
export function maskPii(v: string, kind: PiiKind): string {
  if (kind === 'email') {
    const at = v.indexOf('@');
    const dot = v.lastIndexOf('.');
    return `${v[0]}***@${v[at + 1] ?? ''}***${dot > at ? v.slice(dot) : ''}`;
  }
  if (kind === 'ip') return v.includes('.') ? `${v.split('.')[0]}.*.*.*` : `${v.split(':')[0]}:****`;
  if (kind === 'iban') return `${v.slice(0, 2)}** **** ${v.slice(-4)}`.replace(/.{4}$/, (s) => '*'.repeat(Math.max(s.length - 2, 0)) + s.slice(-2));
  // Digits: keep the last 4 (cards, ids) or last 2 (phones), keep separators so the shape stays readable.
  const keep = kind === 'phone' ? 2 : 4;
  let seen = 0;
  const chars = v.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (/\d/.test(chars[i]!)) {
      seen++;
      if (seen > keep) chars[i] = '*';
    }
  }
  return chars.join('');
}
