/**
 * Channels of exports beyond the bundle: the model card of a version (Markdown or HTML) and
 * hand-off packages for Triton, KServe, Kubernetes and MLflow. ONNX and TensorFlow.js exports are
 * `models:export` formats.
 */
import { z } from 'zod';
import type { MetricInterval } from '../../workers/export/card/intervals.js';
import { channel } from './define.js';

export type { MetricInterval } from '../../workers/export/card/intervals.js';

/** A model card written to a file. */
export interface CardWritten {
  format: 'md' | 'html';
  /** Absolute path of the file. */
  path: string;
  bytes: number;
  /** The test metrics with their 95 % intervals, as the card shows them. */
  intervals: MetricInterval[];
}

/** A hand-off package written as a new folder. */
export interface PackageWritten {
  target: 'triton' | 'kserve' | 'kubernetes' | 'mlflow';
  /** Absolute path of the folder. */
  path: string;
  bytes: number;
  files: Array<{ path: string; size: number; sha256: string }>;
}

const ref = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)], {
  error: 'Give a version: an id (12), PROJECT@N (churn@3) or PROJECT@alias (churn@champion).',
});
const path = (what: string) => z.string({ error: `Give the path of the ${what}.` }).trim().min(1, `Give the path of the ${what}.`).max(4096, 'That path is too long.');

export const exportChannels = {
  'models:card': channel<CardWritten>()(
    z.object({ ref, format: z.enum(['md', 'html'], { error: 'The card format is "md" or "html".' }), path: path('card file') }).strict(),
    'Writes the model card of a version (intended use, data and quality, metrics with intervals, fairness, limitations, lineage, stage history).',
  ),
  'models:package': channel<PackageWritten>()(
    z
      .object({
        ref,
        target: z.enum(['triton', 'kserve', 'kubernetes', 'mlflow'], { error: 'The target is "triton", "kserve", "kubernetes" or "mlflow".' }),
        path: path('new package folder'),
      })
      .strict(),
    'Writes a hand-off package of a version for another serving engine, as a new folder with a README of the commands to run there.',
  ),
};
