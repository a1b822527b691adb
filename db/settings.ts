/** Queries for the `settings` table: JSON values under dotted keys. */
import { fromJson, toJson } from './json.js';
import type { ReadableDB, WritableDB } from './store.js';

export function getSetting<T>(db: ReadableDB, key: string): T | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? fromJson<T>(row.value) : null;
}

export function setSetting(db: WritableDB, key: string, value: unknown, now: number): void {
  db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, toJson(value), now);
}

export function allSettings(db: ReadableDB): Record<string, unknown> {
  const rows = db.prepare('SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((row) => [row.key, fromJson(row.value)]));
}
