/**
 * Gathers the executive report of a pilot project from the store: its question, data quality,
 * fairness, model metrics against the baselines, hardware, registry, drift and ROI. Every section
 * is left out (the report then says "Not measured yet") when its data is missing; nothing is
 * invented. Reads the stored JSON defensively: a field another capability did not write is skipped.
 */
import {
  hardwareProfileFor,
  latestDriftReport,
  qualityReportFor,
  roiModelVersion,
  runTiming,
  type RoiModelVersion,
  type RoiProject,
} from '../../db/roi.js';
import type { ReadableDB } from '../../db/store.js';
import { versionVerdictById } from '../verdict/gather.js';
import type { OriginLine } from '../roi/origins.js';
import type { ExecutiveReportData, ReportFairness, ReportGoal, ReportHardware, ReportMetrics, RoiInput, RoiResult } from '../roi/index.js';

type Json = Record<string, unknown>;
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const obj = (value: unknown): Json | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v): v is Json => obj(v) !== null) : []);

/** Metrics where lower is better; the rest are "higher is better". */
const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mape', 'logLoss']);
/** Metrics that are fractions 0…1 (shown as percentages). */
const FRACTIONS = new Set(['accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1', 'rocAuc', 'prAuc', 'mape']);
const METRIC_NAMES: Record<string, string> = {
  accuracy: 'Accuracy',
  balancedAccuracy: 'Balanced accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1 score',
  rocAuc: 'ROC AUC',
  logLoss: 'Log loss',
  r2: 'R²',
  mae: 'Mean absolute error',
  rmse: 'Root mean squared error',
  mape: 'Mean absolute percentage error',
};

/** A metric of the version, overall or of one class (`perClass[].label`). */
function metricValue(metrics: Json, name: string, cls: string | null): number | null {
  if (cls) {
    const row = list(metrics.perClass).find((c) => c.label === cls);
    if (row) return num(row[name]);
  }
  return num(metrics[name]);
}

function goalOf(project: RoiProject, version: RoiModelVersion | null): ReportGoal | undefined {
  if (!project.question.trim() && !project.successMetric) return undefined;
  const metric = project.successMetric;
  const target = project.successThreshold;
  const name = metric ? (METRIC_NAMES[metric] ?? metric) : null;
  const achieved = metric && version ? metricValue(version.testMetrics, metric, project.successClass) : null;
  const lower = metric !== null && LOWER_IS_BETTER.has(metric);
  const kind = metric !== null && FRACTIONS.has(metric) ? ('fraction' as const) : ('number' as const);
  const criterion =
    name && target !== null
      ? `${name}${project.successClass ? ` for “${project.successClass}”` : ''} ${lower ? 'at most' : 'at least'} ${kind === 'fraction' ? `${+(target * 100).toFixed(2)} %` : target} on the test set`
      : 'No success criterion was set in the goal step.';
  return {
    question: project.question.trim() || `(no question written for ${project.name})`,
    successCriterion: criterion,
    met: achieved === null || target === null ? null : lower ? achieved <= target : achieved >= target,
    ...(name ? { metric: { name, achieved, target, kind } } : {}),
  };
}

function metricsOf(version: RoiModelVersion, result: Json | null): ReportMetrics | undefined {
  const tests = new Map(list(result?.versusLinear).map((c) => [String(c.metric), c]));
  const baselines = obj(version.baselines) ?? {};
  // The linear baseline is the harder one to beat; the majority class is the floor.
  const baseline = obj(baselines.linear) ?? obj(baselines.majority);
  const baselineName = obj(baselines.linear) ? 'a linear model' : obj(baselines.majority) ? 'always predicting the most common class' : undefined;
  const keys = version.task === 'regression' ? ['r2', 'mae', 'rmse'] : ['accuracy', 'balancedAccuracy', 'f1', ...(version.task === 'binary' ? ['rocAuc'] : [])];
  const rows = keys
    .filter((key) => num(version.testMetrics[key]) !== null)
    .map((key) => ({
      name: METRIC_NAMES[key] ?? key,
      model: num(version.testMetrics[key]),
      baseline: baseline ? num(baseline[key]) : null,
      higherIsBetter: !LOWER_IS_BETTER.has(key),
      kind: FRACTIONS.has(key) ? ('fraction' as const) : ('number' as const),
      ...testOf(obj(baselines.linear) ? tests.get(key) : undefined),
    }));
  return rows.length ? { split: 'test set held out from training', ...(baselineName ? { baselineName } : {}), rows } : undefined;
}

/** The stored paired test of one metric, when the run recorded it (runs before the test have none). */
function testOf(c: Json | undefined): { test?: NonNullable<ReportMetrics['rows'][number]['test']> } {
  const verdict = c?.verdict;
  const pValue = num(c?.pValue);
  if ((verdict !== 'better' && verdict !== 'worse' && verdict !== 'about the same') || pValue === null) return {};
  return { test: { verdict, pValue, method: c?.method === 'mcnemar' ? 'mcnemar' : 'bootstrap' } };
}

function fairnessOf(result: Json | null): ReportFairness | undefined {
  const attributes = list(result?.fairness);
  const first = attributes[0];
  if (!first) return undefined;
  const di = num(first.disparateImpact);
  const gap = num(first.tprGap);
  const concern = (di !== null && di < 0.8) || (gap !== null && gap > 0.1);
  const parts = [
    di !== null ? `lowest selection rate ÷ highest is ${di.toFixed(2)} (the four-fifths rule flags below 0.80)` : null,
    gap !== null ? `true positive rates differ by up to ${(gap * 100).toFixed(1)} points` : null,
  ].filter(Boolean);
  return {
    attribute: String(first.column ?? 'group'),
    verdict: di === null && gap === null ? 'not-assessed' : concern ? 'concern' : 'ok',
    summary: `Across the groups of ${String(first.column)}: ${parts.length ? parts.join('; ') : 'the groups were compared on accuracy only'}.`,
    groups: list(first.groups).map((g) => {
      const accuracy = num(g.accuracy);
      return { group: String(g.group), count: num(g.count) ?? 0, outcomeRate: num(g.selectionRate), errorRate: accuracy === null ? null : 1 - accuracy };
    }),
  };
}

const LEVELS = { green: 'ready', amber: 'limited', red: 'not-ready' } as const;

function hardwareOf(db: ReadableDB, version: RoiModelVersion | null, trainingSeconds: number | null, backend: string | null): ReportHardware | undefined {
  const hardware = hardwareProfileFor(db, version?.hardwareProfileId ?? null);
  if (!hardware) return undefined;
  const profile = hardware.profile;
  const gpu = list(profile.gpus)[0];
  const cpu = obj(profile.cpu);
  const used = backend ?? version?.backend ?? null;
  const device =
    gpu && used === 'tensorflow'
      ? `${String(gpu.model)}${num(gpu.vramBytes) !== null ? `, ${Math.round(num(gpu.vramBytes)! / 2 ** 30)} GB` : ''} on ${hardware.hostname}`
      : `CPU: ${String(cpu?.model ?? 'unknown')}${num(cpu?.logicalCores) !== null ? `, ${num(cpu?.logicalCores)} threads` : ''} on ${hardware.hostname}`;
  const verdict = list(profile.verdicts).find((v) => v.template === 'tabular') ?? list(profile.verdicts)[0];
  const level = verdict ? LEVELS[String(verdict.level) as keyof typeof LEVELS] : undefined;
  const reasons = Array.isArray(verdict?.reasons) ? (verdict.reasons as unknown[]).map(String) : [];
  return {
    device,
    ...(used ? { backend: used } : {}),
    verdict: level === 'ready' ? 'Ready for pilots of this kind.' : level === 'limited' ? 'Usable, with limits.' : level === 'not-ready' ? 'Not ready for pilots of this kind.' : 'No readiness verdict recorded.',
    ...(level ? { level } : {}),
    trainingSeconds,
    notes: reasons.slice(0, 4),
  };
}

function driftOf(db: ReadableDB, version: RoiModelVersion): ExecutiveReportData['drift'] {
  const drift = latestDriftReport(db, version.id);
  if (!drift) return undefined;
  const columns = list(drift.report.columns);
  const judged = num(drift.report.judgedColumns);
  const drifted = columns.filter((c) => c.drifted === true).length;
  const status = drift.datasetDrift ? 'major' : judged === 0 ? 'unknown' : drifted > 0 ? 'minor' : 'none';
  return {
    status,
    checkedAt: new Date(drift.createdAt).toISOString(),
    ...(typeof drift.report.summary === 'string' ? { summary: drift.report.summary } : {}),
    features: columns.map((c) => ({ name: String(c.name), drifted: c.drifted === true, score: num(c.statistic) })).sort((a, b) => Number(b.drifted) - Number(a.drifted)),
  };
}

const SEVERITY = { error: 'high', warning: 'medium', info: 'low' } as const;

/** Everything the executive report shows for a project. `roi` is the case computed with today's measurements. */
export function gatherReportData(db: ReadableDB, project: RoiProject, roi: { input: RoiInput; result: RoiResult; origins?: OriginLine[] } | undefined, now = new Date()): ExecutiveReportData {
  const version = roiModelVersion(db, project.id);
  const timing = version ? runTiming(db, version.runId) : null;
  const quality = qualityReportFor(db, version?.qualityReportId ?? null, version?.datasetId ?? project.datasetId);
  const goal = goalOf(project, version);
  const metrics = version ? metricsOf(version, timing?.result ?? null) : undefined;
  const verdict = version ? versionVerdictById(db, version.id) : null;
  const fairness = fairnessOf(timing?.result ?? null);
  const hardware = hardwareOf(db, version, roi?.result.measuredUsed.trainingSeconds ?? timing?.trainSeconds ?? null, timing?.backend ?? null);
  const drift = version ? driftOf(db, version) : undefined;
  return {
    project: project.name,
    generatedAt: now.toISOString(),
    ...(roi ? { locale: roi.input.locale } : {}),
    ...(verdict ? { verdict: { level: verdict.level, headline: verdict.headline, findings: verdict.findings } } : {}),
    ...(goal ? { goal } : {}),
    ...(quality
      ? {
          dataQuality: {
            score: quality.score,
            ...(quality.datasetName ? { datasetName: quality.datasetName } : {}),
            ...(num(quality.report.rows) !== null ? { rows: num(quality.report.rows)! } : {}),
            ...(num(quality.report.columnsCount) !== null ? { columns: num(quality.report.columnsCount)! } : {}),
            alerts: list(quality.report.alerts)
              .map((a) => ({ severity: SEVERITY[String(a.severity) as keyof typeof SEVERITY] ?? 'low', message: String(a.message ?? '') }))
              .sort((a, b) => ['high', 'medium', 'low'].indexOf(a.severity) - ['high', 'medium', 'low'].indexOf(b.severity)),
          },
        }
      : {}),
    ...(fairness ? { fairness } : {}),
    ...(metrics ? { metrics } : {}),
    ...(hardware ? { hardware } : {}),
    ...(version
      ? { registry: { model: project.name, version: version.version, stage: version.stage, registeredAt: new Date(version.createdAt).toISOString() } }
      : {}),
    ...(drift ? { drift } : {}),
    ...(roi ? { roi } : {}),
  };
}

/** A file name for the report: the project's name reduced to safe characters. */
export function reportFileName(projectName: string): string {
  const slug = projectName.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'pilot';
  return `${slug}-executive-report.html`;
}
