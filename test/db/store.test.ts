import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listDatasets, upsertDataset } from '../../db/datasets.js';
import { migrations } from '../../db/migrations/index.js';
import { backupStore, migrate, openStore, StoreError } from '../../db/store.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
function dbPath(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return join(dir, 'workbench.db');
}

const sample = {
  path: '/data/a.csv',
  name: 'a.csv',
  sizeBytes: 10,
  mtimeMs: 1,
  sha256: 'a'.repeat(64),
  delimiter: ',',
  encoding: 'utf-8' as const,
  hasHeader: true,
  columns: ['x'],
  rowCount: 2,
  warnings: [],
  jobId: null,
};

describe('openStore', () => {
  it('migrates a new database to the latest version, in WAL mode with foreign keys and STRICT tables', () => {
    const store = openStore(dbPath());
    try {
      expect(store.write.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(store.write.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.write.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.write.pragma('busy_timeout', { simple: true })).toBe(5000);
      const tables = store.read.prepare(`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'`).all() as { name: string; strict: number }[];
      expect(tables.map((t) => t.name).sort()).toEqual(expect.arrayContaining(['datasets', 'jobs', 'settings']));
      for (const table of tables) expect(table.strict, `${table.name} is STRICT`).toBe(1);
    } finally {
      store.close();
    }
  });

  it('gives read paths a connection that cannot write', () => {
    const store = openStore(dbPath());
    try {
      expect(() => store.read.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 0)`).run()).toThrow(/readonly/);
    } finally {
      store.close();
    }
  });

  it('refuses a database written by a newer version, with a message that says what to do, and leaves it untouched', () => {
    const path = dbPath();
    openStore(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${migrations.length + 5}`);
    raw.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('keep', '"me"', 1)`).run();
    raw.close();

    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(/newer Pilot Workbench.*Update Pilot Workbench/);

    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(migrations.length + 5);
    expect(after.prepare(`SELECT value FROM settings WHERE key = 'keep'`).get()).toEqual({ value: '"me"' });
    after.close();
  });

  it('refuses a file that is not a database, without overwriting it', () => {
    const path = dbPath();
    writeFileSync(path, 'this is not sqlite, it is a text file that someone saved here by mistake\n'.repeat(100));
    expect(() => openStore(path)).toThrow(/cannot be read|integrity/);
  });

  it('runs each migration in its own transaction: a failing step leaves the previous version', () => {
    const path = dbPath();
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE ok_part (x INTEGER) STRICT; CREATE TABLE nope (' }];
    expect(() => openStore(path, { migrations: broken })).toThrow();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok_part'`).get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses migrations that are not numbered 1, 2, 3…', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'skip', sql: '' }])).toThrow(/numbered 1, 2, 3/);
    db.close();
  });

  it('registers the same file content at the same path once', () => {
    const store = openStore(dbPath());
    try {
      expect(upsertDataset(store.write, sample, 1).created).toBe(true);
      expect(upsertDataset(store.write, sample, 2).created).toBe(false);
      expect(upsertDataset(store.write, { ...sample, sha256: 'b'.repeat(64) }, 3).created).toBe(true);
      expect(listDatasets(store.read)).toHaveLength(2);
    } finally {
      store.close();
    }
  });

  it('backs up the live database to a file that opens with the same rows', async () => {
    const path = dbPath();
    const store = openStore(path);
    upsertDataset(store.write, sample, 1);
    const target = join(path, '..', 'backup', 'copy.db');
    await backupStore(store, target);
    store.close();
    const copy = openStore(target);
    expect(listDatasets(copy.read).map((d) => d.sha256)).toEqual([sample.sha256]);
    copy.close();
  });
});
