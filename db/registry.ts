/**
 * The model registry: stages, aliases and the append-only history of every change
 * (`model_events`). Policies, decided once here:
 *
 * - Stages run candidate → staging → production → archived. `promote` moves up (an archived
 *   version comes back to staging first), `demote` moves down one step, `archive` retires a
 *   version that is not in production.
 * - One production version per project. Promoting a version to production moves the previous
 *   production version to **staging** (not archived): it stays ready to be rolled back to, and
 *   the move is written as its own `demote` event.
 * - `rollback` puts back the most recent earlier production version, skipping versions that were
 *   themselves rolled back from, and moves the current one to **archived** (it was pulled for a
 *   reason). Both moves are `rollback` events written in one transaction.
 * - "What was in production at date X" is answered from the events, never from current state, so
 *   the answer does not change afterwards.
 */
import { fromJson } from './json.js';
import { type ModelVersion, setVersionThreshold, type Stage, toModelVersion, type VersionRow } from './models.js';
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

interface RegistryRow extends VersionRow {
  project_name: string;
  aliases: string | null;
}

interface EventRow {
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

const SELECT_VERSION = `SELECT v.*, p.name AS project_name,
  (SELECT json_group_array(alias) FROM (SELECT alias FROM model_aliases a WHERE a.version_id = v.id ORDER BY alias)) AS aliases
  FROM model_versions v JOIN projects p ON p.id = v.project_id`;

function toVersion(row: RegistryRow): RegistryVersion {
  return { ...toModelVersion(row), projectName: row.project_name, aliases: fromJson<string[]>(row.aliases) ?? [] };
}

function toEvent(row: EventRow): ModelEvent {
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

/** Names an alias may not take: they would shadow `PROJECT@N` and `PROJECT@stage` references. */
const RESERVED = new Set<string>([...STAGES, 'latest']);
export const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

/**
 * A version from a reference: its id (`12`), `PROJECT@N` (version number), `PROJECT@alias`,
 * `PROJECT@production` / `@staging` (the newest version in that stage) or `PROJECT@latest`.
 */
export function resolveVersion(db: ReadableDB, ref: string | number): RegistryVersion {
  const text = String(ref).trim();
  if (/^\d+$/.test(text)) {
    const version = getVersion(db, Number(text));
    if (!version) throw new RegistryError('not-found', `There is no model version with id ${text}. List versions with pilot models list.`);
    return version;
  }
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) {
    throw new RegistryError('invalid-input', `"${text}" is not a version reference. Use an id (12), PROJECT@N (churn@3) or PROJECT@alias (churn@champion).`);
  }
  const project = requireProject(db, text.slice(0, at));
  const name = text.slice(at + 1);
  let row: RegistryRow | undefined;
  if (/^\d+$/.test(name)) row = db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? AND v.version = ?`).get(project.id, Number(name)) as RegistryRow | undefined;
  else if (name === 'latest') row = db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? ORDER BY v.version DESC LIMIT 1`).get(project.id) as RegistryRow | undefined;
  else if ((STAGES as readonly string[]).includes(name)) {
    row = db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? AND v.stage = ? ORDER BY v.version DESC LIMIT 1`).get(project.id, name) as RegistryRow | undefined;
  } else {
    row = db
      .prepare(`${SELECT_VERSION} JOIN model_aliases al ON al.version_id = v.id WHERE al.project_id = ? AND al.alias = ?`)
      .get(project.id, name) as RegistryRow | undefined;
  }
  if (!row) throw new RegistryError('not-found', `${project.name} has no version "${name}". See its versions and aliases with pilot models list ${project.name}.`);
  return toVersion(row);
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

function move(db: WritableDB, version: RegistryVersion, to: Stage, action: ModelAction, change: Change, reason = change.reason): void {
  db.prepare('UPDATE model_versions SET stage = ? WHERE id = ?').run(to, version.id);
  recordEvent(db, {
    projectId: version.projectId,
    versionId: version.id,
    version: version.version,
    action,
    fromStage: version.stage,
    toStage: to,
    alias: null,
    actor: change.actor,
    reason,
    at: change.now,
  });
}

function currentProduction(db: ReadableDB, projectId: number): RegistryVersion | null {
  const row = db.prepare(`${SELECT_VERSION} WHERE v.project_id = ? AND v.stage = 'production'`).get(projectId) as RegistryRow | undefined;
  return row ? toVersion(row) : null;
}

const label = (v: RegistryVersion) => `Version ${v.version} of ${v.projectName}`;

/** The outcome of a stage change: the version after it, and the production version it replaced, if any. */
export interface StageChange {
  version: RegistryVersion;
  replaced: RegistryVersion | null;
}

/** Promotes to `staging` (from candidate or archived) or `production` (from candidate or staging). */
export function promote(db: WritableDB, versionId: number, to: 'staging' | 'production', change: Change): StageChange {
  return db.transaction((): StageChange => {
    const version = mustGet(db, versionId);
    if (version.stage === to) throw new RegistryError('conflict', `${label(version)} is already in ${to}.`);
    const allowed = to === 'staging' ? ['candidate', 'archived'] : ['candidate', 'staging'];
    if (!allowed.includes(version.stage)) {
      throw new RegistryError(
        'conflict',
        version.stage === 'archived'
          ? `${label(version)} is archived: promote it to staging first, check it, then to production.`
          : `${label(version)} is in ${version.stage}; promoting it to ${to} would move it down. Use demote instead.`,
      );
    }
    let replaced: RegistryVersion | null = null;
    if (to === 'production') {
      replaced = currentProduction(db, version.projectId);
      if (replaced) move(db, replaced, 'staging', 'demote', change, `Replaced in production by version ${version.version}${change.reason ? `: ${change.reason}` : ''}`);
    }
    move(db, version, to, 'promote', change);
    return { version: mustGet(db, versionId), replaced: replaced && mustGet(db, replaced.id) };
  })();
}

/** One step down: production → staging, staging → candidate. */
export function demote(db: WritableDB, versionId: number, change: Change): RegistryVersion {
  return db.transaction(() => {
    const version = mustGet(db, versionId);
    const to: Stage | null = version.stage === 'production' ? 'staging' : version.stage === 'staging' ? 'candidate' : null;
    if (!to) throw new RegistryError('conflict', `${label(version)} is ${version.stage}: only production and staging versions can be demoted.`);
    move(db, version, to, 'demote', change);
    return mustGet(db, versionId);
  })();
}

/** Retires a candidate or staging version (a production one must be replaced or demoted first). */
export function archive(db: WritableDB, versionId: number, change: Change): RegistryVersion {
  return db.transaction(() => {
    const version = mustGet(db, versionId);
    if (version.stage === 'archived') throw new RegistryError('conflict', `${label(version)} is already archived.`);
    if (version.stage === 'production') {
      throw new RegistryError('conflict', `${label(version)} is in production: promote another version, roll back, or demote it first, then archive it.`);
    }
    move(db, version, 'archived', 'archive', change);
    return mustGet(db, versionId);
  })();
}

/** Production tenures of a project's versions, in order, with how each ended (null: still running). */
function tenures(db: ReadableDB, projectId: number): Array<{ versionId: number; version: number; endedBy: ModelAction | null }> {
  const rows = db
    .prepare(
      `SELECT version_id, version, action, to_stage FROM model_events
       WHERE project_id = ? AND (to_stage = 'production' OR from_stage = 'production') ORDER BY at, id`,
    )
    .all(projectId) as Array<{ version_id: number; version: number; action: ModelAction; to_stage: Stage }>;
  const out: Array<{ versionId: number; version: number; endedBy: ModelAction | null }> = [];
  for (const row of rows) {
    if (row.to_stage === 'production') out.push({ versionId: row.version_id, version: row.version, endedBy: null });
    else {
      const open = out.findLast((t) => t.versionId === row.version_id && t.endedBy === null);
      if (open) open.endedBy = row.action;
    }
  }
  return out;
}

/** The result of a rollback: the version put back, the one pulled (now archived), and the aliases that moved with it. */
export interface Rollback {
  restored: RegistryVersion;
  pulled: RegistryVersion;
  /** Aliases the pulled version had (`champion`…): they follow production to the restored version. */
  movedAliases: string[];
}

/** What a rollback would do now, without doing it: the rollback dialog names the version that comes back. */
export interface RollbackPlan {
  current: RegistryVersion;
  restore: RegistryVersion;
  /** Aliases that would move from `current` to `restore`. */
  movingAliases: string[];
}

/**
 * The version a rollback would put back: the most recent earlier production version that was not
 * itself rolled back from. Throws (conflict) when there is none, in words.
 */
export function rollbackPlan(db: ReadableDB, projectId: number): RollbackPlan {
  const project = requireProject(db, projectId);
  const current = currentProduction(db, projectId);
  if (!current) throw new RegistryError('conflict', `${project.name} has no version in production, so there is nothing to roll back. Promote a version instead.`);
  const history = tenures(db, projectId);
  const pulled = new Set(history.filter((t) => t.endedBy === 'rollback').map((t) => t.versionId));
  const lastIndex = history.findLastIndex((t) => t.versionId === current.id);
  const earlier = history.slice(0, Math.max(lastIndex, 0)).filter((t) => t.versionId !== current.id);
  const target = earlier.reverse().find((t) => !pulled.has(t.versionId) && getVersion(db, t.versionId) !== null);
  if (!target) {
    throw new RegistryError(
      'conflict',
      earlier.length === 0
        ? `Version ${current.version} is the first production version of ${project.name}: there is nothing to roll back to.`
        : `Every earlier production version of ${project.name} was itself rolled back from: there is nothing to roll back to. Promote a version explicitly.`,
    );
  }
  return { current, restore: mustGet(db, target.versionId), movingAliases: current.aliases };
}

/**
 * Puts back the previous production version in one transaction. Versions that were themselves
 * rolled back from are skipped, so rolling back twice walks further back instead of flipping.
 * The pulled version's aliases move to the restored one (with alias events): an archived version
 * keeping `champion` would leave every `@champion` reference and publication on a pulled model.
 */
export function rollback(db: WritableDB, projectId: number, change: Change): Rollback {
  return db.transaction((): Rollback => {
    const { current, restore, movingAliases } = rollbackPlan(db, projectId);
    move(db, current, 'archived', 'rollback', change);
    move(db, restore, 'production', 'rollback', change);
    for (const alias of movingAliases) {
      db.prepare('UPDATE model_aliases SET version_id = ?, updated_at = ? WHERE project_id = ? AND alias = ?').run(restore.id, change.now, current.projectId, alias);
      aliasEvent(db, current, 'alias-removed', alias, change, `Moved to version ${restore.version} by the rollback${change.reason ? `: ${change.reason}` : ''}`);
      aliasEvent(db, mustGet(db, restore.id), 'alias-set', alias, change, `Moved from version ${current.version} by the rollback${change.reason ? `: ${change.reason}` : ''}`);
    }
    return { restored: mustGet(db, restore.id), pulled: mustGet(db, current.id), movedAliases: movingAliases };
  })();
}

/** Points `alias` at a version (moving it from another version of the same project if needed). */
export function setAlias(db: WritableDB, versionId: number, alias: string, change: Change): { version: RegistryVersion; movedFrom: number | null } {
  if (!ALIAS_PATTERN.test(alias) || RESERVED.has(alias)) {
    throw new RegistryError(
      'invalid-input',
      `"${alias}" cannot be an alias: use a letter then letters, digits, ".", "_" or "-" (at most 40), and not ${[...RESERVED].join(', ')}.`,
    );
  }
  return db.transaction(() => {
    const version = mustGet(db, versionId);
    const existing = db.prepare('SELECT version_id FROM model_aliases WHERE project_id = ? AND alias = ?').get(version.projectId, alias) as
      | { version_id: number }
      | undefined;
    if (existing?.version_id === version.id) throw new RegistryError('conflict', `${alias} already points at ${label(version).toLowerCase()}.`);
    let movedFrom: number | null = null;
    if (existing) {
      const old = mustGet(db, existing.version_id);
      movedFrom = old.version;
      aliasEvent(db, old, 'alias-removed', alias, change, `Moved to version ${version.version}${change.reason ? `: ${change.reason}` : ''}`);
    }
    db.prepare(
      `INSERT INTO model_aliases (project_id, alias, version_id, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (project_id, alias) DO UPDATE SET version_id = excluded.version_id, updated_at = excluded.updated_at`,
    ).run(version.projectId, alias, version.id, change.now);
    aliasEvent(db, version, 'alias-set', alias, change, change.reason);
    return { version: mustGet(db, versionId), movedFrom };
  })();
}

/** Removes an alias of a project. */
export function removeAlias(db: WritableDB, projectId: number, alias: string, change: Change): RegistryVersion {
  return db.transaction(() => {
    const row = db.prepare('SELECT version_id FROM model_aliases WHERE project_id = ? AND alias = ?').get(projectId, alias) as { version_id: number } | undefined;
    if (!row) throw new RegistryError('not-found', `${requireProject(db, projectId).name} has no alias "${alias}".`);
    db.prepare('DELETE FROM model_aliases WHERE project_id = ? AND alias = ?').run(projectId, alias);
    const version = mustGet(db, row.version_id);
    aliasEvent(db, version, 'alias-removed', alias, change, change.reason);
    return version;
  })();
}

function aliasEvent(db: WritableDB, version: RegistryVersion, action: 'alias-set' | 'alias-removed', alias: string, change: Change, reason: string): void {
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

/** A project's history, oldest first; `until` keeps events at or before that time. */
export function history(db: ReadableDB, projectId: number, options: { versionId?: number; until?: number } = {}): ModelEvent[] {
  const rows = db
    .prepare(
      `SELECT * FROM model_events WHERE project_id = @projectId AND at <= @until
       AND (@versionId IS NULL OR version_id = @versionId) ORDER BY at, id`,
    )
    .all({ projectId, until: options.until ?? Number.MAX_SAFE_INTEGER, versionId: options.versionId ?? null }) as EventRow[];
  return rows.map(toEvent);
}

/** What was in production at a moment, from the history alone. */
export interface ProductionAt {
  at: number;
  /** The version number, or null when nothing was in production then. */
  version: number | null;
  versionId: number | null;
  /** When that version entered production (the event that put it there). */
  since: number | null;
  event: ModelEvent | null;
}

/** The last event at or before `at` that moved a version into or out of production decides. */
export function productionAt(db: ReadableDB, projectId: number, at: number): ProductionAt {
  const row = db
    .prepare(
      // INDEXED BY: with no statistics the planner would pick the wider (project_id, at) index and filter every alias event.
      `SELECT * FROM model_events INDEXED BY model_events_production
       WHERE project_id = ? AND at <= ? AND (to_stage = 'production' OR from_stage = 'production')
       ORDER BY at DESC, id DESC LIMIT 1`,
    )
    .get(projectId, at) as EventRow | undefined;
  if (!row || row.to_stage !== 'production') return { at, version: null, versionId: null, since: null, event: row ? toEvent(row) : null };
  return { at, version: row.version, versionId: row.version_id, since: row.at, event: toEvent(row) };
}

function mustGet(db: ReadableDB, id: number): RegistryVersion {
  const version = getVersion(db, id);
  if (!version) throw new RegistryError('not-found', `There is no model version with id ${id}. List versions with pilot models list.`);
  return version;
}

/**
 * Sets (null: clears back to 0.5) a binary version's operating threshold, and records the change
 * in the history ("0.50 → 0.35", then the reason): from now on the version answers differently.
 */
export function setThreshold(db: WritableDB, versionId: number, threshold: number | null, change: Change): RegistryVersion {
  return db.transaction(() => {
    const before = mustGet(db, versionId);
    setVersionThreshold(db, versionId, threshold);
    const shown = (t: number | null) => (t ?? 0.5).toFixed(2);
    recordEvent(db, {
      projectId: before.projectId,
      versionId,
      version: before.version,
      action: 'threshold',
      fromStage: null,
      toStage: null,
      alias: null,
      actor: change.actor,
      reason: `${shown(before.threshold)} → ${shown(threshold)}${change.reason.trim() ? `. ${change.reason.trim()}` : ''}`,
      at: change.now,
    });
    return mustGet(db, versionId);
  })();
}
