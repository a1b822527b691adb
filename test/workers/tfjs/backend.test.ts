import { describe, expect, it } from 'vitest';
import { loadBackend, loadBestBackend, probeBackends } from '../../../workers/tfjs/backend.js';

describe('tfjs backends', () => {
  it('probes every backend and explains the absent native one', async () => {
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
    const native = statuses[0]!;
    // tfjs-node(-gpu) cannot install on this machine: it must be a reason, never a crash.
    if (!native.available) expect(native.reason).toMatch(/not installed|failed to load/);
    expect(statuses[2]!.available).toBe(true);
  });

  it('loads the best backend and it computes a matMul correctly', async () => {
    const { tf, backend, statuses } = await loadBestBackend();
    expect(tf.getBackend()).toBe(backend);
    expect(statuses.at(-1)!.name).toBe(backend);
    const out = tf.matMul(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[1], [0], [-1]])).dataSync();
    expect(Array.from(out)).toEqual([-2]);
  });

  it('wasm reports SIMD and a thread count', async () => {
    const statuses = await probeBackends();
    const wasm = statuses[1]!;
    expect(wasm.available).toBe(true);
    expect(typeof wasm.simd).toBe('boolean');
    expect(wasm.threads).toBeGreaterThanOrEqual(1);
  });

  it('loadBackend switches and fails clearly for an absent backend', async () => {
    const tf = await loadBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const statuses = await probeBackends();
    if (!statuses[0]!.available) await expect(loadBackend('tensorflow')).rejects.toThrow(/tensorflow TensorFlow.js backend is not available/);
  });
});
