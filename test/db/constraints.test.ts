/** Constraints the schema itself enforces, whatever the code above it does. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';

function seeded() {
  const store = openStore(':memory:');
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'churn', 0, 0)`).run();
  for (const id of [1, 2]) {
    db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (?, 1, 'x', 'succeeded', 0)`).run(id);
    db.prepare(
      `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
       VALUES (?, 1, ?, ?, 'x', 'cpu', 'binary', 'y', '{}', '{}', '/m', 'h', 0)`,
    ).run(id, id, id);
  }
  return store;
}

describe('schema constraints', () => {
  it('keeps model_events append-only: no update, no delete', () => {
    const store = seeded();
    store.write.prepare(`INSERT INTO model_events (project_id, version_id, version, action, to_stage, actor, at) VALUES (1, 1, 1, 'register', 'candidate', 'test', 1)`).run();
    expect(() => store.write.prepare(`UPDATE model_events SET reason = 'rewritten'`).run()).toThrow(/append-only/);
    expect(() => store.write.prepare(`DELETE FROM model_events`).run()).toThrow(/append-only/);
    expect(store.read.prepare('SELECT count(*) AS n FROM model_events').get()).toEqual({ n: 1 });
    store.close();
  });

  it('allows one production version per project', () => {
    const store = seeded();
    store.write.prepare(`UPDATE model_versions SET stage = 'production' WHERE id = 1`).run();
    expect(() => store.write.prepare(`UPDATE model_versions SET stage = 'production' WHERE id = 2`).run()).toThrow(/UNIQUE/);
    store.write.prepare(`UPDATE model_versions SET stage = 'staging' WHERE id = 2`).run();
    store.close();
  });

  it('refuses a stage or job status outside the lifecycle', () => {
    const store = seeded();
    expect(() => store.write.prepare(`UPDATE model_versions SET stage = 'live' WHERE id = 1`).run()).toThrow(/CHECK/);
    expect(() => store.write.prepare(`INSERT INTO jobs (kind, title, resource, status, input, owner_pid, created_at) VALUES ('x', 't', 'cpu', 'done', '{}', 1, 0)`).run()).toThrow(/CHECK/);
    store.close();
  });
});
