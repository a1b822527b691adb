/** One column: reference profile vs the current batch → a verdict with its explanation. */
import { chiSquaredHomogeneity, twoProportionZ } from './categorical.js';
import type { ColumnCollector } from './collector.js';
import { fromSorted, meanStd, runLengths, type Distribution } from './distribution.js';
import { jensenShannon, normedWasserstein } from './distance.js';
import { ksTwoSample } from './ks.js';
import { parseNumberAt } from './numbers.js';
import { histogramShares, type CategoricalColumnProfile, type ColumnProfile, type NumericColumnProfile } from './profile.js';
import { binShares, psi, psiBand, PSI_BINS } from './psi.js';
import type { ColumnDrift, Overlay } from './report.js';
import { chooseTest, type DriftThresholds, type TestChoice } from './select.js';

/** Most categories (or distinct values) drawn in an overlay; the rest pool into "(other)". */
const OVERLAY_CATEGORIES = 15;
const OTHER = '(other)';

/** Counts of the same keys on both sides. */
interface Table {
  keys: string[];
  reference: number[];
  current: number[];
}

export function compareColumn(ref: ColumnProfile, cur: ColumnCollector, t: DriftThresholds): ColumnDrift {
  return ref.kind === 'numeric' ? compareNumeric(ref, cur, t) : compareCategorical(ref, cur, t);
}

function base(ref: ColumnProfile, currentCount: number, currentMissing: number): ColumnDrift {
  return {
    name: ref.name, type: ref.kind, status: 'judged', test: null, statistic: null, pValue: null, threshold: null,
    psi: null, psiBand: null, drifted: false, explanation: '',
    reference: { count: ref.count, missing: ref.missing }, current: { count: currentCount, missing: currentMissing }, overlay: null,
  };
}

/** Too few values on either side: say so rather than guess. */
function insufficient(drift: ColumnDrift, t: DriftThresholds): ColumnDrift | null {
  const { reference, current } = drift;
  if (reference.count >= t.minRows && current.count >= t.minRows) return null;
  const side = current.count < t.minRows ? `the current file has ${current.count}` : `the reference has ${reference.count}`;
  return {
    ...drift,
    status: 'insufficient-data',
    explanation: `Cannot judge: ${side} non-missing value${(current.count < t.minRows ? current.count : reference.count) === 1 ? '' : 's'}; at least ${t.minRows} are needed on each side.`,
  };
}

function compareNumeric(ref: NumericColumnProfile, cur: ColumnCollector, t: DriftThresholds): ColumnDrift {
  const drift = base(ref, cur.count, cur.missing);
  if (cur.kind !== 'numeric' || cur.nonNumeric > cur.count) {
    const text = cur.kind === 'numeric' ? cur.nonNumeric : cur.categoryTotal();
    const examples = cur.examples.length > 0 ? ` (e.g. ${cur.examples.slice(0, 3).map((e) => `"${e}"`).join(', ')})` : '';
    return {
      ...drift,
      status: 'type-changed',
      drifted: true,
      explanation: `Type changed: numbers in the reference, but ${text.toLocaleString('en-US')} of ${(text + cur.count).toLocaleString('en-US')} current values are text${examples}. Check how the file was exported.`,
    };
  }
  const short = insufficient(drift, t);
  if (short) return short;
  const sorted = cur.sortedValues();
  const current = fromSorted(sorted);
  const reference: Distribution = { values: ref.points, weights: ref.weights, total: ref.count };
  const distinct = unionDistinct(ref, sorted, Math.max(t.maxDiscreteValues, OVERLAY_CATEGORIES));
  const choice = chooseTest('numeric', ref.count, distinct, t);
  let result: Pick<ColumnDrift, 'statistic' | 'pValue' | 'pValueMethod' | 'drifted'>;
  const table = ref.exact && distinct <= Math.max(t.maxDiscreteValues, PSI_BINS) ? valueTable(ref, sorted) : null;
  if (choice.test === 'ks') {
    const ks = ksTwoSample(reference, current);
    result = { statistic: ks.statistic, pValue: ks.pValue, pValueMethod: ks.method, drifted: ks.pValue < choice.threshold };
  } else if (choice.test === 'wasserstein') {
    const w = normedWasserstein(reference, current, ref.std);
    result = { statistic: w, pValue: null, drifted: w >= choice.threshold };
  } else {
    result = categoricalTest(choice, table ?? valueTable(ref, sorted));
  }
  const psiValue = table ? psi(shares(table.reference), shares(table.current)) : psi(ref.psiShares, binShares(sorted, ref.psiEdges));
  const mean = meanStd(current).mean;
  const shift = `Mean ${formatNumber(ref.mean)} → ${formatNumber(mean)}${ref.mean !== 0 ? ` (${signedPercent((mean - ref.mean) / Math.abs(ref.mean))})` : ''}.`;
  const skipped = cur.nonNumeric > 0 ? ` ${cur.nonNumeric} non-numeric current value(s) were ignored.` : '';
  return {
    ...drift,
    ...result,
    test: choice.test,
    threshold: choice.threshold,
    psi: psiValue,
    psiBand: psiBand(psiValue),
    explanation: `${choice.reason} ${verdict(choice, result.statistic, result.pValue, result.drifted)} ${shift}${skipped}`,
    overlay: ref.exact && distinct <= OVERLAY_CATEGORIES ? categoryOverlay(valueTable(ref, sorted)) : histogramOverlay(ref, sorted),
  };
}

function compareCategorical(ref: CategoricalColumnProfile, cur: ColumnCollector, t: DriftThresholds): ColumnDrift {
  const currentCount = cur.kind === 'numeric' ? cur.count : cur.categoryTotal();
  const drift = base(ref, currentCount, cur.missing);
  const unique = ref.count > 50 && ref.otherCount === 0 && ref.categories.length === ref.count;
  if (unique || (ref.otherCount > 0 && ref.counts.every((c) => c === 1))) {
    return { ...drift, status: 'skipped', explanation: 'Skipped: every reference value is different (an identifier or a date), so there is no distribution to compare.' };
  }
  if (looksLikeDates(ref.categories)) {
    return {
      ...drift,
      status: 'skipped',
      explanation: 'Skipped: the values are dates or times, and new data always brings new dates. Leave the column out, or derive month or weekday columns to compare.',
    };
  }
  const refNumeric = ref.categories.some((c) => !Number.isNaN(parseNumberAt(c, 0, c.length)));
  const curKeys = [...cur.counts.keys()];
  if (!refNumeric && curKeys.length > 0 && curKeys.every((c) => !Number.isNaN(parseNumberAt(c, 0, c.length)))) {
    return {
      ...drift,
      status: 'type-changed',
      drifted: true,
      explanation: `Type changed: text categories in the reference (e.g. "${ref.categories[0] ?? ''}"), only numbers now (e.g. "${curKeys[0] ?? ''}"). Check how the file was exported.`,
    };
  }
  const short = insufficient(drift, t);
  if (short) return short;
  const table = categoryTable(ref, cur);
  const choice = chooseTest('categorical', ref.count, table.keys.length, t);
  const result = categoricalTest(choice, table);
  const psiValue = psi(shares(table.reference), shares(table.current));
  const unseen = table.keys.filter((_, i) => table.reference[i] === 0 && (table.current[i] as number) > 0);
  const vanished = table.keys.filter((_, i) => (table.reference[i] as number) > 0 && table.current[i] === 0);
  const notes = [
    unseen.length > 0 ? `New categories: ${list(unseen)}.` : '',
    vanished.length > 0 ? `Categories now empty: ${list(vanished)}.` : '',
  ].filter(Boolean);
  return {
    ...drift,
    ...result,
    test: choice.test,
    threshold: choice.threshold,
    psi: psiValue,
    psiBand: psiBand(psiValue),
    explanation: [choice.reason, verdict(choice, result.statistic, result.pValue, result.drifted), ...notes].join(' '),
    overlay: categoryOverlay(table),
  };
}

const DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** At least 95% of the (most frequent) categories read as dates or date-times. */
function looksLikeDates(categories: string[]): boolean {
  const sample = categories.slice(0, 200);
  if (sample.length < 3) return false;
  return sample.filter((c) => DATE.test(c)).length >= 0.95 * sample.length;
}

function categoricalTest(choice: TestChoice, table: Table): Pick<ColumnDrift, 'statistic' | 'pValue' | 'drifted'> {
  if (choice.test === 'z') {
    // Evidently takes one category as "success"; for two categories either gives the same |z|.
    const nr = sum(table.reference);
    const nc = sum(table.current);
    const z = twoProportionZ(table.reference[0] ?? 0, nr, table.current[0] ?? 0, nc);
    return { statistic: z.statistic, pValue: z.pValue, drifted: z.pValue < choice.threshold };
  }
  if (choice.test === 'chi-squared') {
    const chi = chiSquaredHomogeneity(table.reference, table.current);
    return { statistic: chi.statistic, pValue: chi.pValue, drifted: chi.pValue < choice.threshold };
  }
  const js = jensenShannon(table.reference, table.current);
  return { statistic: js, pValue: null, drifted: js >= choice.threshold };
}

/** Distinct values of reference ∪ current, counted up to `cap + 1`. */
function unionDistinct(ref: NumericColumnProfile, sorted: Float64Array, cap: number): number {
  if (!ref.exact || ref.distinct > cap) return Math.max(ref.distinct, cap + 1);
  const seen = new Set<number>(ref.points);
  for (let i = 0; i < sorted.length && seen.size <= cap; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) seen.add(sorted[i] as number);
  }
  return seen.size;
}

/** Value-by-value counts of an exact numeric reference and the current values. */
function valueTable(ref: NumericColumnProfile, sorted: Float64Array): Table {
  const counts = new Map<number, [number, number]>();
  ref.points.forEach((v, i) => counts.set(v, [ref.weights[i] ?? 0, 0]));
  const runs = runLengths(sorted);
  runs.values.forEach((v, i) => {
    const entry = counts.get(v) ?? [0, 0];
    entry[1] += runs.counts[i] ?? 0;
    counts.set(v, entry);
  });
  const keys = [...counts.keys()].sort((a, b) => a - b);
  return {
    keys: keys.map((k) => formatNumber(k)),
    reference: keys.map((k) => counts.get(k)?.[0] ?? 0),
    current: keys.map((k) => counts.get(k)?.[1] ?? 0),
  };
}

function categoryTable(ref: CategoricalColumnProfile, cur: ColumnCollector): Table {
  const keys = [...ref.categories];
  const reference = [...ref.counts];
  const current = ref.categories.map((c) => cur.counts.get(c) ?? 0);
  const known = new Set(ref.categories);
  for (const [c, n] of cur.counts) {
    if (known.has(c)) continue;
    keys.push(c);
    reference.push(0);
    current.push(n);
  }
  if (ref.otherCount > 0 || cur.otherCount > 0) {
    keys.push(OTHER);
    reference.push(ref.otherCount);
    current.push(cur.otherCount);
  }
  return { keys, reference, current };
}

function categoryOverlay(table: Table): Overlay {
  const order = table.keys.map((_, i) => i).sort((a, b) => (table.reference[b] as number) + (table.current[b] as number) - ((table.reference[a] as number) + (table.current[a] as number)));
  const keep = table.keys.length <= OVERLAY_CATEGORIES ? table.keys.map((_, i) => i) : order.slice(0, OVERLAY_CATEGORIES - 1);
  const ref = shares(table.reference);
  const cur = shares(table.current);
  const labels = keep.map((i) => table.keys[i] as string);
  const reference = keep.map((i) => ref[i] as number);
  const current = keep.map((i) => cur[i] as number);
  if (keep.length < table.keys.length) {
    labels.push(OTHER);
    reference.push(Math.max(0, 1 - sum(reference)));
    current.push(Math.max(0, 1 - sum(current)));
  }
  return { kind: 'categories', labels, reference, current };
}

/** Most bins of the reference's width added on either side for current values outside its range. */
const EXTRA_BINS = 20;

/**
 * The reference histogram, extended by bins of the same width over current values below or above
 * the reference range (reference share 0 there), so a shifted batch shows where it went.
 */
function histogramOverlay(ref: NumericColumnProfile, sorted: Float64Array): Overlay {
  const base = ref.histogram.edges;
  const first = base[0] as number;
  const last = base[base.length - 1] as number;
  const width = base.length > 1 ? (last - first) / (base.length - 1) : 0;
  let edges = base;
  let reference = ref.histogram.shares;
  if (width > 0 && sorted.length > 0) {
    const lo = sorted[0] as number;
    const hi = sorted[sorted.length - 1] as number;
    const below = lo < first ? Math.min(EXTRA_BINS, Math.ceil((first - lo) / width)) : 0;
    const above = hi > last ? Math.min(EXTRA_BINS, Math.ceil((hi - last) / width)) : 0;
    edges = [
      ...Array.from({ length: below }, (_, i) => first - (below - i) * width),
      ...base,
      ...Array.from({ length: above }, (_, i) => last + (i + 1) * width),
    ];
    reference = [...new Array<number>(below).fill(0), ...reference, ...new Array<number>(above).fill(0)];
  }
  const h = histogramShares(sorted, edges);
  return { kind: 'histogram', edges, reference, current: h.inside, currentBelow: h.below, currentAbove: h.above };
}

function verdict(choice: TestChoice, statistic: number | null, pValue: number | null, drifted: boolean): string {
  if (pValue !== null) {
    return drifted
      ? `p = ${formatP(pValue)} < ${choice.threshold}: the distribution changed.`
      : `p = ${formatP(pValue)} ≥ ${choice.threshold}: no significant change.`;
  }
  const d = (statistic ?? 0).toFixed(3);
  return drifted ? `Distance ${d} ≥ ${choice.threshold}: the distribution changed.` : `Distance ${d} < ${choice.threshold}: no meaningful change.`;
}

function shares(counts: number[]): number[] {
  const total = sum(counts);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

function sum(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function list(items: string[]): string {
  const shown = items.slice(0, 5).map((s) => `"${s}"`).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  return n.toLocaleString('en-US', { maximumSignificantDigits: abs >= 1 ? Math.max(3, Math.ceil(Math.log10(abs + 1)) + 2) : 3 });
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.01 ? 2 : 0)}%`;
}
