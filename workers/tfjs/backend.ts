/**
 * Loading a TensorFlow.js backend: the best one that works on this machine, and why better ones
 * did not. Order of preference: `tensorflow` (libtensorflow through `@tensorflow/tfjs-node-gpu`,
 * else `@tensorflow/tfjs-node`) → `wasm` (XNNPACK, SIMD) → `cpu` (plain JavaScript).
 *
 * `@tensorflow/tfjs-node(-gpu)` is an optional dependency that is usually absent (it downloads
 * libtensorflow at install), so it is only ever imported dynamically and its absence is a reason,
 * never an error.
 */
import * as tf from '@tensorflow/tfjs';

/** `tensorflow` = libtensorflow through tfjs-node(-gpu); `wasm` = tfjs-backend-wasm; `cpu` = plain JS. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What probing one backend found. */
export interface BackendStatus {
  name: BackendName;
  /** True when the backend initialised and ran a small computation correctly. */
  available: boolean;
  /** One line: what was loaded, or why it could not be (and what to install to get it). */
  reason: string;
  /** `tensorflow` only: true when the CUDA build (`tfjs-node-gpu`) loaded and sees a GPU. */
  gpu?: boolean;
  /** `tensorflow` only: the package that provides it (`@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node`). */
  package?: string;
  /** `wasm` only: true when the SIMD build of the module is in use. */
  simd?: boolean;
  /** `wasm` only: the number of threads the module runs with (1 under Node: tfjs disables pthreads there). */
  threads?: number;
}

/** Packages that provide the `tensorflow` backend, best first. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

let nativePackage: string | null = null;
let wasmModule: typeof import('@tensorflow/tfjs-backend-wasm') | null = null;

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/** Imports tfjs-node(-gpu), which registers the `tensorflow` backend with the shared tfjs-core. */
async function importNative(): Promise<{ pkg: string } | { error: string }> {
  if (nativePackage) return { pkg: nativePackage };
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps bundlers and tsc from resolving a package that is not installed.
      const specifier: string = pkg;
      await import(specifier);
      nativePackage = pkg;
      return { pkg };
    } catch (error) {
      const code = (error as { code?: string }).code;
      failures.push(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? `${pkg} is not installed`
          : `${pkg} failed to load (${messageOf(error)})`,
      );
    }
  }
  return { error: failures.join('; ') };
}

async function importWasm(): Promise<typeof import('@tensorflow/tfjs-backend-wasm')> {
  wasmModule ??= await import('@tensorflow/tfjs-backend-wasm');
  return wasmModule;
}

/** Runs a 2×2 matMul and compares with the answer, so a backend that "loads" but computes garbage is refused. */
function selfTest(): void {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync());
  const expected = [19, 22, 43, 50];
  if (!expected.every((value, i) => product[i] === value)) {
    throw new Error(`self-test matMul gave [${Array.from(product).join(', ')}], expected [${expected.join(', ')}]`);
  }
}

async function activate(name: BackendName): Promise<BackendStatus> {
  if (name === 'tensorflow') {
    const loaded = await importNative();
    if ('error' in loaded) {
      return {
        name,
        available: false,
        reason: `${loaded.error}; install @tensorflow/tfjs-node-gpu (needs CUDA 11.x + cuDNN 8.x) or @tensorflow/tfjs-node to use it`,
      };
    }
    if (!(await tf.setBackend('tensorflow'))) {
      return { name, available: false, reason: `${loaded.pkg} loaded but the tensorflow backend did not initialise` };
    }
    selfTest();
    const gpu = loaded.pkg.endsWith('-gpu') && hasCudaDevice();
    return {
      name,
      available: true,
      gpu,
      package: loaded.pkg,
      reason: gpu ? `${loaded.pkg} (libtensorflow with CUDA)` : `${loaded.pkg} (libtensorflow on the CPU)`,
    };
  }
  if (name === 'wasm') {
    const wasm = await importWasm();
    if (!(await tf.setBackend('wasm'))) return { name, available: false, reason: 'the wasm backend did not initialise' };
    selfTest();
    const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const threads = wasm.getThreadsCount();
    return {
      name,
      available: true,
      simd,
      threads,
      reason: `tfjs-backend-wasm (XNNPACK${simd ? ', SIMD' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`,
    };
  }
  if (!(await tf.setBackend('cpu'))) return { name, available: false, reason: 'the cpu backend did not initialise' };
  // The cpu backend prints an "install tfjs-node" banner on first use; the status reason already says it.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  selfTest();
  return { name, available: true, reason: 'tfjs-backend-cpu (plain JavaScript, slowest)' };
}

/**
 * Whether libtensorflow sees a CUDA device. tfjs-node-gpu falls back to the CPU silently when
 * CUDA is missing, so the package name alone does not prove there is a GPU.
 */
function hasCudaDevice(): boolean {
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  const probe = backend.binding?.isUsingGpuDevice;
  return typeof probe === 'function' ? Boolean(probe.call(backend.binding)) : true;
}

/**
 * The native package in use and whether libtensorflow sees a GPU, for a worker whose active
 * backend is `tensorflow` (null otherwise): the first-batch check asks it whatever backend status
 * the engine kept.
 */
export function tensorflowInfo(): { package: string; gpu: boolean } | null {
  if (tf.getBackend() !== 'tensorflow' || !nativePackage) return null;
  return { package: nativePackage, gpu: nativePackage.endsWith('-gpu') && hasCudaDevice() };
}

async function tryActivate(name: BackendName): Promise<BackendStatus> {
  try {
    return await activate(name);
  } catch (error) {
    return { name, available: false, reason: `${name} backend failed: ${messageOf(error)}` };
  }
}

/** Tries every backend, best first, and says for each whether it works and why not. Leaves the best one active. */
export async function probeBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) statuses.push(await tryActivate(name));
  const best = statuses.find((status) => status.available);
  if (best) await tf.setBackend(best.name);
  return statuses;
}

/** Makes `name` the active backend and returns tfjs; throws with the reason when it cannot load. */
export async function loadBackend(name: BackendName): Promise<typeof import('@tensorflow/tfjs')> {
  const status = await tryActivate(name);
  if (!status.available) throw new Error(`The ${name} TensorFlow.js backend is not available: ${status.reason}.`);
  return tf;
}

/** Activates the best backend that works (tensorflow → wasm → cpu) and returns it with every backend's status. */
export async function loadBestBackend(): Promise<{
  tf: typeof import('@tensorflow/tfjs');
  backend: BackendName;
  statuses: BackendStatus[];
}> {
  const statuses: BackendStatus[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const status = await tryActivate(name);
    statuses.push(status);
    if (status.available) return { tf, backend: name, statuses };
  }
  throw new Error(`No TensorFlow.js backend could start: ${statuses.map((s) => s.reason).join('; ')}.`);
}
