/**
 * Serve mode: the same built UI and the same handlers as the desktop app, over HTTP on
 * 127.0.0.1 only. Calls are `POST /api/invoke/<channel>` with a JSON body; job progress is a
 * server-sent event stream at `/api/events`. Every API request needs the random token printed in
 * the URL (as Jupyter does), and Host and Origin must be this server's own (no DNS rebinding, no
 * calls from other sites' pages). Every file or folder path a request names must lie in the
 * server's roots (main/serve/confine.ts), and uploads are capped in size.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rmdir, stat, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { invoke } from '../api/index.js';
import type { App } from '../app-types.js';
import type { PushEvent } from '../contract/index.js';
import { CONTENT_SECURITY_POLICY } from '../csp.js';
import type { ApiError, Result } from '../errors.js';
import type { JobEvent } from '../jobs/supervisor.js';
import { defaultRoots, describeRefusal, refusedPaths } from './confine.js';
import { refusedListedPath } from './confine-listed.js';
import { handlePredict } from './predict.js';
import { nameUploads, uploadNamer } from './upload-names.js';
import { findDownload } from '../api/downloads.js';

export interface ServeOptions {
  port: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  token?: string;
  /** Resolved folders that request paths must lie in (main/serve/confine.ts resolveRoots); default: the data folder and the home. */
  roots?: string[];
  /** The largest upload accepted, in bytes (default DEFAULT_MAX_UPLOAD_MB). */
  maxUploadBytes?: number;
}

/** The default upload cap: a large CSV export, well under what fills a disk by accident. */
export const DEFAULT_MAX_UPLOAD_MB = 1024;
/** Bytes past the cap still read (and dropped) so the client hears the 413 instead of a reset. */
const DRAIN_BYTES = 16 << 20;

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** The folders request paths are confined to. */
  roots: string[];
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1 << 20;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const DOWNLOAD_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.html': 'application/octet-stream',
  '.pilotmodel': 'application/octet-stream',
};

const STATUS: Record<ApiError['code'], number> = {
  'invalid-input': 400,
  'not-found': 404,
  'unknown-channel': 404,
  conflict: 409,
  unavailable: 503,
  failed: 500,
};

/** The decoded path, or null when a %-escape in it is malformed. */
export function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

export async function startServer(app: App, options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticDir = resolve(options.staticDir);
  const roots = options.roots ?? defaultRoots(app.options.dataDir);
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_MB * 1024 * 1024;
  let port = options.port;
  const clients = new Set<ServerResponse>();
  // Messages name an uploaded file by the user's own name, never its folder under uploads/.
  const rename = uploadNamer(app.options.dataDir);

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: { code: 'failed', message: `Internal error: ${error.message}` } });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    const allowed = [`${HOST}:${port}`, `localhost:${port}`];
    if (!allowed.includes(request.headers.host ?? '')) {
      return sendJson(response, 403, { ok: false, error: { code: 'invalid-input', message: `Host "${request.headers.host ?? ''}" is not this server. Open the URL that pilot serve printed.` } });
    }
    const url = new URL(request.url ?? '/', `http://${HOST}:${port}`);
    // A malformed %-escape is the client's mistake: answer 400 here, once, for every route.
    const pathname = decodePath(url.pathname);
    if (pathname === null) {
      return sendJson(response, 400, { ok: false, error: { code: 'invalid-input', message: 'The URL has a malformed %-escape (a % must be followed by two hex digits). Fix the link and retry.' } });
    }
    const isApi = url.pathname.startsWith('/api/');
    const isPredict = url.pathname.startsWith('/v1/');
    if (!isApi && !isPredict) return serveStatic(pathname, request, response);

    const origin = request.headers.origin;
    if (origin !== undefined && !allowed.map((host) => `http://${host}`).includes(origin)) {
      return sendJson(response, 403, { ok: false, error: { code: 'invalid-input', message: `Requests from ${origin} are not allowed. Use the workbench from the URL that pilot serve printed.` } });
    }
    // Predictions carry a publication's API key instead of the UI token (main/serve/predict.ts).
    if (isPredict) return handlePredict(app, request, response, url.pathname);
    const given = bearer(request) ?? url.searchParams.get('token') ?? '';
    if (!sameSecret(given, token)) {
      return sendJson(response, 401, { ok: false, error: { code: 'invalid-input', message: 'Missing or wrong token. Open the full URL that pilot serve printed (it ends with ?token=…).' } });
    }

    if (url.pathname === '/api/events' && request.method === 'GET') return openEvents(response);
    if (url.pathname.startsWith('/api/invoke/') && request.method === 'POST') {
      const channel = pathname.slice('/api/invoke/'.length);
      const body = await readJson(request);
      if (!body.ok) return sendJson(response, 400, body);
      const refused = refusedPaths(channel, body.value, roots);
      if (refused.length > 0) {
        return sendJson(response, 403, { ok: false, error: { code: 'invalid-input', message: describeRefusal(channel, refused, roots), allowedRoots: roots } });
      }
      const listed = await refusedListedPath(channel, body.value, roots);
      if (listed) return sendJson(response, 403, { ok: false, error: { code: 'invalid-input', message: listed, allowedRoots: roots } });
      const result = nameUploads(await invoke(app, channel, body.value), rename);
      return sendJson(response, result.ok ? 200 : STATUS[result.error.code], result);
    }
    if (url.pathname === '/api/upload' && request.method === 'POST') return upload(url, request, response);
    if (url.pathname.startsWith('/api/download/') && request.method === 'GET') return download(pathname.slice('/api/download/'.length), response);
    return sendJson(response, 404, { ok: false, error: { code: 'unknown-channel', message: `No API at ${request.method} ${url.pathname}.` } });
  }

  async function serveStatic(pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { ok: false, error: { code: 'invalid-input', message: 'Only GET here.' } });
    const relative = pathname === '/' ? '/index.html' : pathname;
    let file = resolve(join(staticDir, relative));
    if (!file.startsWith(staticDir + sep)) return sendJson(response, 404, { ok: false, error: { code: 'not-found', message: 'Not found.' } });
    let info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      // Client-side routes fall back to the app; missing assets are 404.
      if (extname(relative)) return sendJson(response, 404, { ok: false, error: { code: 'not-found', message: 'Not found.' } });
      file = join(staticDir, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info) {
        response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void response.end('The UI is not built. Run `npm run build`, then start pilot serve again.');
      }
    }
    response.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': extname(file) === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    if (request.method === 'HEAD') return void response.end();
    await pipeline(createReadStream(file), response);
  }

  function openEvents(response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    response.write(': connected\n\n');
    clients.add(response);
    const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
    response.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(response);
    });
  }

  const onJob = (event: JobEvent) => {
    const push: PushEvent = nameUploads({ type: 'job', ...event }, rename);
    const frame = `event: job\ndata: ${JSON.stringify(push)}\n\n`;
    for (const client of clients) client.write(frame);
  };
  app.jobs.on('job', onJob);

  async function upload(url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const name = basename(url.searchParams.get('name') ?? '').replace(/[^\w.\- ]/g, '_').slice(0, 200);
    if (!name || name.startsWith('.')) return sendJson(response, 400, { ok: false, error: { code: 'invalid-input', message: 'upload: give the file name as ?name=file.csv.' } });
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > maxUpload) return tooLarge(request, response);
    // One folder per upload keeps the file's own name (the dataset is named after it) without clashes.
    const folder = join(app.options.dataDir, 'uploads', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
    await mkdir(folder, { recursive: true });
    const target = join(folder, name);
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > maxUpload ? new UploadTooLarge() : null, chunk);
      },
    });
    try {
      // Not pipeline(request, …): on a refusal that would destroy the request's socket before
      // the 413 is read. The request is piped in and unpiped when the cap trips.
      const written = pipeline(cap, createWriteStream(target, { flags: 'wx' }));
      request.once('error', (error) => cap.destroy(error));
      request.once('aborted', () => cap.destroy(new Error('the client stopped sending')));
      request.pipe(cap);
      await written.finally(() => request.unpipe(cap));
    } catch (error) {
      await unlink(target).catch(() => {});
      await rmdir(folder).catch(() => {});
      if (error instanceof UploadTooLarge) return tooLarge(request, response);
      const full = (error as NodeJS.ErrnoException).code === 'ENOSPC';
      return sendJson(response, full ? 507 : 500, {
        ok: false,
        error: { code: 'failed', message: full ? `upload: the disk holding ${folder} is full. Free some space, then upload again.` : `upload failed: ${(error as Error).message}` },
      });
    }
    sendJson(response, 200, { ok: true, value: { path: target } });
  }

  /** A file the workbench wrote for the user (main/api/downloads.ts), sent as an attachment. */
  async function download(id: string, response: ServerResponse): Promise<void> {
    const found = await findDownload(app.options.dataDir, id);
    if (!found) return sendJson(response, 404, { ok: false, error: { code: 'not-found', message: 'That download is gone (downloads are kept for a day), or the link is wrong. Make it again.' } });
    response.writeHead(200, {
      'Content-Type': DOWNLOAD_TYPES[extname(found.fileName)] ?? 'application/octet-stream',
      'Content-Length': found.bytes,
      // An attachment, never rendered here: a model card's HTML does not run under this origin.
      'Content-Disposition': `attachment; filename="${found.fileName.replace(/["\\]/g, '_')}"`,
      'Cache-Control': 'no-store',
    });
    await pipeline(createReadStream(found.path), response);
  }

  function tooLarge(request: IncomingMessage, response: ServerResponse): void {
    const limit = `${Math.round((maxUpload / (1024 * 1024)) * 10) / 10} MB`;
    response.setHeader('Connection', 'close');
    sendJson(response, 413, {
      ok: false,
      error: { code: 'invalid-input', message: `upload: the file is larger than this server accepts (${limit}). Copy it to the server (scp) and import it by path, or restart pilot serve with --max-upload MB.` },
    });
    // Read on a little, so the client hears the answer rather than a reset; then hang up.
    let drained = 0;
    request.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_BYTES) request.destroy();
    });
    request.resume();
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, HOST, () => done());
  }).catch((error: NodeJS.ErrnoException) => {
    app.jobs.off('job', onJob);
    if (error.code === 'EADDRINUSE') throw new Error(`Port ${port} is in use. Choose another with --port N (or --port 0 for any free port).`);
    throw error;
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    roots,
    async close() {
      app.jobs.off('job', onJob);
      for (const client of clients) client.end();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

class UploadTooLarge extends Error {
  override name = 'UploadTooLarge';
}

function bearer(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: IncomingMessage): Promise<Result<unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, error: { code: 'invalid-input', message: 'Request body is larger than 1 MB.' } };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: { code: 'invalid-input', message: 'Request body is not valid JSON.' } };
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}
