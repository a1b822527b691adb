/** Stage changes of model versions: promote, demote, archive, rollback, and the operating threshold (policies: db/registry.ts). */
import { setVersionThreshold, type Stage } from './models.js';
import { aliasEvent, currentProduction, getVersion, label, mustGet, recordEvent, RegistryError, requireProject, type Change, type ModelAction, type RegistryVersion } from './registry-core.js';
import type { ReadableDB, WritableDB } from './store.js';

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
