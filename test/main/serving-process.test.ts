/**
 * The prediction service as a user runs it: `pilot serve` in its own process, and the CLI in
 * others beside it, on one data folder.
 *   - The rows a version answers become its sample of served rows (at most 100 per request), and
 *     `pilot drift VERSION --from-requests` checks them against the training data: a shifted
 *     column is found drifted, an unshifted one is not; before any request it says there is none.
 *   - Weights changed on disk after publishing give 503 with the checksum message (the cached
 *     model is not used), and the restored file answers again.
 *   - A version archived while a request is in flight never answers it: 409 (archived during the
 *     request) or 410 (archived before it was resolved), each naming the version; later requests 410.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, pilot, pilotUntil, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('pilot-serving-process-');
let server: ReturnType<typeof pilotUntil>;
let port = 0;
let key = '';
let path = '';
let artifactDir = '';

const iris = readFileSync(fixture('iris.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));
/** `count` iris rows (cycled), petal_length shifted by `shift`. */
const rowsOf = (count: number, shift: number) =>
  Array.from({ length: count }, (_, i) => {
    const [sl, sw, pl, pw] = iris[i % iris.length]!;
    return { sepal_length: sl, sepal_width: sw, petal_length: pl! + shift, petal_width: pw };
  });

function send(body: string, between?: () => void): Promise<{ status: number; body: { error?: { code: string; message: string }; model?: { version: number }; predictions?: unknown[] } }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    req.on('error', fail);
    if (!between) return void req.end(body);
    // Half the body, then whatever happens meanwhile, then the rest.
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half), () => {
      between();
      req.end(body.slice(half));
    });
  });
}

beforeAll(async () => {
  // A few epochs: the checks are about what the service does with its rows, not the model's accuracy.
  const trained = pilot(['train', fixture('iris.csv'), '--target', 'species', '--epochs', '3'], { dataDir: dir });
  expect(trained.code, trained.stderr).toBe(0);
  const published = pilot(['models', 'publish', 'iris@1', '--json'], { dataDir: dir });
  expect(published.code, published.stderr).toBe(0);
  ({ key, path } = JSON.parse(published.stdout) as { key: string; path: string });
  const shown = pilot(['models', 'show', 'iris@1', '--json'], { dataDir: dir });
  artifactDir = (JSON.parse(shown.stdout) as { version: { artifactDir: string } }).version.artifactDir;
  server = pilotUntil(['serve', '--port', '0'], dir, /serving at http:\/\/127\.0\.0\.1:(\d+)\//);
  port = Number((await server.matched)[1]);
}, 120_000);
afterAll(() => {
  server?.child.kill('SIGTERM');
  cleanup();
});

describe('pilot serve in its own process', () => {
  it('feeds the rows it answered to the version\u2019s drift check', async () => {
    const none = pilot(['drift', 'iris@1', '--from-requests'], { dataDir: dir });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/has not answered any prediction request in serve mode yet/);

    for (const count of [100, 100, 100, 500]) {
      const answer = await send(JSON.stringify({ rows: rowsOf(count, 4) }));
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.predictions).toHaveLength(count);
    }
    const db = new Database(join(dir, 'workbench.db'), { readonly: true });
    try {
      // At most 100 of the 500-row request were kept.
      expect(db.prepare('SELECT COUNT(*) AS n FROM serving_samples').get()).toEqual({ n: 400 });
    } finally {
      db.close();
    }

    const checked = pilot(['drift', 'iris@1', '--from-requests', '--json'], { dataDir: dir });
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout) as { datasetDrift: boolean; currentRows: number; columns: Array<{ name: string; drifted: boolean }> };
    const drifted = Object.fromEntries(report.columns.map((c) => [c.name, c.drifted]));
    expect(drifted.petal_length).toBe(true);
    expect(drifted.sepal_width).toBe(false);
  }, 120_000);

  it('refuses weights changed after publishing, and answers again once they are restored', async () => {
    const weights = join(artifactDir, 'weights.bin');
    const original = readFileSync(weights);
    expect((await send(JSON.stringify({ rows: rowsOf(2, 0) }))).status).toBe(200);
    writeFileSync(weights, Buffer.alloc(original.length));
    const tampered = await send(JSON.stringify({ rows: rowsOf(2, 0) }));
    expect(tampered.status).toBe(503);
    expect(tampered.body.error).toMatchObject({ code: 'model-unavailable', message: expect.stringMatching(/weights\.bin .* does not match its checksum/) });
    writeFileSync(weights, original);
    expect((await send(JSON.stringify({ rows: rowsOf(2, 0) }))).status).toBe(200);
  }, 60_000);

  it('never answers with a version archived while the request was in flight', async () => {
    const answer = await send(JSON.stringify({ rows: rowsOf(2000, 0) }), () => {
      const archived = pilot(['models', 'archive', 'iris@1', '--reason', 'replaced'], { dataDir: dir });
      expect(archived.code, archived.stderr).toBe(0);
    });
    expect([409, 410]).toContain(answer.status);
    expect(answer.body.error?.code).toMatch(/^archived(-mid-request)?$/);
    expect(answer.body.error?.message).toMatch(/iris version 1 (was archived while this request ran|is archived)/);
    expect(answer.body.predictions).toBeUndefined();
    const after = await send(JSON.stringify({ rows: rowsOf(2, 0) }));
    expect(after.status).toBe(410);
  }, 60_000);
});
