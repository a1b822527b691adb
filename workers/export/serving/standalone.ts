/**
 * The small prediction server shipped in the Kubernetes hand-off package (built to one file,
 * `predict-server.mjs`, with its libraries inside, so the container needs only Node):
 *
 *   node predict-server.mjs --model DIR [--port 8080] [--host 127.0.0.1]
 *
 * `POST /v1/models/<name>:predict` answers as `request.ts` says; `GET /healthz` and
 * `GET /v1/models/<name>` describe the model. With the environment variable
 * `PILOT_API_KEY_SHA256` (hex SHA-256 of a key), every prediction needs `Authorization: Bearer KEY`
 * (401 without, 403 with a wrong one). Listens on 127.0.0.1 unless told otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBestBackend } from '../../tfjs/backend.js';
import { answerPredict, errorBody, MAX_BODY_BYTES, type ServedModel } from './request.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Reads the body, stopping at `limit` bytes (null = too large). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => done(over ? null : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

function authorised(req: IncomingMessage, keyHash: string | undefined): { ok: true } | { ok: false; status: number; message: string } {
  if (!keyHash) return { ok: true };
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/.exec(header);
  if (!match) return { ok: false, status: 401, message: 'This service needs an API key: send "Authorization: Bearer KEY".' };
  const given = createHash('sha256').update(match[1]!).digest();
  const expected = Buffer.from(keyHash, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(given, expected)) return { ok: false, status: 403, message: 'The API key is not valid for this service (revoked or mistyped).' };
  return { ok: true };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } } });
  const artifactDir = resolve(values.model ?? 'model');
  const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as { project?: string; version?: number; target?: string; task?: string };
  const served: ServedModel = { artifactDir, project: process.env.PILOT_MODEL_NAME ?? metadata.project ?? 'model', version: Number(process.env.PILOT_MODEL_VERSION ?? metadata.version ?? 1) };
  // The best TensorFlow.js backend that loads in the container: wasm (installed with the package), else plain JavaScript.
  const { tf, backend } = await loadBestBackend();
  const keyHash = process.env.PILOT_API_KEY_SHA256;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
      const route = /^\/v1\/models\/([^/:]+)(:predict)?$/.exec(url.pathname);
      if (!route) return send(res, 404, errorBody('not-found', `No route ${url.pathname.slice(0, 100)}: use POST /v1/models/${served.project}:predict.`));
      if (decodeURIComponent(route[1]!) !== served.project) return send(res, 404, errorBody('unknown-model', `This server serves "${served.project}" only.`));
      if (!route[2]) {
        if (req.method !== 'GET') return send(res, 405, errorBody('method', 'Use GET for the model description.'));
        return send(res, 200, { name: served.project, version: served.version, task: metadata.task, target: metadata.target });
      }
      if (req.method !== 'POST') return send(res, 405, errorBody('method', 'Use POST for predictions.'));
      const auth = authorised(req, keyHash);
      if (!auth.ok) return send(res, auth.status, errorBody(auth.status === 401 ? 'no-key' : 'bad-key', auth.message));
      // An oversized body is read to its end but not kept, so the client gets the 413 rather than a reset connection.
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) return send(res, 413, errorBody('too-large', `The body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB: split the rows over several requests.`));
      const answer = await answerPredict(served, String(req.headers['content-type'] ?? ''), body, tf);
      send(res, answer.status, answer.body);
    })().catch((error: unknown) => send(res, 500, errorBody('failed', (error as Error).message)));
  });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const host = values.host ?? '127.0.0.1';
  server.listen(port, host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    console.log(`listening on http://${host}:${actual} (model ${served.project} version ${served.version}, backend ${backend})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`predict-server: ${(error as Error).message}`);
  process.exit(1);
});
