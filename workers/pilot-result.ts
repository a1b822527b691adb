/**
 * What every pilot kind's training result has in common, so the main process registers a model
 * version from any of them the same way (runs, epochs, test metrics, the version and its event).
 * A kind's engine returns its own result type extending `PilotResultCore`.
 */
import type { BackendName, BackendStatus } from './tfjs/backend.js';
import type { FirstBatchReport } from './tfjs/first-batch.js';
import type { Checksums } from './trainer/artifact.js';

/** The kinds of pilot the wizard offers. */
export type PilotKind = 'tabular' | 'image' | 'text' | 'anomaly' | 'forecast';

/** Every pilot kind, in the order the wizard lists them. */
export const PILOT_KINDS = ['tabular', 'image', 'text', 'anomaly', 'forecast'] as const satisfies readonly PilotKind[];

/** Every task a pilot's model can have. */
export const PILOT_TASKS = ['binary', 'multiclass', 'regression', 'anomaly', 'forecast'] as const;
/** What a model does: classify (binary, multiclass), estimate an amount, flag anomalies, or forecast. */
export type PilotTask = (typeof PILOT_TASKS)[number];

/** The training job of each pilot kind. */
export const PILOT_JOB_KINDS = {
  tabular: 'train.run',
  image: 'train.image',
  text: 'train.text',
  anomaly: 'train.anomaly',
  forecast: 'train.forecast',
} as const satisfies Record<PilotKind, string>;

/** One epoch of training: the numbers every kind reports, plus its own (accuracy, RMSE, …). */
export interface PilotEpoch {
  epoch: number;
  loss: number;
  valLoss: number;
  /** Training samples (rows, images, documents, windows) per second in this epoch. */
  samplesPerSec: number;
  seconds: number;
}

/** The fields every pilot kind's training result has. */
export interface PilotResultCore {
  /** Which kind of pilot trained this model; also written to the artifact's metadata.json. */
  kind: PilotKind;
  /** The run's folder key: the model is in models/<runId>, checkpoints in runs/<runId>. */
  runId: string;
  /** The backend that trained the model. */
  backend: BackendName;
  /** Why this backend: what it is, and why each better one was not used. */
  backendReason: string;
  /** Every backend that was tried, with its status. */
  backends: BackendStatus[];
  /**
   * The first training batch: its seconds apart from the rest (kernel compilation on a new GPU),
   * and on tfjs-node-gpu whether nvidia-smi showed the worker on the GPU. Absent in results of
   * earlier versions; null when training never reached a batch.
   */
  firstBatch?: FirstBatchReport | null;
  /** 'binary' | 'multiclass' | 'regression' | 'anomaly' | 'forecast'. */
  task: string;
  /** The label or value column ('' when there is none). */
  target: string;
  /** The classes, when the task classifies (binary: the positive class). */
  classes?: string[];
  /** Rows (samples) in each split. */
  rows: { train: number; validation: number; test: number };
  /** The network's metrics on the test split; each top-level number becomes a `test.<name>` metric row. */
  metrics: object;
  /** Each baseline's test metrics, by baseline name. */
  baselines: Record<string, object>;
  /** The headline metric of the network and of each baseline (same names as in `baselines`). */
  summary: { metric: string; network: number; lowerIsBetter?: boolean; [baseline: string]: number | string | boolean | undefined };
  /** Every epoch's figures, in order. */
  epochs: PilotEpoch[];
  /** The epoch whose weights were kept. */
  bestEpoch: number;
  /** Whether early stopping ended training before the last epoch. */
  stoppedEarly: boolean;
  /** Training samples per second over all epochs (images/s, documents/s, rows/s, windows/s). */
  samplesPerSec: number;
  /** Seconds spent training (evaluation excluded). */
  trainSeconds: number;
  /** The settings the model was trained with. */
  hyperparameters: object;
  /** Trainable parameters of the network. */
  parameters: number;
  /** The model folder (model.json, weights.bin, preprocessing.json, metadata.json, checksums.json). */
  artifactDir: string;
  /** SHA-256 of every artifact file (checksums.json). */
  checksums: Checksums;
  /** SHA-256 of the training data (for a folder: over the sorted list of relative path, size and file SHA-256). */
  datasetSha256: string;
  /** The epoch training resumed after, when it continued from a checkpoint. */
  resumedFromEpoch: number | null;
  /** Things the user should know about this run, in plain words. */
  warnings: string[];
}
