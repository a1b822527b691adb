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
 *
 * The code is split by responsibility: registry-core.ts (types, reading versions, the history's
 * append), registry-stages.ts (stage changes, rollback, threshold), registry-aliases.ts (references
 * and aliases), registry-history.ts (the past). Callers import from here.
 */
export { getVersion, listVersions, recordEvent, RegistryError, requireProject, STAGES } from './registry-core.js';
export type { Change, ModelAction, ModelEvent, RegistryVersion, Stage } from './registry-core.js';
export { archive, demote, promote, rollback, rollbackPlan, setThreshold } from './registry-stages.js';
export type { Rollback, RollbackPlan, StageChange } from './registry-stages.js';
export { ALIAS_PATTERN, removeAlias, resolveVersion, setAlias } from './registry-aliases.js';
export { history, productionAt } from './registry-history.js';
export type { ProductionAt } from './registry-history.js';
