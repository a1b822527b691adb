/**
 * Which jobs take the machine-wide GPU lock: kinds declared `gpu` only when they will run on a
 * GPU backend. On a machine without one, training jobs run side by side in CPU slots.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { gpuBackendLikely, resolveResource } from '../../main/jobs/resources.js';
import { JobSupervisor } from '../../main/jobs/supervisor.js';
import { tempDir, workerEntry } from '../helpers.js';

const teardown: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

describe('job resources', () => {
  it('labels a `gpu` kind gpu only with a GPU backend, and never when the input asks for a CPU backend', () => {
    expect(resolveResource('gpu', { backend: 'auto' }, () => true)).toBe('gpu');
    expect(resolveResource('gpu', { backend: 'auto' }, () => false)).toBe('cpu');
    expect(resolveResource('gpu', { backend: 'wasm' }, () => true)).toBe('cpu');
    expect(resolveResource('gpu', { backend: 'cpu' }, () => true)).toBe('cpu');
    expect(resolveResource('cpu', { backend: 'tensorflow' }, () => true)).toBe('cpu');
    expect(resolveResource((input: { gpu: boolean }) => (input.gpu ? 'gpu' : 'cpu'), { gpu: true }, () => false)).toBe('gpu');
  });

  it('guesses a GPU backend from tfjs-node-gpu and an NVIDIA device, with PILOT_GPU_JOBS to override', () => {
    let installed = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      installed = false;
    }
    const device = process.platform !== 'linux' || existsSync('/dev/nvidiactl') || existsSync('/dev/nvidia0');
    const saved = process.env['PILOT_GPU_JOBS'];
    teardown.push(() => (saved === undefined ? delete process.env['PILOT_GPU_JOBS'] : (process.env['PILOT_GPU_JOBS'] = saved)));
    delete process.env['PILOT_GPU_JOBS'];
    expect(gpuBackendLikely()).toBe(installed && device);
    process.env['PILOT_GPU_JOBS'] = 'on';
    expect(gpuBackendLikely()).toBe(true);
    process.env['PILOT_GPU_JOBS'] = 'off';
    expect(gpuBackendLikely()).toBe(false);
  });

  it('runs two jobs of a `gpu` kind side by side when there is no GPU backend', async () => {
    const { dir, cleanup } = tempDir();
    const store = openStore(join(dir, 'workbench.db'));
    const jobs = new JobSupervisor({ store, dataDir: dir, workerPath: workerEntry, cpuSlots: 2, gpuAvailable: () => false });
    teardown.push(cleanup, () => store.close(), () => jobs.shutdown());
    jobs.define('test.sleep', { resource: 'gpu' });
    const a = jobs.submit({ kind: 'test.sleep', title: 'A', input: { steps: 2, stepMs: 50, ignoreCancel: false, gpu: false } });
    const b = jobs.submit({ kind: 'test.sleep', title: 'B', input: { steps: 2, stepMs: 50, ignoreCancel: false, gpu: false } });
    expect([a.resource, b.resource]).toEqual(['cpu', 'cpu']);
    expect(jobs.active().running.sort()).toEqual([a.id, b.id].sort());
    await Promise.all([jobs.wait(a.id), jobs.wait(b.id)]);
    expect(existsSync(join(dir, 'locks', 'gpu.lock'))).toBe(false);
  });
});
