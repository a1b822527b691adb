/**
 * Personal data inside free text: the spans of e-mail addresses, phone numbers, IBANs (mod-97
 * checked), payment card numbers (Luhn checked), IP addresses and US social security numbers in a
 * sentence such as "call John at john.smith@corp.com or +44 20 7946 0958". The whole-cell detector
 * (`quality/pii.ts`) only recognises a cell that *is* one of these; this one scans text.
 *
 * Person names come from `names.ts`: a given name from a compact list followed by a capitalised
 * surname, or a title and a surname ("call John Smith", "ask Dr. Patel").
 *
 * Checks run in priority order and a later kind never claims characters an earlier one took, so
 * an SSN is not also counted as a phone, nor a card number as a phone.
 */
import { ibanValid, luhnValid, maskPii, type PiiKind } from '../quality/pii.js';
import { findNames, maskName } from './names.js';

/** The kinds found inside text: the whole-cell kinds, and person names. */
export type TextPiiKind = PiiKind | 'name';

/** One personal-data span: `text.slice(start, end)` is the value. */
export interface PiiSpan {
  kind: TextPiiKind;
  start: number;
  end: number;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DETECTORS: Array<{ kind: PiiKind; pattern: RegExp; accept: (value: string, text: string, start: number, end: number) => number }> = [
  { kind: 'email', pattern: /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, accept: (v) => v.length },
  { kind: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g, accept: ibanLength },
  { kind: 'card', pattern: /(?<![\w.,-])\d(?:[ -]?\d){12,18}(?!\w|[.,]\d)/g, accept: (v) => (luhnValid(v) && !/^(\d)(?:[ -]?\1)+$/.test(v) ? v.length : 0) },
  { kind: 'nationalId', pattern: /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g, accept: (v) => v.length },
  { kind: 'ip', pattern: new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g'), accept: ipv4Length },
  { kind: 'ip', pattern: /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![\w:])/g, accept: ipv6Length },
  { kind: 'phone', pattern: /(?<![\w.,+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w]|[.,]\d)/g, accept: phoneLength },
];

/** The spans of personal data in `text`, sorted by position, never overlapping. */
export function findPiiSpans(text: string): PiiSpan[] {
  // Every kind needs a digit, except e-mails (an @) and IPv6 (a colon): most sentences leave here.
  const hasDigit = /\d/.test(text);
  const spans: PiiSpan[] = [];
  for (const { kind, pattern, accept } of hasDigit || text.indexOf('@') >= 0 ? DETECTORS : []) {
    if (!hasDigit && kind !== 'email') continue;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const start = m.index;
      const length = accept(m[0], text, start, start + m[0].length);
      if (length === 0) continue;
      const end = start + length;
      if (spans.some((s) => s.start < end && start < s.end)) continue;
      spans.push({ kind, start, end });
    }
  }
  // Names last: a name never claims characters of an address or number found above.
  for (const { start, end } of findNames(text)) if (!spans.some((s) => s.start < end && start < s.end)) spans.push({ kind: 'name', start, end });
  return spans.sort((a, b) => a.start - b.start);
}

/** Placeholder written over each kind in the masked copy: one token, so a tokenizer keeps it whole. */
export const PII_PLACEHOLDER: Record<TextPiiKind, string> = {
  name: '[NAME]',
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
  ip: '[IP]',
  nationalId: '[SSN]',
};

/** `text` with every personal-data span replaced by its placeholder (for training on masked text). */
export function maskText(text: string, spans: PiiSpan[] = findPiiSpans(text)): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + PII_PLACEHOLDER[s.kind];
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * A short masked excerpt around one span ("…call John at j***@c***.com or [PHONE] bef…"), safe to
 * show in a report: the span is partly masked, other spans in the window become placeholders, and
 * the window never cuts a span in half.
 */
export function maskedExcerpt(text: string, span: PiiSpan, context = 24, spans: PiiSpan[] = findPiiSpans(text)): string {
  let from = Math.max(0, span.start - context);
  let to = Math.min(text.length, span.end + context);
  for (const s of spans) {
    if (s.start < from && from < s.end) from = s.start;
    if (s.start < to && to < s.end) to = s.end;
  }
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const s of spans) {
    if (s.end <= from || s.start >= to) continue;
    out += text.slice(at, s.start) + (s.start === span.start ? maskSpan(text.slice(s.start, s.end), s.kind) : PII_PLACEHOLDER[s.kind]);
    at = s.end;
  }
  out += text.slice(at, to) + (to < text.length ? '…' : '');
  return out.replace(/\s+/g, ' ');
}

function maskSpan(value: string, kind: TextPiiKind): string {
  return kind === 'name' ? maskName(value) : maskPii(value, kind);
}

/** An IBAN's greedy match may run into following capitals or digits: the longest prefix that passes mod-97. */
function ibanLength(v: string): number {
  for (let end = v.length; end >= 15; end--) {
    const candidate = v.slice(0, end);
    if (candidate.endsWith(' ')) continue;
    if (end < v.length && /[A-Z0-9]/.test(v[end]!) && v[end - 1] !== ' ' && v[end] !== ' ') continue;
    if (ibanValid(candidate)) return end;
  }
  return 0;
}

/** "version 1.2.3.4", "v1.2.3.4" and "section 3.2.1.4" are versions and numbering, not addresses. */
function ipv4Length(v: string, text: string, start: number): number {
  const before = text.slice(Math.max(0, start - 9), start).toLowerCase();
  return /(?:version\s*|section\s*|§\s*|\bv)$/.test(before) ? 0 : v.length;
}

/** Needs hex groups, not a clock time: at least three colons and one group that is not plain digits, or a `::`. */
function ipv6Length(v: string): number {
  const colons = v.split(':').length - 1;
  if (colons < 3 && !v.includes('::')) return 0;
  if (v === '::' || /^\d+::?$/.test(v)) return 0;
  return colons >= 2 ? v.length : 0;
}

/**
 * A phone: 7–15 digits written like one (a + prefix, an area code in parentheses, or at least two
 * separators), not a date, not a price, not a number that the card check refused.
 */
function phoneLength(v: string, text: string, start: number): number {
  let digits = 0;
  let separators = 0;
  for (const ch of v) {
    if (ch >= '0' && ch <= '9') digits++;
    else if (ch === ' ' || ch === '.' || ch === '-') separators++;
  }
  if (digits < 7 || digits > 15) return 0;
  const formatted = v.startsWith('+') || v.includes('(') || separators >= 2;
  if (!formatted) return 0;
  if (/^\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}$/.test(v) || /^\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4}$/.test(v)) return 0; // dates
  if (/[$€£¥]\s*$/.test(text.slice(Math.max(0, start - 2), start))) return 0; // prices
  if (/^\d+(?:\.\d+){2,}$/.test(v)) return 0; // dotted versions and section numbers
  return v.length;
}

/** Counts per kind over many texts, with a few masked excerpts: what the quality report shows for a text column. */
export interface TextPiiSummary {
  /** Spans found, per kind. */
  counts: Partial<Record<TextPiiKind, number>>;
  /** Texts holding at least one span. */
  texts: number;
  /** Up to `limit` masked excerpts. */
  examples: string[];
}

export function emptyTextPii(): TextPiiSummary {
  return { counts: {}, texts: 0, examples: [] };
}

/** Adds one text's spans to `summary`; returns the spans. */
export function addTextPii(summary: TextPiiSummary, text: string, limit = 3): PiiSpan[] {
  const spans = findPiiSpans(text);
  if (spans.length === 0) return spans;
  summary.texts++;
  for (const s of spans) {
    summary.counts[s.kind] = (summary.counts[s.kind] ?? 0) + 1;
    if (summary.examples.length < limit) summary.examples.push(maskedExcerpt(text, s, 24, spans));
  }
  return spans;
}
