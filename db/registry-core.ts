/**
 * The registry's shared part (db/registry.ts describes the policies): its types, reading versions,
 * resolving projects, and appending to the history. Stage changes live in registry-stages.ts,
 * references and aliases in registry-aliases.ts, questions about the past in registry-history.ts.
 */
import { fromJson } from './json.js';
import { type ModelVersion, type Stage, toModelVersion, type VersionRow } from './models.js';
export type { Stage } from './models.js';
import type { ReadableDB, WritableDB } from './store.js';

export type ModelAction = 'register' | 'promote' | 'demote' | 'archive' | 'rollback' | 'alias-set' | 'alias-removed' | 'import' | 'threshold';
export const STAGES: readonly Stage[] = ['candidate', 'staging', 'production', 'archived'];

/** A model version as the registry shows it: db/models.ts' ModelVersion plus project name and aliases. */
export interface RegistryVersion extends ModelVersion {
  projectName: string;
  /** Aliases pointing at this version, sorted. */
  aliases: string[];
}

/** One row of the history. Never updated, never deleted. */
export interface ModelEvent {
  id: number;
  projectId: number;
  versionId: number | null;
  version: number | null;
  action: ModelAction;
  fromStage: Stage | null;
  toStage: Stage | null;
  alias: string | null;
  /** Who: a user name with the surface used (`alice (pilot cli)`). */
  actor: string;
  reason: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Who makes a change, why, and when (epoch ms; tests pass fixed times). */
export interface Change {
  actor: string;
  reason: string;
  now: number;
}

/** A refused registry operation; `code` maps onto the API's error codes, the message says what to do. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid-input',
    message: string,
  ) {
    super(message);
  }
}

export interface RegistryRow extends VersionRow {
  project_name: string;
  aliases: string | null;
}

export interface EventRow {
  id: number;
  project_id: number;
  version_id: number | null;
  version: number | null;
  action: ModelAction;
  from_stage: Stage | null;
  to_stage: Stage | null;
  alias: string | null;
  actor: string;
  reason: string;
  at: number;
}

export const SELECT_VERSION = `SELECT v.*, p.name AS project_name,
  (SELECT json_group_array(alias) FROM (SELECT alias FROM model_aliases a WHERE a.version_id = v.id ORDER BY alias)) AS aliases
  FROM model_versions v JOIN projects p ON p.id = v.project_id`;

export function toVersion(row: RegistryRow): RegistryVersion {
  return { ...toModelVersion(row), projectName: row.project_name, aliases: fromJson<string[]>(row.aliases) ?? [] };
}

export function toEvent(row: EventRow): ModelEvent {
  return {
    id: row.id,
    projectId: row.project_id,
    versionId: row.version_id,
    version: row.version,
    action: row.action,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    alias: row.alias,
    actor: row.actor,
    reason: row.reason,
    at: row.at,
  };
}

export function getVersion(db: ReadableDB, id: number): RegistryVersion | null {
  const row = db.prepare(`${SELECT_VERSION} WHERE v.id = ?`).get(id) as RegistryRow | undefined;
  return row ? toVersion(row) : null;
}

/** Versions of one project (or all), newest first within each project. */
export function listVersions(db: ReadableDB, projectId?: number): RegistryVersion[] {
  const rows = (
    projectId === undefined
      ? db.prepare(`${SELECT_VERSION} ORDER BY p.name, v.version DESC`).all()
      : db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? ORDER BY v.version DESC`).all(projectId)
  ) as RegistryRow[];
  return rows.map(toVersion);
}

/** A project by id or by name. */
export function requireProject(db: ReadableDB, ref: string | number): { id: number; name: string } {
  const row = (
    typeof ref === 'number' || /^\d+$/.test(ref)
      ? db.prepare('SELECT id, name FROM projects WHERE id = ?').get(Number(ref))
      : db.prepare('SELECT id, name FROM projects WHERE name = ?').get(ref)
  ) as { id: number; name: string } | undefined;
  if (!row) throw new RegistryError('not-found', `There is no project "${ref}". List projects with pilot models list.`);
  return row;
}

/** Appends one history row. The pilots integration writes `register` with this too. */
export function recordEvent(db: WritableDB, event: Omit<ModelEvent, 'id'>): ModelEvent {
  const row = db
    .prepare(
      `INSERT INTO model_events (project_id, version_id, version, action, from_stage, to_stage, alias, actor, reason, at)
       VALUES (@projectId, @versionId, @version, @action, @fromStage, @toStage, @alias, @actor, @reason, @at) RETURNING *`,
    )
    .get(event) as EventRow;
  return toEvent(row);
}

/** The project's version in production, if any. */
export function currentProduction(db: ReadableDB, projectId: number): RegistryVersion | null {
  const row = db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? AND v.stage = 'production'`).get(projectId) as RegistryRow | undefined;
  return row ? toVersion(row) : null;
}

/** How messages name a version. */
export const label = (v: RegistryVersion) => `Version ${v.version} of ${v.projectName}`;

/** A version that must exist (a refusal in words otherwise). */
export function mustGet(db: ReadableDB, id: number): RegistryVersion {
  const version = getVersion(db, id);
  if (!version) throw new RegistryError('not-found', `There is no model version with id ${id}. List versions with pilot models list.`);
  return version;
}

/** Appends an alias change to the history. */
export function aliasEvent(db: WritableDB, version: RegistryVersion, action: 'alias-set' | 'alias-removed', alias: string, change: Change, reason: string): void {
  recordEvent(db, {
    projectId: version.projectId,
    versionId: version.id,
    version: version.version,
    action,
    fromStage: null,
    toStage: null,
    alias,
    actor: change.actor,
    reason,
    at: change.now,
  });
}
