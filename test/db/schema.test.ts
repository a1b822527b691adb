/**
 * The migrated schema, kept as a snapshot (MLflow's practice): when code and migrations disagree
 * this fails and says how to regenerate it, so every schema change is seen in review.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { root } from '../helpers.js';

const snapshotPath = join(root, 'test', 'db', 'schema.snapshot.sql');

it('matches the committed schema snapshot', () => {
  const store = openStore(':memory:');
  const rows = store.read.prepare(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name`).all() as { sql: string }[];
  store.close();
  const schema = `${rows.map((row) => `${row.sql.replace(/[ \t]+\n/g, '\n')};`).join('\n\n')}\n`;
  if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1' || !existsSync(snapshotPath)) writeFileSync(snapshotPath, schema);
  expect(schema, 'The schema differs from test/db/schema.snapshot.sql. If the change is intended, run UPDATE_SCHEMA_SNAPSHOT=1 npx vitest run test/db/schema.test.ts and commit the snapshot.').toBe(readFileSync(snapshotPath, 'utf8'));
});

it('uses its indexes for the lists the UI shows', () => {
  const store = openStore(':memory:');
  const plan = (sql: string) => (store.read.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' | ');
  expect(plan(`SELECT * FROM jobs WHERE status = 'running'`)).toMatch(/USING INDEX jobs_by_status/);
  expect(plan(`SELECT * FROM jobs ORDER BY created_at DESC LIMIT 10`)).toMatch(/jobs_by_created/);
  expect(plan(`SELECT * FROM datasets WHERE path = 'x' AND sha256 = 'y'`)).toMatch(/USING INDEX/);
  store.close();
});
