/**
 * What a text version's drift checks compare a new batch with, worked out once at training and
 * saved in the version's `metadata.json` (so bundles carry it): the training split's most frequent
 * words with their counts, its distribution of words per document, its vocabulary as a Bloom filter
 * (bounded: at most 4 Mbit whatever the vocabulary), and the same statistics of the untouched test
 * split — the same-distribution baseline each check is judged against (how far held-out documents
 * of the training data already are from the training documents), and the model's predictions on it.
 * Bounded in size: 100 words, at most 3,001 distinct lengths, 2,000 test shares, the filter.
 */
import type { Corpus } from './corpus.js';
import { hashToken } from './tokenize.js';

/** Most frequent training words kept for vocabulary drift (the rest is one "(other)" bin). */
export const TOP_TERMS = 100;
const MAX_SHARES = 2000;

/** A Bloom filter over the training vocabulary, base64 bits. */
export interface VocabularyFilter {
  bits: string;
  /** Bits in the filter (a power of two). */
  size: number;
  /** Hash functions. */
  hashes: number;
  /** Distinct training words added. */
  terms: number;
  /** Expected share of unseen words the filter takes for seen: (1 − e^(−k·n/m))^k. */
  falsePositive: number;
}

/** Values with their counts, ascending: an exact distribution in little space. */
export interface Counted {
  values: number[];
  counts: number[];
}

export interface TextDriftReference {
  version: 1;
  /** Training split: documents and words (as the tokenizer counts them, at most 3,000 per document). */
  documents: number;
  tokens: number;
  top: { terms: string[]; counts: number[]; other: number };
  lengths: Counted;
  vocabulary: VocabularyFilter;
  /** The test split, against the training split: the baseline of each check. */
  test: {
    documents: number;
    tokens: number;
    /** Counts of `top.terms` (and the rest) in the test documents. */
    topCounts: number[];
    topOther: number;
    /** Words of the test documents the filter does not know. */
    unseen: number;
    /** Per test document with words: its share of unseen words (up to 2,000 documents, evenly spaced). */
    unseenShares: Counted;
    /** The model's predicted class counts on the test documents (order of the version's classes). */
    predictions: number[];
  };
}

/** The reference of a version from its encoded corpus, splits and test predictions (class indices). */
export function buildTextReference(corpus: Corpus, train: ArrayLike<number>, test: ArrayLike<number>, testPredicted: ArrayLike<number>, classes: number): TextDriftReference {
  const counts = new Float64Array(corpus.terms.length);
  const lengths = new Map<number, number>();
  let tokens = 0;
  for (let r = 0; r < train.length; r++) {
    const doc = corpus.docs[train[r]!]!;
    for (let i = 0; i < doc.length; i++) counts[doc[i]!]!++;
    tokens += doc.length;
    lengths.set(doc.length, (lengths.get(doc.length) ?? 0) + 1);
  }
  const seenIds: number[] = [];
  for (let id = 0; id < counts.length; id++) if (counts[id]! > 0) seenIds.push(id);
  // Most frequent first; ties by the word, so the reference does not depend on reading order.
  const top = [...seenIds].sort((a, b) => counts[b]! - counts[a]! || (corpus.terms[a]! < corpus.terms[b]! ? -1 : 1)).slice(0, TOP_TERMS);
  const topIndex = new Map(top.map((id, k) => [id, k]));
  const filter = new BloomFilter(seenIds.length);
  for (const id of seenIds) filter.add(corpus.terms[id]!);

  const topCounts = new Array<number>(top.length).fill(0);
  let testTokens = 0;
  let topOther = 0;
  let unseen = 0;
  const shares: number[] = [];
  for (let r = 0; r < test.length; r++) {
    const doc = corpus.docs[test[r]!]!;
    let docUnseen = 0;
    for (let i = 0; i < doc.length; i++) {
      const k = topIndex.get(doc[i]!);
      if (k === undefined) topOther++;
      else topCounts[k]!++;
      // Through the filter, as a new batch's words are: both sides have the same false positives.
      if (!filter.has(corpus.terms[doc[i]!]!)) docUnseen++;
    }
    testTokens += doc.length;
    unseen += docUnseen;
    if (doc.length > 0) shares.push(docUnseen / doc.length);
  }
  const predictions = new Array<number>(classes).fill(0);
  for (let r = 0; r < testPredicted.length; r++) predictions[testPredicted[r]!]!++;
  const topTotal = top.reduce((s, id) => s + counts[id]!, 0);
  return {
    version: 1,
    documents: train.length,
    tokens,
    top: { terms: top.map((id) => corpus.terms[id]!), counts: top.map((id) => counts[id]!), other: tokens - topTotal },
    lengths: counted([...lengths.entries()]),
    vocabulary: filter.save(),
    test: { documents: test.length, tokens: testTokens, topCounts, topOther, unseen, unseenShares: counted(evenlySpaced(shares, MAX_SHARES).map((v) => [v, 1])), predictions },
  };
}

/** Every ⌈n/limit⌉-th value (all when n ≤ limit): a bounded sample that keeps the shape. */
function evenlySpaced(values: number[], limit: number): number[] {
  if (values.length <= limit) return values;
  return Array.from({ length: limit }, (_, i) => values[Math.floor((i * values.length) / limit)]!);
}

function counted(pairs: Array<[number, number]>): Counted {
  const merged = new Map<number, number>();
  for (const [v, c] of pairs) merged.set(v, (merged.get(v) ?? 0) + c);
  const values = [...merged.keys()].sort((a, b) => a - b);
  return { values, counts: values.map((v) => merged.get(v)!) };
}

/** Expands a counted distribution into sorted values (bounded by the documents it counts). */
export function expand(c: Counted): Float64Array {
  const out = new Float64Array(c.counts.reduce((s, n) => s + n, 0));
  let at = 0;
  c.values.forEach((v, i) => out.fill(v, at, (at += c.counts[i]!)));
  return out;
}

const MIN_BITS = 2 ** 16;
const MAX_BITS = 2 ** 22;

/** A Bloom filter with double hashing (FNV-1a, and a mix of it) over words. */
export class BloomFilter {
  readonly size: number;
  readonly hashes: number;
  private readonly bits: Uint8Array;
  private terms = 0;

  constructor(expected: number, saved?: VocabularyFilter) {
    if (saved) {
      this.size = saved.size;
      this.hashes = saved.hashes;
      this.bits = new Uint8Array(Buffer.from(saved.bits, 'base64'));
      this.terms = saved.terms;
      return;
    }
    // About 10 bits per word (1 % false positives), within [64 Kbit, 4 Mbit].
    this.size = Math.min(MAX_BITS, Math.max(MIN_BITS, 2 ** Math.ceil(Math.log2(Math.max(1, expected) * 10))));
    this.hashes = Math.max(1, Math.min(7, Math.round((this.size / Math.max(1, expected)) * Math.LN2)));
    this.bits = new Uint8Array(this.size / 8);
  }

  add(term: string): void {
    const mask = this.size - 1;
    const h1 = hashToken(term);
    const h2 = mix(h1) | 1;
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & mask;
      this.bits[bit >>> 3]! |= 1 << (bit & 7);
    }
    this.terms++;
  }

  has(term: string): boolean {
    const mask = this.size - 1;
    const h1 = hashToken(term);
    const h2 = mix(h1) | 1;
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & mask;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  save(): VocabularyFilter {
    const falsePositive = (1 - Math.exp((-this.hashes * this.terms) / this.size)) ** this.hashes;
    return { bits: Buffer.from(this.bits).toString('base64'), size: this.size, hashes: this.hashes, terms: this.terms, falsePositive };
  }
}

/** murmur3's finaliser: a second, independent-looking hash from the first. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
