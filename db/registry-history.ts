/** The history read back: a project's events, and what was in production at a moment (answered from the events alone). */
import { type EventRow, type ModelEvent, toEvent } from './registry-core.js';
import type { ReadableDB } from './store.js';

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
