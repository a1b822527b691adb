/** Chart data shared by the pilots components. */

/** One series of a chart: points (x = epoch, or actual value for residuals). `color` may name a CSS variable (`--accent`). */
export interface Series {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  dashed?: boolean;
}

/** Per-epoch records (the trainer's `progress.detail`, or stored metrics) as chart series. */
export function epochSeries(epochs: readonly Record<string, unknown>[]): { loss: Series[]; quality: Series[]; qualityLabel: string } {
  const pick = (key: string) =>
    epochs.flatMap((e) => (typeof e[key] === 'number' && typeof e.epoch === 'number' ? [{ x: e.epoch as number, y: e[key] as number }] : []));
  const accuracy = pick('valAccuracy');
  const rmse = pick('valRmse');
  return {
    loss: [
      { label: 'Training loss', points: pick('loss'), color: '--accent' },
      { label: 'Validation loss', points: pick('valLoss'), color: '--warn', dashed: true },
    ],
    quality: accuracy.length ? [{ label: 'Validation accuracy', points: accuracy, color: '--ok' }] : [{ label: 'Validation RMSE', points: rmse, color: '--ok' }],
    qualityLabel: accuracy.length ? 'accuracy' : 'RMSE',
  };
}

/** Stored metrics (`pilots:run`) back into per-epoch records. */
export function recordsFromMetrics(metrics: Record<string, { step: number; value: number }[]>): Record<string, unknown>[] {
  const byEpoch = new Map<number, Record<string, unknown>>();
  for (const [key, points] of Object.entries(metrics)) {
    if (key.startsWith('test.')) continue;
    for (const { step, value } of points) {
      const record = byEpoch.get(step) ?? { epoch: step };
      record[key] = value;
      byEpoch.set(step, record);
    }
  }
  return [...byEpoch.values()].sort((a, b) => (a.epoch as number) - (b.epoch as number));
}
