/**
 * A forecasting version's drift check in the shape every drift check is stored and shown in
 * (`DriftReport`): no column table (the reference is the model's own backtest errors and training
 * profiles, saved with it, not a training file), the three forecast checks under `forecast`, and
 * the recommendation from the worst of them.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DriftReport } from '../drift/report.js';
import { sha256File } from '../trainer/artifact.js';
import { forecastDrift } from './drift.js';

const RECOMMENDATION = { drift: 'retrain', warning: 'watch', ok: 'none' } as const;

/** Checks `currentPath` (the history up to now) against the forecasting model in `artifactDir`. */
export async function forecastDriftReport(artifactDir: string, currentPath: string, reference: { file: string; sha256: string }): Promise<DriftReport> {
  const forecast = await forecastDrift(artifactDir, currentPath);
  const checks = [forecast.residuals, forecast.level, forecast.seasonality];
  const judged = checks.filter((c) => c.value !== null);
  const drifted = judged.filter((c) => c.verdict === 'drift').length;
  const verdictWords = { drift: 'has drifted: retrain it on recent data', warning: 'shows early signs of drift: watch it', ok: 'shows no drift' }[
    forecast.verdict
  ];
  return {
    columns: [],
    driftShare: judged.length ? drifted / judged.length : 0,
    datasetDrift: forecast.verdict === 'drift',
    driftShareThreshold: 1 / 3,
    judgedColumns: judged.length,
    driftedColumns: drifted,
    predictionDrift: null,
    labelDrift: null,
    performance: null,
    missingColumns: [],
    extraColumns: [],
    rows: { reference: 0, current: forecast.windows },
    files: {
      reference: { file: basename(reference.file), bytes: 0, sha256: reference.sha256 },
      current: { file: basename(currentPath), bytes: (await stat(currentPath)).size, sha256: await sha256File(currentPath) },
    },
    summary: `The forecast ${verdictWords} (${forecast.windows} recent forecasts of ${forecast.series} series). ${checks.map((c) => c.message).join(' ')}`,
    recommendation: judged.length === 0 ? 'unknown' : RECOMMENDATION[forecast.verdict],
    warnings: forecast.warnings,
    forecast,
  };
}
