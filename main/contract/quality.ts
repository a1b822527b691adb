/** Channels of the Quality capability: score a registered dataset's quality and bias (a job), read stored reports. */
import { z } from 'zod';
import type { JobOf } from './jobs.js';
import type { QualityReportRecord, QualityReportSummary } from '../../db/quality.js';
import { channel } from './define.js';

/**
 * What `quality:score` answers: the queued job, or — when this content was already scored with
 * the same options and `force` is not set — the stored report and no job.
 */
export interface QualityScoreStarted {
  job: JobOf<'quality.score'> | null;
  stored: QualityReportRecord | null;
}

/** The result of a `quality.score` job as kept on the job row (the report itself is in `quality_reports`). */
export interface QualityOutcome {
  reportId: number;
  datasetId: number;
  score: number;
}

const datasetId = z.number({ error: 'Give a dataset id (a number).' }).int().positive();
const reportId = z.number({ error: 'Give a quality report id (a number).' }).int().positive();
const column = z.string().trim().min(1, 'A column name cannot be empty.').max(1000);

export const qualityChannels = {
  'quality:score': channel<QualityScoreStarted>()(
    z
      .object({
        datasetId,
        /** The outcome column. */
        target: column.optional(),
        /** The target value that counts as the favourable outcome. */
        positive: z.string().max(1000).optional(),
        /** Protected attributes, e.g. ["sex", "race"]. */
        protected: z.array(column).max(20, 'Give at most 20 protected attributes.').optional(),
        /** A model's predictions: a 0/1 column, or a score with `threshold`. */
        prediction: column.optional(),
        threshold: z.number({ error: 'The threshold is a number.' }).finite().optional(),
        /** Missing-value markers (replace the defaults); the empty cell is always missing. */
        missingMarkers: z.array(z.string().max(100)).max(100).optional(),
        /** A registered test set to check for overlap and unseen categories. */
        testDatasetId: datasetId.optional(),
        /** Compute again even when a stored report of this content and these options exists. */
        force: z.boolean().default(false),
      })
      .strict()
      .refine((input) => input.positive === undefined || input.target !== undefined, 'A positive value needs a target column: give the target too.')
      .refine((input) => input.threshold === undefined || input.prediction !== undefined, 'A threshold applies to a prediction column: give the prediction column too.'),
    'Queues a quality and bias scoring job for a registered dataset, or answers the stored report of the same content and options (unless force).',
  ),
  'quality:get': channel<QualityReportRecord>()(z.object({ id: reportId }).strict(), 'One stored quality report with its content.'),
  'quality:latest': channel<{ record: QualityReportRecord | null }>()(
    z.object({ datasetId }).strict(),
    "A dataset's newest quality report (null when it was never scored).",
  ),
  'quality:list': channel<QualityReportSummary[]>()(z.object({ datasetId }).strict(), "A dataset's quality reports, newest first, without their content."),
  'quality:html': channel<{ html: string; fileName: string }>()(
    z.object({ id: reportId }).strict(),
    'A stored report as one self-contained HTML file, with a suggested file name.',
  ),
};
