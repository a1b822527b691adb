/**
 * The verdict rules, in one table. Each rule looks at the facts for one pilot kind and, when it
 * applies, sets a level (the verdict is the worst level of the rules that apply), adds a reason,
 * and may add a recommendation ranked by `effect`: an estimated speed-up factor, or for fixes that
 * unblock training at all a weight above any speed-up (no backend 1000, disk full 500, RAM 200). docs/hardware-rules.md is this table in prose; keep them together.
 */
import type {
  BackendStatus,
  CpuInfo,
  DiskInfo,
  GpuInfo,
  MemoryInfo,
  OsInfo,
  PilotBackend,
  PilotKind,
  StackProblem,
  TrainPoint,
  VerdictLevel,
} from './types.js';
import { TYPICAL_PILOTS } from './typical.js';

/** Everything a rule may look at, for one pilot kind. */
export interface RuleFacts {
  kind: PilotKind;
  os: OsInfo;
  cpu: CpuInfo;
  memory: MemoryInfo;
  disk: DiskInfo;
  gpus: GpuInfo[];
  backends: BackendStatus[];
  pilot: PilotBackend;
  problems: StackProblem[];
  /** Measured reference throughput for this kind, null without a benchmark. */
  samplesPerSec: number | null;
  estimatedMinutes: number | null;
  /** The benchmark's training points for this kind (image pilots: one per reference picture size). */
  trainPoints: TrainPoint[];
  /** Estimated training speed-up if the NVIDIA GPU were usable; null when unknown or no such GPU. */
  gpuSpeedup: number | null;
}

export interface Rule {
  id: string;
  /** The pilot kinds it applies to. */
  kinds: 'all' | PilotKind[];
  /** The level it sets when it applies; `green` rules only add a reason. */
  level: VerdictLevel;
  when: (facts: RuleFacts) => boolean;
  reason: (facts: RuleFacts) => string;
  recommendation?: { text: (facts: RuleFacts) => string; effect: (facts: RuleFacts) => number };
}

const GB = 1024 ** 3;
const gb = (bytes: number) => `${(bytes / GB).toFixed(bytes < 10 * GB ? 1 : 0)} GB`;
const speed = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 10 ? value.toFixed(0) : value.toFixed(1));
const minutes = (value: number) => (value < 1 ? 'under a minute' : value < 90 ? `about ${Math.round(value)} min` : `about ${(value / 60).toFixed(value < 600 ? 1 : 0)} h`);

/** The NVIDIA GPU that sits unused: present, but this pilot does not train on it. */
function unusedNvidia(facts: RuleFacts): GpuInfo | undefined {
  const onGpu = facts.pilot.backend === 'tensorflow' && facts.backends.find((status) => status.name === 'tensorflow')?.gpu === true;
  return onGpu ? undefined : facts.gpus.find((gpu) => gpu.vendor === 'NVIDIA');
}

function diskNeedGB(facts: RuleFacts): number {
  return TYPICAL_PILOTS[facts.kind].diskGB;
}

function freeGB(facts: RuleFacts): number | null {
  return facts.disk.freeBytes === null ? null : facts.disk.freeBytes / GB;
}

const freeDiskText = (facts: RuleFacts) =>
  `Free ${Math.ceil(diskNeedGB(facts) - (freeGB(facts) ?? 0))} GB on the data drive (${facts.disk.mount ?? facts.disk.path}): ${TYPICAL_PILOTS[facts.kind].description.split(',')[0]} with checkpoints wants ${diskNeedGB(facts)} GB.`;

export const RULES: readonly Rule[] = [
  {
    id: 'no-backend',
    kinds: 'all',
    level: 'red',
    when: (f) => f.pilot.backend === null,
    reason: (f) => `No TensorFlow.js backend can train this model here: ${f.pilot.reason}.`,
    recommendation: { text: () => 'Reinstall Pilot Workbench: its TensorFlow.js packages do not load.', effect: () => 1000 },
  },
  {
    id: 'time-red',
    kinds: 'all',
    level: 'red',
    when: (f) => f.estimatedMinutes !== null && f.estimatedMinutes > 240,
    reason: (f) => `A typical pilot (${TYPICAL_PILOTS[f.kind].description}) would take ${minutes(f.estimatedMinutes ?? 0)} to train here.`,
  },
  {
    id: 'time-amber',
    kinds: 'all',
    level: 'amber',
    when: (f) => f.estimatedMinutes !== null && f.estimatedMinutes > 30 && f.estimatedMinutes <= 240,
    reason: (f) => `A typical pilot (${TYPICAL_PILOTS[f.kind].description}) would take ${minutes(f.estimatedMinutes ?? 0)} to train here.`,
  },
  {
    id: 'time-green',
    kinds: 'all',
    level: 'green',
    when: (f) => f.estimatedMinutes !== null && f.estimatedMinutes <= 30,
    reason: (f) => `A typical pilot (${TYPICAL_PILOTS[f.kind].description}) trains in ${minutes(f.estimatedMinutes ?? 0)}.`,
  },
  {
    id: 'not-measured',
    kinds: 'all',
    // Amber, never green: without a measured speed nobody knows yet whether this machine can do it.
    level: 'amber',
    when: (f) => f.samplesPerSec === null && f.pilot.backend !== null,
    reason: () => 'Training speed not measured, so whether this machine can do it is not known yet: run the quick benchmark (≈ 20 s) for a time estimate.',
    // Below the fixes that unblock training at all (RAM 200, disk 500, backend 1000), above any speed-up.
    recommendation: { text: () => 'Run the quick benchmark (≈ 20 s): training speed is not measured yet, so there is no time estimate.', effect: () => 150 },
  },
  {
    id: 'cnn-on-cpu-backend',
    kinds: ['image'],
    level: 'amber',
    when: (f) => f.pilot.backend === 'cpu',
    reason: () => 'Convolutions train on the plain JavaScript cpu backend (the wasm backend, which trains them with the workbench\'s own kernels, is not available): a few images per second at best.',
  },
  {
    id: 'image-measured',
    kinds: ['image'],
    level: 'green',
    when: (f) => f.trainPoints.some((p) => p.image),
    reason: (f) => {
      const sizes = f.trainPoints.flatMap((p) =>
        p.image ? [`${speed(p.samplesPerSec)} pictures/s at ${p.image.side}×${p.image.side} ${p.image.channels === 1 ? 'grey' : 'colour'}${p.image.measured ? '' : ' (scaled, not timed)'}`] : [],
      );
      return `Timed on the network image pilots train, with the trainer's own training step on ${f.trainPoints[0]?.backend ?? 'this backend'}: ${sizes.join(', ')}. The estimate is for ${TYPICAL_PILOTS.image.description}, without early stopping.`;
    },
  },
  {
    id: 'slow-without-gpu',
    kinds: 'all',
    level: 'green',
    when: (f) => f.estimatedMinutes !== null && f.estimatedMinutes > 240 && unusedNvidia(f) === undefined && f.pilot.backend !== 'tensorflow',
    reason: () => 'No usable GPU: this kind of pilot needs one to train in reasonable time.',
    recommendation: {
      text: (f) =>
        `Run ${f.kind} pilots on a machine with an NVIDIA GPU (CUDA), or install @tensorflow/tfjs-node here: about ${Math.round((f.estimatedMinutes ?? 0) / 30)}× faster is needed to train a typical pilot within 30 min.`,
      // The speed-up needed to reach green: what this recommendation is worth.
      effect: (f) => Math.min(100, (f.estimatedMinutes ?? 0) / 30),
    },
  },
  {
    id: 'ram-red',
    kinds: 'all',
    level: 'red',
    when: (f) => f.memory.totalBytes < 4 * GB,
    reason: (f) => `Only ${gb(f.memory.totalBytes)} of RAM: the app, the data and the model will not fit together.`,
    recommendation: { text: () => 'Add RAM: 16 GB or more.', effect: () => 200 },
  },
  {
    id: 'ram-amber',
    kinds: 'all',
    level: 'amber',
    when: (f) => f.memory.totalBytes >= 4 * GB && f.memory.totalBytes < (f.kind === 'image' ? 16 : 8) * GB,
    reason: (f) => `${gb(f.memory.totalBytes)} of RAM is tight for ${f.kind === 'image' ? 'image pilots (16 GB recommended)' : 'training (8 GB recommended)'}.`,
    recommendation: { text: (f) => `Add RAM: ${f.kind === 'image' ? 32 : 16} GB makes larger pilots possible.`, effect: () => 3 },
  },
  {
    id: 'ram-busy',
    kinds: 'all',
    level: 'amber',
    when: (f) => f.memory.totalBytes >= 4 * GB && f.memory.availableBytes < 2 * GB,
    reason: (f) => `Only ${gb(f.memory.availableBytes)} of memory is free right now.`,
    recommendation: { text: () => 'Close other programs before training (or add RAM).', effect: () => 2 },
  },
  {
    id: 'disk-red',
    kinds: 'all',
    level: 'red',
    when: (f) => (freeGB(f) ?? Infinity) < 5,
    reason: (f) => `Only ${gb(f.disk.freeBytes ?? 0)} free on the data drive: datasets, checkpoints and reports will not fit.`,
    recommendation: { text: freeDiskText, effect: () => 500 },
  },
  {
    id: 'disk-amber',
    kinds: 'all',
    level: 'amber',
    when: (f) => {
      const free = freeGB(f);
      return free !== null && free >= 5 && free < diskNeedGB(f);
    },
    reason: (f) => `${gb(f.disk.freeBytes ?? 0)} free on the data drive; a ${f.kind} pilot wants ${diskNeedGB(f)} GB.`,
    recommendation: { text: freeDiskText, effect: () => 10 },
  },
  {
    id: 'disk-hdd',
    kinds: ['image'],
    level: 'amber',
    when: (f) => f.disk.type === 'HDD',
    reason: () => 'The data directory is on a spinning disk: loading thousands of images will be slow.',
    recommendation: { text: () => 'Move the data directory to an SSD.', effect: () => 1.5 },
  },
  {
    id: 'nvidia-unused',
    kinds: 'all',
    level: 'green',
    when: (f) => unusedNvidia(f) !== undefined,
    reason: (f) => {
      const first = f.problems.find((problem) => !['mig-enabled'].includes(problem.id));
      return `The ${unusedNvidia(f)?.model} is not used${first ? `: ${first.message}` : '.'}`;
    },
    recommendation: {
      text: (f) =>
        `Install CUDA 11.2 + cuDNN 8.1 and @tensorflow/tfjs-node-gpu to use the ${unusedNvidia(f)?.model}: ${f.gpuSpeedup === null ? 'much' : `about ${Math.round(f.gpuSpeedup)}×`} faster training.`,
      effect: (f) => f.gpuSpeedup ?? 5,
    },
  },
  {
    id: 'gpu-used',
    kinds: 'all',
    level: 'green',
    when: (f) => f.pilot.backend === 'tensorflow' && f.backends.some((status) => status.name === 'tensorflow' && status.gpu === true),
    reason: (f) => `Trains on the GPU (${f.gpus.find((gpu) => gpu.vendor === 'NVIDIA')?.model ?? 'CUDA'}).`,
  },
  {
    id: 'gpu-vram-small',
    kinds: ['image'],
    level: 'amber',
    when: (f) =>
      f.pilot.backend === 'tensorflow' &&
      f.gpus.some((gpu) => gpu.vendor === 'NVIDIA' && gpu.vramBytes !== null && gpu.vramBytes < 4 * GB),
    reason: () => 'The GPU has under 4 GB of memory: image batches must stay small.',
    recommendation: { text: () => 'A GPU with 8 GB or more lets image pilots use normal batch sizes.', effect: () => 1.5 },
  },
  {
    id: 'wasm-single-thread',
    kinds: 'all',
    level: 'green',
    when: (f) => f.pilot.backend === 'wasm' && !f.gpus.some((gpu) => gpu.vendor === 'NVIDIA'),
    reason: () => 'Trains on WebAssembly on one CPU thread (tfjs turns wasm threads off under Node).',
  },
  {
    id: 'cpu-cores-unused',
    kinds: 'all',
    level: 'green',
    // Below 4 cores the native build's gain is too small to be worth an install.
    when: (f) => f.pilot.backend === 'wasm' && f.cpu.physicalCores >= 4 && !f.gpus.some((gpu) => gpu.vendor === 'NVIDIA'),
    reason: (f) => `${f.cpu.physicalCores - 1} of ${f.cpu.physicalCores} CPU cores stay idle during training.`,
    recommendation: {
      text: (f) => `Install @tensorflow/tfjs-node to train on all ${f.cpu.physicalCores} cores: up to about ${Math.max(1, Math.round(f.cpu.physicalCores * 0.7))}× faster on larger models.`,
      effect: (f) => Math.max(1, f.cpu.physicalCores * 0.7),
    },
  },
  {
    id: 'cpu-no-avx2',
    kinds: 'all',
    level: 'amber',
    when: (f) => (f.os.arch === 'x64' || f.os.arch === 'ia32') && !f.cpu.flags.includes('avx2'),
    reason: () => 'The CPU lacks AVX2: TensorFlow\'s native CPU build runs slowly or not at all, and SIMD kernels are narrower.',
  },
  {
    id: 'few-cores',
    kinds: 'all',
    level: 'green',
    when: (f) => f.cpu.logicalCores < 4,
    reason: (f) => `Only ${f.cpu.logicalCores} CPU thread${f.cpu.logicalCores === 1 ? '' : 's'}: training competes with everything else running here.`,
  },
  {
    id: 'other-gpu-unusable',
    kinds: 'all',
    level: 'green',
    when: (f) => !f.gpus.some((gpu) => gpu.vendor === 'NVIDIA') && f.gpus.some((gpu) => gpu.vendor !== 'other' && (!gpu.sharedMemory || gpu.vendor === 'Apple')),
    reason: (f) => {
      const gpu = f.gpus.find((candidate) => candidate.vendor !== 'other' && (!candidate.sharedMemory || candidate.vendor === 'Apple'));
      return `The ${gpu?.model} is not used: TensorFlow.js under Node trains on NVIDIA GPUs only.`;
    },
  },
];
