/** The forecasting results in plain words: the network against each baseline, and the intervals. */
import type { ForecastResult } from '../../../../../workers/forecast/index.js';

/** A difference below this share of the error is "about the same" even when it is statistically significant. */
const NEGLIGIBLE = 0.03;

/** One sentence per baseline: how much closer the network's forecasts are, or that the baseline wins, or "about the same". */
export function comparisonSentences(result: Omit<ForecastResult, 'runId'>): Array<{ baseline: string; text: string; tone: 'better' | 'same' | 'worse' }> {
  return (['seasonalNaive', 'naive', 'linear'] as const).map((name) => {
    const c = result.comparisons[name];
    const label = result.baselineLabels[name];
    const pct = Math.round(Math.abs(c.closer) * 100);
    if (!c.significant || Math.abs(c.closer) < NEGLIGIBLE) {
      return { baseline: name, tone: 'same', text: `The network's forecasts are about as close as '${label}' (a ${pct} % difference${c.significant ? '' : ' that could be chance'}).` };
    }
    if (c.closer > 0) return { baseline: name, tone: 'better', text: `The network's forecasts are ${pct} % closer than '${label}'.` };
    return { baseline: name, tone: 'worse', text: `'${label}' is ${pct} % closer than the network: the simpler forecast wins here; prefer it, or give the network more history.` };
  });
}

/** The headline: MASE in words, with the warning when it is above 1. */
export function headline(result: Omit<ForecastResult, 'runId'>): string {
  const m = result.summary.network;
  const steps = `${result.hyperparameters.horizon} ${result.time.frequency.label} step${result.hyperparameters.horizon === 1 ? '' : 's'} ahead`;
  const base = `Forecasting ${steps} over the most recent stretch (${result.stretches.test[0]} to ${result.stretches.test[1]}), the network's mean absolute scaled error (MASE) is ${m.toFixed(2)}`;
  return m < 1
    ? `${base}: its errors are smaller than '${result.baselineLabels.seasonalNaive}' made on the training data.`
    : `${base}: above 1, so its errors are larger than '${result.baselineLabels.seasonalNaive}' made on the training data — the recent stretch is harder than the past (compare the baselines below).`;
}

/** The intervals' coverage in words, with a warning when it falls short. */
export function coverageSentence(result: Omit<ForecastResult, 'runId'>): string {
  const { level, coverage } = result.intervals;
  const aim = Math.round(level * 100);
  const got = Math.round(coverage * 100);
  const base = `${aim} % prediction intervals held ${got} % of the test values`;
  if (coverage >= level - 0.03) return `${base}: as promised.`;
  return `${base}: fewer than promised — the recent stretch is more volatile than the one they were calibrated on; treat them as too narrow.`;
}
