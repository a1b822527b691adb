/**
 * Fairness metrics from the per-group counts. Definitions follow Fairlearn and AIF360 (see the
 * glossary in `html.ts` and docs/quality-thresholds.md): ratios and differences are taken against
 * the most favoured judged group, and attribute-level figures span the judged groups (max − min,
 * min / max), as Fairlearn's `demographic_parity_*` and `equalized_odds_difference` do.
 */
import { Slot } from './group-counts.js';
import { Rng } from './hash.js';
import type { AttributeBias, GroupReport } from './report.js';
import { THRESHOLDS as T } from './thresholds.js';
import { maxOf, minOf } from '../extent.js';

export function attributeBias(table: Map<string, number[]>, withPredictions: boolean, seed: number): AttributeBias {
  const total = [...table.values()].reduce((sum, c) => sum + c[Slot.N]!, 0);
  const rng = new Rng(seed);
  const groups: GroupReport[] = [...table.entries()]
    .sort((a, b) => b[1][Slot.N]! - a[1][Slot.N]! || a[0].localeCompare(b[0]))
    .map(([group, c]) => {
      const n = c[Slot.N]!;
      const positives = c[Slot.Positive]!;
      const report: GroupReport = {
        group,
        count: n,
        share: total > 0 ? n / total : 0,
        positives,
        positiveRate: ratio(positives, n),
        positiveRateInterval: n > 0 ? bootstrapInterval(n, positives, rng) : null,
        disparateImpact: null,
        statisticalParityDifference: null,
        judged: n >= T.minGroupSize,
      };
      if (withPredictions) {
        const tp = c[Slot.TP]!;
        const fp = c[Slot.FP]!;
        const tn = c[Slot.TN]!;
        const fn = c[Slot.FN]!;
        const predicted = c[Slot.Predicted]!;
        Object.assign(report, {
          predicted,
          selectionRate: ratio(tp + fp, predicted),
          tpr: ratio(tp, tp + fn),
          fpr: ratio(fp, fp + tn),
          fnr: ratio(fn, tp + fn),
          tnr: ratio(tn, fp + tn),
          precision: ratio(tp, tp + fp),
          accuracy: ratio(tp + tn, predicted),
          counts: { tp, fp, tn, fn },
          selectionRateRatio: null,
        });
      }
      return report;
    });

  const judged = groups.filter((g) => g.judged && g.positiveRate !== null);
  const favoured = judged.reduce<GroupReport | null>((best, g) => (best === null || g.positiveRate! > best.positiveRate! ? g : best), null);
  for (const g of judged) {
    const reference = favoured!.positiveRate!;
    g.disparateImpact = reference > 0 ? g.positiveRate! / reference : null;
    g.statisticalParityDifference = g.positiveRate! - reference;
  }
  const rates = judged.map((g) => g.positiveRate!);
  const result: AttributeBias = {
    groups,
    mostFavoured: favoured?.group ?? null,
    disparateImpact: rates.length > 1 && maxOf(rates) > 0 ? minOf(rates) / maxOf(rates) : null,
    statisticalParityDifference: rates.length > 1 ? maxOf(rates) - minOf(rates) : null,
    fourFifthsFailures: judged.filter((g) => g.disparateImpact !== null && g.disparateImpact < T.fourFifths).map((g) => g.group),
  };
  if (withPredictions) Object.assign(result, predictionMetrics(judged));
  return result;
}

function predictionMetrics(judged: GroupReport[]): Partial<AttributeBias> {
  const withSelection = judged.filter((g) => g.selectionRate !== null && g.selectionRate !== undefined);
  const reference = withSelection.reduce<GroupReport | null>((best, g) => (best === null || g.selectionRate! > best.selectionRate! ? g : best), null);
  for (const g of withSelection) g.selectionRateRatio = reference && reference.selectionRate! > 0 ? g.selectionRate! / reference.selectionRate! : null;
  const tpr = range(judged.map((g) => g.tpr));
  const fpr = range(judged.map((g) => g.fpr));
  let averageOdds: number | null = null;
  if (reference && reference.tpr != null && reference.fpr != null) {
    for (const g of withSelection) {
      if (g.tpr == null || g.fpr == null || g === reference) continue;
      const value = 0.5 * (g.fpr - reference.fpr + (g.tpr - reference.tpr));
      if (averageOdds === null || Math.abs(value) > Math.abs(averageOdds)) averageOdds = value;
    }
  }
  const selection = withSelection.map((g) => g.selectionRate!);
  return {
    selectionRateRatio: selection.length > 1 && maxOf(selection) > 0 ? minOf(selection) / maxOf(selection) : null,
    equalizedOddsDifference: tpr !== null && fpr !== null ? Math.max(tpr, fpr) : null,
    equalOpportunityDifference: tpr,
    averageOddsDifference: averageOdds,
    predictiveParityDifference: range(judged.map((g) => g.precision)),
  };
}

function range(values: (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => v !== null && v !== undefined);
  return known.length > 1 ? maxOf(known) - minOf(known) : null;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

/**
 * Percentile bootstrap of a proportion: resampling n rows with replacement draws the positives
 * from Binomial(n, p̂). Exact Bernoulli draws for small n; the normal approximation to the
 * binomial (rounded, clamped) for large n, where it is indistinguishable and far cheaper.
 */
export function bootstrapInterval(n: number, positives: number, rng: Rng, resamples: number = T.bootstrap): [number, number] {
  const p = positives / n;
  if (p === 0 || p === 1) return [p, p];
  const draws = new Float64Array(resamples);
  const sd = Math.sqrt(n * p * (1 - p));
  for (let b = 0; b < resamples; b++) {
    let k = 0;
    if (n <= 500) {
      for (let i = 0; i < n; i++) if (rng.next() < p) k++;
    } else {
      k = Math.min(n, Math.max(0, Math.round(n * p + sd * rng.normal())));
    }
    draws[b] = k / n;
  }
  draws.sort();
  return [draws[Math.floor(0.025 * (resamples - 1))]!, draws[Math.ceil(0.975 * (resamples - 1))]!];
}
