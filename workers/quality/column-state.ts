/**
 * The mergeable state of one column (plain data, posted between threads) and what folds values
 * into it: one cell, or a distinct value with its count at once (`observeValue` with a weight),
 * which is how the accumulator counts the values of its exact table — per cell it only bumps the
 * value's count, and the statistics take each value once with its count (`column.ts`).
 */
import type { KllSketch, KllState } from './kll.js';
import { addMomentWeighted, emptyMoments, mergeMoments, type Moments } from './moments.js';
import { maskPii, type PiiKind } from './pii.js';
import { emptyTextPii, type TextPiiSummary } from '../text/pii-spans.js';
import { Kind, isIsoOrdered } from './values.js';
import { detach } from './hash.js';
import { mergeTextPii } from './free-text.js';

/** The mergeable state of one column. */
export interface ColumnState {
  name: string;
  /** Non-missing cells. */
  count: number;
  missing: number;
  /** Missing cells per marker (after trimming). */
  markers: Record<string, number>;
  /** Non-missing cells per value kind, indexed by `Kind`. */
  kinds: number[];
  moments: Moments;
  min: number;
  max: number;
  zeros: number;
  negatives: number;
  minPositive: number;
  kll: KllState;
  /** Exact counts per trimmed value, until `overflow`; after that only known values keep counting. */
  values: Map<string, number>;
  overflow: boolean;
  /** HyperLogLog registers once the exact map overflowed. */
  hll: Uint8Array | null;
  whitespace: number;
  textCount: number;
  lengthSum: number;
  lengthMax: number;
  dateMin: string | null;
  dateMax: string | null;
  pii: Partial<Record<PiiKind, number>>;
  piiSamples: string[];
  /** Personal data inside free-text cells (sentences), which the whole-cell check above cannot see. */
  textPii: TextPiiSummary;
  /** A few values that are not numbers, kept to explain a MIXED_TYPES alert. */
  textExamples: string[];
}

export function emptyColumnState(name: string): ColumnState {
  return {
    name,
    count: 0,
    missing: 0,
    markers: {},
    kinds: [0, 0, 0, 0, 0],
    moments: emptyMoments(),
    min: Infinity,
    max: -Infinity,
    zeros: 0,
    negatives: 0,
    minPositive: Infinity,
    kll: { compactors: [], n: 0 },
    values: new Map(),
    overflow: false,
    hll: null,
    whitespace: 0,
    textCount: 0,
    lengthSum: 0,
    lengthMax: 0,
    dateMin: null,
    dateMax: null,
    pii: {},
    piiSamples: [],
    textPii: emptyTextPii(),
    textExamples: [],
  };
}

/** A number seen `w` times (moments, range, zeros, signs); the quantile sketch is the caller's. */
export function observeNumber(s: ColumnState, x: number, w: number): void {
  addMomentWeighted(s.moments, x, w);
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
  if (x === 0) s.zeros += w;
  else if (x < 0) s.negatives += w;
  else if (x < s.minPositive) s.minPositive = x;
}

/** A non-missing value of kind `kind` (number `x` when numeric) seen `w` times; numbers also go to `sketch` when given (w = 1). */
export function observeValue(s: ColumnState, kind: number, x: number, v: string, w: number, sketch: KllSketch | null): void {
  s.kinds[kind]! += w;
  if (kind === Kind.Integer || kind === Kind.Float) {
    observeNumber(s, x, w);
    if (sketch) sketch.update(x);
  } else if (kind === Kind.Date) {
    if (isIsoOrdered(v)) {
      if (s.dateMin === null || v < s.dateMin) s.dateMin = detach(v);
      if (s.dateMax === null || v > s.dateMax) s.dateMax = detach(v);
    }
  } else {
    s.textCount += w;
    s.lengthSum += v.length * w;
    if (v.length > s.lengthMax) s.lengthMax = v.length;
    if (kind === Kind.Text && s.textExamples.length < 5 && !s.textExamples.includes(v)) {
      s.textExamples.push(detach(v.length > 40 ? `${v.slice(0, 40)}…` : v));
    }
  }
}

/** `w` cells of personal data of `kind` with value `v` (masked samples: the first three cells). */
export function countPii(s: ColumnState, kind: PiiKind, v: string, w: number): void {
  s.pii[kind] = (s.pii[kind] ?? 0) + w;
  for (let r = 0; r < w && s.piiSamples.length < 3; r++) s.piiSamples.push(maskPii(v, kind));
}

/** `w` cells holding the in-text personal data `found` (worked out once for their value). */
export function countTextPii(s: ColumnState, found: TextPiiSummary, w: number): void {
  if (w === 1) return mergeTextPii(s.textPii, found);
  const into = s.textPii;
  into.texts += found.texts * w;
  for (const [k, n] of Object.entries(found.counts) as [PiiKind, number][]) into.counts[k] = (into.counts[k] ?? 0) + n * w;
  for (let r = 0; r < w && found.examples.length > 0 && into.examples.length < 3; r++) {
    for (const e of found.examples) if (into.examples.length < 3) into.examples.push(e);
  }
}

/** Folds everything of `o` but its values and sketches (those are the accumulator's) into `s`. */
export function mergeCounts(s: ColumnState, o: ColumnState): void {
  s.count += o.count;
  s.missing += o.missing;
  for (const [k, v] of Object.entries(o.markers)) s.markers[k] = (s.markers[k] ?? 0) + v;
  for (let i = 0; i < s.kinds.length; i++) s.kinds[i]! += o.kinds[i]!;
  s.moments = mergeMoments(s.moments, o.moments);
  s.min = Math.min(s.min, o.min);
  s.max = Math.max(s.max, o.max);
  s.zeros += o.zeros;
  s.negatives += o.negatives;
  s.minPositive = Math.min(s.minPositive, o.minPositive);
  s.whitespace += o.whitespace;
  s.textCount += o.textCount;
  s.lengthSum += o.lengthSum;
  s.lengthMax = Math.max(s.lengthMax, o.lengthMax);
  if (o.dateMin !== null && (s.dateMin === null || o.dateMin < s.dateMin)) s.dateMin = o.dateMin;
  if (o.dateMax !== null && (s.dateMax === null || o.dateMax > s.dateMax)) s.dateMax = o.dateMax;
  for (const [k, v] of Object.entries(o.pii) as [PiiKind, number][]) s.pii[k] = (s.pii[k] ?? 0) + v;
  for (const sample of o.piiSamples) if (s.piiSamples.length < 3) s.piiSamples.push(sample);
  mergeTextPii(s.textPii, o.textPii);
  for (const example of o.textExamples) if (s.textExamples.length < 5 && !s.textExamples.includes(example)) s.textExamples.push(example);
}
