/** Shared test helpers: fixtures, a scripted command runner, and a complete report to vary. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandResult, CommandRunner } from '../../../workers/profiler/runner.js';
import type { HardwareReport } from '../../../workers/profiler/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function fixture(name: string): string {
  return readFileSync(path.join(here, '../../fixtures/nvidia-smi', name), 'utf8');
}

export const ok = (stdout: string): CommandResult => ({ status: 'ok', stdout, stderr: '', code: 0 });
export const notFound: CommandResult = { status: 'not-found', stdout: '', stderr: '', code: null };
export const timedOut: CommandResult = { status: 'timeout', stdout: '', stderr: '', code: null };

/**
 * A runner that answers from a script: the first entry whose key is a prefix of
 * "command arg1 arg2…" wins; anything else is "not found". Records every call.
 */
export function scriptedRunner(script: [string, CommandResult | ((line: string) => CommandResult)][]): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const runner = (async (command: string, args: string[]) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    for (const [prefix, answer] of script) {
      if (line.startsWith(prefix)) return typeof answer === 'function' ? answer(line) : answer;
    }
    return notFound;
  }) as CommandRunner & { calls: string[] };
  runner.calls = calls;
  return runner;
}

const GB = 1024 ** 3;

/** A plausible complete report (a 16-core workstation with 32 GB, no GPU, wasm available) to vary in tests. */
export function baseReport(): HardwareReport {
  return {
    schemaVersion: 1,
    machineId: 'abcdef0123456789',
    hostname: 'ws-1',
    createdAt: '2026-01-02T03:04:05.000Z',
    os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0', arch: 'x64', node: '20.20.2', electron: null, virtual: false },
    cpu: {
      model: 'Intel Core i7-10700',
      vendor: 'GenuineIntel',
      physicalCores: 8,
      logicalCores: 16,
      baseClockGHz: 2.9,
      maxClockGHz: 4.8,
      caches: { l1d: 32768, l1i: 32768, l2: 262144, l3: 16777216 },
      flags: ['sse4_2', 'avx', 'avx2', 'fma'],
    },
    memory: { totalBytes: 32 * GB, availableBytes: 24 * GB, swapTotalBytes: 2 * GB, swapFreeBytes: 2 * GB },
    gpus: [],
    disk: { path: '/data', mount: '/', device: '/dev/nvme0n1p2', type: 'NVMe', typeDetail: 'NVMe device name', filesystem: 'ext4', sizeBytes: 500 * GB, freeBytes: 200 * GB },
    backends: [
      { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node-gpu is not installed' },
      { name: 'wasm', available: true, reason: 'tfjs-backend-wasm (XNNPACK, SIMD, 1 thread)', simd: true, threads: 1 },
      { name: 'cpu', available: true, reason: 'tfjs-backend-cpu' },
    ],
    stack: {
      pilots: [
        { template: 'tabular', backend: 'wasm', reason: 'wasm' },
        { template: 'image', backend: 'cpu', reason: 'cpu' },
        { template: 'text', backend: 'wasm', reason: 'wasm' },
        { template: 'anomaly', backend: 'wasm', reason: 'wasm' },
        { template: 'timeseries', backend: 'wasm', reason: 'wasm' },
      ],
      problems: [],
      libraries: null,
    },
    benchmarks: {
      mode: 'quick',
      matmulGflops: { wasm: 40, cpu: 1.2 },
      matmul: [],
      memoryGBps: 20,
      diskWriteMBps: 900,
      diskReadMBps: 2000,
      diskReadUncached: true,
      diskSkipped: null,
      trainSamplesPerSec: { tabular: 50_000, image: 12, text: 13_000, anomaly: 100_000, timeseries: 200_000 },
      train: [],
      notes: [],
      seconds: 9,
    },
    verdicts: [],
    recommendations: [],
    notes: [],
  };
}
