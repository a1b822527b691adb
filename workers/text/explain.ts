/**
 * Why the models decide as they do: the words that push each class most (from the linear
 * baseline's weights, and from the network: each word alone through the trained network), and for
 * one document the words whose removal changes its prediction most (occlusion).
 */
import type { Logistic, Tfidf } from './linear.js';
import { probabilitiesOf, type BagWeights, type EmbeddingBag } from './network.js';
import { bigramHash, hashToken, type TokenizerSettings } from './tokenize.js';

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
  // A word alone is a bag of one bucket with weight 1: its logits are b + E[bucket]·W.
  const { dim: d, outputs: k } = net.spec;
  const { e, w, b } = net.state;
  const mask = settings.buckets - 1;
  const z = new Float32Array(candidates.length * k);
  candidates.forEach((t, i) => {
    const base = (hashToken(t) & mask) * d;
    for (let c = 0; c < k; c++) {
      let s = b[c]!;
      for (let j = 0; j < d; j++) s += e[base + j]! * w[j * k + c]!;
      z[i * k + c] = s;
    }
  });
  const score = (i: number, c: number): number => {
    if (k === 1) return c === 1 ? z[i]! : -z[i]!;
    let mean = 0;
    for (let j = 0; j < k; j++) mean += z[i * k + j]!;
    return z[i * k + c]! - mean / k;
  };
  return classes.map((label, c) => {
    const scores = Float64Array.from(candidates, (_, i) => score(i, c));
    // The `count` best without sorting every candidate: one pass keeping a small sorted list.
    const top: number[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (top.length === count && scores[i]! <= scores[top[count - 1]!]!) continue;
      let at = top.length;
      while (at > 0 && scores[top[at - 1]!]! < scores[i]!) at--;
      top.splice(at, 0, i);
      if (top.length > count) top.pop();
    }
    return { label, terms: top.map((i) => ({ term: candidates[i]!, weight: scores[i]! })) };
  });
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
export function highlight(net: BagWeights, settings: TokenizerSettings, tokens: string[], classIndex: number, count = 8): Array<{ word: string; effect: number }> {
  const head = tokens.slice(0, Math.min(400, settings.maxTokens));
  const hashes = Uint32Array.from(head, hashToken);
  const { dim: d, outputs: k } = net.spec;
  const h = new Float64Array(d);
  const z = new Float32Array(k);
  const mask = settings.buckets - 1;
  const { e, w, b } = net.state;
  // The network on the document without the tokens `skip` marks (all kept when null): the mean of
  // its features' rows (unigrams, and bigrams of the words left adjacent), through the head.
  const probOf = (skip: string | null): number => {
    h.fill(0);
    let total = 0;
    let previous = -1;
    const add = (bucket: number) => {
      const base = bucket * d;
      for (let j = 0; j < d; j++) h[j]! += e[base + j]!;
      total++;
    };
    for (let i = 0; i < head.length; i++) {
      if (head[i] === skip) continue;
      const hash = hashes[i]!;
      add(hash & mask);
      if (settings.bigrams && previous >= 0) add(bigramHash(hashes[previous]!, hash) & mask);
      previous = i;
    }
    for (let c = 0; c < k; c++) {
      let s = b[c]!;
      for (let j = 0; j < d; j++) s += (h[j]! / Math.max(total, 1)) * w[j * k + c]!;
      z[c] = s;
    }
    return probabilitiesOf(z, 1, k)[classIndex]!;
  };
  const base = probOf(null);
  // Single letters and digits are noise in a highlight; one CJK character is a word.
  const words = [...new Set(head)].filter((word) => word.length > 1 || word.charCodeAt(0) >= 0x2e80);
  return words
    .map((word) => ({ word, effect: base - probOf(word) }))
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect))
    .slice(0, count);
}
