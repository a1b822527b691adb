/**
 * Channels for trying a registered version inside the app: the form to type a row into (from the
 * version's feature schema), scoring typed rows or a small CSV with the top reasons of each
 * prediction (a `tryit.score` job), and downloads of what the server wrote (results, bundles,
 * model cards) for the browser in serve mode and the save dialog on the desktop.
 */
import { z } from 'zod';
import type { ColumnRange } from '../../workers/tryit/background.js';
import type { JobOf } from './jobs.js';
import { channel } from './define.js';

export type { ColumnRange } from '../../workers/tryit/background.js';
export type { Explanation, TryitResult } from '../../workers/tryit/index.js';

/** One input of the try-it form. */
export type TryField =
  | { column: string; kind: 'number'; default: string; min: number | null; max: number | null; typical: string }
  | { column: string; kind: 'choice'; default: string; choices: string[]; typical: string }
  | { column: string; kind: 'date' | 'text'; default: string; typical: string };

/** What the form is built from. */
export interface TrySchema {
  versionId: number;
  project: string;
  version: number;
  task: 'binary' | 'multiclass' | 'regression';
  classes: string[];
  /** Binary: the class called at or above the threshold. */
  positiveClass: string | null;
  threshold: number;
  target: string;
  fields: TryField[];
  /** Whether the reasons compare with the training rows (else with one typical row), and why not. */
  background: { source: 'training' | 'typical'; note: string };
  /** True when the ranges come from the training rows (after the first try), false when only the saved pipeline's figures are known. */
  rangesFromTraining: boolean;
}

/** A file written for the user to take away: fetched with GET /api/download/<id> in serve mode, `downloads:read` on the desktop. */
export interface DownloadReady {
  id: string;
  fileName: string;
  bytes: number;
}

const ref = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)], {
  error: 'Give a version: an id (12), PROJECT@N (churn@3) or PROJECT@alias (churn@champion).',
});
const cell = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()], { error: 'A value is text, a number, true/false or empty (null).' });
export const DOWNLOAD_ID = /^[a-z0-9]{8,40}$/;
const downloadId = z.string().regex(DOWNLOAD_ID, 'A download id is 8 to 40 lowercase letters and digits, as the workbench gave it.');

export const tryitChannels = {
  'tryit:schema': channel<TrySchema>()(z.object({ ref }).strict(), "The try-it form of a tabular version: each feature column's kind, default, seen values and range."),
  'tryit:score': channel<JobOf<'tryit.score'>>()(
    z
      .object({
        ref,
        /**
         * Rows typed in the form: `columns` names the cells of each row (null is a blank; the model's
         * columns left out are blanks). Arrays, not objects keyed by column: a column may be called
         * "path" or "file", and serve mode treats such keys as paths.
         */
        columns: z.array(z.string().max(500)).min(1).max(2000).optional(),
        rows: z.array(z.array(cell).max(2000)).min(1, 'Give at least one row.').max(1000, 'Type at most 1,000 rows; score a larger set as a file.').optional(),
        /** Or a CSV file on the machine running the workbench (an upload's stored path in serve mode). */
        path: z.string().trim().min(1).max(4096).optional(),
        /** The name the user knows the file by (an upload's own name), used in messages. */
        fileName: z.string().trim().min(1).max(255).optional(),
        /** Rows explained (the first ones); the default 20 keeps a file quick. */
        explainRows: z.number().int().min(0).max(200).default(20),
        /** Feature orders sampled per explained row (more: tighter estimates, slower). */
        samples: z.number().int().min(2).max(20_000).default(1000),
      })
      .strict()
      .refine((input) => (input.rows === undefined) !== (input.path === undefined), { error: 'Give either rows (typed in the form) or path (a CSV file), not both.' })
      .refine((input) => input.rows === undefined || (input.columns !== undefined && input.rows.every((row) => row.length === input.columns!.length)), {
        error: 'Give the columns of the typed rows, and as many cells in each row as there are columns.',
      }),
    'Queues scoring of typed rows or a small CSV (≤ 10,000 rows) with a version, with the top reasons of each prediction; the job result holds the table and the results CSV is a download.',
  ),
  'downloads:read': channel<{ fileName: string; text: string }>()(
    z.object({ id: downloadId }).strict(),
    'The text of a download the workbench wrote (results CSV, model card), for the desktop save dialog. At most 50 MB.',
  ),
  'models:download': channel<DownloadReady>()(
    z.object({ ref, what: z.enum(['bundle', 'card-html', 'card-md'], { error: 'Download "bundle", "card-html" or "card-md".' }) }).strict(),
    'Writes a bundle or model card of a version as a download (serve mode: GET /api/download/<id> sends it to the browser).',
  ),
};

export type TryRanges = ColumnRange[];
