/**
 * The statistics of a text drift check, from a version's saved reference and a new batch's
 * tokens: vocabulary drift (Jensen–Shannon distance and PSI over the training split's top words
 * and one "(other)" bin), words per document (two-sample KS, PSI over reference deciles), unseen
 * words per document (KS against the test split's), and prediction drift (chi-squared test of
 * homogeneity of the predicted classes against those on the test split). Each is a `ColumnDrift`,
 * so the tabular report's summary, verdict and charts apply unchanged.
 */
import { chiSquaredHomogeneity } from '../drift/categorical.js';
import { jensenShannon } from '../drift/distance.js';
import { fromSorted, type Distribution } from '../drift/distribution.js';
import { ksTwoSample } from '../drift/ks.js';
import { binShares, psi, psiBand, quantileEdges } from '../drift/psi.js';
import { histogramShares } from '../drift/profile.js';
import type { ColumnDrift, Overlay } from '../drift/report.js';
import type { DriftThresholds } from '../drift/select.js';
import { BloomFilter, expand, type TextDriftReference } from './drift-reference.js';

/** What was counted in the new batch. */
export interface BatchCounts {
  documents: number;
  tokens: number;
  /** Counts of the reference's top words, and of every other word. */
  topCounts: number[];
  topOther: number;
  unseen: number;
  /** Words per document, ascending. */
  lengths: Float64Array;
  /** Unseen share per document with words, ascending. */
  unseenShares: Float64Array;
}

/** Counts a batch's tokenised documents against the reference. */
export function countBatch(reference: TextDriftReference, docs: Iterable<string[]>): BatchCounts {
  const index = new Map(reference.top.terms.map((t, k) => [t, k]));
  const filter = new BloomFilter(0, reference.vocabulary);
  const topCounts = new Array<number>(reference.top.terms.length).fill(0);
  const lengths: number[] = [];
  const shares: number[] = [];
  let topOther = 0;
  let unseen = 0;
  let tokens = 0;
  for (const doc of docs) {
    let docUnseen = 0;
    for (const t of doc) {
      const k = index.get(t);
      if (k === undefined) topOther++;
      else topCounts[k]!++;
      if (!filter.has(t)) docUnseen++;
    }
    lengths.push(doc.length);
    tokens += doc.length;
    unseen += docUnseen;
    if (doc.length > 0) shares.push(docUnseen / doc.length);
  }
  return { documents: lengths.length, tokens, topCounts, topOther, unseen, lengths: Float64Array.from(lengths).sort(), unseenShares: Float64Array.from(shares).sort() };
}

/** How far past the same-distribution baseline a batch must be to count as drifted. */
const NOISE_FACTOR = 1.5;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * Vocabulary drift. Word counts are not independent draws (a document repeats its words), so no
 * p-value is honest here; the distance is judged against the distance the test split — held-out
 * documents of the training data — already has from the training split, scaled to the batch's
 * size (the squared distance's sampling noise goes as 1/N_train + 1/N_batch): drift when the
 * batch is at least 0.1 and 1.5 times that baseline away.
 */
export function vocabularyDrift(reference: TextDriftReference, batch: BatchCounts, t: DriftThresholds): ColumnDrift {
  const ref = [...reference.top.counts, reference.top.other];
  const cur = [...batch.topCounts, batch.topOther];
  const baseline = jensenShannon(ref, [...reference.test.topCounts, reference.test.topOther]);
  // Sampling noise in the squared distance goes as 1/N_train + 1/N_sample.
  const inverse = (n: number) => 1 / Math.max(n, 1);
  const scaled = baseline * Math.sqrt((inverse(reference.tokens) + inverse(batch.tokens)) / (inverse(reference.tokens) + inverse(reference.test.tokens)));
  const threshold = Math.max(t.jensenShannon, NOISE_FACTOR * scaled);
  const enough = batch.documents >= t.minRows && batch.tokens > 0;
  const statistic = jensenShannon(ref, cur);
  const shares = (c: number[]) => {
    const total = c.reduce((a, b) => a + b, 0) || 1;
    return c.map((v) => v / total);
  };
  const [rs, cs] = [shares(ref), shares(cur)];
  const value = psi(rs, cs);
  const drifted = enough && statistic >= threshold;
  const changed = rs
    .slice(0, -1)
    .map((r, k) => ({ k, d: Math.abs((cs[k] ?? 0) - r) }))
    .sort((a, b) => b.d - a.d)
    .slice(0, 12)
    .map((x) => x.k);
  return {
    name: 'vocabulary',
    type: 'categorical',
    status: enough ? 'judged' : 'insufficient-data',
    test: enough ? 'jensen-shannon' : null,
    statistic: enough ? statistic : null,
    pValue: null,
    threshold: enough ? threshold : null,
    psi: enough ? value : null,
    psiBand: enough ? psiBand(value) : null,
    drifted,
    explanation: enough
      ? `How often the training documents' ${reference.top.terms.length} most frequent words occur in the new documents (the rest as one "(other)" bin): Jensen–Shannon distance ${statistic.toFixed(3)}. Held-out documents of the training data are ${baseline.toFixed(3)} from the training documents (about ${scaled.toFixed(3)} at this batch's ${batch.tokens.toLocaleString('en')} words), so drift is counted from ${threshold.toFixed(3)} (1.5 times that, at least ${t.jensenShannon}): ${drifted ? 'the new documents use words differently' : 'the words are used about as in training'}.`
      : `Only ${batch.documents} document(s): at least ${t.minRows} are needed to judge the vocabulary.`,
    reference: { count: reference.tokens, missing: 0 },
    current: { count: batch.tokens, missing: 0 },
    overlay: { kind: 'categories', labels: changed.map((k) => reference.top.terms[k]!), reference: changed.map((k) => rs[k]!), current: changed.map((k) => cs[k]!) },
  };
}

/** KS between two sorted samples (the reference as a counted distribution), PSI over reference deciles, and a histogram overlay. */
function numericDrift(name: string, reference: Float64Array, current: Float64Array, t: DriftThresholds, describe: (drifted: boolean) => string): ColumnDrift {
  const enough = reference.length >= t.minRows && current.length >= t.minRows;
  const ref: Distribution = fromSorted(reference);
  const ks = ksTwoSample(ref, fromSorted(current));
  const edges = quantileEdges(reference);
  const value = psi(binShares(reference, edges), binShares(current, edges));
  const drifted = enough && ks.pValue < t.pValue;
  return {
    name,
    type: 'numeric',
    status: enough ? 'judged' : 'insufficient-data',
    test: enough ? 'ks' : null,
    statistic: enough ? ks.statistic : null,
    pValue: enough ? ks.pValue : null,
    threshold: enough ? t.pValue : null,
    pValueMethod: ks.method,
    psi: enough ? value : null,
    psiBand: enough ? psiBand(value) : null,
    drifted,
    explanation: enough ? describe(drifted) : `Only ${Math.min(reference.length, current.length)} document(s) on one side: at least ${t.minRows} are needed to judge.`,
    reference: { count: reference.length, missing: 0 },
    current: { count: current.length, missing: 0 },
    overlay: histogram(reference, current),
  };
}

export function lengthDrift(reference: TextDriftReference, batch: BatchCounts, t: DriftThresholds): ColumnDrift {
  const ref = expand(reference.lengths);
  const median = (s: Float64Array) => (s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!);
  return numericDrift('words per document', ref, batch.lengths, t, (drifted) => {
    const d = ksTwoSample(fromSorted(ref), fromSorted(batch.lengths));
    return `Words per document (at most 3,000 counted), two-sample Kolmogorov–Smirnov test: D = ${d.statistic.toFixed(3)}, p = ${formatP(d.pValue)}; median ${median(ref)} words in training, ${median(batch.lengths)} now. ${drifted ? 'The documents are longer or shorter than in training.' : 'The lengths are about the same as in training.'}`;
  });
}

export function unseenDrift(reference: TextDriftReference, batch: BatchCounts, t: DriftThresholds): ColumnDrift {
  const ref = expand(reference.test.unseenShares);
  const testShare = reference.test.unseen / Math.max(reference.test.tokens, 1);
  const share = batch.unseen / Math.max(batch.tokens, 1);
  // Fewer unseen words than held-out documents have is no reason to worry: only more counts.
  const drift = numericDrift('unseen words per document', ref, batch.unseenShares, t, (drifted) => {
    const d = ksTwoSample(fromSorted(ref), fromSorted(batch.unseenShares));
    const verdict = drifted && share > testShare ? 'More new words (names, products, another language) than held-out documents have: words the model cannot read.' : drifted ? 'Fewer new words than held-out documents have: no reason to worry.' : 'No more new words than any held-out batch has.';
    return `${pct(share)} of the new documents' words never occur in the training documents; held-out test documents had ${pct(testShare)}. Per document, two-sample Kolmogorov–Smirnov test against the test documents: D = ${d.statistic.toFixed(3)}, p = ${formatP(d.pValue)}. ${verdict}`;
  });
  return { ...drift, drifted: drift.drifted && share > testShare };
}

/** The predicted classes now against the model's predictions on its test split: chi-squared test of homogeneity. */
export function predictionShift(reference: TextDriftReference, classes: string[], current: number[], t: DriftThresholds): ColumnDrift {
  const ref = reference.test.predictions;
  const n = current.reduce((a, b) => a + b, 0);
  const m = ref.reduce((a, b) => a + b, 0);
  const enough = n >= t.minRows && m >= t.minRows;
  const chi = chiSquaredHomogeneity(ref, current);
  const rs = ref.map((v) => v / Math.max(m, 1));
  const cs = current.map((v) => v / Math.max(n, 1));
  const value = psi(rs, cs);
  const drifted = enough && chi.pValue < t.pValue;
  const shares = (s: number[]) => classes.map((c, k) => `${c} ${pct(s[k]!)}`).join(', ');
  return {
    name: 'predicted class',
    type: 'categorical',
    status: enough ? 'judged' : 'insufficient-data',
    test: enough ? 'chi-squared' : null,
    statistic: enough ? chi.statistic : null,
    pValue: enough ? chi.pValue : null,
    threshold: enough ? t.pValue : null,
    psi: enough ? value : null,
    psiBand: enough ? psiBand(value) : null,
    drifted,
    explanation: enough
      ? `Predicted classes now (${shares(cs)}) against the model's predictions on its ${m} test documents (${shares(rs)}): chi-squared ${chi.statistic.toFixed(2)}, ${chi.df} degree(s) of freedom, p = ${formatP(chi.pValue)}.`
      : `Only ${n} document(s) predicted: at least ${t.minRows} are needed to judge the predictions.`,
    reference: { count: m, missing: 0 },
    current: { count: n, missing: 0 },
    overlay: { kind: 'categories', labels: classes, reference: rs, current: cs },
  };
}

function histogram(reference: Float64Array, current: Float64Array): Overlay | null {
  if (reference.length === 0) return null;
  const lo = reference[0]!;
  const hi = reference[reference.length - 1]!;
  const bins = 20;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const r = histogramShares(reference, edges);
  const c = histogramShares(current, edges);
  return { kind: 'histogram', edges, reference: r.inside, current: c.inside, currentBelow: c.below, currentAbove: c.above };
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
