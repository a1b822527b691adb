/** Channels of drift checks: a current CSV against a reference CSV (model versions come with the registry). */
import { z } from 'zod';
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
    z.object({ referencePath: path('reference'), currentPath: path('current'), options: driftOptionsSchema.strict().optional() }).strict(),
    "Queues a drift check: each column of the current file against the reference file, with Evidently's default tests; the job's result is a DriftReport.",
  ),
};
