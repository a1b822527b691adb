/**
 * Tokenising for any language: lower-cased (NFKC), words are runs of Unicode letters, marks and
 * digits (a regular expression over Unicode properties: the same boundaries as Intl.Segmenter's
 * word mode for space-separated scripts, about ten times faster). Scripts written without spaces
 * (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) become one token per character, so their
 * bigrams act as words. URLs, e-mail addresses and numbers are normalised to `<url>`, `<email>`,
 * `<num>`: their exact value rarely generalises, their presence does. The personal-data
 * placeholders of the masked copy ([EMAIL], [PHONE] …) stay single tokens.
 *
 * Features are hashed (FNV-1a, 32-bit) into a fixed number of buckets, so memory is bounded
 * whatever the vocabulary: word unigrams plus adjacent-word bigrams.
 */

/** How text becomes features (saved in `preprocessing.json`; prediction must use the same). */
export interface TokenizerSettings {
  /** Hash buckets (a power of two). */
  buckets: number;
  /** Add adjacent-word bigrams. */
  bigrams: boolean;
  /** Tokens per document used by the network (the rest of a very long document is ignored). */
  maxTokens: number;
}

const TOKEN =
  /https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|[\p{L}\p{N}._%+'-]*[\p{L}\p{N}]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+|\[(?:EMAIL|PHONE|CARD|IBAN|IP|SSN)\]|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const NUMBER = /^\p{N}+$|^\d[\d.,]*$/u;

/** Tokens kept per document (both models); a longer document's tail is not read. */
export const MAX_DOCUMENT_TOKENS = 3000;
const NON_ASCII = /\P{ASCII}/u;

/** The tokens of `text` (its first `MAX_DOCUMENT_TOKENS`), normalised. One parameter, so `texts.map(tokenize)` is safe. */
export function tokenize(text: string): string[] {
  const limit = MAX_DOCUMENT_TOKENS;
  const out: string[] = [];
  // Tokens average well under 20 characters: no need to fold the whole of a huge text.
  const head = text.length > limit * 20 ? text.slice(0, limit * 20) : text;
  const lower = (NON_ASCII.test(head) ? head.normalize('NFKC') : head).toLowerCase();
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(lower); m && out.length < limit; m = TOKEN.exec(lower)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (c === 104 && (t.startsWith('http://') || t.startsWith('https://'))) out.push('<url>');
    else if (c === 119 && t.startsWith('www.')) out.push('<url>');
    else if (c === 91) out.push(`<${t.slice(1, -1)}>`);
    else if (t.indexOf('@') > 0) out.push('<email>');
    else if (c >= 48 && c <= 57 && NUMBER.test(t)) out.push('<num>');
    else out.push(t);
  }
  return out;
}

/** FNV-1a of a string, 32-bit unsigned. */
export function hashToken(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A bigram's hash from its two words' hashes (order matters: "not good" ≠ "good not"). */
function bigramHash(a: number, b: number): number {
  return (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35)) >>> 0;
}

/** One document's hashed features: distinct buckets and their weights (counts / total: the bag's mean). */
export interface Bag {
  ids: Int32Array;
  weights: Float32Array;
}

/** Hashes a document's tokens (the first `maxTokens`) into a bag. */
export function bagOf(tokens: string[], settings: TokenizerSettings): Bag {
  const n = Math.min(tokens.length, settings.maxTokens);
  const mask = settings.buckets - 1;
  const counts = new Map<number, number>();
  let previous = -1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const h = hashToken(tokens[i]!);
    const id = h & mask;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
    if (settings.bigrams && previous >= 0) {
      const b = bigramHash(previous, h) & mask;
      counts.set(b, (counts.get(b) ?? 0) + 1);
      total++;
    }
    previous = h;
  }
  const ids = new Int32Array(counts.size);
  const weights = new Float32Array(counts.size);
  let k = 0;
  for (const id of [...counts.keys()].sort((a, b) => a - b)) {
    ids[k] = id;
    weights[k++] = counts.get(id)! / Math.max(total, 1);
  }
  return { ids, weights };
}

/** Default settings for a training set of `documents`: more buckets for more data (fewer collisions). */
export function defaultTokenizer(documents: number): TokenizerSettings {
  return { buckets: documents > 20_000 ? 1 << 18 : documents > 2_000 ? 1 << 17 : 1 << 16, bigrams: true, maxTokens: 1000 };
}
