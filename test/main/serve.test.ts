/** Serve mode's HTTP boundary: token, Host, Origin, malformed bodies, and the event stream. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../main/app.js';
import { resolveRoots } from '../../main/serve/confine.js';
import { type RunningServer, startServer } from '../../main/serve/server.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';

let app: App;
let server: RunningServer;
const { dir, cleanup } = tempDir();

beforeAll(async () => {
  const staticDir = join(dir, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pilot</title>');
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'serve', version: 'test' });
  server = await startServer(app, { port: 0, staticDir, roots: resolveRoots([fixture('')], { dataDir: dir }) });
});
afterAll(async () => {
  await server.close();
  await app.close();
  cleanup();
});

/** A raw HTTP call (fetch cannot set Host). */
function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(options.body);
  });
}
const auth = () => ({ Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' });

describe('serve mode', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses an API call without the token, or with a wrong one', async () => {
    const none = await call('/api/invoke/datasets:list', { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.message).toMatch(/Missing or wrong token/);
    const wrong = await call('/api/invoke/datasets:list', { method: 'POST', headers: { Authorization: 'Bearer nope' }, body: '{}' });
    expect(wrong.status).toBe(401);
  });

  it('refuses calls from another Origin even with the token', async () => {
    const response = await call('/api/invoke/datasets:list', { method: 'POST', headers: { ...auth(), Origin: 'http://evil.example' }, body: '{}' });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.message).toMatch(/Requests from http:\/\/evil\.example are not allowed/);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const response = await call('/', { headers: { Host: `attacker.example:${server.port}` } });
    expect(response.status).toBe(403);
  });

  it('answers malformed JSON and invalid input with 400 and a message', async () => {
    const malformed = await call('/api/invoke/datasets:import', { method: 'POST', headers: auth(), body: '{"path":' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: 'Request body is not valid JSON.' } });
    const invalid = await call('/api/invoke/datasets:import', { method: 'POST', headers: auth(), body: '{"path": 3}' });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error.message).toMatch(/path: Give the path/);
  });

  it('answers a malformed %-escape with 400, on the API and on static paths (before: 500 "URI malformed")', async () => {
    for (const path of ['/api/invoke/datasets%E0%A4%A:list', '/assets/%zz.js', '/%']) {
      const response = path.startsWith('/api/') ? await call(path, { method: 'POST', headers: auth(), body: '{}' }) : await call(path);
      expect(response.status, path).toBe(400);
      expect(JSON.parse(response.body).error.message).toMatch(/malformed %-escape/);
    }
  });

  it('serves the UI with a strict Content-Security-Policy and never a path outside it', async () => {
    const page = await call('/', { headers: { Host: `127.0.0.1:${server.port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const escape = await call('/..%2f..%2fworkbench.db');
    expect(escape.status).toBe(404);
  });

  it('imports a dataset over HTTP and streams its progress as server-sent events', async () => {
    const events: { job: { id: number; status: string; progress: number } }[] = [];
    const controller = new AbortController();
    const stream = fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, { signal: controller.signal }).then(async (response) => {
      const reader = response.body!.getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)));
        }
      }
    }).catch(() => {});
    await new Promise((done) => setTimeout(done, 100));
    const response = await fetch(`http://127.0.0.1:${server.port}/api/invoke/datasets:import`, { method: 'POST', headers: auth(), body: JSON.stringify({ path: fixture('adult.csv') }) });
    const body = (await response.json()) as { ok: true; value: { id: number } };
    expect(body.ok).toBe(true);
    const job = await app.jobs.wait(body.value.id);
    expect(job.status).toBe('succeeded');
    await new Promise((done) => setTimeout(done, 100));
    controller.abort();
    await stream;
    const mine = events.filter((event) => event.job.id === body.value.id);
    expect(mine.map((event) => event.job.status)).toContain('running');
    expect(mine.at(-1)?.job.status).toBe('succeeded');
  });

  it('accepts an upload into the data folder and refuses a name that escapes it', async () => {
    const ok = await fetch(`http://127.0.0.1:${server.port}/api/upload?name=${encodeURIComponent('small.csv')}`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: 'a,b\n1,2\n' });
    const body = (await ok.json()) as { ok: boolean; value: { path: string } };
    expect(body.ok).toBe(true);
    expect(body.value.path.startsWith(join(dir, 'uploads'))).toBe(true);
    expect(body.value.path.endsWith('/small.csv')).toBe(true); // the dataset keeps the file's own name
    const escape = await fetch(`http://127.0.0.1:${server.port}/api/upload?name=${encodeURIComponent('../../.bashrc')}`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: 'x' });
    const escaped = (await escape.json()) as { ok: boolean; value?: { path: string } };
    if (escaped.ok) expect(escaped.value!.path.startsWith(join(dir, 'uploads'))).toBe(true);
  });
});
