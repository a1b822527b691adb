import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, makeContext, UserInputError } from '../../../workers/protocol.js';
import { loadBackend } from '../../../workers/tfjs/backend.js';
import { createProfiler, defaultDeps, hardwareInputSchema, profileHardware, type ProfilerDeps } from '../../../workers/profiler/index.js';
import { parseProfileJson } from '../../../workers/profiler/profile-json.js';
import type { BenchPlan } from '../../../workers/profiler/benchmarks.js';
import { fixture, ok, scriptedRunner, timedOut } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'profiler-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const GB = 1024 ** 3;

const failing = async () => {
  throw new Error('unavailable');
};

/** A machine described by fakes: systeminformation knows nothing, the given runner answers commands. */
function fakeDeps(overrides: Partial<ProfilerDeps> = {}): ProfilerDeps {
  return {
    ...defaultDeps(),
    run: scriptedRunner([]),
    si: {
      cpu: failing, cpuFlags: async () => 'avx avx2 fma', cpuCache: failing, mem: failing, graphics: async () => ({ controllers: [], displays: [] }),
      fsSize: async () => [], blockDevices: async () => [], diskLayout: async () => [], osInfo: failing, uuid: failing, system: failing,
    } as unknown as ProfilerDeps['si'],
    platform: 'linux',
    arch: 'x64',
    env: {},
    hostname: 'lab-pc',
    osCpus: () => Array.from({ length: 8 }, () => ({ model: 'Fake CPU', speed: 3000 })),
    totalmem: () => 16 * GB,
    freemem: () => 12 * GB,
    probeBackends: async () => [
      { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed' },
      { name: 'wasm', available: true, reason: 'tfjs-backend-wasm (XNNPACK, SIMD, 1 thread)', simd: true, threads: 1 },
      { name: 'cpu', available: true, reason: 'tfjs-backend-cpu (plain JavaScript, slowest)' },
    ],
    hasKernel: (kernel, backend) => backend !== 'wasm' || !kernel.startsWith('Conv2DBackprop'),
    readdir: async (dir) => {
      if (dir === '/usr/local') return ['cuda-13.0'];
      if (dir === '/usr/local/cuda-13.0/lib64') return ['libcudart.so.13'];
      throw new Error('ENOENT');
    },
    statfs: async () => ({ bsize: 4096, blocks: 100 * 262144, bavail: 30 * 262144 }),
    now: () => new Date('2026-03-04T05:06:07.000Z'),
    ...overrides,
  };
}

describe('hardwareInputSchema', () => {
  it('defaults to no benchmark and refuses unknown modes', () => {
    expect(hardwareInputSchema.parse({})).toEqual({ mode: 'none' });
    expect(hardwareInputSchema.safeParse({ mode: 'turbo' }).success).toBe(false);
  });

  it('makes the engine throw UserInputError for bad input', async () => {
    await expect(createProfiler(fakeDeps())({ mode: 'turbo' } as never, makeContext({ dataDir: tmp }))).rejects.toBeInstanceOf(UserInputError);
  });
});

describe('profileHardware on this machine (no GPU, no nvidia-smi, empty graphics and diskLayout)', () => {
  it('reports "not detected" instead of crashing or inventing, in the documented shape', async () => {
    const ctx = makeContext({ dataDir: tmp });
    const report = await profileHardware({ mode: 'none' }, ctx);
    // The documented stable shape.
    expect(report.schemaVersion).toBe(1);
    expect(report.machineId).toMatch(/^[0-9a-f]{16}$/u);
    expect(Object.keys(report.cpu)).toEqual(expect.arrayContaining(['model', 'physicalCores', 'logicalCores', 'flags']));
    expect(Object.keys(report.benchmarks)).toEqual(expect.arrayContaining(['matmulGflops', 'memoryGBps', 'diskReadMBps', 'diskWriteMBps', 'trainSamplesPerSec']));
    expect(report.verdicts.map((verdict) => verdict.template)).toEqual(['tabular', 'image', 'text', 'anomaly', 'timeseries']);
    // Nothing invented.
    expect(report.gpus).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/GPU: not detected/u);
    expect(report.memory.totalBytes).toBe(os.totalmem());
    expect(report.cpu.logicalCores).toBe(os.cpus().length);
    expect(report.disk.path).toBe(tmp);
    expect(report.backends.find((status) => status.name === 'wasm')?.available).toBe(true);
    // The CPU flags agree with /proc/cpuinfo read independently.
    if (process.platform === 'linux') {
      const flags = new Set((/^flags\s*:\s*(.*)$/mu.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/u));
      expect(report.cpu.flags.includes('avx2')).toBe(flags.has('avx2'));
      expect(report.cpu.flags.every((flag) => flags.has(flag))).toBe(true);
    }
    expect(parseProfileJson(JSON.stringify(report))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(ctx.reports.at(-1)).toEqual({ fraction: 1, stage: 'Done' });
  });
});

describe('createProfiler with recorded machines', () => {
  it('an RTX 3060 without tfjs-node-gpu and with CUDA 13 only: names what is missing and what was found instead', async () => {
    const run = scriptedRunner([
      ['nvidia-smi --query-gpu', ok('index, name, memory.total [MiB], driver_version, compute_cap, power.limit [W], temperature.gpu, utilization.gpu [%], pci.bus_id, mig.mode.current\n0, NVIDIA GeForce RTX 3060, 12288, 580.95.05, 8.6, 170.00, 26, 0, 00000001:01:00.0, [N/A]')],
      ['nvidia-smi', ok(fixture('rtx3060-plain.txt'))],
      ['ldconfig -p', ok('')],
    ]);
    const report = await createProfiler(fakeDeps({ run }))({ mode: 'none' }, makeContext({ dataDir: tmp }));
    expect(report.gpus).toHaveLength(1);
    expect(report.gpus[0]).toMatchObject({ vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 3060', vramBytes: 12288 * 1024 ** 2, driver: '580.95.05', cudaVersion: '13.0', computeCapability: '8.6' });
    expect(report.stack.problems.map((problem) => problem.id)).toEqual(['gpu-package-missing', 'cudart-missing', 'cudnn-missing']);
    expect(report.stack.problems[1]?.message).toContain('/usr/local/cuda-13.0/lib64/libcudart.so.13');
    expect(report.verdicts[0]?.reasons.join('\n')).toMatch(/The NVIDIA GeForce RTX 3060 is not used: NVIDIA GeForce RTX 3060 is present but @tensorflow\/tfjs-node-gpu is not installed/u);
    expect(report.recommendations.map((rec) => rec.rule)).toContain('nvidia-unused');
    expect(report.createdAt).toBe('2026-03-04T05:06:07.000Z');
    expect(report.disk.freeBytes).toBe(30 * GB);
    expect(report.memory).toEqual({ totalBytes: 16 * GB, availableBytes: 12 * GB, swapTotalBytes: 0, swapFreeBytes: 0 });
  });

  it('survives a hanging nvidia-smi, a garbage rocm-smi and failing probes', async () => {
    const run = scriptedRunner([['nvidia-smi', timedOut], ['rocm-smi', ok('<html>not json</html>')], ['ldconfig', timedOut]]);
    const report = await createProfiler(fakeDeps({ run, probeBackends: failing }))({ mode: 'none' }, makeContext({ dataDir: tmp }));
    expect(report.gpus).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/nvidia-smi did not answer/u);
    expect(report.notes.join('\n')).toMatch(/rocm-smi printed something that is not JSON/u);
    expect(report.notes.join('\n')).toMatch(/backends could not be probed: unavailable/u);
    expect(report.verdicts.every((verdict) => verdict.level === 'red' && verdict.backend === null)).toBe(true);
  });

  it('runs the quick benchmark with progress, and cancels', async () => {
    const tf = await loadBackend('cpu');
    const plan: BenchPlan = { matmulSizes: [16], matmulBudgetMs: 5, memoryBytes: 1024 * 1024, memoryBudgetMs: 5, diskBytes: 4 * 1024 * 1024, trainBudgetMs: 5, trainMinBatches: 1 };
    const deps = fakeDeps({
      probeBackends: async () => [{ name: 'cpu', available: true, reason: 'cpu' }],
      loadBackend: async () => tf,
      benchPlan: plan,
    });
    const ctx = makeContext({ dataDir: tmp });
    const report = await createProfiler(deps)({ mode: 'quick' }, ctx);
    expect(report.benchmarks.mode).toBe('quick');
    expect(Object.keys(report.benchmarks.trainSamplesPerSec).sort()).toEqual(['anomaly', 'image', 'tabular', 'text', 'timeseries']);
    expect(report.verdicts.every((verdict) => verdict.estimatedMinutes !== null)).toBe(true);
    // Image pilots are timed on the trainer's own network: 28 px grey timed, 64 px colour scaled on the slow cpu backend; the verdict uses the 64 px figure.
    const image = report.benchmarks.train.filter((point) => point.template === 'image');
    expect(image.map((point) => [point.image?.side, point.image?.channels, point.image?.measured])).toEqual([[28, 1, true], [64, 3, false]]);
    expect(report.benchmarks.trainSamplesPerSec.image).toBe(image[1]!.samplesPerSec);
    expect(report.verdicts.find((verdict) => verdict.template === 'image')?.reasons.join('\n')).toMatch(/Timed on the network image pilots train, with the trainer's own training step on cpu: .* pictures\/s at 28×28 grey, .* at 64×64 colour \(scaled, not timed\)/u);
    const fractions = ctx.reports.map((entry) => entry.fraction);
    expect(fractions.every((value, i) => i === 0 || value >= fractions[i - 1]! - 1e-12)).toBe(true);

    const controller = new AbortController();
    const cancelling = makeContext({ dataDir: tmp, signal: controller.signal });
    cancelling.progress = (entry) => entry.stage.startsWith('Matrix') && controller.abort();
    await expect(createProfiler(deps)({ mode: 'quick' }, cancelling)).rejects.toBeInstanceOf(CancelledError);
  });
});
