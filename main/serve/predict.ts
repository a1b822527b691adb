/**
 * The prediction service in serve mode: `POST /v1/models/<project>/<stage|alias|version>:predict`
 * with JSON rows or a CSV body, answered by the version the selector names at that moment (a
 * promotion or rollback takes effect on the next request). Its credentials are the publication's
 * API key, which can only predict: the UI token is neither needed nor accepted here, and a key
 * never opens the UI's API. Every request is logged per version (db/serving.ts).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as tfjs from '@tensorflow/tfjs';
import { getVersion, RegistryError, resolveVersion } from '../../db/registry.js';
import { logRequest, publicationByKey, sampleRequestRows } from '../../db/serving.js';
import { answerPredict, errorBody, MAX_BODY_BYTES } from '../../workers/export/serving/request.js';
import { loadBestBackend } from '../../workers/tfjs/backend.js';
import type { App } from '../app-types.js';

let tfLoaded: Promise<typeof tfjs> | null = null;
/** TensorFlow.js on the best backend, loaded on the first prediction only. */
const tensorflow = () => (tfLoaded ??= loadBestBackend().then((b) => b.tf));

export const PREDICT_ROUTE = /^\/v1\/models\/([^/]+)\/([^/:]+):predict$/;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}

/** The body, or null past `limit` bytes (read to the end but not kept, so the client gets the 413). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? null : Buffer.concat(chunks);
}

export async function handlePredict(app: App, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
  const started = performance.now();
  const at = Date.now();
  let publicationId: number | null = null;
  let versionId: number | null = null;
  const finish = (status: number, body: Record<string, unknown>, rows = 0, unseenRows = 0) => {
    const error = body.error as { code?: string } | undefined;
    logRequest(app.store.write, { publicationId, versionId, at, status, rows, unseenRows, durationMs: performance.now() - started, errorCode: error?.code ?? null });
    send(response, status, body);
  };
  const route = PREDICT_ROUTE.exec(pathname);
  if (!route) return send(response, 404, errorBody('not-found', 'Predictions are POST /v1/models/<project>/<stage|alias|version>:predict.'));
  if (request.method !== 'POST') return send(response, 405, errorBody('method', 'Use POST for predictions.'));
  const project = decodeURIComponent(route[1]!);
  const selector = decodeURIComponent(route[2]!);
  const key = /^Bearer\s+(\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!key) return send(response, 401, errorBody('no-key', 'Send the publication\u2019s API key as "Authorization: Bearer KEY" (pilot models publish prints it).'));
  const publication = publicationByKey(app.store.read, createHash('sha256').update(key).digest('hex'));
  if (!publication) return send(response, 401, errorBody('unknown-key', 'This API key is not known here. Check it, or publish the model again to get a new one.'));
  publicationId = publication.id;
  if (publication.revokedAt !== null) return finish(403, errorBody('revoked-key', `This API key was revoked on ${new Date(publication.revokedAt).toISOString()}. Ask for a new one.`));
  if (publication.projectName !== project || publication.selector !== selector) {
    return finish(403, errorBody('wrong-model', `This API key predicts with ${publication.projectName}/${publication.selector} only, not ${project}/${selector}.`));
  }
  let version;
  try {
    version = resolveVersion(app.store.read, `${project}@${selector}`);
  } catch (error) {
    if (error instanceof RegistryError) return finish(404, errorBody('no-version', error.message));
    throw error;
  }
  versionId = version.id;
  if (version.stage === 'archived') return finish(410, errorBody('archived', `${project} version ${version.version} is archived and no longer answers. Publish the version that replaced it.`));
  const body = await readBody(request, MAX_BODY_BYTES);
  if (body === null) return finish(413, errorBody('too-large', `The body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB: split the rows over several requests.`));
  const answer = await answerPredict({ artifactDir: version.artifactDir, project, version: version.version, threshold: version.threshold }, String(request.headers['content-type'] ?? ''), body, await tensorflow());
  // A version archived while this request ran must not be seen answering afterwards.
  if (answer.status === 200 && getVersion(app.store.read, version.id)?.stage === 'archived') {
    return finish(409, errorBody('archived-mid-request', `${project} version ${version.version} was archived while this request ran; nothing was predicted. Send it again to reach the version in ${selector} now.`));
  }
  if (answer.status === 200) {
    answer.body.model = { project, version: version.version, versionId: version.id, stage: version.stage, selector };
    // The rows served feed this version's drift checks (`pilot drift VERSION --from-requests`).
    if (answer.input) sampleRequestRows(app.store.write, version.id, at, answer.input.columns, answer.input.rows);
  }
  finish(answer.status, answer.body, answer.rows, answer.unseenRows);
}
