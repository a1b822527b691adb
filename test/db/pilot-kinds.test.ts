/**
 * Migration 007 rebuilds projects, runs and model_versions to add their `kind` and the new kinds'
 * tasks. A database written before it must keep every row and every reference: dropping the old
 * tables must not cascade into metrics, versions or events.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { migrations } from '../../db/migrations/index.js';
import { migrate, openStore } from '../../db/store.js';
import { tempDir } from '../helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const count = (db: Database.Database, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

it('keeps every row and reference of a database written before pilot kinds, all of them tabular', () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'workbench.db');
  const old = new Database(path);
  old.pragma('foreign_keys = ON');
  migrate(old, migrations.slice(0, 6));
  old.exec(`
    INSERT INTO projects (id, name, task, created_at, updated_at) VALUES (1, 'churn', 'binary', 1, 1);
    INSERT INTO runs (id, project_id, dataset_sha256, status, task, started_at) VALUES (1, 1, 'abc', 'succeeded', 'binary', 1);
    INSERT INTO metrics (run_id, key, step, timestamp, value) VALUES (1, 'loss', 1, 1, 0.5);
    INSERT INTO run_params (run_id, key, value) VALUES (1, 'seed', '42');
    INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, stage, created_at)
      VALUES (1, 1, 1, 1, 'abc', 'cpu', 'binary', 'churn', '{}', '{}', '/m', 'def', 'production', 1);
    INSERT INTO model_events (version_id, project_id, version, action, actor, at) VALUES (1, 1, 1, 'register', 'me', 1);
  `);
  old.close();

  const store = openStore(path);
  try {
    const db = store.write;
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    for (const table of ['projects', 'runs', 'metrics', 'run_params', 'model_versions', 'model_events']) expect(count(db, table), table).toBe(1);
    for (const table of ['projects', 'runs', 'model_versions']) {
      expect(db.prepare(`SELECT kind FROM ${table}`).get(), table).toEqual({ kind: 'tabular' });
    }
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // The new kinds' tasks are accepted; an unknown kind is refused.
    db.prepare(`INSERT INTO runs (project_id, kind, dataset_sha256, status, task, started_at) VALUES (1, 'anomaly', 'x', 'running', 'anomaly', 2)`).run();
    expect(() => db.prepare(`INSERT INTO runs (project_id, kind, dataset_sha256, status, started_at) VALUES (1, 'audio', 'x', 'running', 2)`).run()).toThrow(/CHECK/);
    // References still hold after the rename: deleting the project cascades to its versions.
    db.prepare('DELETE FROM projects WHERE id = 1').run();
    expect(count(db, 'model_versions')).toBe(0);
    expect(db.prepare('SELECT project_id FROM runs WHERE id = 1').get()).toEqual({ project_id: null });
    // The indexes the lists use came back.
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['runs_by_project', 'runs_by_job', 'model_versions_one_production']));
  } finally {
    store.close();
  }
});
