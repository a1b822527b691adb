/**
 * The fields every pilot kind's training result shares (the team's pilot-kind contract). A local
 * copy until `workers/pilot-result.ts` is on main; then this file re-exports it.
 */
import type { BackendName, BackendStatus } from '../tfjs/backend.js';
import type { Checksums } from '../trainer/artifact.js';
import type { EpochRecord } from '../trainer/fit.js';

/** The kinds of pilot the workbench trains. */
export type PilotKind = 'tabular' | 'image' | 'text' | 'anomaly' | 'forecast';

/** What every training engine returns (extended per kind). */
export interface PilotResultCore {
  kind: PilotKind;
  /** Folder key: `models/<runId>`, `runs/<runId>`. */
  runId: string;
  backend: BackendName;
  /** Why this backend: what it is, and why each better one was not used. */
  backendReason: string;
  backends: BackendStatus[];
  /** `binary` | `multiclass` | `regression` | `anomaly` | `forecast`. */
  task: string;
  /** The label / value column ('' when none). */
  target: string;
  classes?: string[];
  rows: { train: number; validation: number; test: number };
  /** The network's test metrics; top-level numbers become test.* metric rows. */
  metrics: Record<string, unknown>;
  /** Each baseline's test metrics, by baseline name. */
  baselines: Record<string, Record<string, unknown>>;
  /** Headline metric of the network and of each baseline (same names as in `baselines`). */
  summary: { metric: string; network: number; lowerIsBetter?: boolean; [baseline: string]: number | string | boolean | undefined };
  epochs: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training rows per second (all epochs, evaluation excluded). */
  samplesPerSec: number;
  trainSeconds: number;
  hyperparameters: Record<string, unknown>;
  parameters: number;
  artifactDir: string;
  checksums: Checksums;
  /** SHA-256 of the training file. */
  datasetSha256: string;
  resumedFromEpoch: number | null;
  warnings: string[];
}
