/**
 * Text-specific data quality, as alerts with fixes: empty and near-empty texts, exact and near
 * duplicates (MinHash over word 5-shingles with locality-sensitive hashing) within and across
 * classes and across train/test, length per class, language mix, boilerplate most documents share
 * (signatures, disclaimers), and class imbalance.
 *
 * Language is a heuristic, said as such: the script of the letters (Latin, Cyrillic, Greek, Arabic,
 * Hebrew, Devanagari, Thai, Hangul, Kana, Han) and, for Latin script, which of seven languages'
 * commonest words occur most.
 */
import type { Alert } from '../quality/report.js';
import { encodeTokens, type Corpus } from './corpus.js';
import { LANGUAGES, languageOf, STOP_LANGUAGE } from './language.js';

/** Length of one class's texts, in tokens. */
export interface ClassLength {
  label: string;
  documents: number;
  p10: number;
  median: number;
  p90: number;
}

/** The text quality report. */
export interface TextQuality {
  documents: number;
  empty: number;
  /** Fewer than 3 tokens. */
  nearEmpty: number;
  /** Documents whose exact text (after whitespace and case folding) appeared before. */
  exactDuplicates: number;
  /** Exact duplicates carrying a different label than their first copy. */
  conflictingDuplicates: number;
  /** Pairs with estimated word 5-shingle Jaccard ≥ 0.8 (not exact copies), up to the first 1,000. */
  nearDuplicatePairs: number;
  /** Test documents with an exact or near copy in the training split (only when splits are given). */
  trainTestOverlap: number | null;
  lengths: ClassLength[];
  /** Documents per language (heuristic). */
  languages: Record<string, number>;
  /** Lines shared by at least 30 % of documents. */
  boilerplate: Array<{ line: string; share: number }>;
  /** Documents per class. */
  classes: Record<string, number>;
  alerts: Alert[];
}

const HASHES = 64;
const BANDS = 16;
const ROWS = HASHES / BANDS;

/**
 * MinHash signature over word 5-shingles (or the whole text when shorter) of the first 1,000
 * words; `hashes`: each token id's hash. One-permutation hashing (Li, Owen & Zhang 2012): each
 * shingle is hashed once, the top 6 bits pick one of 64 bins and the bin keeps its smallest
 * value, instead of 64 hash functions per shingle (64× less work; the same estimator of the
 * Jaccard similarity: the share of equal bins). Bins no shingle fell into take the value of the
 * next non-empty bin to the right, offset by the distance, so two documents agree on an empty bin
 * as often as on a full one (rotation densification, Shrivastava & Li 2014).
 */
export function minhash(doc: Int32Array, hashes: Uint32Array): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(EMPTY);
  const words = Math.min(doc.length, 1000);
  const n = Math.max(1, words - 4);
  for (let i = 0; i < n; i++) {
    let shingle = 0x811c9dc5;
    for (let j = i; j < Math.min(i + 5, words); j++) shingle = Math.imul(shingle ^ hashes[doc[j]!]!, 0x01000193) >>> 0;
    // murmur3's finaliser: a well-mixed 32-bit hash of the shingle.
    let v = Math.imul(shingle ^ (shingle >>> 16), 0x85ebca6b);
    v = Math.imul(v ^ (v >>> 13), 0xc2b2ae35);
    v = (v ^ (v >>> 16)) >>> 0;
    const bin = v >>> 26;
    const value = v & 0x3ffffff;
    if (value < sig[bin]!) sig[bin] = value;
  }
  // Densify: an empty bin borrows from the nearest full bin to its right (circularly), plus
  // distance × 2²⁶ so a borrowed value never equals a genuine one.
  for (let h = 0; h < HASHES; h++) {
    if (sig[h] !== EMPTY) continue;
    for (let step = 1; step < HASHES; step++) {
      const from = sig[(h + step) % HASHES]!;
      if (from < 0x4000000) {
        sig[h] = from + step * 0x4000000;
        break;
      }
    }
  }
  return sig;
}

/** A bin no shingle fell into (values are below 2²⁶; borrowed ones below 64·2²⁶ < this). */
const EMPTY = 0xffffffff;

/** `\s` of a regular expression (Unicode white space, line terminators and the BOM), by code unit. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
}

/**
 * Lines (trimmed, white-space runs folded to one space, at least 20 characters) that at least
 * 30 % of the documents contain, most shared first, up to 5. Each line is hashed in place (two
 * 32-bit FNV-1a streams over its folded form and its length, 53 bits in all) and counted once per document: no
 * string per line, only for the few that qualify.
 */
export function sharedLines(texts: string[], n: number): Array<{ line: string; share: number }> {
  const slotOf = new Map<number, number>();
  const count: number[] = [];
  const lastDoc: number[] = [];
  const firstAt: Array<[number, number, number]> = [];
  texts.forEach((t, doc) => {
    let start = 0;
    while (start <= t.length) {
      let end = t.indexOf('\n', start);
      if (end < 0) end = t.length;
      // Folding white space only shortens a line: a short one cannot qualify.
      if (end - start >= 20) {
        let a = 0x811c9dc5;
        let b = 0x01000193;
        let length = 0;
        let pendingSpace = false;
        for (let i = start; i < end; i++) {
          const c = t.charCodeAt(i);
          if (isSpace(c)) {
            pendingSpace = length > 0;
            continue;
          }
          if (pendingSpace) {
            a = Math.imul(a ^ 32, 0x01000193);
            b = Math.imul(b ^ 32, 0x5bd1e995);
            length++;
            pendingSpace = false;
          }
          a = Math.imul(a ^ c, 0x01000193);
          b = Math.imul(b ^ c, 0x5bd1e995);
          length++;
        }
        if (length >= 20) {
          const key = (a >>> 0) * 0x200000 + (((b ^ Math.imul(length, 0x9e3779b9)) >>> 0) & 0x1fffff);
          let slot = slotOf.get(key);
          if (slot === undefined) {
            slot = count.length;
            slotOf.set(key, slot);
            count.push(0);
            lastDoc.push(-1);
            firstAt.push([doc, start, end]);
          }
          if (lastDoc[slot] !== doc) {
            lastDoc[slot] = doc;
            count[slot]!++;
          }
        }
      }
      start = end + 1;
    }
  });
  if (n < 10) return [];
  return count
    .map((c, slot) => ({ c, slot }))
    .filter(({ c }) => c >= 0.3 * n)
    .sort((x, y) => y.c - x.c)
    .slice(0, 5)
    .map(({ c, slot }) => {
      const [doc, start, end] = firstAt[slot]!;
      return { line: texts[doc]!.slice(start, end).trim().replace(/\s+/g, ' ').slice(0, 120), share: c / n };
    });
}

/** One band of a signature as a number (band index and its rows, two 26-bit FNV-1a streams): candidates are still compared in full. */
function bandKey(sig: Uint32Array, band: number): number {
  let a = Math.imul(0x811c9dc5 ^ band, 0x01000193);
  let b = Math.imul(0x01000193 ^ band, 0x5bd1e995);
  for (let r = band * ROWS; r < (band + 1) * ROWS; r++) {
    a = Math.imul(a ^ sig[r]!, 0x01000193);
    b = Math.imul(b ^ sig[r]!, 0x5bd1e995);
  }
  return (a >>> 6) * 0x4000000 + (b >>> 6);
}

function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < HASHES; i++) if (a[i] === b[i]) same++;
  return same / HASHES;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

/**
 * Scores the texts, given their tokens (or the encoded corpus of them). `split` (0 train,
 * 1 validation, 2 test per document) adds the train/test overlap.
 */
export function textQuality(texts: string[], tokens: string[][] | Corpus, labels: string[], split?: Uint8Array): TextQuality {
  const corpus = Array.isArray(tokens) ? encodeTokens(tokens) : tokens;
  const docs = corpus.docs;
  const n = texts.length;
  const alerts: Alert[] = [];
  const add = (code: string, severity: Alert['severity'], message: string, fix: string) => alerts.push({ code, severity, column: null, message, fix });
  let empty = 0;
  let nearEmpty = 0;
  // Same tokens = same text after case and white-space folding; grouped by a hash of the ids, then compared.
  const firstOf = new Map<number, number[]>();
  let exactDuplicates = 0;
  let conflicting = 0;
  const duplicateOf = new Int32Array(n).fill(-1);
  texts.forEach((text, i) => {
    const doc = docs[i]!;
    if (isBlank(text)) empty++;
    else if (doc.length < 3) nearEmpty++;
    if (doc.length === 0) return;
    const key = idsKey(doc);
    const group = firstOf.get(key);
    const first = group?.find((j) => sameIds(docs[j]!, doc));
    if (first === undefined) {
      if (group) group.push(i);
      else firstOf.set(key, [i]);
    } else {
      exactDuplicates++;
      duplicateOf[i] = first;
      if (labels[first] !== labels[i]) conflicting++;
    }
  });
  // Near duplicates: documents sharing a band of their MinHash signature are compared.
  const sigs = docs.map((d) => (d.length >= 5 ? minhash(d, corpus.hashes) : null));
  const buckets = new Map<number, number[]>();
  const nearOf = new Int32Array(n).fill(-1);
  let pairs = 0;
  sigs.forEach((sig, i) => {
    if (!sig || duplicateOf[i]! >= 0) return;
    for (let b = 0; b < BANDS; b++) {
      const key = bandKey(sig, b);
      const list = buckets.get(key);
      if (!list) {
        buckets.set(key, [i]);
        continue;
      }
      // One near twin per document is all the report needs.
      if (nearOf[i]! < 0) {
        for (const j of list) {
          if (similarity(sig, sigs[j]!) >= 0.8) {
            nearOf[i] = j;
            if (pairs < 1000) pairs++;
            break;
          }
        }
      }
      if (list.length < 50) list.push(i);
    }
  });
  let overlap: number | null = null;
  if (split) {
    overlap = 0;
    // A test document whose copy (exact or near) is a training document: the test score is inflated.
    for (let i = 0; i < n; i++) {
      if (split[i] !== 2) continue;
      const twin = duplicateOf[i]! >= 0 ? duplicateOf[i]! : nearOf[i]!;
      if (twin >= 0 && split[twin] === 0) overlap++;
    }
  }
  const classes: Record<string, number> = {};
  for (const l of labels) classes[l] = (classes[l] ?? 0) + 1;
  const lengths = Object.keys(classes)
    .sort()
    .map((label) => {
      const ls = docs.filter((_, i) => labels[i] === label).map((d) => d.length).sort((a, b) => a - b);
      return { label, documents: ls.length, p10: quantile(ls, 0.1), median: quantile(ls, 0.5), p90: quantile(ls, 0.9) };
    });
  const languages: Record<string, number> = {};
  // Per token id, the languages it is a stop word of (a bit each), so counting is one pass over ids.
  const stopOf = new Uint8Array(corpus.terms.length);
  corpus.terms.forEach((t, id) => {
    for (const lang of STOP_LANGUAGE.get(t) ?? []) stopOf[id]! |= 1 << LANGUAGES.indexOf(lang);
  });
  const perLanguage = new Int32Array(LANGUAGES.length);
  const firstSeen: number[] = [];
  texts.forEach((t, i) => {
    const lang = languageOf(t, () => {
      perLanguage.fill(0);
      firstSeen.length = 0;
      const doc = docs[i]!;
      for (let k = 0; k < Math.min(doc.length, 400); k++) {
        const bits = stopOf[doc[k]!]!;
        if (bits === 0) continue;
        for (let l = 0; l < LANGUAGES.length; l++) {
          if ((bits & (1 << l)) === 0) continue;
          if (perLanguage[l]!++ === 0) firstSeen.push(l);
        }
      }
      // In order of first occurrence, as the map guessLanguage builds (ties go to the first seen).
      return new Map(firstSeen.map((l) => [LANGUAGES[l]!, perLanguage[l]!]));
    });
    languages[lang] = (languages[lang] ?? 0) + 1;
  });
  const boilerplate = sharedLines(texts, n);

  const pct = (x: number) => `${((100 * x) / Math.max(n, 1)).toFixed(1)} %`;
  if (empty + nearEmpty > 0) add('EMPTY_TEXTS', empty + nearEmpty > 0.1 * n ? 'error' : 'warning', `${empty} text(s) are empty and ${nearEmpty} have fewer than 3 words (${pct(empty + nearEmpty)} of ${n}).`, 'Remove them, or fill in the text from the source system: a label without text teaches nothing.');
  if (exactDuplicates > 0) add('DUPLICATE_TEXTS', conflicting > 0 ? 'error' : 'warning', `${exactDuplicates} text(s) are exact copies of another (${pct(exactDuplicates)})${conflicting > 0 ? `, ${conflicting} of them with a different label` : ''}.`, conflicting > 0 ? 'Settle the conflicting labels, then keep one copy of each text.' : 'Keep one copy of each text, so duplicates do not count twice.');
  if (pairs > 0) add('NEAR_DUPLICATE_TEXTS', 'info', `${pairs} text(s) are near copies of another (same wording with small changes: ≥ 80 % of 5-word phrases shared).`, 'Check that they are not the same ticket or message sent twice; keep one.');
  if (overlap !== null && overlap > 0) add('TRAIN_TEST_OVERLAP', 'warning', `${overlap} test document(s) have an exact or near copy in the training split: the test accuracy is optimistic.`, 'Remove duplicates before training, so the test split measures documents the model has not seen.');
  const langs = Object.entries(languages).filter(([l, c]) => l !== 'unknown' && c >= Math.max(2, 0.05 * n));
  if (langs.length > 1) add('LANGUAGE_MIX', 'info', `The texts mix languages (heuristic): ${langs.map(([l, c]) => `${l} ${pct(c)}`).join(', ')}.`, 'Fine if new documents will mix them in the same way; otherwise train one pilot per language.');
  if (boilerplate.length > 0) add('BOILERPLATE', 'warning', `${boilerplate.length} line(s) appear in most documents, e.g. "${boilerplate[0]!.line}" (${(100 * boilerplate[0]!.share).toFixed(0)} %).`, 'Strip signatures, disclaimers and templates before training: they carry no signal, or worse, leak the source.');
  const counts = Object.values(classes);
  const ratio = Math.min(...counts) / Math.max(...counts);
  if (counts.length > 1 && ratio < 0.2) add('CLASS_IMBALANCE', 'warning', `The classes are imbalanced: ${Object.entries(classes).map(([l, c]) => `${l} ${c}`).join(', ')} (rarest/commonest ${ratio.toFixed(2)}).`, 'The pilot weights classes to compensate; look at per-class recall, not only accuracy. Adding examples of the rare class helps most.');
  return { documents: n, empty, nearEmpty, exactDuplicates, conflictingDuplicates: conflicting, nearDuplicatePairs: pairs, trainTestOverlap: overlap, lengths, languages, boilerplate, classes, alerts };
}

/** A 52-bit hash of a document's ids (two 32-bit FNV-1a streams), to group equal documents. */
function idsKey(doc: Int32Array): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < doc.length; i++) {
    a = Math.imul(a ^ doc[i]!, 0x01000193);
    b = Math.imul(b ^ doc[i]!, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 0) & 0xfffff);
}

/** Whether a text is empty or only white space (as `text.trim() === ''`, without copying it). */
function isBlank(text: string): boolean {
  return !/\S/.test(text);
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
