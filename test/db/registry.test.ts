/** The registry's lifecycle rules and its append-only history, on a real migrated SQLite store. */
import { describe, expect, it } from 'vitest';
import {
  archive,
  demote,
  history,
  productionAt,
  promote,
  recordEvent,
  removeAlias,
  resolveVersion,
  rollback,
  rollbackPlan,
  setAlias,
  type Change,
} from '../../db/registry.js';
import { openStore, type Store } from '../../db/store.js';

/** A project "churn" with `count` candidate versions (ids 1..count), each registered at t = id. */
function seeded(count = 3): Store {
  const store = openStore(':memory:');
  const db = store.write;
  db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (1, 'churn', 0, 0)`).run();
  for (let id = 1; id <= count; id++) {
    db.prepare(`INSERT INTO runs (id, project_id, dataset_sha256, status, started_at) VALUES (?, 1, 'x', 'succeeded', 0)`).run(id);
    db.prepare(
      `INSERT INTO model_versions (id, project_id, version, run_id, dataset_sha256, backend, task, target, hyperparameters, test_metrics, artifact_dir, artifact_sha256, created_at)
       VALUES (?, 1, ?, ?, 'x', 'cpu', 'binary', 'y', '{}', '{"accuracy":0.8}', '/m', 'h', ?)`,
    ).run(id, id, id, id);
    recordEvent(db, { projectId: 1, versionId: id, version: id, action: 'register', fromStage: null, toStage: 'candidate', alias: null, actor: 'test', reason: '', at: id });
  }
  return store;
}

const at = (now: number, reason = 'because'): Change => ({ actor: 'alice (test)', reason, now });
const stages = (store: Store) => store.read.prepare('SELECT version, stage FROM model_versions ORDER BY version').all();
const eventCount = (store: Store) => (store.read.prepare('SELECT count(*) AS n FROM model_events').get() as { n: number }).n;

describe('stage transitions', () => {
  it('walks candidate → staging → production and refuses moves the lifecycle does not allow', () => {
    const store = seeded();
    const db = store.write;
    expect(promote(db, 1, 'staging', at(10)).version.stage).toBe('staging');
    expect(() => promote(db, 1, 'staging', at(11))).toThrow(/already in staging/);
    expect(promote(db, 1, 'production', at(12)).replaced).toBeNull();
    expect(() => archive(db, 1, at(13))).toThrow(/in production: promote another version/);
    expect(demote(db, 1, at(14)).stage).toBe('staging');
    expect(demote(db, 1, at(15)).stage).toBe('candidate');
    expect(() => demote(db, 1, at(16))).toThrow(/only production and staging/);
    expect(archive(db, 1, at(17)).stage).toBe('archived');
    expect(() => promote(db, 1, 'production', at(18))).toThrow(/archived: promote it to staging first/);
    expect(promote(db, 1, 'staging', at(19)).version.stage).toBe('staging');
    store.close();
  });

  it('keeps one production version: promoting another moves the previous one to staging, with its own event', () => {
    const store = seeded();
    const db = store.write;
    promote(db, 1, 'production', at(10));
    const { version, replaced } = promote(db, 2, 'production', at(20, 'better recall'));
    expect(version.stage).toBe('production');
    expect(replaced).toMatchObject({ version: 1, stage: 'staging' });
    expect(stages(store)).toEqual([
      { version: 1, stage: 'staging' },
      { version: 2, stage: 'production' },
      { version: 3, stage: 'candidate' },
    ]);
    const last = history(db, 1).slice(-2);
    expect(last.map((e) => [e.version, e.action, e.fromStage, e.toStage])).toEqual([
      [1, 'demote', 'production', 'staging'],
      [2, 'promote', 'candidate', 'production'],
    ]);
    expect(last[0]!.reason).toBe('Replaced in production by version 2: better recall');
    expect(last[1]).toMatchObject({ actor: 'alice (test)', reason: 'better recall', at: 20 });
    store.close();
  });
});

describe('history', () => {
  it('is append-only: UPDATE and DELETE fail and leave it as it was', () => {
    const store = seeded();
    promote(store.write, 1, 'production', at(10));
    const before = history(store.read, 1);
    expect(() => store.write.prepare(`UPDATE model_events SET reason = 'rewritten' WHERE id = 1`).run()).toThrow(/append-only/);
    expect(() => store.write.prepare('DELETE FROM model_events WHERE id = 1').run()).toThrow(/append-only/);
    expect(history(store.read, 1)).toEqual(before);
    store.close();
  });

  it('answers "what was in production at date X" from the events at several dates', () => {
    const store = seeded();
    const db = store.write;
    promote(db, 1, 'production', at(100));
    promote(db, 2, 'production', at(200));
    demote(db, 2, at(300)); // nothing in production from 300
    promote(db, 3, 'production', at(400));
    rollback(db, 1, at(500, 'v3 misclassifies new customers')); // back to v2: it left production by a demote, not a rollback
    const expected: Array<[number, number | null]> = [
      [50, null],
      [100, 1],
      [150, 1],
      [200, 2],
      [299, 2],
      [300, null],
      [399, null],
      [400, 3],
      [499, 3],
      [500, 2],
      [10_000, 2],
    ];
    for (const [when, version] of expected) expect([when, productionAt(store.read, 1, when).version]).toEqual([when, version]);
    expect(productionAt(store.read, 1, 450).since).toBe(400);
    // Current state changes later do not rewrite the past.
    promote(db, 3, 'staging', at(600));
    expect(productionAt(store.read, 1, 450).version).toBe(3);
    expect(productionAt(store.read, 1, 700).version).toBe(2);
    store.close();
  });

  it('answers from the partial index of production events (no scan of alias events)', () => {
    const store = seeded();
    const plan = store.read
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM model_events INDEXED BY model_events_production WHERE project_id = ? AND at <= ? AND (to_stage = 'production' OR from_stage = 'production') ORDER BY at DESC, id DESC LIMIT 1`,
      )
      .all(1, 5) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/model_events_production/);
    store.close();
  });
});

describe('rollback', () => {
  it('puts back the previous production version in one step and archives the pulled one', () => {
    const store = seeded();
    const db = store.write;
    promote(db, 1, 'production', at(10));
    promote(db, 2, 'production', at(20));
    promote(db, 3, 'production', at(30));
    const { restored, pulled } = rollback(db, 1, at(40, 'v3 is worse on March data'));
    expect([restored.version, restored.stage, pulled.version, pulled.stage]).toEqual([2, 'production', 3, 'archived']);
    const events = history(db, 1).filter((e) => e.action === 'rollback');
    expect(events.map((e) => [e.version, e.fromStage, e.toStage, e.reason])).toEqual([
      [3, 'production', 'archived', 'v3 is worse on March data'],
      [2, 'staging', 'production', 'v3 is worse on March data'],
    ]);
    // A second rollback walks further back instead of flipping to v3 again.
    expect(rollback(db, 1, at(50)).restored.version).toBe(1);
    store.close();
  });

  it('moves the pulled version\'s aliases to the restored one, with a removed + set pair of events, and previews the same plan', () => {
    const store = seeded();
    const db = store.write;
    promote(db, 1, 'production', at(10));
    promote(db, 2, 'production', at(20));
    setAlias(db, 2, 'champion', at(21));
    setAlias(db, 3, 'challenger', at(22));
    const before = eventCount(store);
    const plan = rollbackPlan(store.read, 1);
    expect([plan.current.version, plan.restore.version, plan.movingAliases]).toEqual([2, 1, ['champion']]);
    expect(eventCount(store)).toBe(before); // the plan writes nothing
    const { restored, pulled, movedAliases } = rollback(db, 1, at(30, 'v2 is worse'));
    expect([restored.aliases, pulled.aliases, movedAliases]).toEqual([['champion'], [], ['champion']]);
    expect(resolveVersion(db, 'churn@champion').version).toBe(1);
    expect(resolveVersion(db, 'churn@challenger').version).toBe(3); // other versions' aliases stay put
    const aliasEvents = history(db, 1).filter((e) => e.at === 30 && e.alias !== null);
    expect(aliasEvents.map((e) => [e.action, e.version, e.alias])).toEqual([
      ['alias-removed', 2, 'champion'],
      ['alias-set', 1, 'champion'],
    ]);
    store.close();
  });

  it('with no earlier production version: a clear error, history and stages unchanged', () => {
    const store = seeded();
    promote(store.write, 3, 'production', at(10));
    const before = { events: eventCount(store), stages: stages(store) };
    expect(() => rollback(store.write, 1, at(20))).toThrow('Version 3 is the first production version of churn: there is nothing to roll back to.');
    expect({ events: eventCount(store), stages: stages(store) }).toEqual(before);
    store.close();
  });

  it('with nothing in production: says so', () => {
    const store = seeded();
    expect(() => rollback(store.write, 1, at(20))).toThrow(/churn has no version in production/);
    store.close();
  });
});

describe('aliases', () => {
  it('sets, moves (with a removed + set pair of events) and removes an alias; resolves references', () => {
    const store = seeded();
    const db = store.write;
    setAlias(db, 1, 'champion', at(10));
    expect(resolveVersion(db, 'churn@champion').version).toBe(1);
    const moved = setAlias(db, 2, 'champion', at(20, 'won the A/B test'));
    expect(moved.movedFrom).toBe(1);
    expect(resolveVersion(db, 'churn@champion').version).toBe(2);
    expect(resolveVersion(db, 'churn@champion').aliases).toEqual(['champion']);
    expect(resolveVersion(db, 'churn@1').aliases).toEqual([]);
    const events = history(db, 1).filter((e) => e.alias === 'champion');
    expect(events.map((e) => [e.action, e.version])).toEqual([
      ['alias-set', 1],
      ['alias-removed', 1],
      ['alias-set', 2],
    ]);
    expect(() => setAlias(db, 2, 'champion', at(30))).toThrow(/already points/);
    expect(() => setAlias(db, 2, 'production', at(30))).toThrow(/cannot be an alias/);
    expect(() => setAlias(db, 2, '7', at(30))).toThrow(/cannot be an alias/);
    removeAlias(db, 1, 'champion', at(40));
    expect(() => resolveVersion(db, 'churn@champion')).toThrow(/has no version "champion"/);
    expect(() => removeAlias(db, 1, 'champion', at(50))).toThrow(/no alias "champion"/);
    store.close();
  });

  it('resolves ids, PROJECT@N, stages and latest, and explains bad references', () => {
    const store = seeded();
    promote(store.write, 2, 'production', at(10));
    expect(resolveVersion(store.read, 3).version).toBe(3);
    expect(resolveVersion(store.read, 'churn@production').version).toBe(2);
    expect(resolveVersion(store.read, 'churn@latest').version).toBe(3);
    expect(() => resolveVersion(store.read, 'churn@9')).toThrow(/churn has no version "9"/);
    expect(() => resolveVersion(store.read, 'fraud@1')).toThrow(/no project "fraud"/);
    expect(() => resolveVersion(store.read, 'churn')).toThrow(/not a version reference/);
    store.close();
  });
});
