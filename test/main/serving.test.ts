/**
 * The prediction service against a real serve-mode server on 127.0.0.1: per-publication keys that
 * only predict, stage changes taking effect on the next request, the version that answered, bad
 * input as HTTP status + JSON error, revoked keys, archived versions, and the request log's figures.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../main/app.js';
import { invoke } from '../../main/api/index.js';
import { type RunningServer, startServer } from '../../main/serve/server.js';
import { predictRows } from '../../workers/trainer/index.js';
import { fixture, pilot, tempDir, workerEntry } from '../helpers.js';

let app: App;
let server: RunningServer;
const { dir, cleanup } = tempDir('pilot-serving-');

async function ok<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

beforeAll(async () => {
  const trained = pilot(['train', fixture('iris.csv'), '--target', 'species', '--epochs', '20'], { dataDir: dir });
  expect(trained.code, trained.stderr).toBe(0);
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'serve', version: 'test' });
  server = await startServer(app, { port: 0, staticDir: join(dir, 'static') });
  await ok(invoke(app, 'models:promote', { ref: 'iris@1', to: 'production', reason: 'first' }));
});
afterAll(async () => {
  await server.close();
  await app.close();
  cleanup();
});

const rows = [
  { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
  { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
];

function post(path: string, key: string | null, body: string | Buffer, type = 'application/json') {
  return fetch(`http://127.0.0.1:${server.port}${path}`, { method: 'POST', headers: { 'content-type': type, ...(key === null ? {} : { authorization: `Bearer ${key}` }) }, body });
}

async function answer(response: Promise<Response>): Promise<{ status: number; body: { error?: { code: string; message: string }; model?: { version: number; versionId: number }; predictions?: Array<{ label: string; probabilities: Record<string, number> }>; warnings?: string[] } }> {
  const r = await response;
  return { status: r.status, body: (await r.json()) as never };
}

describe('the prediction service (pilot serve)', () => {
  let key = '';
  let path = '';

  it('publishes a stage behind a new key; predicts with the workbench\u2019s predictions and says which version answered', async () => {
    const published = await ok(invoke(app, 'serving:publish', { ref: 'iris@production' }));
    key = published.key;
    path = published.path;
    expect(path).toBe('/v1/models/iris/production:predict');
    expect(key).toMatch(/^pk_[\w-]{32}$/);
    // Only the hash is stored.
    const stored = app.store.read.prepare('SELECT * FROM publications').all() as Array<Record<string, unknown>>;
    expect(JSON.stringify(stored)).not.toContain(key);

    const r = await answer(post(path, key, JSON.stringify({ rows })));
    expect(r.status).toBe(200);
    expect(r.body.model).toMatchObject({ project: 'iris', version: 1, stage: 'production' });
    const version = await ok(invoke(app, 'models:show', { ref: 'iris@1' }));
    const header = Object.keys(rows[0]!);
    const { predictions } = await predictRows(version.version.artifactDir, header, rows.map((row) => header.map((c) => String(row[c as keyof typeof row]))));
    r.body.predictions!.forEach((p, i) => {
      expect(p.label).toBe(predictions[i]!.label);
      for (const [c, v] of Object.entries(p.probabilities)) expect(Math.abs(v - predictions[i]!.probabilities![c]!)).toBeLessThanOrEqual(1e-6);
    });
    const csv = await answer(post(path, key, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n', 'text/csv'));
    expect(csv.body.predictions![0]!.label).toBe(predictions[0]!.label);
  });

  it('keys only predict, and only what they were issued for', async () => {
    expect((await answer(post(path, null, JSON.stringify({ rows })))).status).toBe(401);
    expect((await answer(post(path, server.token, JSON.stringify({ rows })))).body.error!.code).toBe('unknown-key');
    expect((await answer(post('/v1/models/iris/staging:predict', key, JSON.stringify({ rows })))).status).toBe(403);
    // The key does not open the UI's API.
    const api = await fetch(`http://127.0.0.1:${server.port}/api/invoke/datasets:list`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{}' });
    expect(api.status).toBe(401);
  });

  it('refuses bad input with a status and a JSON error', async () => {
    expect(await answer(post(path, key, '{"rows": ['))).toMatchObject({ status: 400, body: { error: { code: 'bad-json' } } });
    expect(await answer(post(path, key, '{"rows": [{"sepal_length": [1]}]}'))).toMatchObject({ status: 400, body: { error: { code: 'wrong-type' } } });
    expect(await answer(post(path, key, '{"rows": [{"sepal_length": "long"}]}'))).toMatchObject({ status: 422, body: { error: { code: 'wrong-type' } } });
    const none = await answer(post(path, key, '{"rows": [{"colour": "red"}]}'));
    expect(none).toMatchObject({ status: 422, body: { error: { code: 'unusable-rows' } } });
    expect(none.body.error!.message).toMatch(/None of the model's columns are in the file \(it needs sepal_length/);
    expect((await answer(post(path, key, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)))).status).toBe(413);
    const partial = await answer(post(path, key, '{"rows": [{"sepal_length": 5.1, "petal_length": 1.4, "colour": "red"}]}'));
    expect(partial.status).toBe(200);
    expect(partial.body.warnings!.join(' ')).toMatch(/"colour" are not used by the model.*"sepal_width", "petal_width" are missing from the file/);
  });

  it('a promotion takes effect on the next request', async () => {
    const bundle = join(dir, 'iris.pilotmodel');
    await ok(invoke(app, 'models:export', { ref: 'iris@1', path: bundle }));
    const imported = await ok(invoke(app, 'models:import', { path: bundle }));
    await ok(invoke(app, 'models:promote', { ref: imported.id, to: 'production', reason: 'second' }));
    const r = await answer(post(path, key, JSON.stringify({ rows })));
    expect(r.status).toBe(200);
    expect(r.body.model).toMatchObject({ version: imported.version, versionId: imported.id });
  });

  it('a pinned version that is archived answers 410; a revoked key 403', async () => {
    const pinned = await ok(invoke(app, 'serving:publish', { ref: 'iris@1' }));
    expect((await answer(post(pinned.path, pinned.key, JSON.stringify({ rows })))).status).toBe(200);
    await ok(invoke(app, 'models:archive', { ref: 'iris@1', reason: 'replaced' }));
    expect(await answer(post(pinned.path, pinned.key, JSON.stringify({ rows })))).toMatchObject({ status: 410, body: { error: { code: 'archived' } } });
    await ok(invoke(app, 'serving:unpublish', { id: pinned.publication.id }));
    expect(await answer(post(pinned.path, pinned.key, JSON.stringify({ rows })))).toMatchObject({ status: 403, body: { error: { code: 'revoked-key' } } });
  });

  it('logs requests per version: counts, error rate, latency percentiles', async () => {
    const list = await ok(invoke(app, 'serving:list', {}));
    const production = list.find((p) => p.publication.selector === 'production')!;
    expect(production.version).toBe(2);
    // Version 2 answered one request (the promotion test); version 1's figures belong to it.
    expect(production.stats).toMatchObject({ requests: 1, errors: 0, rows: 2 });
    expect(production.stats!.p50Ms).toBeGreaterThan(0);
    // Version 1 answered everything before the promotion, refusals included (401s without a known key name no version).
    const v1 = app.store.read.prepare('SELECT status FROM prediction_requests WHERE version_id = (SELECT id FROM model_versions WHERE version = 1) ORDER BY id').all() as Array<{ status: number }>;
    expect(v1.map((r) => r.status)).toEqual([200, 200, 400, 400, 422, 422, 413, 200, 200, 410]);
    const wrongModel = app.store.read.prepare("SELECT COUNT(*) AS n FROM prediction_requests WHERE error_code IN ('wrong-model', 'revoked-key') AND version_id IS NULL").get() as { n: number };
    expect(wrongModel.n).toBe(2);
  });
});
