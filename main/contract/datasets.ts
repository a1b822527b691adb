/** Channels of the Data capability: registering and listing data files. */
import { z } from 'zod';
import type { Dataset } from '../../db/datasets.js';
import type { JobOf } from './jobs.js';
import { channel } from './define.js';

/** The import job's result, as stored: the dataset row and whether it was new. */
export interface ImportOutcome {
  dataset: Dataset;
  created: boolean;
}

/** Whether a registered file still has the content it was imported with. */
export interface DatasetCheck {
  dataset: Dataset;
  /** `unchanged`: same SHA-256; `changed`: the file's content differs; `missing`: the file is gone. */
  status: 'unchanged' | 'changed' | 'missing';
  /** The file's SHA-256 now, when it exists. */
  currentSha256: string | null;
  /** A sentence for the user when status is not `unchanged`. */
  message: string | null;
}

const datasetId = z.number({ error: 'Give a dataset id (a number).' }).int().positive();

export const datasetChannels = {
  'datasets:list': channel<Dataset[]>()(z.object({}).strict(), 'Registered datasets, newest first.'),
  'datasets:import': channel<JobOf<'dataset.import'>>()(
    z
      .object({
        path: z
          .string({ error: 'Give the path of a CSV or TSV file.' })
          .trim()
          .min(1, 'Give the path of a CSV or TSV file.')
          .max(4096, 'That path is too long.'),
        /** How the file writes numbers, overriding the per-column detection: `{ decimal: ',', thousands: '.' }` for `1.234,5`. */
        numberFormat: z
          .object({
            decimal: z.enum(['.', ','], { error: 'The decimal mark is "." or ",".' }),
            thousands: z.enum(['', ',', '.', ' ', "'"], { error: 'The thousands separator is "", ",", ".", " " or "\'".' }),
          })
          .strict()
          .refine((f) => f.decimal !== f.thousands, 'The decimal mark and the thousands separator must differ.')
          .optional(),
      })
      .strict(),
    'Queues an import job for a CSV/TSV file: detects its format, counts rows, hashes it, registers it.',
  ),
  'datasets:check': channel<DatasetCheck>()(
    z.object({ id: datasetId }).strict(),
    'Re-hashes a registered file to tell whether it changed since import.',
  ),
  'datasets:delete': channel<{ deleted: boolean }>()(
    z.object({ id: datasetId }).strict(),
    'Forgets a registered dataset (the file itself is not touched).',
  ),
};
