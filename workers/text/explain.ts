/**
 * Why the models decide as they do: the words that push each class most (from the linear
 * baseline's weights, and from the network: each word alone through the trained network), and for
 * one document the words whose removal changes its prediction most (occlusion).
 */
import type { Logistic, Tfidf } from './linear.js';
import { probabilitiesOf, type EmbeddingBag } from './network.js';
import { bagOfHashes, hashToken, type Bag, type TokenizerSettings } from './tokenize.js';

/** Words pushing towards one class, strongest first. */
export interface ClassTerms {
  label: string;
  terms: Array<{ term: string; weight: number }>;
}

/** Linear baseline: the largest weights per class (binary: positive weights → classes[1], negative → classes[0]). */
export function linearTerms(tfidf: Tfidf, model: Logistic, classes: string[], count = 15): ClassTerms[] {
  const terms = [...tfidf.vocabulary.keys()];
  const cols = terms.map((t) => tfidf.vocabulary.get(t)!);
  const ranked = (offset: number) => {
    const order = Int32Array.from(terms, (_, i) => i).sort((a, b) => model.w[offset + cols[b]!]! - model.w[offset + cols[a]!]!);
    return Array.from(order, (i) => ({ term: terms[i]!, weight: model.w[offset + cols[i]!]! }));
  };
  if (model.outputs === 1) {
    const sorted = ranked(0);
    return [
      { label: classes[0]!, terms: sorted.slice(-count).reverse().map(({ term, weight }) => ({ term, weight: -weight })) },
      { label: classes[1]!, terms: sorted.slice(0, count) },
    ];
  }
  return classes.map((label, c) => ({ label, terms: ranked(c * model.cols).slice(0, count) }));
}

/** Network: each candidate word (seen ≥ 3 times in training) fed alone; its logit (binary) or centred logit per class. */
export function networkTerms(net: EmbeddingBag, settings: TokenizerSettings, candidates: string[], classes: string[], count = 15): ClassTerms[] {
  // A word alone is a bag of one bucket with weight 1.
  const bags: Bag[] = candidates.map((t) => ({ ids: Int32Array.of(hashToken(t) & (settings.buckets - 1)), weights: Float32Array.of(1) }));
  const z = net.logits(bags);
  const k = net.spec.outputs;
  const score = (i: number, c: number): number => {
    if (k === 1) return c === 1 ? z[i]! : -z[i]!;
    let mean = 0;
    for (let j = 0; j < k; j++) mean += z[i * k + j]!;
    return z[i * k + c]! - mean / k;
  };
  return classes.map((label, c) => ({
    label,
    terms: candidates
      .map((term, i) => ({ term, weight: score(i, c) }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, count),
  }));
}

/** A document with the words that drove its prediction. */
export interface Highlighted {
  /** Where it came from (row or file). */
  source: string;
  /** The start of the text (up to 600 characters). */
  excerpt: string;
  actual: string;
  predicted: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** Words whose removal lowers (positive effect) or raises (negative) the predicted class's probability most. */
  words: Array<{ word: string; effect: number }>;
}

/** Occlusion: drop every occurrence of one word (first 400 tokens), re-run the network, compare the predicted class's probability. */
export function highlight(net: EmbeddingBag, settings: TokenizerSettings, tokens: string[], classIndex: number, count = 8): Array<{ word: string; effect: number }> {
  const head = tokens.slice(0, Math.min(400, settings.maxTokens));
  const hashes = Uint32Array.from(head, hashToken);
  const probOf = (hs: Uint32Array) => probabilitiesOf(net.logits([bagOfHashes(hs, settings)]), 1, net.spec.outputs)[classIndex]!;
  const base = probOf(hashes);
  // Single letters and digits are noise in a highlight; one CJK character is a word.
  const words = [...new Set(head)].filter((w) => w.length > 1 || w.charCodeAt(0) >= 0x2e80);
  return words
    .map((word) => ({ word, effect: base - probOf(hashes.filter((_, i) => head[i] !== word)) }))
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
    .slice(0, count);
}
