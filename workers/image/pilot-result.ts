/**
 * The fields every pilot kind's training result shares (a local copy of the contract until the
 * architecture step's workers/pilot-result.ts is on this branch; same names and meanings).
 */
import type { BackendName, BackendStatus } from '../tfjs/backend.js';
import type { Checksums } from '../trainer/artifact.js';

/** One epoch of a training history. */
export interface EpochRecordCore {
  epoch: number;
  loss: number;
  valLoss: number;
  samplesPerSec: number;
  seconds: number;
}

/** What every training engine's result holds. */
export interface PilotResultCore {
  kind: 'tabular' | 'image' | 'text' | 'anomaly' | 'forecast';
  /** Folder key: models/<runId>, runs/<runId>. */
  runId: string;
  backend: BackendName;
  backendReason: string;
  backends: BackendStatus[];
  task: string;
  /** Label column ('label' for a folder tree). */
  target: string;
  classes?: string[];
  rows: { train: number; validation: number; test: number };
  /** The network's test metrics. */
  metrics: object;
  /** Each baseline's test metrics, by name. */
  baselines: Record<string, object>;
  /** Headline metric of the network and each baseline. */
  summary: { metric: string; network: number; lowerIsBetter?: boolean; [baseline: string]: number | string | boolean | undefined };
  epochs: EpochRecordCore[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training samples (images) per second. */
  samplesPerSec: number;
  trainSeconds: number;
  hyperparameters: Record<string, unknown>;
  parameters: number;
  artifactDir: string;
  checksums: Checksums;
  /** SHA-256 over the sorted (relative path, size, file SHA-256) list. */
  datasetSha256: string;
  resumedFromEpoch: number | null;
  warnings: string[];
}
