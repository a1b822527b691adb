/**
 * Forecasting with a saved model: read the history in a CSV (same columns as for training), put
 * it on the model's grid, and write the next `horizon` steps of every series with their
 * prediction intervals. Rows after a series' last value that have a time but no value are future
 * rows: they supply the holiday flags of the forecast steps when the model uses them.
 */
import { writeFile } from 'node:fs/promises';
import { UserInputError } from '../protocol.js';
import { loadTable } from '../trainer/load.js';
import { defuse } from '../trainer/predict.js';
import { loadForecastArtifact } from './artifact.js';
import { pickBackend } from './backend.js';
import { buildSeries, formatTime, gridTime } from './series.js';
import { parseTimeSpec } from './time.js';
import { fitScaling, inputWidth, writeInputs, type Scaling, type WindowScale } from './windows.js';

/** What `predictForecast` did. */
export interface ForecastPredictResult {
  /** Rows written (series × horizon). */
  rows: number;
  outPath: string;
  /** The output's columns. */
  addedColumns: string[];
  /** Series forecast. */
  series: number;
  horizon: number;
  /** The intervals' intended coverage (0.9). */
  intervalLevel: number;
  warnings: string[];
}

const csvCell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Writes the next `horizon` steps (default: the model's own) of every series in `inputPath` to `outPath`. */
export async function predictForecast(artifactDir: string, inputPath: string, outPath: string, options: { horizon?: number; escapeFormulas?: boolean } = {}): Promise<ForecastPredictResult> {
  // Series ids come from the user's file: formula-like ones get a leading ' unless asked not to (CSV injection).
  const idCell = options.escapeFormulas === false ? csvCell : (text: string) => csvCell(defuse(text));
  const { tf } = await pickBackend('auto');
  const { model, pipeline } = await loadForecastArtifact(tf, artifactDir);
  const trained = pipeline.window.horizon;
  const horizon = options.horizon ?? trained;
  if (horizon > trained) {
    model.dispose();
    throw new UserInputError(
      `This model forecasts at most ${trained} step(s) ahead (${pipeline.frequency.label}); ${horizon} were asked. Ask for ${trained} or fewer, or train a model with --horizon ${horizon}.`,
    );
  }
  try {
    const table = await loadTable(inputPath, { numberFormats: pipeline.numberFormats });
    const set = buildSeries(table.columns, table.rows, {
      time: parseTimeSpec(pipeline.time, table.columns),
      target: pipeline.target,
      id: pipeline.id,
      holiday: pipeline.holiday,
      aggregate: pipeline.aggregate,
    });
    const warnings = [...table.warnings, ...set.warnings, ...set.alerts.map((a) => a.message)];
    if (set.frequency.unit !== pipeline.frequency.unit || set.frequency.step !== pipeline.frequency.step) {
      throw new UserInputError(
        `${inputPath} is ${set.frequency.label} but the model was trained on ${pipeline.frequency.label} data. Give the history at the model's step.`,
      );
    }
    const { lags } = pipeline.window;
    const known = new Map(pipeline.scaling.map((s) => [s.id, s]));
    const usable = set.series.filter((s) => s.values.length >= lags);
    if (usable.length < set.series.length) {
      warnings.push(`${set.series.length - usable.length} series have fewer than the ${lags} past values the model needs and were not forecast.`);
    }
    if (usable.length === 0) {
      throw new UserInputError(`The model needs the last ${lags} ${pipeline.frequency.label} value(s) of a series to forecast it; ${inputPath} has at most ${Math.max(0, ...set.series.map((s) => s.values.length))}. Give a longer history.`);
    }
    const unseen = usable.filter((s) => !known.has(s.id));
    if (unseen.length) warnings.push(`${unseen.length} series were not in the training data (e.g. '${unseen[0]!.id}'): scaled from their own history.`);
    const own = fitScaling(unseen, Infinity);
    const scalingOf = (id: string): Scaling => known.get(id) ?? own[unseen.findIndex((s) => s.id === id)]!;
    if (pipeline.window.holiday && usable.some((s) => (s.holiday?.length ?? 0) < s.values.length + horizon)) {
      warnings.push(`The file has no rows (time, holiday flag, blank value) for some forecast steps: those steps are treated as no holiday.`);
    }

    const d = inputWidth(pipeline.window);
    const x = new Float32Array(usable.length * d);
    const scales: WindowScale[] = usable.map((s, i) => writeInputs(pipeline.window, set.frequency, set.origin, s, scalingOf(s.id), s.values.length - 1, x, i * d));
    const outputs = tf.tidy(() => {
      const input = tf.tensor2d(x, [usable.length, d]);
      const result = model.predict(input);
      return (Array.isArray(result) ? result[0]! : result).dataSync();
    });
    const { lower, upper, level } = pipeline.intervals;
    const header = [...(pipeline.id ? [pipeline.id] : []), 'time', 'step', 'forecast', 'lower', 'upper'];
    const lines = [header.map(csvCell).join(',')];
    usable.forEach((s, i) => {
      const w = scales[i]!;
      for (let h = 0; h < horizon; h++) {
        const f = outputs[i * trained + h]! * w.unit + w.level;
        const t = gridTime(set.frequency, set.origin, s.offset + s.values.length + h);
        // A series that was never negative (counts) gets no negative lower bound.
        const floor = scalingOf(s.id).mode === 'ratio' ? 0 : -Infinity;
        const cells = [formatTime(t), String(h + 1), f.toFixed(4), Math.max(floor, f + lower[h]! * w.unit).toFixed(4), (f + upper[h]! * w.unit).toFixed(4)];
        lines.push([...(pipeline.id ? [idCell(s.id)] : []), ...cells].join(','));
      }
    });
    await writeFile(outPath, lines.join('\n') + '\n');
    return { rows: usable.length * horizon, outPath, addedColumns: header, series: usable.length, horizon, intervalLevel: level, warnings };
  } finally {
    model.dispose();
  }
}
