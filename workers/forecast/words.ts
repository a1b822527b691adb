/**
 * A forecasting result in plain words for the command line: the headline MASE, the network against
 * each baseline ("23 % closer than 'same hour last week'", the baseline winning said plainly,
 * "about the same" when the difference could be chance), and the intervals' measured coverage.
 */
import type { ForecastResult } from './engine.js';

/** A difference below this share of the error is "about the same" even when it is statistically significant. */
const NEGLIGIBLE = 0.03;

type Baseline = 'seasonalNaive' | 'naive' | 'linear';

/** One sentence per baseline, the strongest sceptic's baseline (seasonal naive) first. */
export function comparisonLines(
  result: Pick<ForecastResult, 'comparisons' | 'baselineLabels'>,
): Array<{ baseline: Baseline; tone: 'better' | 'same' | 'worse'; text: string }> {
  return (['seasonalNaive', 'naive', 'linear'] as const).map((baseline) => {
    const c = result.comparisons[baseline];
    const label = result.baselineLabels[baseline];
    const pct = Math.round(Math.abs(c.closer) * 100);
    if (!c.significant || Math.abs(c.closer) < NEGLIGIBLE) {
      return {
        baseline,
        tone: 'same',
        text: `The network's forecasts are about as close as '${label}' (a ${pct} % difference${c.significant ? '' : ' that could be chance'}).`,
      };
    }
    if (c.closer > 0) return { baseline, tone: 'better', text: `The network's forecasts are ${pct} % closer than '${label}'.` };
    return {
      baseline,
      tone: 'worse',
      text: `'${label}' is ${pct} % closer than the network: the simpler forecast wins here; prefer it, or give the network more history.`,
    };
  });
}

/** The intervals' coverage on the test stretch, with a warning when they held fewer values than promised. */
export function coverageLine(intervals: ForecastResult['intervals']): string {
  const base = `${Math.round(intervals.level * 100)} % prediction intervals held ${Math.round(intervals.coverage * 100)} % of the test values`;
  return intervals.coverage >= intervals.level - 0.03
    ? `${base}: as promised.`
    : `${base}: fewer than promised; treat them as too narrow (the recent stretch is more volatile than the one they were calibrated on).`;
}
