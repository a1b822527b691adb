/**
 * Builds a pilot's verdict from the store: the project's criterion, the run's stored result
 * (fairness, features, exclusions, the comparison with the linear model) and the newest quality
 * report of the exact content trained on (preferring one scored with the same target, the only
 * kind that checks leakage). Reads stored JSON defensively: a field an older run did not write is
 * simply not weighed.
 */
import { getModelVersion, type ModelVersion } from '../../db/models.js';
import { getProject } from '../../db/projects.js';
import { getQualityReport, listQualityReports } from '../../db/quality.js';
import { getRun } from '../../db/runs.js';
import type { ReadableDB } from '../../db/store.js';
import { DEFAULT_THRESHOLD, metricsAtThreshold, sameThreshold } from '../../common/operating.js';
import { AppError } from '../errors.js';
import { CRITERION_STEP, criterionResult, pilotVerdict, type PilotVerdict, type VerdictInput } from './pilot.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => obj(x) !== null) : []);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : String(v ?? ''));

/** The quality alerts of the newest report on this content, preferring one scored with `target`. */
export function dataAlertsFor(db: ReadableDB, datasetId: number | null, sha256: string, target: string): VerdictInput['dataAlerts'] {
  if (datasetId === null) return null;
  const same = listQualityReports(db, datasetId, 50).filter((r) => r.datasetSha256 === sha256);
  const pick = same.find((r) => r.options.target === target) ?? same[0];
  const record = pick ? getQualityReport(db, pick.id) : null;
  if (!record) return null;
  return record.report.alerts.map((a) => ({ severity: a.severity, code: a.code, column: a.column, message: a.message }));
}

/** The verdict inputs a stored training result carries. */
export function verdictInputOf(result: Json, criterion: VerdictInput['criterion'], dataAlerts: VerdictInput['dataAlerts']): VerdictInput {
  const task = result.task === 'regression' || result.task === 'multiclass' ? result.task : 'binary';
  const summary = obj(result.summary);
  const metric = summary?.metric === 'r2' ? 'r2' : 'accuracy';
  const value = num(summary?.network);
  const majority = num(summary?.majority);
  const versus = list(result.versusLinear).find((c) => c.metric === metric);
  return {
    criterion,
    task,
    headline: value !== null && majority !== null ? { metric, value, majority } : null,
    fairness: list(result.fairness).map((a) => ({
      column: str(a.column),
      groups: list(a.groups).map((g) => ({ group: str(g.group), count: num(g.count) ?? 0, selectionRate: num(g.selectionRate), tpr: num(g.tpr) })),
    })),
    dataAlerts,
    chosen: obj(result.chosen)?.model === 'linear' || obj(result.chosen)?.model === 'network' ? { model: obj(result.chosen)!.model as 'network' | 'linear', reason: str(obj(result.chosen)!.reason) } : null,
    features: Array.isArray(result.features) ? result.features.map(str) : [],
    excluded: list(result.excluded).map((e) => ({ column: str(e.column), reason: str(e.reason) })),
    versusLinear:
      versus && (versus.verdict === 'better' || versus.verdict === 'worse' || versus.verdict === 'about the same')
        ? { verdict: versus.verdict, difference: num(versus.difference) ?? 0, pValue: num(versus.pValue) ?? 1, metric }
        : null,
  };
}

/** The verdict on a model version (null when its run's result is gone). */
export function versionVerdict(db: ReadableDB, version: ModelVersion): PilotVerdict | null {
  const run = getRun(db, version.runId);
  const result = obj(run?.result);
  const project = getProject(db, version.projectId);
  if (!result || !project) return null;
  // The criterion is judged where the version decides: at its operating threshold.
  const criterion = criterionResult(project, metricsAtThreshold(version.testMetrics, version.threshold), CRITERION_STEP[project.kind] ?? null);
  // A text run checks its documents itself (there may be no registered dataset): its alerts count too.
  const runAlerts = list(obj(result.quality)?.alerts).map((a) => ({ severity: str(a.severity), code: str(a.code), column: a.column === null || a.column === undefined ? null : str(a.column), message: str(a.message) }));
  const stored = dataAlertsFor(db, version.datasetId, version.datasetSha256, version.target);
  const alerts = stored === null && runAlerts.length === 0 ? null : [...(stored ?? []), ...runAlerts];
  const verdict = pilotVerdict(verdictInputOf(result, criterion, alerts));
  if (version.threshold !== null && !sameThreshold(version.threshold, DEFAULT_THRESHOLD) && Array.isArray(result.fairness) && result.fairness.length > 0) {
    verdict.findings.push({
      severity: 'note',
      kind: 'fairness',
      title: `fairness per group was measured at the default threshold ${DEFAULT_THRESHOLD}, not at the chosen ${version.threshold}`,
      detail: 'Who is selected changes with the threshold. Evaluate the version on labelled data (Models page, or pilot evaluate) to see fairness per group at the threshold it now uses.',
    });
  }
  return verdict;
}

/**
 * Promotion over a failed criterion, a fairness concern or another blocker needs a written reason
 * (it goes in the version's history); throws the error the dialog and the CLI show otherwise.
 */
export function requireReasonToPromote(db: ReadableDB, versionId: number, reason: string): void {
  const version = getModelVersion(db, versionId);
  const verdict = version ? versionVerdict(db, version) : null;
  if (!verdict?.needsReason || reason.trim() !== '') return;
  throw new AppError(
    'invalid-input',
    `Version ${version!.version} is not ready to promote without a word: ${verdict.headline} Say why you promote it anyway (--reason "…" on the command line); the reason is kept in its history.`,
  );
}

/** `versionVerdict` by version id. */
export function versionVerdictById(db: ReadableDB, versionId: number): PilotVerdict | null {
  const version = getModelVersion(db, versionId);
  return version ? versionVerdict(db, version) : null;
}
