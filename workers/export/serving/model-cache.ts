/**
 * The prediction service's loaded models, verified once and kept between requests. Verifying an
 * artifact hashes every file (the weights included) and loading it builds the network: done per
 * request, that was most of a small request's time. A cached model is reused only while its files
 * are the ones verified: each request compares the files' identity and times (inode, size, mtime,
 * ctime — a write, a replacement or a `touch` changes one of them, and ctime cannot be set back by
 * hand) and, when any differs, verifies and loads again, so a model whose weights were changed
 * after publishing is refused with the checksum error, never answered from.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { loadArtifact, MODEL_FILES, type SavedPipeline } from '../../trainer/artifact.js';

/** A verified, loaded model. */
export interface LoadedModel {
  model: tfjs.LayersModel;
  pipeline: SavedPipeline;
}

interface Entry {
  stamp: string;
  loading: Promise<LoadedModel>;
}

const cache = new Map<string, Entry>();

/** What identifies the artifact's files as they are now (a missing file is part of the stamp). */
async function stampOf(dir: string): Promise<string> {
  const parts = await Promise.all(
    [...MODEL_FILES, 'checksums.json'].map(async (file) => {
      const s = await stat(join(dir, file), { bigint: true }).catch(() => null);
      return s ? `${file}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : `${file}:missing`;
    }),
  );
  return parts.join('|');
}

/** The model in `dir`, verified against its checksums when first used and whenever its files change. Throws `UserInputError` when they do not match. */
export async function servedModel(tf: typeof tfjs, dir: string): Promise<LoadedModel> {
  const stamp = await stampOf(dir);
  const hit = cache.get(dir);
  if (hit && hit.stamp === stamp) return hit.loading;
  const loading = loadArtifact(tf, dir).then(({ model, pipeline }) => ({ model, pipeline }));
  cache.set(dir, { stamp, loading });
  // A request that already holds the old model may still be between its await and its (synchronous)
  // prediction: the old network is freed a while later, not now.
  if (hit) setTimeout(() => void hit.loading.then((old) => old.model.dispose()).catch(() => undefined), 60_000).unref();
  try {
    return await loading;
  } catch (error) {
    // Not cached: the next request verifies again (the files may have been restored).
    if (cache.get(dir)?.loading === loading) cache.delete(dir);
    throw error;
  }
}

/** Forgets every cached model (tests, shutdown). */
export function clearServedModels(): void {
  for (const entry of cache.values()) void entry.loading.then((m) => m.model.dispose()).catch(() => undefined);
  cache.clear();
}
