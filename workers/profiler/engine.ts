/**
 * The `hardware.profile` engine: profile the machine, diagnose the training stack, optionally
 * measure it, and judge each kind of pilot. `createProfiler` takes every source as a dependency so
 * tests can play recorded tool outputs, hanging commands and failing calls; `profileHardware` is it
 * wired to the real machine.
 */
import os from 'node:os';
import si from 'systeminformation';
import { z } from 'zod';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import type { BackendName, BackendStatus } from '../tfjs/backend.js';
import { emptyBenchmarks, runBenchmarks, type BenchPlan } from './benchmarks.js';
import { collectCpu, type CpuSources } from './cpu.js';
import { collectDisk, type DiskSources } from './disk.js';
import { collectGpus } from './gpu.js';
import { searchCudaLibraries } from './libraries.js';
import { collectMemory } from './memory.js';
import { collectOs, type OsSources } from './os-info.js';
import { runCommand, type CommandRunner } from './runner.js';
import { diagnoseStack } from './stack.js';
import { HARDWARE_SCHEMA_VERSION, type HardwareReport } from './types.js';
import { judge } from './verdict.js';

/** Input of the `hardware.profile` job, validated at the IPC/CLI boundary. */
export const hardwareInputSchema = z.object({
  /** `none`: profile and diagnosis only (about a second); `quick`: ≤ 20 s of measurements; `full`: minutes. */
  mode: z.enum(['none', 'quick', 'full']).default('none'),
  /** The directory whose drive is described and measured; defaults to the job's data directory. */
  dataDir: z.string().min(1).optional(),
});
export type HardwareInput = z.input<typeof hardwareInputSchema>;

type Tf = typeof import('@tensorflow/tfjs');

/** Every source the profiler reads. */
export interface ProfilerDeps {
  run: CommandRunner;
  si: Pick<typeof si, 'cpu' | 'cpuFlags' | 'cpuCache' | 'mem' | 'graphics' | 'fsSize' | 'blockDevices' | 'diskLayout' | 'osInfo' | 'uuid' | 'system'>;
  platform: NodeJS.Platform;
  arch: string;
  env: Record<string, string | undefined>;
  hostname: string;
  release: string;
  versions: NodeJS.ProcessVersions;
  osCpus: () => { model: string; speed: number }[];
  totalmem: () => number;
  freemem: () => number;
  probeBackends: () => Promise<BackendStatus[]>;
  loadBackend: (name: BackendName) => Promise<Tf>;
  hasKernel: (kernel: string, backend: BackendName) => boolean;
  now: () => Date;
  /** Readdir for the CUDA library search (tests point it at a fake tree). */
  readdir?: (dir: string) => Promise<string[]>;
  statfs?: DiskSources['statfs'];
  /** Overrides the benchmark plan (tests use tiny budgets). */
  benchPlan?: BenchPlan;
}

/** The real machine. tfjs is imported lazily so that importing this module stays cheap. */
export function defaultDeps(): ProfilerDeps {
  let tfjs: Tf | null = null;
  const backendModule = () => import('../tfjs/backend.js');
  return {
    run: runCommand,
    si,
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    hostname: os.hostname(),
    release: os.release(),
    versions: process.versions,
    osCpus: () => os.cpus(),
    totalmem: () => os.totalmem(),
    freemem: () => os.freemem(),
    probeBackends: async () => {
      const statuses = await (await backendModule()).probeBackends();
      tfjs = await import('@tensorflow/tfjs');
      // Image pilots train on wasm with the trainer's own convolution gradients (workers/image/wasm-conv.ts):
      // registered before the stack check asks which kernels each backend has, as the trainer registers them.
      if (statuses.some((s) => s.name === 'wasm' && s.available)) (await import('../image/wasm-conv.js')).registerWasmConvKernels();
      return statuses;
    },
    loadBackend: async (name) => (await backendModule()).loadBackend(name),
    hasKernel: (kernel, backend) => Boolean(tfjs?.getKernel(kernel, backend)),
    now: () => new Date(),
  };
}

/** Builds the engine over the given sources. */
export function createProfiler(deps: ProfilerDeps): Engine<HardwareInput, HardwareReport> {
  return async (rawInput, ctx) => {
    const parsed = hardwareInputSchema.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new UserInputError(`Hardware profile input is invalid (${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ')}); use mode "none", "quick" or "full".`);
    }
    const { mode } = parsed.data;
    const dataDir = parsed.data.dataDir ?? ctx.dataDir;
    ctx.progress({ fraction: 0, stage: 'Reading the hardware' });

    const cpuSources: CpuSources = { cpu: () => deps.si.cpu(), flags: () => deps.si.cpuFlags(), cache: () => deps.si.cpuCache(), osCpus: deps.osCpus, arch: deps.arch };
    const osSources: OsSources = {
      osInfo: () => deps.si.osInfo(),
      uuid: () => deps.si.uuid(),
      system: () => deps.si.system(),
      hostname: deps.hostname,
      platform: deps.platform,
      arch: deps.arch,
      release: deps.release,
      versions: deps.versions,
    };
    // The backend probe (tfjs import, wasm compile) and the library search run alongside the
    // collectors: together they are most of a profile's wall time.
    const probing = deps.probeBackends().then(
      (statuses) => ({ statuses, error: null }),
      (error: unknown) => ({ statuses: [] as BackendStatus[], error: error instanceof Error ? error.message : String(error) }),
    );
    const searching = searchCudaLibraries({
      platform: deps.platform,
      arch: deps.arch,
      env: deps.env,
      run: deps.run,
      ...(deps.readdir ? { readdir: deps.readdir } : {}),
    }).catch(() => null);
    const [osPart, cpuPart, memoryPart, gpuPart, diskPart] = await Promise.all([
      collectOs(osSources),
      collectCpu(cpuSources),
      collectMemory(() => deps.si.mem(), { total: deps.totalmem(), free: deps.freemem() }),
      collectGpus({ run: deps.run, graphics: () => deps.si.graphics(), platform: deps.platform, totalMemoryBytes: deps.totalmem() }),
      collectDisk(dataDir, {
        fsSize: () => deps.si.fsSize(),
        blockDevices: () => deps.si.blockDevices(),
        diskLayout: () => deps.si.diskLayout(),
        ...(deps.statfs ? { statfs: deps.statfs } : {}),
      }),
    ]);
    throwIfCancelled(ctx.signal);
    ctx.progress({ fraction: mode === 'none' ? 0.4 : 0.05, stage: 'Checking the training stack' });

    const notes = [...osPart.os.virtual ? ['Running in a virtual machine or container: some hardware details are hidden.'] : [], ...cpuPart.notes, ...memoryPart.notes, ...gpuPart.notes, ...diskPart.notes];
    const probe = await probing;
    if (probe.error !== null) notes.push(`TensorFlow.js backends could not be probed: ${probe.error}`);
    const backends = probe.statuses;
    const libraries = await searching;
    const stack = diagnoseStack({
      gpus: gpuPart.gpus,
      backends,
      libraries,
      nvidiaDriverError: gpuPart.nvidiaDriverError,
      hasKernel: deps.hasKernel,
      platform: deps.platform,
    });
    throwIfCancelled(ctx.signal);

    const benchmarks =
      mode === 'none'
        ? emptyBenchmarks('none')
        : await runBenchmarks({
            mode,
            ...(deps.benchPlan ? { plan: deps.benchPlan } : {}),
            backends,
            pilots: stack.pilots,
            dataDir,
            freeBytes: diskPart.disk.freeBytes,
            signal: ctx.signal,
            loadBackend: deps.loadBackend,
            progress: (fraction, stage) => ctx.progress({ fraction: 0.05 + 0.9 * fraction, stage }),
          });

    const profile = {
      os: osPart.os,
      cpu: cpuPart.cpu,
      memory: memoryPart.memory,
      gpus: gpuPart.gpus,
      disk: diskPart.disk,
      backends,
      stack,
      benchmarks,
    };
    const { verdicts, recommendations } = judge(profile);
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      schemaVersion: HARDWARE_SCHEMA_VERSION,
      machineId: osPart.machineId,
      hostname: osPart.hostname,
      createdAt: deps.now().toISOString(),
      ...profile,
      verdicts,
      recommendations,
      notes,
    };
  };
}

/** The engine on the real machine. */
export const profileHardware: Engine<HardwareInput, HardwareReport> = (input, ctx) => createProfiler(defaultDeps())(input, ctx);
