/**
 * Predicting rows with a model already loaded: the one place tabular rows become predictions and
 * warnings, for `predictRows` (trainer/predict.ts, which loads the artifact first) and for callers
 * that keep a verified model in memory between calls (the prediction service).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import type { SavedPipeline } from '../trainer/artifact.js';
import type { Prediction } from '../trainer/predict.js';
import { transform } from '../trainer/preprocess.js';

/** Rows per call of the network. */
const CHUNK = 4096;

/** Predicts `rows` (raw cells named by `header`) with a loaded model and its pipeline; binary rows are positive from `threshold` on. */
export function predictLoaded(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
  pipeline: SavedPipeline,
  header: string[],
  rows: string[][],
  threshold = 0.5,
): { predictions: Prediction[]; warnings: string[] } {
  const { preprocessing, target } = pipeline;
  const { x, report } = transform(preprocessing, header, rows);
  const warnings: string[] = [];
  const features = preprocessing.features.map((f) => f.column);
  if (report.missingColumns.length === features.length) {
    throw new UserInputError(`None of the model's columns are in the file (it needs ${features.join(', ')}). Check that this is the right file for this model.`);
  }
  if (report.missingColumns.length) {
    warnings.push(
      `Column(s) ${report.missingColumns.map((c) => `"${c}"`).join(', ')} are missing from the file: every row uses the training median or most common value instead, so predictions are less reliable. Add the column(s) for full accuracy.`,
    );
  }
  for (const [column, count] of Object.entries(report.unseen)) {
    warnings.push(`"${column}": ${count} row(s) have a category the model did not learn in training (new or rare); they were treated as "other".`);
  }
  const d = preprocessing.inputs.length;
  const predictions: Prediction[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const n = Math.min(CHUNK, rows.length - start);
    const input = tf.tensor2d(x.subarray(start * d, (start + n) * d), [n, d]);
    const result = model.predict(input, { batchSize: n }) as tfjs.Tensor;
    const output = result.dataSync();
    input.dispose();
    result.dispose();
    for (let i = 0; i < n; i++) {
      if (target.task === 'regression') predictions.push({ value: output[i]! * target.std + target.mean });
      else if (target.task === 'binary') {
        const p = output[i]!;
        predictions.push({ label: target.classes[p >= threshold ? 1 : 0]!, probabilities: { [target.classes[0]!]: 1 - p, [target.classes[1]!]: p } });
      } else {
        const k = target.classes.length;
        let best = 0;
        const probabilities: Record<string, number> = {};
        for (let j = 0; j < k; j++) {
          probabilities[target.classes[j]!] = output[i * k + j]!;
          if (output[i * k + j]! > output[i * k + best]!) best = j;
        }
        predictions.push({ label: target.classes[best]!, probabilities });
      }
    }
  }
  return { predictions, warnings };
}
