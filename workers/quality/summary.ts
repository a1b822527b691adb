/**
 * Turns a column's merged state into its report: the inferred type, quantiles and histogram
 * from the sketch, and the flags (constant, unique, high cardinality, suspicious zeros).
 */
import type { ColumnAccumulator } from './column.js';
import type { Distribution } from './distribution.js';
import { skewOf, stdOf } from './moments.js';
import type { ColumnReport, ColumnType } from './report.js';
import { THRESHOLDS as T } from './thresholds.js';
import { Kind } from './values.js';
import { detectPii, maskPii } from './pii.js';

/** A value as it may appear in a report: personal data masked. */
export function safeValue(v: string): string {
  const kind = detectPii(v);
  return kind ? maskPii(v, kind) : v;
}

const QUANTILES = { p1: 0.01, p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 } as const;
const HISTOGRAM_BINS = 20;

export function summarizeColumn(acc: ColumnAccumulator): ColumnReport {
  const s = acc.s;
  const { value: distinct, estimated } = acc.distinct();
  const kinds = {
    integer: s.kinds[Kind.Integer]!,
    float: s.kinds[Kind.Float]!,
    boolean: s.kinds[Kind.Boolean]!,
    date: s.kinds[Kind.Date]!,
    text: s.kinds[Kind.Text]!,
  };
  const type = inferType(s.count, kinds, distinct, s.values, s.lengthSum / Math.max(s.textCount, 1), s.dateMax);
  const numeric = type === 'integer' || type === 'float' || (type === 'boolean' && kinds.integer > 0) || (type === 'identifier' && kinds.integer + kinds.float === s.count);
  const sketch = acc.distribution();
  const quantiles = numeric && s.moments.n > 0 ? mapValues(QUANTILES, (q) => sketch.quantile(q)) : null;
  let outliers: number | null = null;
  let histogram: ColumnReport['histogram'] = null;
  if (numeric && quantiles && s.moments.n > 0) {
    const iqr = quantiles.p75 - quantiles.p25;
    const below = sketch.cdf(quantiles.p25 - 1.5 * iqr, true);
    const above = 1 - sketch.cdf(quantiles.p75 + 1.5 * iqr);
    outliers = Math.round(s.moments.n * (below + above));
    histogram = makeHistogram(sketch, s.min, s.max, type === 'integer');
  }
  const entries = [...s.values.entries()].sort((a, b) => b[1] - a[1]);
  const topValues = entries.slice(0, 10).map(([value, count]) => ({ value: safeValue(value.length > 80 ? `${value.slice(0, 80)}…` : value), count }));
  const numericShare = (kinds.integer + kinds.float) / Math.max(s.count, 1);
  const mixedExamples = numeric && numericShare < 1 ? s.textExamples.slice(0, 5).map(safeValue) : [];
  const isText = type === 'categorical' || type === 'text' || type === 'identifier';
  const flags = {
    constant: s.count > 0 && distinct === 1,
    unique: s.count > 1 && !estimated && distinct === s.count,
    highCardinality: (type === 'categorical' || type === 'text') && distinct > T.highCardinality,
    suspiciousZeros: numeric && type !== 'boolean' && suspiciousZeros(acc, quantiles, entries),
  };
  const dateType = type === 'date' || type === 'datetime';
  return {
    name: s.name,
    type,
    count: s.count,
    missing: s.missing,
    missingMarkers: s.markers,
    distinct,
    distinctEstimated: estimated,
    min: numeric && s.moments.n > 0 ? s.min : dateType ? s.dateMin : null,
    max: numeric && s.moments.n > 0 ? s.max : dateType ? s.dateMax : null,
    mean: numeric && s.moments.n > 0 ? s.moments.mean : null,
    std: numeric ? stdOf(s.moments) : null,
    skewness: numeric ? skewOf(s.moments) : null,
    quantiles,
    histogram,
    zeros: s.zeros,
    negatives: s.negatives,
    outliers,
    topValues,
    topApproximate: s.overflow,
    kinds,
    whitespace: s.whitespace,
    caseVariants: isText ? caseVariants(s.values) : [],
    meanLength: s.textCount > 0 ? s.lengthSum / s.textCount : null,
    maxLength: s.textCount > 0 ? s.lengthMax : null,
    pii: s.pii,
    piiSamples: s.piiSamples,
    textPii: s.textPii,
    mixedExamples,
    flags,
    numberFormat: null,
  };
}

export function inferType(
  count: number,
  kinds: ColumnReport['kinds'],
  distinct: number,
  values: Map<string, number>,
  meanLength: number,
  dateMax: string | null,
): ColumnType {
  if (count === 0) return 'empty';
  const major = T.typeMajority * count;
  const numbers = kinds.integer + kinds.float;
  if (kinds.boolean >= major) return 'boolean';
  if (numbers >= major) {
    if (distinct <= 2 && [...values.keys()].every((v) => v === '0' || v === '1')) return 'boolean';
    if (kinds.float === 0 && distinct >= 0.99 * count && count > 50) return 'identifier';
    return kinds.float > 0 ? 'float' : 'integer';
  }
  if (kinds.date >= major) return dateMax !== null && dateMax.length > 10 ? 'datetime' : 'date';
  const ratio = distinct / count;
  if (ratio >= T.identifierRatio && count > 50 && meanLength <= 64) return 'identifier';
  if (distinct <= T.highCardinality || (ratio <= 0.5 && meanLength <= 40)) return 'categorical';
  return 'text';
}

function suspiciousZeros(acc: ColumnAccumulator, quantiles: ColumnReport['quantiles'], entries: [string, number][]): boolean {
  const s = acc.s;
  const n = s.moments.n;
  if (!quantiles || n === 0 || s.negatives > 0 || s.zeros === 0) return false;
  const share = s.zeros / n;
  if (share < T.zerosMinShare || share > T.zerosMaxShare || n - s.zeros < 10) return false;
  const iqr = quantiles.p75 - quantiles.p25;
  const gap = iqr > 0 && s.minPositive > T.zerosGapIqr * iqr;
  let topPositive = 0;
  for (const [value, count] of entries) {
    if (Number(value) !== 0) {
      topPositive = count;
      break;
    }
  }
  const spike = topPositive > 0 && s.zeros >= T.zerosSpike * topPositive;
  return gap || spike;
}

function makeHistogram(sketch: Distribution, min: number, max: number, integer: boolean): ColumnReport['histogram'] {
  if (!(max >= min)) return null;
  let edges: number[];
  if (integer && max - min < HISTOGRAM_BINS) {
    edges = Array.from({ length: max - min + 2 }, (_, i) => min - 0.5 + i);
  } else if (max === min) {
    edges = [min - 0.5, min + 0.5];
  } else {
    const width = (max - min) / HISTOGRAM_BINS;
    edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => min + i * width);
  }
  return { edges: edges.map((e) => round(e)), counts: sketch.histogram(edges) };
}

function caseVariants(values: Map<string, number>): string[][] {
  const groups = new Map<string, string[]>();
  for (const key of values.keys()) {
    const lower = key.toLowerCase();
    if (lower === key.toUpperCase()) continue; // no letters
    const g = groups.get(lower);
    if (g) g.push(key);
    else groups.set(lower, [key]);
  }
  const out: string[][] = [];
  for (const g of groups.values()) {
    if (g.length > 1) out.push(g.slice(0, 5).map(safeValue));
    if (out.length >= 5) break;
  }
  return out;
}

function mapValues<K extends string>(o: Record<K, number>, f: (v: number) => number): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(o) as K[]) out[k] = f(o[k]);
  return out;
}

function round(x: number): number {
  return Number.isInteger(x) ? x : Number(x.toPrecision(10));
}
