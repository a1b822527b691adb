/**
 * Tokenising for any language: lower-cased (NFKC), words are runs of Unicode letters, marks and
 * digits (the same boundaries as Intl.Segmenter's word mode for space-separated scripts, far
 * faster), found by scanning code points with a table of Unicode properties (`chars.ts`); the
 * rules are those of one Unicode-property regular expression, which test/workers/text/
 * tokenize.test.ts keeps as the definition and compares against. Scripts written without spaces
 * (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) become one token per character, so their
 * bigrams act as words. URLs, e-mail addresses and numbers are normalised to `<url>`, `<email>`,
 * `<num>`: their exact value rarely generalises, their presence does. The personal-data
 * placeholders of the masked copy ([EMAIL], [PHONE] …) stay single tokens.
 *
 * Features are hashed (FNV-1a, 32-bit) into a fixed number of buckets, so memory is bounded
 * whatever the vocabulary: word unigrams plus adjacent-word bigrams.
 */

import { classOf, LETTER, MARK, NUMBER, SPACE, UNSPACED } from './chars.js';
import { fnv1a, TokenTable } from './table.js';

/** How text becomes features (saved in `preprocessing.json`; prediction must use the same). */
export interface TokenizerSettings {
  /** Hash buckets (a power of two). */
  buckets: number;
  /** Add adjacent-word bigrams. */
  bigrams: boolean;
  /** Tokens per document used by the network (the rest of a very long document is ignored). */
  maxTokens: number;
}

/** Tokens kept per document (both models); a longer document's tail is not read. */
export const MAX_DOCUMENT_TOKENS = 3000;
/** The masked copy's placeholders ([EMAIL] …, lower-cased by then), each read as one token `<email>` … */
const PLACEHOLDERS = ['[email]', '[phone]', '[card]', '[iban]', '[ip]', '[ssn]', '[name]'];

/** The tokens of `text` (its first `MAX_DOCUMENT_TOKENS`), normalised. One parameter, so `texts.map(tokenize)` is safe. */
export function tokenize(text: string): string[] {
  const table = new TokenTable();
  return Array.from(tokenIds(text, table), (id) => table.terms[id]!);
}

/** The ids in `table` of the tokens of `text` (as `tokenize`), adding new tokens to the table. */
export function tokenIds(text: string, table: TokenTable): Int32Array {
  const limit = MAX_DOCUMENT_TOKENS;
  // Tokens average well under 20 characters: no need to fold the whole of a huge text.
  const head = text.length > limit * 20 ? text.slice(0, limit * 20) : text;
  return scan((isAscii(head) ? head : head.normalize('NFKC')).toLowerCase(), limit, table);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** `classOf` of the ASCII characters, read without a call. */
const ASCII = Uint8Array.from({ length: 0x80 }, (_, c) => classOf(c));
const LN = LETTER | NUMBER;
const LMN = LETTER | MARK | NUMBER;
const LM = LETTER | MARK;

/** Code point at i (a surrogate pair as one), and its length in UTF-16 units. */
function codeAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** In an e-mail address's local part: letters, digits and . _ % + ' - */
function inLocal(cp: number): boolean {
  return cp === 46 || cp === 95 || cp === 37 || cp === 43 || cp === 39 || cp === 45 || (classOf(cp) & LN) !== 0;
}

/** In a domain label: letters, digits and - */
function inLabel(cp: number): boolean {
  return cp === 45 || (classOf(cp) & LN) !== 0;
}

/** Not white space, <, > or a double quote: what a URL runs over. */
function inUrl(cp: number): boolean {
  return cp !== 60 && cp !== 62 && cp !== 34 && (classOf(cp) & SPACE) === 0;
}

/** End of the run of code points from i for which `ok` holds. */
function runEnd(s: string, i: number, ok: (cp: number) => boolean): number {
  while (i < s.length) {
    const cp = codeAt(s, i);
    if (!ok(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Whether the code point ending just before i is a letter or digit. */
function letterOrDigitBefore(s: string, i: number): boolean {
  const d = s.charCodeAt(i - 1);
  let cp = d;
  if (d >= 0xdc00 && d <= 0xdfff && i >= 2) {
    const c = s.charCodeAt(i - 2);
    if (c >= 0xd800 && c <= 0xdbff) cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return (classOf(cp) & LN) !== 0;
}

/** What may follow a word inside an e-mail address's local part, or end it: @ . _ % + ' - */
const EMAIL_NEXT = new Set([64, 46, 95, 37, 43, 39, 45]);

/**
 * The end of the e-mail address starting at p (the local part's run of letters, digits and
 * . _ % + ' - reaching the next '@', at; a letter or digit before it; then domain labels with at
 * least one dot), or -1.
 */
function emailAt(s: string, p: number, at: number, local: { end: number }): number {
  // The end of the local-part run p is in: measured once per run, not per position (linear time
  // on a long run of "a.a.a…").
  if (p >= local.end) local.end = runEnd(s, p, inLocal);
  if (local.end !== at || !letterOrDigitBefore(s, at)) return -1;
  let end = runEnd(s, at + 1, inLabel);
  if (end === at + 1) return -1;
  let groups = 0;
  while (s.charCodeAt(end) === 46) {
    const next = runEnd(s, end + 1, inLabel);
    if (next === end + 1) break;
    end = next;
    groups++;
  }
  return groups > 0 ? end : -1;
}

/**
 * The tokenizer proper, over lower-cased text: at each position, in this order, a URL
 * (http(s):// or www. up to white space, <, > or "), an e-mail address, a placeholder of the
 * masked copy, one character of a script written without spaces, or a word (letters, marks and
 * digits, with inner apostrophes followed by letters); otherwise the character is skipped.
 */
/** The ids of the document being scanned (one buffer for all: a document's ids are copied out once). */
let buffer = new Int32Array(MAX_DOCUMENT_TOKENS);

function scan(s: string, limit: number, table: TokenTable): Int32Array {
  if (buffer.length < limit) buffer = new Int32Array(limit);
  const out = buffer;
  let count = 0;
  const n = s.length;
  // Where the next '@' is: no e-mail address can start once there is none left.
  let at = s.indexOf('@');
  const local = { end: -1 };
  let p = 0;
  while (p < n && count < limit) {
    const cp = codeAt(s, p);
    const size = cp > 0xffff ? 2 : 1;
    if (cp === 104 || cp === 119) {
      const prefix = cp === 119 ? (s.startsWith('www.', p) ? 4 : 0) : s.startsWith('https://', p) ? 8 : s.startsWith('http://', p) ? 7 : 0;
      if (prefix > 0) {
        const end = runEnd(s, p + prefix, inUrl);
        if (end > p + prefix) {
          out[count++] = table.word('<url>');
          p = end;
          continue;
        }
      }
    }
    if (at >= 0 && at < p) at = s.indexOf('@', p);
    const cls = classOf(cp);
    // A word's start is checked for an e-mail address once its letters are known (below): only a
    // word followed by '@' or one of . _ % + ' - can begin one. Other starts are checked here.
    const wordStart = (cls & LMN) !== 0 && (cls & UNSPACED) === 0;
    if (at > p && !wordStart && inLocal(cp)) {
      const end = emailAt(s, p, at, local);
      if (end > 0) {
        out[count++] = table.word('<email>');
        p = end;
        continue;
      }
    }
    if (cp === 91) {
      const placeholder = PLACEHOLDERS.find((t) => s.startsWith(t, p));
      if (placeholder) {
        out[count++] = table.word(`<${placeholder.slice(1, -1)}>`);
        p += placeholder.length;
        continue;
      }
    }
    if ((cls & UNSPACED) !== 0) {
      out[count++] = table.id(s, p, p + size);
      p += size;
      continue;
    }
    if ((cls & LMN) === 0) {
      p += size;
      continue;
    }
    // A word: letters, marks, digits; then apostrophe + letters/marks, repeatedly. Its FNV-1a
    // hash (the table's key) is computed on the way, code unit by code unit.
    let numeric = true;
    let end = p;
    let hash = FNV_OFFSET;
    while (end < n) {
      const unit = s.charCodeAt(end);
      if (unit < 0x80) {
        const k = ASCII[unit]!;
        if ((k & LMN) === 0) break;
        if ((k & NUMBER) === 0) numeric = false;
        hash = Math.imul(hash ^ unit, FNV_PRIME);
        end++;
        continue;
      }
      const c = codeAt(s, end);
      const k = classOf(c);
      if ((k & LMN) === 0) break;
      if ((k & NUMBER) === 0) numeric = false;
      hash = Math.imul(hash ^ unit, FNV_PRIME);
      if (c > 0xffff) hash = Math.imul(hash ^ s.charCodeAt(end + 1), FNV_PRIME);
      end += c > 0xffff ? 2 : 1;
    }
    if (at > p && (cls & LN) !== 0 && EMAIL_NEXT.has(s.charCodeAt(end))) {
      const email = emailAt(s, p, at, local);
      if (email > 0) {
        out[count++] = table.word('<email>');
        p = email;
        continue;
      }
    }
    for (;;) {
      const a = s.charCodeAt(end);
      if ((a !== 39 && a !== 0x2019) || end + 1 >= n) break;
      const next = runEnd(s, end + 1, (c) => (classOf(c) & LM) !== 0);
      if (next === end + 1) break;
      for (let i = end; i < next; i++) hash = Math.imul(hash ^ s.charCodeAt(i), FNV_PRIME);
      end = next;
      numeric = false;
    }
    out[count++] = numeric && cp >= 48 && cp <= 57 ? table.word('<num>') : table.idOf(s, p, end, hash >>> 0);
    p = end;
  }
  return out.slice(0, count);
}

/** FNV-1a of a string, 32-bit unsigned. */
export function hashToken(s: string): number {
  return fnv1a(s, 0, s.length);
}

/** A bigram's hash from its two words' hashes (order matters: "not good" ≠ "good not"). */
export function bigramHash(a: number, b: number): number {
  return (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35)) >>> 0;
}

/** One document's hashed features: distinct buckets and their weights (counts / total: the bag's mean). */
export interface Bag {
  ids: Int32Array;
  weights: Float32Array;
}

/** Hashes a document's tokens (the first `maxTokens`) into a bag. */
export function bagOf(tokens: string[], settings: TokenizerSettings): Bag {
  return bagOfHashes(Uint32Array.from(tokens.slice(0, settings.maxTokens), hashToken), settings);
}

/** A bag from the tokens' hashes (`hashToken`), the first `maxTokens` of them. */
export function bagOfHashes(hashes: ArrayLike<number>, settings: TokenizerSettings): Bag {
  const n = Math.min(hashes.length, settings.maxTokens);
  const mask = settings.buckets - 1;
  const counts = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    const id = h & mask;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
    if (settings.bigrams && i > 0) {
      const b = bigramHash(hashes[i - 1]!, h) & mask;
      counts.set(b, (counts.get(b) ?? 0) + 1);
      total++;
    }
  }
  const ids = Int32Array.from(counts.keys()).sort();
  const weights = new Float32Array(ids.length);
  for (let k = 0; k < ids.length; k++) weights[k] = counts.get(ids[k]!)! / Math.max(total, 1);
  return { ids, weights };
}

/** Default settings for a training set of `documents`: more buckets for more data (fewer collisions). */
export function defaultTokenizer(documents: number): TokenizerSettings {
  return { buckets: documents > 20_000 ? 1 << 18 : documents > 2_000 ? 1 << 17 : 1 << 16, bigrams: true, maxTokens: 1000 };
}
