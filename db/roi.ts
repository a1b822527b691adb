/**
 * Queries of the ROI capability: `roi_cases` (one row per save, so the rows of a project are the
 * history of its assumptions) and `roi_actuals`, plus the small reads of other families' tables
 * the ROI and the executive report need (projects, model versions, runs, evaluations, hardware,
 * quality and drift). Those reads are plain SQL against the schema so this module does not wait
 * on the other capabilities' query modules.
 */
import { metricsAtThreshold } from '../common/operating.js';
import { fromJson, toJson } from './json.js';
import { type Project, type ProjectRow, toProject as toPilotProject } from './projects.js';
import type { ReadableDB, WritableDB } from './store.js';

/** A pilot project as the ROI sees it: db/projects.ts' Project with a baseline that holds figures or is null. */
export type RoiProject = Omit<Project, 'baseline'> & {
  /** Today's figures recorded in the goal step; null when none was recorded. */
  baseline: Record<string, unknown> | null;
};

/** A baseline counts only when it holds at least one figure: `{}` or `null` is "not recorded". */
function recorded(baseline: object | null): Record<string, unknown> | null {
  if (!baseline || Array.isArray(baseline) || Object.keys(baseline).length === 0) return null;
  return baseline as Record<string, unknown>;
}

function toProject(row: ProjectRow): RoiProject {
  const project = toPilotProject(row);
  return { ...project, baseline: recorded(project.baseline) };
}

export function getRoiProject(db: ReadableDB, id: number): RoiProject | null {
  const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  return row ? toProject(row) : null;
}

/** A project by id (digits) or by exact name, as typed on the command line. */
export function findRoiProject(db: ReadableDB, idOrName: string): RoiProject | null {
  const byName = db.prepare('SELECT * FROM projects WHERE name = ?').get(idOrName) as ProjectRow | undefined;
  if (byName) return toProject(byName);
  return /^\d+$/.test(idOrName) ? getRoiProject(db, Number(idOrName)) : null;
}

/** A project in the ROI page's picker. */
export interface RoiProjectSummary {
  id: number;
  name: string;
  question: string;
  baselinePresent: boolean;
  /** When the latest ROI case was saved; null when none was. */
  latestCaseAt: number | null;
  cases: number;
}

export function listRoiProjects(db: ReadableDB): RoiProjectSummary[] {
  const rows = db
    .prepare(
      `SELECT p.*, (SELECT max(created_at) FROM roi_cases c WHERE c.project_id = p.id) AS latest_case_at,
              (SELECT count(*) FROM roi_cases c WHERE c.project_id = p.id) AS cases
       FROM projects p WHERE p.archived_at IS NULL ORDER BY latest_case_at IS NULL, latest_case_at DESC, p.updated_at DESC, p.id DESC`,
    )
    .all() as (ProjectRow & { latest_case_at: number | null; cases: number })[];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    question: row.question,
    baselinePresent: toProject(row).baseline !== null,
    latestCaseAt: row.latest_case_at,
    cases: row.cases,
  }));
}

/** The parts of a model version the ROI and the report read. */
export interface RoiModelVersion {
  id: number;
  version: number;
  stage: 'candidate' | 'staging' | 'production' | 'archived';
  runId: number;
  datasetId: number | null;
  qualityReportId: number | null;
  hardwareProfileId: number | null;
  backend: string;
  task: 'binary' | 'multiclass' | 'regression';
  target: string;
  testMetrics: Record<string, unknown>;
  baselines: Record<string, unknown>;
  createdAt: number;
}

interface VersionRow {
  id: number;
  version: number;
  stage: RoiModelVersion['stage'];
  run_id: number;
  dataset_id: number | null;
  quality_report_id: number | null;
  hardware_profile_id: number | null;
  backend: string;
  task: RoiModelVersion['task'];
  target: string;
  test_metrics: string;
  baselines: string;
  created_at: number;
  threshold: number | null;
}

// The test metrics as they are at the version's operating threshold: the ROI counts the errors the
// version makes as it is used.
const toVersion = (row: VersionRow): RoiModelVersion => ({
  id: row.id,
  version: row.version,
  stage: row.stage,
  runId: row.run_id,
  datasetId: row.dataset_id,
  qualityReportId: row.quality_report_id,
  hardwareProfileId: row.hardware_profile_id,
  backend: row.backend,
  task: row.task,
  target: row.target,
  testMetrics: metricsAtThreshold(fromJson<Record<string, unknown>>(row.test_metrics) ?? {}, row.threshold),
  baselines: fromJson<Record<string, unknown>>(row.baselines) ?? {},
  createdAt: row.created_at,
});

/**
 * The version whose measurements the ROI uses: the production one, else the newest. Archived
 * versions are candidates too (their last measurement is used, with a warning).
 */
export function roiModelVersion(db: ReadableDB, projectId: number): RoiModelVersion | null {
  const row = db
    .prepare(`SELECT * FROM model_versions WHERE project_id = ? ORDER BY stage = 'production' DESC, version DESC LIMIT 1`)
    .get(projectId) as VersionRow | undefined;
  return row ? toVersion(row) : null;
}

/** Whether a model version row still exists. */
export function modelVersionExists(db: ReadableDB, versionId: number): boolean {
  return db.prepare('SELECT 1 FROM model_versions WHERE id = ?').get(versionId) !== undefined;
}

/** The newest offline evaluation of a version. */
export function latestEvaluation(db: ReadableDB, versionId: number): { id: number; metrics: Record<string, unknown>; createdAt: number } | null {
  const row = db
    .prepare('SELECT id, metrics, created_at FROM evaluations WHERE version_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
    .get(versionId) as { id: number; metrics: string; created_at: number } | undefined;
  return row ? { id: row.id, metrics: fromJson<Record<string, unknown>>(row.metrics) ?? {}, createdAt: row.created_at } : null;
}

/** What a training run recorded about its duration, and the trainer's whole result. */
export interface RoiRunTiming {
  /** The trainer's `trainSeconds`, when its result holds one. */
  trainSeconds: number | null;
  /** The job's wall time (finished − started), seconds. */
  jobSeconds: number | null;
  /** The run's own wall time, seconds. */
  runSeconds: number | null;
  backend: string | null;
  result: Record<string, unknown> | null;
}

export function runTiming(db: ReadableDB, runId: number): RoiRunTiming | null {
  const row = db
    .prepare(
      `SELECT r.result, r.backend, r.started_at, r.finished_at, j.started_at AS job_started, j.finished_at AS job_finished
       FROM runs r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.id = ?`,
    )
    .get(runId) as
    | { result: string | null; backend: string | null; started_at: number; finished_at: number | null; job_started: number | null; job_finished: number | null }
    | undefined;
  if (!row) return null;
  const result = fromJson<Record<string, unknown>>(row.result);
  const seconds = (from: number | null, to: number | null) => (from !== null && to !== null && to >= from ? (to - from) / 1000 : null);
  const train = result?.trainSeconds;
  return {
    trainSeconds: typeof train === 'number' && Number.isFinite(train) && train >= 0 ? train : null,
    jobSeconds: seconds(row.job_started, row.job_finished),
    runSeconds: seconds(row.started_at, row.finished_at),
    backend: row.backend,
    result: result && typeof result === 'object' ? result : null,
  };
}

/** A stored hardware profile (the profiler's report JSON). */
export interface RoiHardwareProfile {
  id: number;
  hostname: string;
  profile: Record<string, unknown>;
  createdAt: number;
}

/** The given profile, else the newest one taken on this machine, else the newest at all. */
export function hardwareProfileFor(db: ReadableDB, id: number | null): RoiHardwareProfile | null {
  const row = (id !== null ? db.prepare('SELECT id, hostname, profile, created_at FROM hardware_profiles WHERE id = ?').get(id) : undefined) ??
    db.prepare(`SELECT id, hostname, profile, created_at FROM hardware_profiles ORDER BY source = 'local' DESC, created_at DESC, id DESC LIMIT 1`).get();
  const found = row as { id: number; hostname: string; profile: string; created_at: number } | undefined;
  return found ? { id: found.id, hostname: found.hostname, profile: fromJson<Record<string, unknown>>(found.profile) ?? {}, createdAt: found.created_at } : null;
}

/** The given quality report, else the newest one of the dataset. */
export function qualityReportFor(db: ReadableDB, id: number | null, datasetId: number | null): { id: number; score: number; report: Record<string, unknown>; datasetName: string | null } | null {
  const select = 'SELECT q.id, q.score, q.report, d.name FROM quality_reports q LEFT JOIN datasets d ON d.id = q.dataset_id';
  const row = (id !== null ? db.prepare(`${select} WHERE q.id = ?`).get(id) : undefined) ??
    (datasetId !== null ? db.prepare(`${select} WHERE q.dataset_id = ? ORDER BY q.created_at DESC, q.id DESC LIMIT 1`).get(datasetId) : undefined);
  const found = row as { id: number; score: number; report: string; name: string | null } | undefined;
  return found ? { id: found.id, score: found.score, report: fromJson<Record<string, unknown>>(found.report) ?? {}, datasetName: found.name } : null;
}

/** The newest drift report of a version. */
export function latestDriftReport(db: ReadableDB, versionId: number): { report: Record<string, unknown>; datasetDrift: boolean; driftShare: number; createdAt: number } | null {
  const row = db
    .prepare('SELECT report, dataset_drift, drift_share, created_at FROM drift_reports WHERE version_id = ? ORDER BY created_at DESC, id DESC LIMIT 1')
    .get(versionId) as { report: string; dataset_drift: number; drift_share: number; created_at: number } | undefined;
  return row ? { report: fromJson<Record<string, unknown>>(row.report) ?? {}, datasetDrift: row.dataset_drift === 1, driftShare: row.drift_share, createdAt: row.created_at } : null;
}

/** One saved ROI case. `input`, `measured` and `result` are the JSON the ROI handlers wrote. */
export interface RoiCase {
  id: number;
  projectId: number;
  input: Record<string, unknown>;
  measured: Record<string, unknown>;
  result: Record<string, unknown>;
  note: string;
  createdAt: number;
}

interface CaseRow {
  id: number;
  project_id: number;
  input: string;
  measured: string;
  result: string;
  note: string;
  created_at: number;
}

const toCase = (row: CaseRow): RoiCase => ({
  id: row.id,
  projectId: row.project_id,
  input: fromJson<Record<string, unknown>>(row.input) ?? {},
  measured: fromJson<Record<string, unknown>>(row.measured) ?? {},
  result: fromJson<Record<string, unknown>>(row.result) ?? {},
  note: row.note,
  createdAt: row.created_at,
});

export function insertRoiCase(db: WritableDB, value: Omit<RoiCase, 'id' | 'createdAt'>, now: number): RoiCase {
  const row = db
    .prepare('INSERT INTO roi_cases (project_id, input, measured, result, note, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *')
    .get(value.projectId, toJson(value.input), toJson(value.measured), toJson(value.result), value.note, now) as CaseRow;
  return toCase(row);
}

/** The newest saved case of a project (ties on the clock go to the later row). */
export function latestRoiCase(db: ReadableDB, projectId: number): RoiCase | null {
  const row = db.prepare('SELECT * FROM roi_cases WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT 1').get(projectId) as CaseRow | undefined;
  return row ? toCase(row) : null;
}

/** A saved case as the history lists it: its inputs and the headline figures computed at save time. */
export interface RoiCaseListed extends Omit<RoiCase, 'result'> {
  npv: number | null;
  roiPercent: number | null;
  paybackMonth: number | null;
  currency: string | null;
}

/** Every saved case of a project, newest first. Headline figures are read with json_extract, not by parsing whole results. */
export function listRoiCases(db: ReadableDB, projectId: number, limit = 200): RoiCaseListed[] {
  const rows = db
    .prepare(
      `SELECT id, project_id, input, measured, note, created_at,
              json_extract(result, '$.npv') AS npv, json_extract(result, '$.roiPercent') AS roi_percent,
              json_extract(result, '$.paybackMonth') AS payback_month, json_extract(result, '$.currency') AS currency
       FROM roi_cases WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .all(projectId, limit) as (Omit<CaseRow, 'result'> & { npv: number | null; roi_percent: number | null; payback_month: number | null; currency: string | null })[];
  return rows.map((row) => {
    const { result: _result, ...rest } = toCase({ ...row, result: 'null' });
    return { ...rest, npv: row.npv, roiPercent: row.roi_percent, paybackMonth: row.payback_month, currency: row.currency };
  });
}

/** One month of actual figures, money in minor units of the case's currency. */
export interface RoiActualRow {
  month: number;
  costMinor: number;
  benefitMinor: number;
  note: string;
  updatedAt: number;
}

/** Enters or replaces the actual figures of one month. */
export function setRoiActual(db: WritableDB, projectId: number, actual: Omit<RoiActualRow, 'updatedAt'>, now: number): void {
  db.prepare(
    `INSERT INTO roi_actuals (project_id, month, cost_minor, benefit_minor, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_id, month) DO UPDATE SET cost_minor = excluded.cost_minor, benefit_minor = excluded.benefit_minor,
       note = excluded.note, updated_at = excluded.updated_at`,
  ).run(projectId, actual.month, actual.costMinor, actual.benefitMinor, actual.note, now);
}

export function deleteRoiActual(db: WritableDB, projectId: number, month: number): boolean {
  return db.prepare('DELETE FROM roi_actuals WHERE project_id = ? AND month = ?').run(projectId, month).changes === 1;
}

export function listRoiActuals(db: ReadableDB, projectId: number): RoiActualRow[] {
  const rows = db
    .prepare('SELECT month, cost_minor, benefit_minor, note, updated_at FROM roi_actuals WHERE project_id = ? ORDER BY month')
    .all(projectId) as { month: number; cost_minor: number; benefit_minor: number; note: string; updated_at: number }[];
  return rows.map((row) => ({ month: row.month, costMinor: row.cost_minor, benefitMinor: row.benefit_minor, note: row.note, updatedAt: row.updated_at }));
}
