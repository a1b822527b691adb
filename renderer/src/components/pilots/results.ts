/** Reading a run's metrics for the Results step: formatting and the success criterion in plain words. */
import type { Project } from '../../../../main/contract/index.js';

/** The parts of the trainer's metrics the page reads (classification and regression share one loose shape). */
export interface LooseMetrics {
  [key: string]: unknown;
  accuracy?: number;
  r2?: number;
  mae?: number;
  perClass?: { label: string; precision: number; recall: number; f1: number; support: number }[];
  positiveClass?: string;
  confusionMatrix?: { labels: string[]; matrix: number[][] };
  thresholds?: { threshold: number; precision: number; recall: number; f1: number; positiveRate: number }[];
  residuals?: { actual: number; predicted: number }[];
}

const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mape', 'logLoss']);

/** Rates as percentages, errors and losses as numbers. */
export function fmt(value: unknown, key: string, difference = false): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (key === 'r2' || LOWER_IS_BETTER.has(key)) return value.toFixed(3);
  return `${(value * 100).toFixed(1)}${difference ? ' points' : '%'}`;
}

/** Whether the success criterion of the Goal step is met, said as a sentence. */
export function criterion(project: Project, metrics: LooseMetrics): { met: boolean; text: string } | null {
  const key = project.successMetric;
  const threshold = project.successThreshold;
  if (!key || threshold === null) return null;
  let value: unknown = metrics[key];
  let about = '';
  if (project.successClass && metrics.perClass) {
    const row = metrics.perClass.find((c) => c.label === project.successClass);
    if (!row) return { met: false, text: `The criterion is about the class "${project.successClass}", which is not among the target's classes (${metrics.perClass.map((c) => c.label).join(', ')}). Fix it in the Goal step.` };
    if (key in row) value = row[key as 'recall'];
    about = ` on "${project.successClass}"`;
  }
  if (typeof value !== 'number') return { met: false, text: `The criterion uses ${key}, which this kind of model does not report. Choose another metric in the Goal step.` };
  const lower = LOWER_IS_BETTER.has(key);
  const met = lower ? value <= threshold : value >= threshold;
  const shown = (v: number) => (key === 'r2' || lower ? v.toFixed(3) : `${(v * 100).toFixed(1)}%`);
  return {
    met,
    text: met
      ? `Success criterion met: ${key}${about} is ${shown(value)}, ${lower ? 'at most' : 'at least'} the ${shown(threshold)} you asked for.`
      : `Success criterion not met: ${key}${about} is ${shown(value)}, ${lower ? 'above' : 'below'} the ${shown(threshold)} you asked for. Try more data, other columns, or the advanced settings before going further.`,
  };
}
