/** Channels of drift checks: a current CSV against a model version's training data (cached profile) or a reference CSV. */
import { z } from 'zod';
import type { DriftHistoryEntry, DriftReportRecord } from '../../db/drift.js';
import type { DriftReport } from '../../workers/drift/index.js';
import type { JobOf } from './jobs.js';
import { driftOptionsSchema } from '../../workers/drift/schema.js';
import { channel } from './define.js';

/**
 * The stored result of a `drift.check` job: the verdict and the id of its `drift_reports` row,
 * where the full report is (`drift:get`). The job row does not keep a second copy of the report.
 */
export type DriftOutcome = Pick<DriftReport, 'summary' | 'recommendation' | 'datasetDrift' | 'driftShare' | 'driftedColumns' | 'judgedColumns' | 'performance'> & {
  driftReportId: number;
  versionId: number | null;
};

const path = (what: string) =>
  z
    .string({ error: `Give the path of the ${what} CSV file.` })
    .trim()
    .min(1, `Give the path of the ${what} CSV file.`)
    .max(4096, 'That path is too long.');

export const driftChannels = {
  'drift:check': channel<JobOf<'drift.check'>>()(
    z
      .object({
        /** A reference file: compare two files (with `versionId`, the report is filed under that version). */
        referencePath: path('reference').optional(),
        currentPath: path('current'),
        /** Without `referencePath`: the model version whose training data is the reference (profile cached once), applied to both sides. */
        versionId: z.number().int().positive().optional(),
        /** A version reference instead of an id: `12`, `PROJECT@N`, `PROJECT@alias`, `PROJECT@production`. */
        version: z.string().trim().min(1).max(200).optional(),
        options: driftOptionsSchema.strict().optional(),
      })
      .strict(),
    "Queues a drift check: each column of the current file against a version's training data (and the version's predictions and registered metric) or a reference file, with Evidently's default tests; the job's result is the verdict and driftReportId (the full report: drift:get).",
  ),
  'drift:history': channel<DriftHistoryEntry[]>()(
    z
      .object({
        versionId: z.number().int().positive().nullable().optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    'Stored drift checks, newest first: of one model version, of file-to-file checks (versionId null), or all.',
  ),
  'drift:requests': channel<JobOf<'drift.check'>>()(
    z
      .object({
        /** The version whose served rows (serve mode's sample of request rows) are the current data: `12`, `PROJECT@N`, `PROJECT@production`. */
        version: z.union([z.number().int().positive(), z.string().trim().min(1).max(200)], { error: 'Give the version whose served rows to check: 12, PROJECT@N or PROJECT@production.' }),
        options: driftOptionsSchema.strict().optional(),
      })
      .strict(),
    "Queues a drift check of the rows a version answered in serve mode (the latest 10,000 request rows, at most 100 from one request) against the version's training data, as drift:check does for a file.",
  ),
  'drift:get': channel<DriftReportRecord>()(
    z.object({ id: z.number({ error: 'Give a drift report id (a number).' }).int().positive() }).strict(),
    'One stored drift check with its full report.',
  ),
  'drift:html': channel<{ html: string; fileName: string }>()(
    z.object({ id: z.number({ error: 'Give a drift report id (a number).' }).int().positive() }).strict(),
    "One stored drift check as a self-contained HTML page (summary, every column's test, overlays), with a file name for saving it.",
  ),
};

/**
 * The `drift.watch` setting: check each new CSV dropped in `folder` against `version` (a reference
 * resolved at each file, so `churn@production` follows promotions and rollbacks). Null: off.
 * Followed while the app runs (a change takes effect within seconds).
 */
export const driftWatchSettingSchema = z
  .object({
    folder: z.string().trim().min(1, 'Give the folder to watch.').max(4096),
    version: z.string().trim().min(1, 'Give the version to check against, e.g. churn@production.').max(200),
  })
  .strict()
  .nullable();

export type DriftWatchSetting = z.infer<typeof driftWatchSettingSchema>;

/** Pushed when the watch folder's check of a new file finished (or could not run). */
export interface DriftWatchEvent {
  type: 'drift';
  /** The file checked (absolute path). */
  file: string;
  /** The version checked against, as the setting names it. */
  version: string;
  /** The stored report; null when the check could not run (see `message`). */
  driftReportId: number | null;
  versionId: number | null;
  datasetDrift: boolean;
  recommendation: DriftReport['recommendation'] | null;
  /** The report's summary, or why the check could not run. */
  message: string;
}
