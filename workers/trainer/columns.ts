/**
 * Decides what each column is (number, boolean, date, category) and which columns to leave out by
 * default — identifiers, constants, personal data, free text — with a reason a person can read.
 * Decided on the training split only.
 */
import { booleanPair, isInfinity, isMissing, parseDate, parseNumber } from './values.js';

export type ColumnKind = 'numeric' | 'boolean' | 'date' | 'categorical';

/** What the profile found for one column. */
export interface ColumnProfile {
  name: string;
  kind: ColumnKind;
  missing: number;
  distinct: number;
  /** Set when the column is left out by default; the reason is shown to the user. */
  exclude?: string;
  /** Cells that said Infinity (numeric columns): refused before training. */
  infinities: number;
  /** Numeric columns: cells that were text and are treated as missing. */
  nonNumeric: number;
}

/** Column names that usually hold personal data (GDPR: names, contact details, national ids, birth dates). */
const PERSONAL_NAME = /(^|[_\s-])(first|last|full|given|family|sur)?_?name$|^name$|e-?mail|phone|mobile|address|street|zip|postcode|postal|ssn|social_security|passport|national_id|iban|credit_card|card_number|^dob$|birth/i;
const IDENTIFIER_NAME = /^(id|uuid|guid|key|index|instant|row|row_?id|record_?id)$|^id_/i;
/** `customer_id`, `customerId`, `CustomerID` — but not `valid` or `paid`. */
const IDENTIFIER_SUFFIX = /(_id|Id|ID)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const PHONE = /^\+?[\d\s().-]{9,}$/;

/** Profiles column `index` of `rows` (the training rows). */
export function profileColumn(name: string, values: string[]): ColumnProfile {
  let missing = 0;
  let numeric = 0;
  let integers = 0;
  let infinities = 0;
  let dates = 0;
  let emails = 0;
  let phones = 0;
  const distinct = new Set<string>();
  const present: string[] = [];
  for (const raw of values) {
    if (isMissing(raw)) {
      missing++;
      continue;
    }
    const cell = raw.trim();
    present.push(cell);
    distinct.add(cell);
    const number = parseNumber(cell);
    if (number !== null) {
      numeric++;
      if (Number.isInteger(number)) integers++;
    } else if (isInfinity(cell)) infinities++;
    else if (parseDate(cell)) dates++;
    if (EMAIL.test(cell)) emails++;
    else if (number === null && PHONE.test(cell) && !parseDate(cell) && digits(cell) >= 9) phones++;
  }
  const n = present.length;
  const profile: ColumnProfile = { name, kind: 'categorical', missing, distinct: distinct.size, infinities, nonNumeric: 0 };
  if (n === 0) return { ...profile, exclude: 'every value is missing' };

  const pair = booleanPair(distinct);
  if (pair) profile.kind = 'boolean';
  else if (numeric + infinities >= 0.98 * n) {
    profile.kind = 'numeric';
    profile.nonNumeric = n - numeric - infinities;
  } else if (dates >= 0.95 * n) profile.kind = 'date';

  if (distinct.size <= 1) profile.exclude = `constant: every value is "${present[0]}"`;
  else if (PERSONAL_NAME.test(name) || emails > 0.5 * n || phones > 0.5 * n) {
    profile.exclude = 'looks like personal data (name, contact details or birth date); include it only if you must';
  } else if (looksLikeIdentifier(name, profile.kind, distinct.size, n, integers, present)) {
    profile.exclude = `identifier-like: ${distinct.size} distinct values in ${n} rows, it names rows rather than describes them`;
  } else if (profile.kind === 'categorical' && distinct.size > 1000 && distinct.size > 0.5 * n) {
    profile.exclude = `free text or an identifier: ${distinct.size} distinct values in ${n} rows, too many categories to learn from`;
  }
  return profile;
}

function digits(text: string): number {
  let count = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') count++;
  return count;
}

function looksLikeIdentifier(name: string, kind: ColumnKind, distinct: number, n: number, integers: number, present: string[]): boolean {
  const unique = distinct >= 0.95 * n && n >= 20;
  if ((IDENTIFIER_NAME.test(name) || IDENTIFIER_SUFFIX.test(name)) && distinct >= 0.5 * n) return true;
  if (!unique) return false;
  if (kind === 'categorical') return true;
  // A unique integer column that counts up (1, 2, 3 …) is a row number, not a measurement.
  if (kind === 'numeric' && integers === n) {
    const numbers = present.map(Number);
    let increasing = 0;
    for (let i = 1; i < numbers.length; i++) if (numbers[i]! > numbers[i - 1]!) increasing++;
    return increasing >= 0.95 * (numbers.length - 1);
  }
  return false;
}
