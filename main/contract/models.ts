/**
 * Channels of the model registry: versions and their stages, aliases, the append-only history,
 * rollback, comparison, lineage, bundles and offline evaluation. A version is named by a
 * reference: its id (`12`), `PROJECT@N`, `PROJECT@alias`, `PROJECT@production` or `PROJECT@latest`.
 */
import { z } from 'zod';
import type { Evaluation, TrendPoint } from '../../db/evaluations.js';
import type { JobOf } from './jobs.js';
import type { VersionFacts } from '../../db/registry-lineage.js';
import type { ModelEvent, RegistryVersion, ProductionAt, Rollback, RollbackPlan, StageChange } from '../../db/registry.js';
import type { DatasetCheck } from './datasets.js';
import { channel } from './define.js';
import type { PilotVerdict } from '../verdict/pilot.js';
import type { OperatingPoint } from '../../common/operating.js';
import type { SignerStatus } from '../../workers/evaluate/signing.js';
import type { DesktopKeyInfo } from '../keychain.js';

export type { DesktopKeyInfo, KeychainState } from '../keychain.js';

export type { Evaluation, TrendPoint } from '../../db/evaluations.js';
export type { VersionFacts } from '../../db/registry-lineage.js';
export type { ModelEvent, RegistryVersion, ProductionAt, Rollback, RollbackPlan, StageChange, Stage, ModelAction } from '../../db/registry.js';

/** Lineage with the dataset's file checked now. */
export interface Lineage extends VersionFacts {
  /** The file behind the version's dataset, re-hashed; null when the dataset row is gone. */
  datasetCheck: DatasetCheck | null;
  /** True when the file now differs from what the version was trained on (or is gone). */
  datasetChanged: boolean;
  /** Plain sentences about anything that weakens the lineage. */
  flags: string[];
}

/** One row of a side-by-side comparison: a name and one value per compared version. */
export interface CompareRow {
  name: string;
  values: Array<number | string | null>;
  /** True when the versions disagree on this row. */
  differs: boolean;
}

/** Versions side by side, in the order asked. */
export interface Comparison {
  versions: RegistryVersion[];
  /** Test metrics (numbers only), then data (dataset hash, quality score), then backend and hardware. */
  metrics: CompareRow[];
  data: CompareRow[];
  hyperparameters: CompareRow[];
  environment: CompareRow[];
  /**
   * One row per source column: how each version's model reads it ("number", "category (5 levels)",
   * "left out: leaks the target") or null when it is not in that version's data. Empty for kinds
   * whose preprocessing lists no columns (pictures, documents).
   */
  features: CompareRow[];
  /** What each later version changes against the first, in words ("Version 2 drops casual, registered."). */
  featureChanges: string[];
  /** The run's fairness per protected attribute, per version (trainer's shape). */
  fairness: unknown[][];
}

/** A version with everything the detail view shows. */
export interface VersionDetail {
  version: RegistryVersion;
  lineage: Lineage;
  history: ModelEvent[];
  evaluations: TrendPoint[];
  /** The pilot verdict on this version (criterion, leakage, fairness, data errors, linear model); null when its run's result is gone. */
  verdict: PilotVerdict | null;
}

/** A binary version's operating threshold, as set, with what it means on the test split. */
export interface ThresholdSet {
  version: RegistryVersion;
  /** The test split decided at the new threshold (null when it was cleared back to the default). */
  point: OperatingPoint | null;
  /** The same at the threshold it had before (the default 0.5 when none was chosen). */
  before: OperatingPoint | null;
  /** The verdict at the new threshold. */
  verdict: PilotVerdict | null;
}

/** A project's history, and what was in production at `at` when asked. */
export interface ModelHistory {
  project: { id: number; name: string };
  events: ModelEvent[];
  production: ProductionAt | null;
}

export interface BundleWritten {
  path: string;
  bytes: number;
  /** SHA-256 of the whole bundle file, to compare after copying it. */
  sha256: string;
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Fingerprint of this installation's signing key, which signed the bundle. */
  fingerprint: string | null;
}

/** An ONNX or TensorFlow.js export: a fresh folder of files. */
export interface FolderExport {
  format: 'onnx' | 'tfjs';
  /** Absolute path of the folder written. */
  path: string;
  /** Total bytes of its files. */
  bytes: number;
  files: Array<{ path: string; size: number; sha256: string }>;
}

/** What `models:export` wrote: a bundle file, or an ONNX / TensorFlow.js folder. */
export type ExportWritten = (BundleWritten & { format: 'bundle' }) | FolderExport;
/** An imported version and who signed its bundle. */
export type ImportedVersion = RegistryVersion & {
  /** `trusted` (this installation or a key in keys/trusted), `unknown-signer` or `unsigned`, with the signer's fingerprint. */
  signer: SignerStatus;
  /** Whether its weights are stored encrypted with this installation's key (encryption at rest was on when it was imported). */
  encryptedAtRest: boolean;
};

/** Where the model key is, as the Models page shows it. */
export interface ModelKeyInfo extends DesktopKeyInfo {
  /** Whether new models are encrypted (`models.encryptAtRest`). */
  encryptAtRest: boolean;
}

const ref = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)], {
  error: 'Give a version: an id (12), PROJECT@N (churn@3) or PROJECT@alias (churn@champion).',
});
const project = z.union([z.number().int().positive(), z.string().trim().min(1).max(200)], { error: 'Give a project name or id.' });
const reason = z.string().trim().max(2000, 'Keep the reason under 2,000 characters.').default('');
const path = (what: string) => z.string({ error: `Give the path of the ${what}.` }).trim().min(1, `Give the path of the ${what}.`).max(4096, 'That path is too long.');

export const modelChannels = {
  'models:list': channel<RegistryVersion[]>()(z.object({ project: project.optional() }).strict(), 'Model versions, per project (newest first), with stage and aliases.'),
  'models:show': channel<VersionDetail>()(z.object({ ref }).strict(), 'One version: its lineage (dataset re-checked), history and evaluation trend.'),
  'models:promote': channel<StageChange>()(
    z.object({ ref, to: z.enum(['staging', 'production'], { error: 'Promote to "staging" or "production".' }), reason }).strict(),
    'Promotes a version. Into production, the previous production version moves to staging (both moves recorded).',
  ),
  'models:demote': channel<RegistryVersion>()(z.object({ ref, reason }).strict(), 'Moves a version one stage down: production → staging → candidate.'),
  'models:archive': channel<RegistryVersion>()(z.object({ ref, reason }).strict(), 'Archives a candidate or staging version.'),
  'models:rollback': channel<Rollback>()(
    z.object({ project, reason: z.string().trim().min(1, 'Say why you roll back (it goes in the history).').max(2000) }).strict(),
    "Puts the previous production version back in one step; the current one is archived and its aliases move to the restored version.",
  ),
  'models:rollback-plan': channel<RollbackPlan>()(
    z.object({ project }).strict(),
    'What a rollback would do now, changing nothing: the version in production, the version that would come back, and the aliases that would move.',
  ),
  'models:alias-set': channel<{ version: RegistryVersion; movedFrom: number | null }>()(
    z.object({ ref, alias: z.string().trim().min(1).max(40), reason }).strict(),
    'Points an alias (champion, challenger…) at a version, moving it from another version if needed.',
  ),
  'models:alias-remove': channel<RegistryVersion>()(z.object({ project, alias: z.string().trim().min(1).max(40), reason }).strict(), 'Removes an alias.'),
  'models:history': channel<ModelHistory>()(
    z.object({ project, at: z.number().int().min(0).optional(), version: ref.optional() }).strict(),
    'The append-only history of a project (or one version); with `at` (epoch ms), also what was in production then.',
  ),
  'models:compare': channel<Comparison>()(
    z.object({ refs: z.array(ref).min(2, 'Compare at least 2 versions.').max(6, 'Compare at most 6 versions at once.') }).strict(),
    'Versions side by side: metrics, data, the features each model reads (added, dropped, changed), hyperparameters, backend, hardware, fairness.',
  ),
  'models:lineage': channel<Lineage>()(z.object({ ref }).strict(), 'Dataset, quality report, hardware profile and run of a version; a dataset whose file changed is flagged.'),
  'models:export': channel<ExportWritten>()(
    z
      .object({
        ref,
        path: path('bundle file (or a folder to put it in); for onnx and tfjs, the new folder'),
        format: z.enum(['bundle', 'onnx', 'tfjs'], { error: 'The format is "bundle", "onnx" or "tfjs".' }).default('bundle'),
      })
      .strict(),
    'Writes the version as one bundle file (default), or as a new folder in the ONNX or TensorFlow.js format; the artifact checksums are checked first.',
  ),
  'models:import': channel<ImportedVersion>()(
    z.object({ path: path('bundle file'), reason }).strict(),
    'Imports a bundle after checking every checksum and path; the version is registered as a candidate with an import event.',
  ),
  'models:evaluate': channel<JobOf<'evaluate.run'>>()(
    z.object({ ref, path: path('labelled CSV file') }).strict(),
    'Queues an offline evaluation of a version on a new labelled file; the job result is the stored Evaluation.',
  ),
  'models:threshold': channel<ThresholdSet>()(
    z
      .object({
        ref,
        threshold: z.number({ error: 'The threshold is a number between 0 and 1, e.g. 0.35.' }).gt(0, 'The threshold is above 0.').lt(1, 'The threshold is below 1.').nullable(),
        reason,
      })
      .strict(),
    "Sets a binary version's operating threshold (one of its test threshold table's values; null: back to 0.5). Predict, evaluate, drift, serving and the ROI decide at it.",
  ),
  'models:key': channel<ModelKeyInfo>()(
    z.object({}).strict(),
    "Where this installation's model key is (the desktop's keychain, or the key file), its fingerprint, whether encryption at rest is on, and why the keychain is not used when it is not.",
  ),
  'models:evaluations': channel<Evaluation[]>()(z.object({ ref }).strict(), 'Stored evaluations of a version, oldest first.'),
};
