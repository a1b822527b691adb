/**
 * What "knowing nothing about the row" means for the contributions: a seeded sample of the
 * version's own training rows (the train split, read again from the training file with the run's
 * settings, so exactly the rows the model learned from), with the figures the try-it form shows
 * (ranges and seen values per column). Cached as JSON per version, so the file is read once.
 *
 * A version whose training data is gone (an imported bundle, a deleted or changed file) falls back
 * to one typical row built from the saved pipeline: each column's training median or most common
 * value. The contributions then say "compared with a typical row", and the result says so.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SavedPipeline } from '../trainer/artifact.js';
import { prepare } from '../trainer/prepare.js';
import { MISSING_LEVEL, transform } from '../trainer/preprocess.js';
import { Rng } from '../trainer/random.js';
import { trainInputSchema } from '../trainer/schema.js';
import { isMissing, parseNumber } from '../trainer/values.js';
import { UserInputError } from '../protocol.js';

/** Per feature column, what the training rows held: the form's ranges and dropdowns. */
export type ColumnRange =
  | { column: string; kind: 'number'; min: number; max: number; p05: number; p95: number; missing: number }
  | { column: string; kind: 'values'; values: Array<{ value: string; count: number }>; missing: number };

/** The cache file. */
export interface BackgroundCache {
  version: 1;
  datasetSha256: string;
  /** Train-split rows of the training file. */
  trainRows: number;
  seed: number;
  header: string[];
  /** The sampled raw rows (cells as in the file). */
  rows: string[][];
  ranges: ColumnRange[];
}

/** The background handed to the estimator. */
export interface Background {
  /** Encoded rows (m × d). */
  x: Float32Array;
  m: number;
  source: 'training' | 'typical';
  /** In words, for the result. */
  note: string;
  ranges: ColumnRange[] | null;
}

/** Most distinct values kept per text column for the form. */
const MAX_VALUES = 200;

/** Reads the cache, or builds it from the training file with the run's settings (and writes it). */
export async function trainingBackground(
  cachePath: string,
  training: { input: Record<string, unknown>; datasetSha256: string },
  features: string[],
  size: number,
  seed: number,
): Promise<BackgroundCache> {
  if (existsSync(cachePath)) {
    try {
      const cached = JSON.parse(await readFile(cachePath, 'utf8')) as BackgroundCache;
      if (cached.version === 1 && cached.datasetSha256 === training.datasetSha256 && cached.seed === seed && cached.rows.length >= Math.min(size, cached.trainRows)) return cached;
    } catch {
      // A damaged cache is rebuilt below.
    }
  }
  const { runId: _runId, resumeFrom: _resume, ...settings } = trainInputSchema.parse(training.input);
  const data = await prepare(settings);
  if (data.datasetSha256 !== training.datasetSha256) {
    throw new UserInputError('The training file changed since this version was trained on it, so its rows are no longer the version\u2019s training data. Restore the original file to compare with the training rows.');
  }
  const rows = data.train.rows;
  const order = Array.from({ length: rows.length }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const sample = order.slice(0, Math.min(size, rows.length)).map((i) => rows[i]!);
  const cache: BackgroundCache = {
    version: 1,
    datasetSha256: training.datasetSha256,
    trainRows: rows.length,
    seed,
    header: data.header,
    rows: sample,
    ranges: features.map((column) => rangeOf(column, rows.map((row) => row[data.header.indexOf(column)] ?? ''))),
  };
  await mkdir(dirname(cachePath), { recursive: true });
  await writeFile(`${cachePath}.tmp`, JSON.stringify(cache));
  await rename(`${cachePath}.tmp`, cachePath);
  return cache;
}

/** A column's training values: the range of a numeric one, the seen values of any other. */
export function rangeOf(column: string, cells: string[]): ColumnRange {
  let missing = 0;
  const numbers: number[] = [];
  let text = 0;
  for (const cell of cells) {
    if (isMissing(cell)) missing++;
    else {
      const n = parseNumber(cell);
      if (n === null) text++;
      else numbers.push(n);
    }
  }
  if (numbers.length > 0 && text === 0) {
    numbers.sort((a, b) => a - b);
    const at = (q: number) => numbers[Math.min(numbers.length - 1, Math.floor(q * numbers.length))]!;
    return { column, kind: 'number', min: numbers[0]!, max: numbers.at(-1)!, p05: at(0.05), p95: at(0.95), missing };
  }
  const counts = new Map<string, number>();
  for (const cell of cells) if (!isMissing(cell)) counts.set(cell.trim(), (counts.get(cell.trim()) ?? 0) + 1);
  const values = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_VALUES).map(([value, count]) => ({ value, count }));
  return { column, kind: 'values', values, missing };
}

/** The cached sample encoded with the version's own pipeline. */
export function encodeBackground(cache: BackgroundCache, pipeline: SavedPipeline): Background {
  const { x } = transform(pipeline.preprocessing, cache.header, cache.rows);
  return {
    x,
    m: cache.rows.length,
    source: 'training',
    note: `${cache.rows.length} rows drawn at random (seed ${cache.seed}) from the ${cache.trainRows.toLocaleString('en')} training rows`,
    ranges: cache.ranges,
  };
}

/** One typical row from the pipeline alone: medians, most common categories, the usual yes/no. */
export function typicalBackground(pipeline: SavedPipeline, why: string): Background {
  const features = pipeline.preprocessing.features;
  const header = features.map((f) => f.column);
  const row = features.map((f) => {
    switch (f.kind) {
      case 'numeric':
        return String(f.scaler.median);
      case 'boolean':
        return f.mode === 1 ? f.trueValue : f.falseValue;
      case 'categorical':
        // Levels are stored most frequent first.
        return f.levels[0] === undefined || f.levels[0] === MISSING_LEVEL ? '' : f.levels[0];
      default:
        // A blank date becomes each part's median; a blank hashed value its own bucket.
        return '';
    }
  });
  const { x } = transform(pipeline.preprocessing, header, [row]);
  return { x, m: 1, source: 'typical', note: `one typical row (each column's training median or most common value): ${why}`, ranges: null };
}
