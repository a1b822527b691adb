/**
 * The environment every worker process starts with. Two things in it matter for the GPU, and
 * both must be there at start: the loader and the CUDA driver read them once.
 *
 * - The saved CUDA 11 library folders (`gpu.libraryDirs`, `pilot gpu libraries DIR --save`) go in
 *   front of the loader's path (LD_LIBRARY_PATH, PATH on Windows): workers/tfjs/gpu-libraries.ts.
 * - The CUDA JIT cache: on a GPU newer than the kernels CUDA 11 libraries ship compiled (Hopper
 *   and later), the driver compiles their PTX on first use, for minutes, and keeps the result in
 *   its cache. Its default size (256 MiB) is too small for libtensorflow's kernels, which would
 *   then be compiled again at every start; the default place (~/.nv/ComputeCache) may not be
 *   writable. Workers get CUDA_CACHE_PATH = <data folder>/cuda-cache and CUDA_CACHE_MAXSIZE =
 *   4 GiB, the largest the driver accepts, unless the user set either already.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getSetting } from '../../db/settings.js';
import type { ReadableDB } from '../../db/store.js';
import { libraryDirsFor, loaderPathEnv } from '../../workers/tfjs/gpu-libraries.js';
import { type ArtifactKey, heldArtifactKey, KEY_ENV } from '../../workers/trainer/encryption.js';

/** The largest CUDA_CACHE_MAXSIZE the CUDA driver accepts (4 GiB), in bytes. */
export const CUDA_CACHE_MAXSIZE = String(4 * 1024 ** 3);

/** The folder of the CUDA JIT cache in a data folder. */
export function cudaCachePath(dataDir: string): string {
  return join(dataDir, 'cuda-cache');
}

/** The CUDA JIT cache variables a worker gets: the user's own settings win. Creates the folder. */
export function cudaCacheEnv(dataDir: string, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!env['CUDA_CACHE_PATH']) {
    try {
      mkdirSync(cudaCachePath(dataDir), { recursive: true });
    } catch {
      // an unwritable data folder fails the job elsewhere, with its own message
    }
  }
  return {
    ...(env['CUDA_CACHE_PATH'] ? {} : { CUDA_CACHE_PATH: cudaCachePath(dataDir) }),
    ...(env['CUDA_CACHE_MAXSIZE'] ? {} : { CUDA_CACHE_MAXSIZE: CUDA_CACHE_MAXSIZE }),
  };
}

/**
 * A worker's whole environment: this process's, with the GPU library folders on the loader's
 * path, the CUDA JIT cache, and ELECTRON_RUN_AS_NODE (under Electron, process.execPath is the
 * app: this makes it behave as plain Node). The profiler's probe needs the GPU settings as much as
 * training does, so every worker gets them.
 */
export function workerEnv(
  dataDir: string,
  libraryRoots: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  key: ArtifactKey | null = heldArtifactKey(),
): NodeJS.ProcessEnv {
  return { ...env, ...loaderPathEnv(libraryDirsFor(libraryRoots), env, platform), ...cudaCacheEnv(dataDir, env), ...artifactKeyEnv(key), ELECTRON_RUN_AS_NODE: '1' };
}

/**
 * The model key a worker gets when this process holds one (the desktop's, unwrapped by the
 * keychain: main/keychain.ts): in its environment only, never on its command line, in a file or in
 * a log line. Without one, workers read the data folder's key file themselves.
 */
export function artifactKeyEnv(key: ArtifactKey | null): Record<string, string> {
  return key ? { [KEY_ENV]: key.key.toString('base64') } : {};
}

/** The saved GPU library folders (`gpu.libraryDirs`); none when unset or unreadable. */
export function savedLibraryRoots(read: ReadableDB): string[] {
  try {
    const dirs = getSetting<unknown>(read, 'gpu.libraryDirs');
    return Array.isArray(dirs) ? dirs.filter((dir): dir is string => typeof dir === 'string') : [];
  } catch {
    return [];
  }
}
