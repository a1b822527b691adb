/**
 * Which resource a job takes: `gpu` jobs run one at a time machine-wide (the GPU lock), `cpu`
 * jobs in the configurable number of CPU slots of each process.
 *
 * A kind declared `gpu` ("uses the GPU when there is one") is labelled `gpu` only when it will
 * actually run on a GPU backend: the worker picks `tensorflow` through tfjs-node-gpu first
 * (workers/tfjs/backend.ts), so that package must be installed and this machine must show a GPU
 * device, and the job must not ask for a CPU backend (`backend: 'wasm' | 'cpu'`). Otherwise the
 * job trains on the CPU (wasm or plain JS) and is labelled `cpu`: on a laptop without a GPU,
 * training jobs from several processes then run side by side in their CPU slots instead of
 * queueing behind one another for a GPU nobody uses.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { JobResource } from '../../workers/protocol.js';

/** How a kind declares its resource: fixed, or decided from the job's input. */
export type ResourceRule<I> = JobResource | ((input: I) => JobResource);

let installed: boolean | undefined;

/**
 * Whether a GPU backend can run here: `@tensorflow/tfjs-node-gpu` resolves and, on Linux, an
 * NVIDIA device node exists (tfjs-node-gpu otherwise falls back to the CPU silently). The
 * environment variable PILOT_GPU_JOBS=on|off overrides the guess (a GPU the check misses, or
 * a machine where GPU jobs should not be serialised).
 */
export function gpuBackendLikely(): boolean {
  const forced = process.env['PILOT_GPU_JOBS'];
  if (forced === 'on') return true;
  if (forced === 'off') return false;
  if (installed === undefined) {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
      installed = process.platform !== 'linux' || existsSync('/dev/nvidiactl') || existsSync('/dev/nvidia0');
    } catch {
      installed = false;
    }
  }
  return installed;
}

/** The resource a job takes, from its kind's rule and its input. */
export function resolveResource<I>(rule: ResourceRule<I>, input: I, gpuAvailable: () => boolean): JobResource {
  if (typeof rule === 'function') return rule(input);
  if (rule === 'cpu') return 'cpu';
  const backend = typeof input === 'object' && input !== null && 'backend' in input ? input.backend : undefined;
  if (backend === 'wasm' || backend === 'cpu') return 'cpu';
  return gpuAvailable() ? 'gpu' : 'cpu';
}
