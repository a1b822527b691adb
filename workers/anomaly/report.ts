/**
 * Scores the network and both baselines on the same rows, chooses each one's threshold by the same
 * rule on the validation rows, and says in plain words how they compare (a baseline that wins is
 * named as the winner).
 */
import { seedFor } from '../trainer/random.js';
import type { AnomalyData, AnomalySplit } from './data.js';
import {
  comparePrAuc,
  histogram,
  labelledMetrics,
  stability,
  unlabelledMetrics,
  type Comparison,
  type HistogramBin,
  type LabelledMetrics,
  type Stability,
  type UnlabelledMetrics,
} from './evaluate.js';
import { DEFAULT_FOREST, IsolationForest } from './forest.js';
import { topContributions, type ColumnBlock, type Contribution, type Reconstruction } from './reconstruction.js';
import { fitRobust, robustScores } from './robust.js';
import type { AnomalyInput } from './schema.js';
import { chooseThreshold, thin, tradeOffCurve, type CurvePoint, type Threshold, type ThresholdRule } from './threshold.js';

/** The baselines, by the names used in `baselines` and `summary`. */
export const BASELINES = { robustZ: 'the robust z-score rule', isolationForest: 'the isolation forest' } as const;
export type BaselineName = keyof typeof BASELINES;

/** A row the network finds most unusual, with why. */
export interface TopAnomaly {
  /** 1-based data row number in the file (the header is not counted). */
  row: number;
  score: number;
  flagged: boolean;
  /** With labels: whether the row is a labelled anomaly. */
  knownAnomaly?: boolean;
  /** The columns with the largest shares of the reconstruction error. */
  contributions: Contribution[];
}

/** Everything the run says about how well the detectors do. */
export interface Evaluation {
  /** The network on the test rows. */
  metrics: LabelledMetrics | UnlabelledMetrics;
  baselines: Record<BaselineName, LabelledMetrics | UnlabelledMetrics>;
  /**
   * With labels: PR AUC of each detector on the test rows. Without: `stability` (Spearman rank
   * correlation of two seeds' test scores; the robust z-score rule has no randomness, so 1), or
   * `alertRate` when the stability check was turned off.
   */
  summary: { metric: 'prAuc' | 'stability' | 'alertRate'; network: number; robustZ: number; isolationForest: number };
  /** The network's threshold (stored with the model version). */
  threshold: Threshold;
  baselineThresholds: Record<BaselineName, Threshold>;
  /** The network's trade-off on the validation rows (≤ 200 points), for choosing another threshold on a chart. */
  curve: CurvePoint[];
  /** The network's test scores. */
  histogram: HistogramBin[];
  /** The 20 rows of the file the network scores highest. */
  topAnomalies: TopAnomaly[];
  /** With labels: the network's PR AUC against each baseline's, with a bootstrap interval. */
  comparisons: Comparison[];
  /** Without labels: agreement of two seeds' rankings of the test rows. */
  stability: { network: Stability | null; isolationForest: Stability } | null;
  /** The comparison in plain words. */
  verdict: string;
  warnings: string[];
}

export function evaluateDetectors(
  data: AnomalyData,
  input: AnomalyInput,
  blocks: ColumnBlock[],
  network: (split: AnomalySplit) => Reconstruction,
  second: ((split: AnomalySplit) => Float64Array) | null,
): Evaluation {
  const d = data.preprocessing.inputs.length;
  const { train, validation, test } = data;
  const robust = fitRobust(train.x, train.n, d);
  const forest = new IsolationForest(train.x, train.n, d, { ...DEFAULT_FOREST, seed: seedFor(input.seed, 'forest') });
  const detectors: Record<'network' | BaselineName, (split: AnomalySplit) => Float64Array> = {
    network: (split) => network(split).scores,
    robustZ: (split) => robustScores(robust, split.x, split.n),
    isolationForest: (split) => forest.score(split.x, split.n),
  };
  const rule: ThresholdRule =
    input.alertRate !== undefined || !data.label
      ? { mode: 'alertRate', rate: input.alertRate ?? 0.01 }
      : input.thresholdRule === 'bestF1'
        ? { mode: 'bestF1' }
        : { mode: input.thresholdRule, target: input.thresholdTarget ?? (input.thresholdRule === 'recall' ? 0.9 : 0.5) };
  const validationNormal = (scores: Float64Array) => (validation.label ? scores.filter((_, i) => validation.label![i] === 0) : scores);

  const scored = Object.fromEntries(
    (Object.keys(detectors) as Array<keyof typeof detectors>).map((name) => {
      const v = detectors[name](validation);
      const t = detectors[name](test);
      const threshold = chooseThreshold(rule, v, validation.label ?? undefined, validationNormal(v));
      const metrics = test.label ? labelledMetrics(t, test.label, threshold.value) : unlabelledMetrics(t, threshold.value);
      return [name, { validation: v, test: t, threshold, metrics }];
    }),
  ) as Record<keyof typeof detectors, { validation: Float64Array; test: Float64Array; threshold: Threshold; metrics: LabelledMetrics | UnlabelledMetrics }>;

  const all = network(data.all);
  const net = scored.network;
  const order = Array.from({ length: data.all.n }, (_, i) => i).sort((a, b) => all.scores[b]! - all.scores[a]!);
  const topAnomalies: TopAnomaly[] = order.slice(0, 20).map((i) => ({
    row: data.all.rowNumbers[i]!,
    score: all.scores[i]!,
    flagged: all.scores[i]! >= net.threshold.value,
    ...(data.all.label ? { knownAnomaly: data.all.label[i] === 1 } : {}),
    contributions: topContributions(all, i, blocks, 5),
  }));

  const warnings: string[] = [];
  let comparisons: Comparison[] = [];
  let stabilityResult: Evaluation['stability'] = null;
  let summary: Evaluation['summary'];
  let verdict: string;
  if (test.label) {
    comparisons = (Object.keys(BASELINES) as BaselineName[]).map((name, b) => comparePrAuc(net.test, scored[name].test, test.label!, name, seedFor(input.seed, `bootstrap-${b}`)));
    const pr = (name: keyof typeof detectors) => (scored[name].metrics as LabelledMetrics).prAuc;
    summary = { metric: 'prAuc', network: pr('network'), robustZ: pr('robustZ'), isolationForest: pr('isolationForest') };
    verdict = labelledVerdict(scored.network.metrics as LabelledMetrics, comparisons, pr);
    if ((net.metrics as LabelledMetrics).anomalies < 10) warnings.push(`The test rows hold only ${(net.metrics as LabelledMetrics).anomalies} labelled anomalies: every figure above moves a lot with one row. Label more known anomalies for a firmer comparison.`);
  } else {
    const k = Math.max(5, Math.round(0.05 * test.n));
    const otherForest = new IsolationForest(train.x, train.n, d, { ...DEFAULT_FOREST, seed: seedFor(input.seed, 'forest-2') });
    const forestStability = stability(scored.isolationForest.test, otherForest.score(test.x, test.n), k);
    const networkStability = second ? stability(net.test, second(test), k) : null;
    stabilityResult = { network: networkStability, isolationForest: forestStability };
    if (networkStability) {
      summary = { metric: 'stability', network: networkStability.spearman, robustZ: 1, isolationForest: forestStability.spearman };
    } else {
      const rate = (name: keyof typeof detectors) => (scored[name].metrics as UnlabelledMetrics).alertRate;
      summary = { metric: 'alertRate', network: rate('network'), robustZ: rate('robustZ'), isolationForest: rate('isolationForest') };
    }
    verdict = unlabelledVerdict(networkStability, forestStability, net.metrics as UnlabelledMetrics);
  }
  return {
    metrics: net.metrics,
    baselines: { robustZ: scored.robustZ.metrics, isolationForest: scored.isolationForest.metrics },
    summary,
    threshold: net.threshold,
    baselineThresholds: { robustZ: scored.robustZ.threshold, isolationForest: scored.isolationForest.threshold },
    curve: thin(tradeOffCurve(net.validation, validation.label ?? undefined)),
    histogram: histogram(net.test, test.label ?? undefined),
    topAnomalies,
    comparisons,
    stability: stabilityResult,
    verdict,
    warnings,
  };
}

const f2 = (x: number) => x.toFixed(2);

function labelledVerdict(network: LabelledMetrics, comparisons: Comparison[], pr: (name: 'network' | BaselineName) => number): string {
  const chance = network.anomalies / Math.max(network.rows, 1);
  const parts = comparisons.map((c) => {
    const name = BASELINES[c.against as BaselineName];
    const figures = `PR AUC ${f2(pr('network'))} against ${f2(pr(c.against as BaselineName))}`;
    if (c.verdict === 'network better') return `the network finds the known anomalies better than ${name} (${figures})`;
    if (c.verdict === 'baseline better') return `${name} finds the known anomalies better than the network (${figures}): prefer it, or give the network more normal rows`;
    return `the network and ${name} do about the same (${figures}; the difference is within what resampling the test rows gives)`;
  });
  const sentence = parts.join('; ');
  const lead = `On the test rows ${sentence}. A random ranking would score ${f2(chance)}.`;
  return `${lead.charAt(0).toUpperCase()}${lead.slice(1)} At the chosen threshold the network catches ${Math.round(100 * network.recall)} % of the known anomalies and ${Math.round(100 * network.precision)} % of its alerts are real.`;
}

function unlabelledVerdict(network: Stability | null, forest: Stability, metrics: UnlabelledMetrics): string {
  const alerts = `The threshold flags ${(100 * metrics.alertRate).toFixed(1)} % of the test rows.`;
  const unknown = 'Without labelled anomalies nobody can say how many real anomalies it catches: check the top rows by hand, and label some to measure it.';
  if (!network) return `${alerts} ${unknown}`;
  const steady = network.spearman >= 0.9 ? 'stable' : network.spearman >= 0.7 ? 'fairly stable' : 'unstable';
  const than = network.spearman >= forest.spearman - 0.02 ? 'at least as stable as' : 'less stable than';
  return `The network's ranking is ${steady} across two seeds (Spearman ${f2(network.spearman)}, ${Math.round(100 * network.topKOverlap)} % of the top ${network.k} shared), ${than} the isolation forest's (${f2(forest.spearman)}); the robust z-score rule has no randomness. ${alerts} ${unknown}`;
}
