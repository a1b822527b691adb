/** Queries for the `datasets` table: files registered by the import job. */
import type { ColumnNumberFormat } from '../workers/csv/number-format.js';
import type { TextEncoding } from '../workers/csv/sniff.js';
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

/** A registered data file. */
export interface Dataset {
  id: number;
  path: string;
  name: string;
  sizeBytes: number;
  mtimeMs: number;
  sha256: string;
  delimiter: string;
  encoding: TextEncoding;
  hasHeader: boolean;
  columns: string[];
  /** Data rows, header excluded. */
  rowCount: number;
  /** Columns whose numbers are written with a decimal comma or thousands separators, and how: every reader of the file uses these. */
  numberFormats: ColumnNumberFormat[];
  warnings: string[];
  jobId: number | null;
  importedAt: number;
}

/** A dataset to register; `numberFormats` defaults to none (plain dot-decimal numbers). */
export type NewDataset = Omit<Dataset, 'id' | 'importedAt' | 'numberFormats'> & { numberFormats?: ColumnNumberFormat[] };

interface DatasetRow {
  id: number;
  path: string;
  name: string;
  size_bytes: number;
  mtime_ms: number;
  sha256: string;
  delimiter: string;
  encoding: string;
  has_header: number;
  columns: string;
  row_count: number;
  number_formats: string;
  warnings: string;
  job_id: number | null;
  imported_at: number;
}

function toDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    sizeBytes: row.size_bytes,
    mtimeMs: row.mtime_ms,
    sha256: row.sha256,
    delimiter: row.delimiter,
    encoding: row.encoding as TextEncoding,
    hasHeader: row.has_header === 1,
    columns: fromJson<string[]>(row.columns) ?? [],
    rowCount: row.row_count,
    numberFormats: fromJson<ColumnNumberFormat[]>(row.number_formats) ?? [],
    warnings: fromJson<string[]>(row.warnings) ?? [],
    jobId: row.job_id,
    importedAt: row.imported_at,
  };
}

/**
 * Registers a dataset; the same file content at the same path is registered once (the existing
 * row is returned). Importing it again with other number formats (the user's override) updates them.
 */
export function upsertDataset(db: WritableDB, dataset: NewDataset, now: number): { dataset: Dataset; created: boolean } {
  const existing = db.prepare('SELECT * FROM datasets WHERE path = ? AND sha256 = ?').get(dataset.path, dataset.sha256) as
    | DatasetRow
    | undefined;
  const numberFormats = toJson(dataset.numberFormats ?? []);
  if (existing) {
    if (existing.number_formats === numberFormats) return { dataset: toDataset(existing), created: false };
    const updated = db.prepare('UPDATE datasets SET number_formats = ? WHERE id = ? RETURNING *').get(numberFormats, existing.id) as DatasetRow;
    return { dataset: toDataset(updated), created: false };
  }
  const row = db
    .prepare(
      `INSERT INTO datasets (path, name, size_bytes, mtime_ms, sha256, delimiter, encoding, has_header, columns, row_count, number_formats, warnings, job_id, imported_at)
       VALUES (@path, @name, @sizeBytes, @mtimeMs, @sha256, @delimiter, @encoding, @hasHeader, @columns, @rowCount, @numberFormats, @warnings, @jobId, @importedAt)
       RETURNING *`,
    )
    .get({
      ...dataset,
      hasHeader: dataset.hasHeader ? 1 : 0,
      columns: toJson(dataset.columns),
      numberFormats,
      warnings: toJson(dataset.warnings),
      importedAt: now,
    }) as DatasetRow;
  return { dataset: toDataset(row), created: true };
}

export function getDataset(db: ReadableDB, id: number): Dataset | null {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row ? toDataset(row) : null;
}

/** The id of the registered dataset with this path and content, or null. */
export function findDatasetId(db: ReadableDB, path: string, sha256: string): number | null {
  const row = db.prepare('SELECT id FROM datasets WHERE path = ? AND sha256 = ?').get(path, sha256) as { id: number } | undefined;
  return row?.id ?? null;
}

export function listDatasets(db: ReadableDB): Dataset[] {
  return (db.prepare('SELECT * FROM datasets ORDER BY imported_at DESC, id DESC').all() as DatasetRow[]).map(toDataset);
}

export function deleteDataset(db: WritableDB, id: number): boolean {
  return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes === 1;
}
