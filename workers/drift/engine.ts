/** The drift engines' file-level core: `compareWithReference` (a current file against a reference) and `profileReference` (cache a reference). */
import { basename } from 'node:path';
import type { Engine, JobContext } from '../protocol.js';
import { throwIfCancelled, UserInputError } from '../protocol.js';
import type { CollectMode } from './collector.js';
import { compareColumn } from './compare.js';
import { performanceDrift } from './performance.js';
import type { ReferenceProfile } from './profile.js';
import { buildReferenceProfile, collectFile, scanWarnings } from './read.js';
import type { ColumnDrift, DriftReport } from './report.js';
import type { DriftInput, ProfileInput } from './schema.js';
import { DEFAULT_THRESHOLDS, type DriftThresholds } from './select.js';
import { summarise } from './summary.js';

/** Builds the reference profile of a CSV file, to cache per model version. */
export const profileReference: Engine<ProfileInput, ReferenceProfile> = async (input, ctx) => {
  const profile = await buildReferenceProfile(input.path, {
    signal: ctx.signal,
    maxPoints: input.maxPoints,
    onProgress: (fraction) => ctx.progress({ fraction: fraction * 0.95, stage: 'Reading the reference' }),
  });
  ctx.progress({ fraction: 1, stage: 'Done' });
  return profile;
};

/** Compares the current file with a reference file or profile, column by column (no model). */
export const compareWithReference = async (input: Omit<DriftInput, 'referenceProfilePath' | 'model'>, ctx: JobContext): Promise<DriftReport> => {
  const options = input.options ?? {};
  const thresholds: DriftThresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(options.thresholds ?? {}) };
  const built = input.referenceProfile === undefined;
  const profile = input.referenceProfile ?? (await readReference(input.referencePath as string, options.maxProfilePoints, ctx));
  const base = built ? 0.4 : 0;

  const referenceColumns = new Map(profile.columns.map((c) => [c.name, c]));
  const ignore = new Set(options.ignoreColumns ?? []);
  const special = new Set([options.predictionColumn, options.labelColumn].filter((c): c is string => c !== undefined));
  const wanted = options.columns ? new Set(options.columns) : null;
  const unknown = (options.columns ?? []).filter((c) => !referenceColumns.has(c));
  if (unknown.length > 0) {
    throw new UserInputError(`Column(s) not in the reference: ${unknown.join(', ')}. Check the names against the reference file's header.`);
  }
  const performanceWanted = options.referenceMetric !== undefined && options.labelColumn !== undefined && options.predictionColumn !== undefined;
  const keepRaw = new Set(performanceWanted ? [options.labelColumn as string, options.predictionColumn as string] : []);
  // Training data seldom holds the model's predictions: then the predictions are compared with
  // the reference labels, the distribution the model was trained to reproduce.
  const predictionProxy =
    options.predictionColumn !== undefined && !referenceColumns.has(options.predictionColumn) && options.labelColumn !== undefined
      ? referenceColumns.get(options.labelColumn)
      : undefined;
  const modeOf = (name: string): CollectMode | null => {
    const ref = name === options.predictionColumn && predictionProxy ? predictionProxy : referenceColumns.get(name);
    if (!ref || ignore.has(name) || (wanted !== null && !wanted.has(name) && !special.has(name))) return null;
    return ref.kind === 'numeric' ? 'numeric' : 'text';
  };
  const current = await collectFile(input.currentPath, modeOf, keepRaw, {
    signal: ctx.signal,
    onProgress: (fraction) => ctx.progress({ fraction: base + fraction * (0.9 - base), stage: 'Reading the current file' }),
  });

  const currentNames = new Set(current.names);
  const compared = profile.columns.filter((c) => !ignore.has(c.name) && (wanted === null || wanted.has(c.name) || special.has(c.name)));
  const columns: ColumnDrift[] = [];
  let predictionDrift: ColumnDrift | null = null;
  let labelDrift: ColumnDrift | null = null;
  for (const [i, ref] of compared.entries()) {
    throwIfCancelled(ctx.signal);
    ctx.progress({ fraction: 0.9 + (0.1 * i) / compared.length, stage: 'Comparing columns' });
    const collector = current.columns.get(ref.name);
    if (!collector || !currentNames.has(ref.name)) continue;
    const drift = compareColumn(ref, collector, thresholds);
    if (ref.name === options.predictionColumn) predictionDrift = drift;
    else if (ref.name === options.labelColumn) labelDrift = drift;
    else columns.push(drift);
  }

  const proxyCollector = predictionProxy ? current.columns.get(options.predictionColumn as string) : undefined;
  if (predictionProxy && proxyCollector && currentNames.has(options.predictionColumn as string)) {
    const drift = compareColumn({ ...predictionProxy, name: options.predictionColumn as string }, proxyCollector, thresholds);
    predictionDrift = {
      ...drift,
      explanation: `The reference has no ${options.predictionColumn} column, so the predictions are compared with the reference labels (${predictionProxy.name}). ${drift.explanation}`,
    };
  }

  const missingColumns = compared.filter((c) => !currentNames.has(c.name) && !special.has(c.name)).map((c) => c.name);
  const extraColumns = current.names.filter((n) => !referenceColumns.has(n) && !special.has(n));
  const judged = columns.filter((c) => c.status === 'judged' || c.status === 'type-changed');
  const driftedColumns = judged.filter((c) => c.drifted).length;
  const driftShare = judged.length === 0 ? 0 : driftedColumns / judged.length;
  const driftShareThreshold = options.driftShare ?? 0.5;

  let performance: DriftReport['performance'] = null;
  if (performanceWanted) {
    const labels = current.columns.get(options.labelColumn as string)?.raw;
    const predictions = current.columns.get(options.predictionColumn as string)?.raw;
    const metric = options.referenceMetric as NonNullable<typeof options.referenceMetric>;
    if (labels && predictions) performance = performanceDrift(labels, predictions, metric.metric, metric.value, options.performanceTolerance);
  }

  const partial = {
    columns,
    driftShare,
    datasetDrift: judged.length > 0 && driftShare >= driftShareThreshold,
    driftShareThreshold,
    judgedColumns: judged.length,
    driftedColumns,
    predictionDrift,
    labelDrift,
    performance,
    missingColumns,
    extraColumns,
    rows: { reference: profile.rows, current: current.scan.records },
    files: { reference: profile.source, current: { file: basename(input.currentPath), bytes: current.scan.bytes, sha256: current.scan.sha256 } },
    warnings: [...profile.warnings, ...scanWarnings(current.scan, 'current')],
  };
  const report: DriftReport = { ...partial, ...summarise(partial) };
  if (built && options.includeProfile) report.referenceProfile = profile;
  ctx.progress({ fraction: 1, stage: 'Done' });
  return report;
};

async function readReference(path: string, maxPoints: number | undefined, ctx: JobContext): Promise<ReferenceProfile> {
  return buildReferenceProfile(path, {
    signal: ctx.signal,
    maxPoints,
    onProgress: (fraction) => ctx.progress({ fraction: fraction * 0.4, stage: 'Reading the reference' }),
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
