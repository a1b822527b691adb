/** Channels of drift checks: a current CSV against a reference CSV (model versions come with the registry). */
import { z } from 'zod';
import type { DriftHistoryEntry, DriftReportRecord } from '../../db/drift.js';
import type { Job } from '../../db/jobs.js';
import { driftOptionsSchema } from '../../workers/drift/schema.js';
import { channel } from './define.js';

const path = (what: string) =>
  z
    .string({ error: `Give the path of the ${what} CSV file.` })
    .trim()
    .min(1, `Give the path of the ${what} CSV file.`)
    .max(4096, 'That path is too long.');

export const driftChannels = {
  'drift:check': channel<Job>()(
    z
      .object({
        referencePath: path('reference'),
        currentPath: path('current'),
        /** The model version whose training data is the reference: files the report under that version's history. */
        versionId: z.number().int().positive().optional(),
        options: driftOptionsSchema.strict().optional(),
      })
      .strict(),
    "Queues a drift check: each column of the current file against the reference file, with Evidently's default tests; the job's result is a DriftReport.",
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
  'drift:get': channel<DriftReportRecord>()(
    z.object({ id: z.number({ error: 'Give a drift report id (a number).' }).int().positive() }).strict(),
    'One stored drift check with its full report.',
  ),
};
