/** The quality engine's input, validated at the IPC/CLI boundary. */
import { z } from 'zod';
import { columnNumberFormatSchema } from '../csv/number-format.js';


export const qualityInputSchema = z.object({
  /** The CSV/TSV file to score. */
  path: z.string().min(1),
  /** The outcome column (enables class balance, conflicting labels, leakage and bias). */
  target: z.string().min(1).optional(),
  /** The target value that counts as the positive (favourable) outcome. */
  positive: z.string().optional(),
  /** Protected attributes (e.g. `sex`, `race`); their intersection is reported too. */
  protected: z.array(z.string().min(1)).optional(),
  /** A model's predictions: a 0/1 (or positive-label) column, or a score with `threshold`. */
  prediction: z.string().min(1).optional(),
  /** Predicted positive when score ≥ threshold. */
  threshold: z.number().finite().optional(),
  /** Missing-value markers (compared after trimming); the empty cell is always missing. */
  missingMarkers: z.array(z.string()).optional(),
  /** A second file (test set) to check for overlap and unseen categories. */
  testPath: z.string().min(1).optional(),
  /** Force the first record to be (or not be) a header; detected when absent. */
  header: z.boolean().optional(),
  /** Threads to use (default: available cores, at most 8). */
  threads: z.number().int().min(1).max(64).optional(),
  /** Byte ranges to split the file into (default: one per thread for files ≥ 16 MB). For tests. */
  ranges: z.number().int().min(1).max(256).optional(),
  /** Columns whose numbers use a decimal comma or thousands separators (the dataset's, decided at import); plain dot-decimal elsewhere. */
  numberFormats: z.array(columnNumberFormatSchema).optional(),
  /** Seed for sketches, sampling and bootstrap: the same seed gives the same report. */
  seed: z.number().int().optional(),
});

export type QualityInput = z.infer<typeof qualityInputSchema>;
