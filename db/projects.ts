/** Queries for the `projects` table: pilot projects and their wizard state. */
import { fromJson, toJson } from './json.js';
import type { PilotKind, PilotTask } from '../workers/pilot-result.js';
import type { ReadableDB, WritableDB } from './store.js';

export type { PilotTask };

/**
 * Today's figures, recorded before training so a later ROI case compares against the process as it
 * is (every field optional: a manager fills in what is known).
 */
export interface Baseline {
  /** Cases handled per month (transactions screened, claims read…). */
  volumePerMonth?: number;
  /** What one wrong decision costs today, in `currency`. */
  costOfError?: number;
  /** Share of cases decided wrongly today, 0..1. */
  errorRate?: number;
  /** Person-hours spent on the task per month. */
  hoursPerMonth?: number;
  /** Loaded cost of one of those hours, in `currency`. */
  hourlyRate?: number;
  currency?: string;
}

/** A pilot project as the UI, the CLI and the API see it. */
export interface Project {
  id: number;
  /** Which kind of pilot this is: it picks the wizard's branch, the training job and the predictor. Set when created. */
  kind: PilotKind;
  name: string;
  /** The business question, in the user's words. */
  question: string;
  /** The success criterion: `successMetric` ≥ `successThreshold` (on `successClass` when it names one). */
  successMetric: string | null;
  successThreshold: number | null;
  successClass: string | null;
  baseline: Baseline | null;
  datasetId: number | null;
  target: string | null;
  task: PilotTask | null;
  /** Wizard step and choices, so a user can leave and come back. */
  wizard: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
}

/** Fields a caller may set; each absent field is left as it is. */
export interface ProjectPatch {
  name?: string;
  question?: string;
  successMetric?: string | null;
  successThreshold?: number | null;
  successClass?: string | null;
  baseline?: Baseline | null;
  datasetId?: number | null;
  target?: string | null;
  task?: PilotTask | null;
  wizard?: Record<string, unknown>;
}

/** A `projects` row as SQLite returns it. */
export interface ProjectRow {
  id: number;
  kind: string;
  name: string;
  question: string;
  success_metric: string | null;
  success_threshold: number | null;
  success_class: string | null;
  baseline: string | null;
  dataset_id: number | null;
  target: string | null;
  task: string | null;
  wizard: string;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    kind: row.kind as PilotKind,
    name: row.name,
    question: row.question,
    successMetric: row.success_metric,
    successThreshold: row.success_threshold,
    successClass: row.success_class,
    baseline: fromJson<Baseline>(row.baseline),
    datasetId: row.dataset_id,
    target: row.target,
    task: row.task as PilotTask | null,
    wizard: fromJson<Record<string, unknown>>(row.wizard) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    archivedAt: row.archived_at,
  };
}

/** Column of each patch field; JSON fields are serialised on the way in. */
const COLUMNS: Record<keyof ProjectPatch, string> = {
  name: 'name',
  question: 'question',
  successMetric: 'success_metric',
  successThreshold: 'success_threshold',
  successClass: 'success_class',
  baseline: 'baseline',
  datasetId: 'dataset_id',
  target: 'target',
  task: 'task',
  wizard: 'wizard',
};

function columnValue(key: keyof ProjectPatch, value: unknown): unknown {
  if (key === 'baseline') return value === null ? null : toJson(value);
  if (key === 'wizard') return toJson(value ?? {});
  return value ?? null;
}

/** Makes a project one of another kind (a project created before its first run chose the kind). */
export function setProjectKind(db: WritableDB, id: number, kind: PilotKind, now: number): void {
  db.prepare('UPDATE projects SET kind = ?, updated_at = ? WHERE id = ?').run(kind, now, id);
}

export function insertProject(db: WritableDB, project: ProjectPatch & { name: string; kind?: PilotKind }, now: number): Project {
  const keys = (Object.keys(project) as (keyof ProjectPatch)[]).filter((key) => project[key] !== undefined && key in COLUMNS);
  const columns = [...keys.map((key) => COLUMNS[key]), 'kind', 'created_at', 'updated_at'];
  const values = [...keys.map((key) => columnValue(key, project[key])), project.kind ?? 'tabular', now, now];
  const row = db
    .prepare(`INSERT INTO projects (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *`)
    .get(...values) as ProjectRow;
  return toProject(row);
}

export function getProject(db: ReadableDB, id: number): Project | null {
  const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow | undefined;
  return row ? toProject(row) : null;
}

export function getProjectByName(db: ReadableDB, name: string): Project | null {
  const row = db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
  return row ? toProject(row) : null;
}

/** Projects most recently touched first; archived ones only when asked. */
export function listProjects(db: ReadableDB, options: { archived?: boolean } = {}): Project[] {
  const sql = options.archived
    ? 'SELECT * FROM projects ORDER BY updated_at DESC, id DESC'
    : 'SELECT * FROM projects WHERE archived_at IS NULL ORDER BY updated_at DESC, id DESC';
  return (db.prepare(sql).all() as ProjectRow[]).map(toProject);
}

/** Applies the fields present in `patch`; returns the updated project, or null when it does not exist. */
export function updateProject(db: WritableDB, id: number, patch: ProjectPatch, now: number): Project | null {
  const keys = (Object.keys(patch) as (keyof ProjectPatch)[]).filter((key) => patch[key] !== undefined && key in COLUMNS);
  const sets = [...keys.map((key) => `${COLUMNS[key]} = ?`), 'updated_at = ?'];
  const row = db
    .prepare(`UPDATE projects SET ${sets.join(', ')} WHERE id = ? RETURNING *`)
    .get(...keys.map((key) => columnValue(key, patch[key])), now, id) as ProjectRow | undefined;
  return row ? toProject(row) : null;
}

/** Archives (never deletes: runs and versions keep their lineage). Returns false when there is no such project. */
export function archiveProject(db: WritableDB, id: number, now: number): boolean {
  return db.prepare('UPDATE projects SET archived_at = COALESCE(archived_at, ?), updated_at = ? WHERE id = ?').run(now, now, id).changes === 1;
}
