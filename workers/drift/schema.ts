/** Input schemas for the IPC/CLI boundary (zod 4). */
import { z } from 'zod';
import type { CategoricalColumnProfile, NumericColumnProfile, ReferenceProfile } from './profile.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();

const numericColumnSchema = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  count,
  missing: count,
  mean: finite,
  std: finite,
  min: finite,
  max: finite,
  distinct: count,
  exact: z.boolean(),
  points: z.array(finite),
  weights: z.array(count),
  psiEdges: z.array(finite),
  psiShares: z.array(finite),
  histogram: z.object({ edges: z.array(finite), shares: z.array(finite) }),
}) satisfies z.ZodType<NumericColumnProfile>;

const categoricalColumnSchema = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  count,
  missing: count,
  categories: z.array(z.string()),
  counts: z.array(count),
  otherCount: count,
}) satisfies z.ZodType<CategoricalColumnProfile>;

/** A cached reference profile (as `buildReferenceProfile` returns it). */
export const referenceProfileSchema = z.object({
  version: z.literal(1),
  rows: count,
  source: z.object({ file: z.string(), bytes: count, sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  columns: z.array(z.discriminatedUnion('kind', [numericColumnSchema, categoricalColumnSchema])),
  warnings: z.array(z.string()),
  predictions: z.discriminatedUnion('kind', [numericColumnSchema, categoricalColumnSchema]).optional(),
}) satisfies z.ZodType<ReferenceProfile>;

const probability = z.number().gt(0).lt(1);

/** Options of a drift check; every field has a default. */
export const driftOptionsSchema = z.object({
  /** Decision thresholds (Evidently's defaults). */
  thresholds: z
    .object({
      smallReferenceRows: count,
      pValue: probability,
      wasserstein: z.number().positive(),
      jensenShannon: z.number().positive(),
      maxDiscreteValues: z.number().int().min(2),
      minRows: z.number().int().min(1),
    })
    .partial()
    .optional(),
  /** Share of drifted columns that makes dataset drift (default 0.5). */
  driftShare: z.number().gt(0).max(1).optional(),
  /** The model's output column: reported as prediction drift, left out of the feature share. */
  predictionColumn: z.string().min(1).optional(),
  /** The true outcome column: reported as label drift, left out of the feature share. */
  labelColumn: z.string().min(1).optional(),
  /** The registered test metric; with label and prediction columns in the current file, gives performance drift. */
  referenceMetric: z.object({ metric: z.enum(['accuracy', 'mae', 'rmse']), value: finite }).optional(),
  /** Relative drop of the metric counted as degraded (default 0.05 = 5% of the registered value). */
  performanceTolerance: z.number().nonnegative().optional(),
  /** Compare only these columns (default: all columns of the reference). */
  columns: z.array(z.string()).optional(),
  /** Leave these columns out (identifiers, timestamps). */
  ignoreColumns: z.array(z.string()).optional(),
  /** Return the reference profile built in this run, so the caller can cache it. */
  includeProfile: z.boolean().optional(),
  /** Support points kept per numeric column in a profile (default 2000). */
  maxProfilePoints: z.number().int().min(100).max(100_000).optional(),
});

export type DriftOptions = z.infer<typeof driftOptionsSchema>;

/** A saved model version applied to both sides: prediction drift, and performance drift when the current file has labels. */
export const driftModelSchema = z.object({
  /** The version's artifact folder (as `predictRows` reads it). */
  artifactDir: z.string().min(1),
  /** Anomaly versions: their scores are the predictions; forecast versions: their own drift checks, no reference file. */
  task: z.enum(['binary', 'multiclass', 'regression', 'anomaly', 'forecast']),
  /**
   * `text`: its reference (words, lengths, vocabulary, test predictions) is saved with the model; `image`: the version's pictures
   * are compared through their statistics (workers/image/drift.ts), its training summary saved with the model.
   */
  kind: z.enum(['text', 'image']).optional(),
  /** The target column: reported as label drift; with it in the current file, performance is measured ('' for an anomaly model without labels). */
  target: z.string(),
  /** The version's registered test metrics (`accuracy` for classifiers, `mae` for regression are used). */
  testMetrics: z.record(z.string(), z.unknown()),
  /** Binary: the version's operating threshold on P(positive) (default 0.5). */
  threshold: z.number().gt(0).lt(1).optional(),
  /** The training data's name and SHA-256, named as the reference of a forecast version's report. */
  trainingFile: z.string().optional(),
  datasetSha256: z.string().optional(),
});

export type DriftModel = z.infer<typeof driftModelSchema>;

/**
 * Input of `checkDrift`: the current file, and a reference file, a cached profile, or the path of a
 * cached profile's JSON file (exactly one). The path form keeps a big profile out of the job row.
 */
export const driftInputSchema = z
  .object({
    currentPath: z.string().min(1),
    referencePath: z.string().min(1).optional(),
    referenceProfile: referenceProfileSchema.optional(),
    referenceProfilePath: z.string().min(1).optional(),
    model: driftModelSchema.optional(),
    options: driftOptionsSchema.optional(),
  })
  // A forecast version's reference (backtest errors, training profiles) is saved with the model.
  .refine((input) => [input.referencePath, input.referenceProfile, input.referenceProfilePath].filter((r) => r !== undefined).length === (input.model?.task === 'forecast' || input.model?.kind === 'text' || input.model?.kind === 'image' ? 0 : 1), {
    message: 'Give exactly one of referencePath, referenceProfile and referenceProfilePath (none for a forecast, text or image model version).',
  });

export type DriftInput = z.infer<typeof driftInputSchema>;

/** Input of `profileReference`. */
export const profileInputSchema = z.object({
  path: z.string().min(1),
  maxPoints: z.number().int().min(100).max(100_000).optional(),
});

export type ProfileInput = z.infer<typeof profileInputSchema>;
