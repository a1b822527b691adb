/** The TensorFlow.js backend for a run: the one asked for, or the best that loads, and why. */
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { loadBackend, loadBestBackend, type BackendName, type BackendStatus } from '../tfjs/backend.js';

/** Loads the requested backend (`auto`: the best that works here). A named backend that fails is the user's to change. */
export async function pickBackend(requested: 'auto' | BackendName): Promise<{ tf: typeof tfjs; backend: BackendName; statuses: BackendStatus[] }> {
  if (requested === 'auto') return loadBestBackend();
  try {
    const tf = await loadBackend(requested);
    return { tf, backend: requested, statuses: [{ name: requested, available: true, reason: `${requested} (chosen by you)` }] };
  } catch (error) {
    throw new UserInputError(`${error instanceof Error ? error.message : String(error)} Choose "auto" to use the best backend that works here.`);
  }
}

/** The chosen backend's reason, followed by why each better one was not used. */
export function reasonFor(backend: BackendName, statuses: BackendStatus[]): string {
  const chosen = statuses.find((s) => s.name === backend);
  const better = statuses.filter((s) => !s.available).map((s) => `${s.name}: ${s.reason}`);
  return [chosen?.reason ?? backend, ...(better.length ? [`not used — ${better.join('; ')}`] : [])].join('; ');
}
