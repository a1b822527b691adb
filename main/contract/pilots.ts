/** Channels of guided pilots: projects, training runs, the model versions they produce, prediction. */
import { z } from 'zod';
import type { JobOf } from './jobs.js';
import type { ModelVersion } from '../../db/models.js';
import type { Baseline, Project } from '../../db/projects.js';
import type { Run } from '../../db/runs.js';
import type { PredictResult } from '../../workers/predict/index.js';
import type { TrainResult } from '../../workers/trainer/engine.js';
import { PILOT_KINDS, PILOT_TASKS, type PilotResultCore } from '../../workers/pilot-result.js';
import { trainInputSchema } from '../../workers/trainer/schema.js';
import { channel } from './define.js';
import type { PilotVerdict } from '../verdict/pilot.js';

const id = (what: string) => z.number({ error: `Give the ${what} id (a number).` }).int().positive();
const projectId = id('project');
const path = (what: string) =>
  z
    .string({ error: `Give the path of the ${what}.` })
    .trim()
    .min(1, `Give the path of the ${what}.`)
    .max(4096, 'That path is too long.');

const amount = z.number().finite().min(0);
/** Today's figures (all optional). */
export const baselineSchema = z
  .object({
    volumePerMonth: amount.optional(),
    costOfError: amount.optional(),
    errorRate: z.number().min(0).max(1).optional(),
    hoursPerMonth: amount.optional(),
    hourlyRate: amount.optional(),
    currency: z.string().trim().max(8).optional(),
  })
  .strict();

const projectFields = {
  name: z.string().trim().min(1, 'Give the project a name.').max(120, 'Keep the name under 120 characters.'),
  question: z.string().max(2000, 'Keep the question under 2,000 characters.'),
  successMetric: z.string().trim().max(40).nullable(),
  successThreshold: z.number().finite().nullable(),
  successClass: z.string().max(200).nullable(),
  baseline: baselineSchema.nullable(),
  datasetId: id('dataset').nullable(),
  target: z.string().max(500).nullable(),
  task: z.enum(PILOT_TASKS).nullable(),
  wizard: z.record(z.string(), z.unknown()).refine((value) => JSON.stringify(value).length <= 100_000, 'The wizard state is too large (over 100 kB).'),
};

/** A project with everything the wizard shows about it. */
export interface ProjectDetail {
  project: Project;
  /** Newest first; `latest` holds each run's last metric values. */
  runs: (Run & { latest: Record<string, number>; resumable: boolean })[];
  versions: ModelVersion[];
}

/** A project in the list, with its latest version's headline. */
export interface ProjectSummary extends Project {
  versions: number;
  latestVersion: { id: number; version: number; headline: { metric: string; value: number } | null } | null;
  runningRunId: number | null;
}

/** `pilots:train`'s answer: the job that trains and the run row that records it. */
export interface TrainStarted {
  job: JobOf<'train.run'>;
  run: Run;
  /** Set when the dataset changed since import and training went ahead on the current content. */
  warning: string | null;
}

/** A training job of any pilot kind. */
export type TrainingJob = JobOf<'train.run'> | JobOf<'train.image'> | JobOf<'train.text'> | JobOf<'train.anomaly'> | JobOf<'train.forecast'>;

/** `pilots:resume`'s answer: the job that continues the run (of the run's kind) and the run row. */
export interface ResumeStarted {
  job: TrainingJob;
  run: Run;
  warning: string | null;
}

/**
 * What a pilot's training job stores as its result: the engine's result plus what registering it
 * made. In the main process `runId` is always the `runs` row id; the engine's folder key (its own
 * `runId`, the name of models/<key> and runs/<key>) is `runKey` here.
 */
export type PilotOutcome<R extends PilotResultCore = PilotResultCore> = Omit<R, 'runId'> & {
  /** The `runs` row id. */
  runId: number;
  /** The run's folder key: models/<runKey>, runs/<runKey>. */
  runKey: string;
  /** The model version registered from this run. */
  modelVersionId: number;
  /** Its number within the project. */
  version: number;
  projectId: number;
};

/** What the `train.run` job stores as its result. */
export type TrainOutcome = PilotOutcome<TrainResult>;

/** One column as the wizard's "target and features" step sees it. */
export interface ColumnInfo {
  name: string;
  kind: 'numeric' | 'boolean' | 'date' | 'categorical';
  missing: number;
  distinct: number;
  /** Why the trainer leaves it out by default (identifier, constant, personal data…), when it does. */
  exclude: string | null;
  /** A few example values. */
  examples: string[];
  /** How the column's numbers are read when they use a decimal comma or thousands separators, in one sentence; null otherwise. */
  numberFormat: string | null;
}

/** `pilots:inspect`'s answer. */
export interface DatasetInspection {
  datasetId: number;
  rows: number;
  /** Rows profiled (a sample for large files). */
  sampled: number;
  columns: ColumnInfo[];
  /** Likely targets, best first, each with why. */
  suggestions: { column: string; task: 'binary' | 'multiclass' | 'regression'; reason: string }[];
  /** Set when the dataset changed or is missing since import. */
  warning: string | null;
}

/** `pilots:run`'s answer: the run and every epoch's metrics, by key, for the charts. */
export interface RunDetail {
  run: Run;
  params: Record<string, unknown>;
  metrics: Record<string, { step: number; value: number }[]>;
  version: ModelVersion | null;
  /** The pilot verdict on the run's version (criterion, leakage, fairness, data errors, linear model), worst finding first. */
  verdict: PilotVerdict | null;
}

/** `pilots:predict`'s answer. */
export interface PredictOutcome extends PredictResult {
  modelVersionId: number;
  version: number;
  projectId: number;
}

/** Training settings: the trainer's own schema, minus what the main process decides (file, folders). */
const trainSettings = trainInputSchema.omit({ file: true, runId: true, resumeFrom: true });

export const pilotsChannels = {
  'pilots:list': channel<ProjectSummary[]>()(z.object({ archived: z.boolean().default(false) }).strict(), 'Pilot projects, most recently touched first (archived ones only when asked).'),
  'pilots:get': channel<ProjectDetail>()(z.object({ id: projectId }).strict(), 'A project with its runs (each with its latest metrics) and model versions.'),
  'pilots:create': channel<Project>()(
    z
      .object({
        name: projectFields.name,
        /** Which kind of pilot: it picks the wizard's branch, the training job and the predictor. Fixed once created. */
        kind: z.enum(PILOT_KINDS).default('tabular'),
        question: projectFields.question.optional(),
        datasetId: projectFields.datasetId.optional(),
      })
      .strict(),
    'Creates a pilot project (the name must be unused).',
  ),
  'pilots:update': channel<Project>()(
    z
      .object({
        id: projectId,
        name: projectFields.name.optional(),
        question: projectFields.question.optional(),
        successMetric: projectFields.successMetric.optional(),
        successThreshold: projectFields.successThreshold.optional(),
        successClass: projectFields.successClass.optional(),
        baseline: projectFields.baseline.optional(),
        datasetId: projectFields.datasetId.optional(),
        target: projectFields.target.optional(),
        task: projectFields.task.optional(),
        wizard: projectFields.wizard.optional(),
      })
      .strict(),
    "Saves the wizard's state and the project's goal, success criterion and today's figures (fields absent are left as they are).",
  ),
  'pilots:delete': channel<{ archived: boolean }>()(z.object({ id: projectId }).strict(), 'Archives a project (its runs and versions are kept).'),
  'pilots:inspect': channel<DatasetInspection>()(
    z.object({ datasetId: id('dataset') }).strict(),
    "A dataset's columns with their inferred kinds and the trainer's default exclusions, and suggested targets.",
  ),
  'pilots:train': channel<TrainStarted>()(
    trainSettings
      .extend({
        projectId,
        datasetId: id('dataset'),
        /** Train even though the file changed since import (on its current content). */
        allowChanged: z.boolean().default(false),
      })
      .strict(),
    'Starts a training run of a project on a registered dataset; the job streams one progress detail per epoch and its result registers a model version.',
  ),
  'pilots:resume': channel<ResumeStarted>()(
    z.object({ runId: id('run') }).strict(),
    'Continues an interrupted, failed or cancelled run from its last checkpoint, with the same settings.',
  ),
  'pilots:run': channel<RunDetail>()(z.object({ id: id('run') }).strict(), "A run, its settings and every epoch's metrics, for the charts."),
  'pilots:predict': channel<JobOf<'predict.run'>>()(
    z
      .object({
        /** A model version: its id, or PROJECT@N, PROJECT@alias, PROJECT@production / @staging, PROJECT@latest. */
        model: z.union([id('model version'), z.string().trim().min(1, 'Give a model version id or PROJECT@VERSION.')]),
        path: path('CSV file to predict'),
        outPath: path('output CSV file'),
        /** Forecast models: how many steps ahead to write (default: the horizon the model was trained for). */
        horizon: z.number().int().min(1).max(1000).optional(),
        /** Replace an existing output file (otherwise it is refused). */
        force: z.boolean().optional(),
        /** Prefix cells a spreadsheet would run as formulas with `'` (default true). */
        escapeFormulas: z.boolean().optional(),
      })
      .strict(),
    'Queues a job that applies a model version to the rows of a CSV file and writes them with prediction columns added; its result is a PredictOutcome.',
  ),
};

export type { Baseline, ModelVersion, Project, Run };
