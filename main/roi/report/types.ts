/**
 * Everything the executive report can show. Every section is optional: a section without data
 * says "Not measured yet" instead of inventing a figure. All text fields are user text and are
 * escaped when rendered.
 */
import type { OriginLine } from '../origins.js';
import type { RoiResult } from '../compute.js';
import type { RoiInput } from '../schema.js';

export interface ExecutiveReportData {
  /** The pilot project's name. */
  project: string;
  /** When the report was made, ISO 8601. */
  generatedAt: string;
  /** BCP 47 locale for numbers and dates; defaults to the ROI case's, else `en-US`. */
  locale?: string;
  /** The pilot verdict (criterion, leakage, fairness, data errors, linear model): the report's first words. */
  verdict?: ReportVerdict;
  /** The business question, from the wizard's goal step. */
  goal?: ReportGoal;
  dataQuality?: ReportDataQuality;
  fairness?: ReportFairness;
  metrics?: ReportMetrics;
  hardware?: ReportHardware;
  registry?: ReportRegistry;
  drift?: ReportDrift;
  roi?: ReportRoi;
}

/** The pilot verdict as the report shows it. */
export interface ReportVerdict {
  level: 'ready' | 'review' | 'not-ready';
  /** One sentence, worst finding first. */
  headline: string;
  /** Blockers and concerns, worst first (notes left out). */
  findings: { severity: 'blocker' | 'concern' | 'note'; title: string; detail: string }[];
}

export interface ReportGoal {
  /** The question the pilot answers ("Can we flag invoices likely to be paid late?"). */
  question: string;
  /** What counts as success ("accuracy at least 85 % on the test set"). */
  successCriterion: string;
  /** Whether the criterion is met; null when not evaluated yet. */
  met: boolean | null;
  /** The answer in the team's own words (optional; a sentence is generated otherwise). */
  answer?: string;
  /** The criterion's metric, for the sentence "achieved X against a target of Y". */
  metric?: { name: string; achieved: number | null; target: number | null; kind?: 'fraction' | 'number' };
}

export interface ReportDataQuality {
  /** Overall score 0…100. */
  score: number;
  datasetName?: string;
  rows?: number;
  columns?: number;
  /** The most important alerts, most severe first; the report shows at most five. */
  alerts: { severity: 'high' | 'medium' | 'low'; message: string }[];
}

export interface ReportFairness {
  /** One or two sentences. */
  summary: string;
  verdict?: 'ok' | 'concern' | 'not-assessed';
  /** The sensitive attribute examined ("sex", "age band"). */
  attribute?: string;
  /** Per group: outcome rate and error rate as fractions 0…1. */
  groups?: { group: string; count?: number; outcomeRate?: number | null; errorRate?: number | null }[];
}

export interface ReportMetrics {
  /** Which data the metrics come from ("test set, 20 % held out"). */
  split?: string;
  /** The baseline compared with ("majority class", "today's rule"). */
  baselineName?: string;
  rows: {
    name: string;
    model: number | null;
    baseline: number | null;
    higherIsBetter: boolean;
    kind?: 'fraction' | 'number';
    /** The paired test on the test rows (McNemar for accuracy, a bootstrap otherwise); without it the row says "not tested". */
    test?: { verdict: 'better' | 'worse' | 'about the same'; pValue: number; method: 'mcnemar' | 'bootstrap' };
  }[];
}

export interface ReportHardware {
  /** The device that trained the model ("NVIDIA RTX 4090, 24 GB" or "CPU: 8 cores"). */
  device: string;
  /** TensorFlow.js backend used (`tensorflow`, `wasm`, `cpu`). */
  backend?: string;
  /** The readiness verdict in words. */
  verdict: string;
  level?: 'ready' | 'limited' | 'not-ready';
  /** Measured duration of the training run, seconds. */
  trainingSeconds?: number | null;
  notes?: string[];
}

export interface ReportRegistry {
  model: string;
  version: string | number;
  /** `staging`, `production`, `archived`, … */
  stage: string;
  /** ISO 8601. */
  registeredAt?: string;
  note?: string;
}

export interface ReportDrift {
  status: 'none' | 'minor' | 'major' | 'unknown';
  /** ISO 8601. */
  checkedAt?: string;
  summary?: string;
  /** Drifted features first; the report shows at most five. */
  features?: { name: string; drifted: boolean; score?: number | null }[];
}

export interface ReportRoi {
  result: RoiResult;
  /** The assumptions the result was computed from (non-zero ones are listed). */
  input: RoiInput;
  /** Where each listed input came from (Goal step, set, default); without it every input reads as assumed. */
  origins?: OriginLine[];
}
