/**
 * Publications (a project's stage, alias or version behind an API key that can only predict) and
 * the log of prediction requests. Keys are stored as SHA-256 only; the key is shown once.
 */
import type { ReadableDB, WritableDB } from './store.js';

/** One publication, without its key. */
export interface Publication {
  id: number;
  projectId: number;
  projectName: string;
  /** What the key may call: `production`, `staging`, `latest`, an alias, or a version number. */
  selector: string;
  /** The key's first characters, to tell keys apart. */
  keyPrefix: string;
  createdBy: string;
  createdAt: number;
  /** When the key was revoked (epoch ms); null while it works. */
  revokedAt: number | null;
}

interface PublicationRow {
  id: number;
  project_id: number;
  project_name: string;
  selector: string;
  key_prefix: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

const SELECT = `SELECT p.id, p.project_id, pr.name AS project_name, p.selector, p.key_prefix, p.created_by, p.created_at, p.revoked_at
  FROM publications p JOIN projects pr ON pr.id = p.project_id`;

const toPublication = (r: PublicationRow): Publication => ({
  id: r.id,
  projectId: r.project_id,
  projectName: r.project_name,
  selector: r.selector,
  keyPrefix: r.key_prefix,
  createdBy: r.created_by,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export function insertPublication(db: WritableDB, p: { projectId: number; selector: string; keySha256: string; keyPrefix: string; createdBy: string; now: number }): Publication {
  const { lastInsertRowid } = db
    .prepare('INSERT INTO publications (project_id, selector, key_sha256, key_prefix, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(p.projectId, p.selector, p.keySha256, p.keyPrefix, p.createdBy, p.now);
  return getPublication(db, Number(lastInsertRowid))!;
}

export function getPublication(db: ReadableDB, id: number): Publication | null {
  const row = db.prepare(`${SELECT} WHERE p.id = ?`).get(id) as PublicationRow | undefined;
  return row ? toPublication(row) : null;
}

/** The publication a key belongs to (revoked ones included, so the caller can say "revoked"). */
export function publicationByKey(db: ReadableDB, keySha256: string): Publication | null {
  const row = db.prepare(`${SELECT} WHERE p.key_sha256 = ?`).get(keySha256) as PublicationRow | undefined;
  return row ? toPublication(row) : null;
}

export function listPublications(db: ReadableDB, projectId?: number): Publication[] {
  const rows = (projectId === undefined ? db.prepare(`${SELECT} ORDER BY p.created_at DESC, p.id DESC`).all() : db.prepare(`${SELECT} WHERE p.project_id = ? ORDER BY p.created_at DESC, p.id DESC`).all(projectId)) as PublicationRow[];
  return rows.map(toPublication);
}

/** Revokes a key; false when it was already revoked. */
export function revokePublication(db: WritableDB, id: number, now: number): boolean {
  return db.prepare('UPDATE publications SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes === 1;
}

/** One logged request. */
export interface RequestLog {
  publicationId: number | null;
  versionId: number | null;
  at: number;
  status: number;
  rows: number;
  unseenRows: number;
  durationMs: number;
  errorCode: string | null;
}

export function logRequest(db: WritableDB, r: RequestLog): void {
  db.prepare('INSERT INTO prediction_requests (publication_id, version_id, at, status, rows, unseen_rows, duration_ms, error_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    r.publicationId,
    r.versionId,
    r.at,
    r.status,
    r.rows,
    r.unseenRows,
    r.durationMs,
    r.errorCode,
  );
}

/** A version's request figures: counts, latency percentiles, error rate, share of rows with unseen categories. */
export interface ServingStats {
  versionId: number;
  requests: number;
  errors: number;
  /** Errors / requests (0 when none). */
  errorRate: number;
  rows: number;
  /** Rows with an unseen category / rows predicted (0 when none). */
  unseenShare: number;
  p50Ms: number | null;
  p99Ms: number | null;
  lastAt: number | null;
}

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Figures of one version over requests since `since` (epoch ms). Uses `prediction_requests_by_version`. */
export function servingStats(db: ReadableDB, versionId: number, since = 0): ServingStats {
  const rows = db.prepare('SELECT status, rows, unseen_rows, duration_ms, at FROM prediction_requests WHERE version_id = ? AND at >= ? ORDER BY duration_ms').all(versionId, since) as Array<{ status: number; rows: number; unseen_rows: number; duration_ms: number; at: number }>;
  const errors = rows.filter((r) => r.status >= 400).length;
  const predicted = rows.reduce((s, r) => s + r.rows, 0);
  const durations = rows.map((r) => r.duration_ms);
  return {
    versionId,
    requests: rows.length,
    errors,
    errorRate: rows.length ? errors / rows.length : 0,
    rows: predicted,
    unseenShare: predicted ? rows.reduce((s, r) => s + r.unseen_rows, 0) / predicted : 0,
    p50Ms: percentile(durations, 0.5),
    p99Ms: percentile(durations, 0.99),
    lastAt: rows.length ? Math.max(...rows.map((r) => r.at)) : null,
  };
}

/** Rows kept per version: the latest ones, enough for a drift check's per-column tests. */
export const SAMPLE_CAPACITY = 10_000;
/** Rows kept from any one request (evenly spaced), so one large request cannot fill the sample. */
export const SAMPLE_PER_REQUEST = 100;

/**
 * Keeps up to `SAMPLE_PER_REQUEST` of a request's rows (evenly spaced) in the version's ring of
 * the latest `SAMPLE_CAPACITY` rows. `columns` are the cells' names; only those are stored.
 */
export function sampleRequestRows(db: WritableDB, versionId: number, at: number, columns: string[], rows: string[][], capacity = SAMPLE_CAPACITY): void {
  if (rows.length === 0 || columns.length === 0) return;
  const take = Math.min(rows.length, SAMPLE_PER_REQUEST);
  const step = rows.length / take;
  db.transaction(() => {
    const offered = (db.prepare('SELECT offered FROM serving_sample_counts WHERE version_id = ?').get(versionId) as { offered: number } | undefined)?.offered ?? 0;
    const put = db.prepare('INSERT INTO serving_samples (version_id, slot, at, cells) VALUES (?, ?, ?, ?) ON CONFLICT (version_id, slot) DO UPDATE SET at = excluded.at, cells = excluded.cells');
    for (let t = 0; t < take; t++) {
      const row = rows[Math.floor(t * step)]!;
      put.run(versionId, (offered + t) % capacity, at, JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i] ?? '']))));
    }
    db.prepare('INSERT INTO serving_sample_counts (version_id, offered) VALUES (?, ?) ON CONFLICT (version_id) DO UPDATE SET offered = excluded.offered').run(versionId, offered + take);
  })();
}

/** The sampled request rows of a version, oldest first. */
export interface RequestSample {
  /** Column names, in order of first appearance. */
  columns: string[];
  rows: string[][];
  /** Rows sampled since the version first answered (more than `rows.length` once the ring is full). */
  offered: number;
  /** First and last request times of the kept rows (epoch ms); null when none. */
  from: number | null;
  to: number | null;
}

export function requestSample(db: ReadableDB, versionId: number): RequestSample {
  const stored = db.prepare('SELECT at, cells FROM serving_samples WHERE version_id = ? ORDER BY at, slot').all(versionId) as Array<{ at: number; cells: string }>;
  const offered = (db.prepare('SELECT offered FROM serving_sample_counts WHERE version_id = ?').get(versionId) as { offered: number } | undefined)?.offered ?? 0;
  const objects = stored.map((r) => JSON.parse(r.cells) as Record<string, string>);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    for (const c of Object.keys(o)) {
      if (seen.has(c)) continue;
      seen.add(c);
      columns.push(c);
    }
  }
  return {
    columns,
    rows: objects.map((o) => columns.map((c) => o[c] ?? '')),
    offered,
    from: stored.length ? stored[0]!.at : null,
    to: stored.length ? stored[stored.length - 1]!.at : null,
  };
}
