/** Version references (`12`, `PROJECT@N`, `PROJECT@alias`, `PROJECT@production`, `PROJECT@latest`) and aliases. */
import {
  aliasEvent,
  type Change,
  getVersion,
  label,
  mustGet,
  RegistryError,
  type RegistryRow,
  type RegistryVersion,
  requireProject,
  SELECT_VERSION,
  STAGES,
  toVersion,
} from './registry-core.js';
import type { ReadableDB, WritableDB } from './store.js';

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
