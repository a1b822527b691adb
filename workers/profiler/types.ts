/**
 * The hardware report: the stable JSON shape that `pilot hardware --json` prints, the store keeps
 * and other machines' exports are imported in. Adding a field is compatible; renaming, removing or
 * changing the meaning of one means a new `schemaVersion` (and `parseProfileJson` refusing newer ones).
 */
import type { BackendName, BackendStatus } from '../tfjs/backend.js';

export type { BackendName, BackendStatus };

/** Bumped on any incompatible change of `HardwareReport`. */
export const HARDWARE_SCHEMA_VERSION = 1;

/** The kinds of pilot a verdict is given for. */
export const PILOT_KINDS = ['tabular', 'image', 'text', 'anomaly', 'timeseries'] as const;
export type PilotKind = (typeof PILOT_KINDS)[number];

/** Human names of the pilot kinds, for reports. */
export const PILOT_LABELS: Record<PilotKind, string> = {
  tabular: 'Tabular classification / regression',
  image: 'Image classification',
  text: 'Text classification',
  anomaly: 'Anomaly detection',
  timeseries: 'Time-series forecasting',
};

/** How much measuring to do: `none` = profile only (about a second), `quick` ≤ 20 s, `full` a few minutes. */
export type BenchMode = 'none' | 'quick' | 'full';

export interface CpuInfo {
  /** Marketing name, e.g. "AMD EPYC" or "Intel(R) Core(TM) i7-10700". */
  model: string;
  /** "GenuineIntel", "AuthenticAMD", "Apple", "ARM"… or "unknown". */
  vendor: string;
  physicalCores: number;
  logicalCores: number;
  /** GHz; null where the OS does not say (virtual machines often do not). */
  baseClockGHz: number | null;
  maxClockGHz: number | null;
  /** Cache sizes in bytes; null where not reported. */
  caches: { l1d: number | null; l1i: number | null; l2: number | null; l3: number | null };
  /** The instruction sets that matter for training, present on this CPU: avx, avx2, fma, avx512f, avx512_bf16, avx_vnni, neon, sse4_2. */
  flags: string[];
}

export interface MemoryInfo {
  totalBytes: number;
  /** What a new process can use without swapping (Linux `MemAvailable`). */
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export type GpuVendor = 'NVIDIA' | 'AMD' | 'Intel' | 'Apple' | 'other';

/** One MIG (multi-instance GPU) slice as `nvidia-smi` lists it. */
export interface MigDevice {
  gpuIndex: number;
  gpuInstance: number;
  computeInstance: number;
  migDevice: number;
  /** Memory of the slice in bytes, null when not printed. */
  memoryBytes: number | null;
}

export interface GpuInfo {
  vendor: GpuVendor;
  model: string;
  /**
   * Dedicated memory in bytes, from nvidia-smi / rocm-smi where present (never from Windows WMI's
   * `AdapterRAM`, which is a 32-bit field capped at 4 GB); for Apple silicon the unified memory
   * total; null where nothing trustworthy reports it.
   */
  vramBytes: number | null;
  /** Where `vramBytes` came from: `nvidia-smi`, `rocm-smi`, `unified-memory`, `systeminformation`, or `unknown`. */
  vramSource: 'nvidia-smi' | 'rocm-smi' | 'unified-memory' | 'systeminformation' | 'unknown';
  /** True for integrated GPUs that share system memory. */
  sharedMemory: boolean;
  driver: string | null;
  /** NVIDIA: the highest CUDA version the driver supports (the `CUDA Version` in `nvidia-smi`'s header). */
  cudaVersion: string | null;
  /** NVIDIA: e.g. "8.6"; null on drivers too old to report it. */
  computeCapability: string | null;
  powerLimitW: number | null;
  temperatureC: number | null;
  utilizationPercent: number | null;
  /** PCI bus id where known. */
  busId: string | null;
  /** NVIDIA MIG: whether MIG mode is on and the slices listed; null when not applicable or unknown. */
  mig: { enabled: boolean; devices: MigDevice[] } | null;
}

export type DiskType = 'NVMe' | 'SSD' | 'HDD' | 'unknown';

export interface DiskInfo {
  /** The directory measured (the data directory). */
  path: string;
  /** The mount point holding it, e.g. "/" or "C:". */
  mount: string | null;
  /** Block device, e.g. "/dev/nvme0n1"; null when not found. */
  device: string | null;
  type: DiskType;
  /** How `type` was decided, or why it is unknown ("virtual disk: the host's drive type is not visible"). */
  typeDetail: string;
  filesystem: string | null;
  sizeBytes: number | null;
  freeBytes: number | null;
}

export interface OsInfo {
  platform: string;
  distro: string;
  release: string;
  kernel: string;
  arch: string;
  node: string;
  /** Electron version when running inside the desktop app, else null. */
  electron: string | null;
  /** True inside a virtual machine or container where systeminformation can tell. */
  virtual: boolean | null;
}

/** Where a CUDA/cuDNN library was looked for and what was found. */
export interface LibrarySearch {
  /** The exact file tfjs-node-gpu 4.x loads, e.g. `libcudart.so.11.0` or `cudart64_110.dll`. */
  wanted: string;
  /** Full path where `wanted` was found, or null. */
  foundAt: string | null;
  /** Other versions of the same library that were found, e.g. `/usr/local/cuda-13.0/lib/libcudart.so.13`. */
  otherVersions: string[];
  /** Copies of `wanted` in places the loader does not search (not on LD_LIBRARY_PATH / PATH, not in ldconfig's cache). */
  notOnPath: string[];
}

/** A problem of the training stack and what to do about it. */
export interface StackProblem {
  /** Stable id, e.g. `gpu-package-missing`, `cudart-missing`, `cudnn-missing`, `gpu-silent-cpu-fallback`, `driver-too-old`. */
  id: string;
  message: string;
  fix: string;
}

/** Which backend a pilot kind would train on, and why not a better one. */
export interface PilotBackend {
  template: PilotKind;
  backend: BackendName | null;
  /** Why this backend and not a better one. */
  reason: string;
}

export interface StackDiagnosis {
  pilots: PilotBackend[];
  problems: StackProblem[];
  libraries: { cudart: LibrarySearch; cudnn: LibrarySearch } | null;
  /** The steps to GPU training for the detected NVIDIA driver (workers/profiler/driver-steps.ts); absent in older reports, null without an NVIDIA driver. */
  driver?: DriverSteps | null;
}

/** What the detected NVIDIA driver runs, and the steps to GPU training on it. */
export interface DriverSteps {
  driver: string;
  gpu: string;
  /** The highest CUDA version the driver reports, when nvidia-smi's header says. */
  cudaVersion: string | null;
  /** Each CUDA major release: the oldest driver that runs all of it, and whether this one does. */
  runtimes: { cuda: string; minimum: string; runs: boolean }[];
  /** Whether tfjs-node-gpu's CUDA 11 build can run on this driver. */
  tfjsGpu: boolean;
  summary: string;
  /** What to do, in order (commands in backticks). */
  steps: string[];
  /** NVIDIA's compatibility table. */
  source: string;
}

/** One matmul measurement. */
export interface MatmulPoint {
  backend: BackendName;
  size: number;
  gflops: number;
}

/** One reference training measurement. */
export interface TrainPoint {
  template: PilotKind;
  backend: BackendName;
  /** What was trained, e.g. "MLP 100→64→64→1, batch 256". */
  model: string;
  samplesPerSec: number;
  /** What a sample is: a row, an image, a document, a window. */
  unit: string;
  /** Why this backend (e.g. "wasm cannot train convolutions: Conv2DBackpropFilter is not registered"). */
  note: string | null;
  /** Image points: the pictures' side and channels the trainer's network was built for (one point per reference shape). */
  image?: { side: number; channels: number; classes: number; trainImages: number; batch: number; measured: boolean; trainingFlops: number };
}

export interface Benchmarks {
  mode: BenchMode;
  /** Best matmul GFLOP/s per backend that loaded (over the sizes tried). */
  matmulGflops: Partial<Record<BackendName, number>>;
  matmul: MatmulPoint[];
  /** Sequential copy bandwidth of a large Float64Array, GB/s (read + write counted). */
  memoryGBps: number | null;
  diskWriteMBps: number | null;
  /** Sequential read of the file just written; see `diskReadUncached`. */
  diskReadMBps: number | null;
  /** True when the read bypassed the OS cache (O_DIRECT, Linux); false: it may partly come from the cache. */
  diskReadUncached: boolean;
  /** Why the disk test was skipped, or null. */
  diskSkipped: string | null;
  /** Reference training throughput per pilot kind (samples, images, documents or windows per second). */
  trainSamplesPerSec: Partial<Record<PilotKind, number>>;
  train: TrainPoint[];
  /** Things that did not run and why. */
  notes: string[];
  /** Wall time of the benchmarks, seconds. */
  seconds: number;
}

export type VerdictLevel = 'green' | 'amber' | 'red';

/** A recommendation, ranked by `effect` (larger first). */
export interface Recommendation {
  /** The rule that made it. */
  rule: string;
  text: string;
  /** Ranking weight: an estimated speed-up factor, or a severity score for fixes that unblock. */
  effect: number;
}

export interface Verdict {
  template: PilotKind;
  level: VerdictLevel;
  reasons: string[];
  /** Estimated training minutes of a typical pilot of this kind, from the measured throughput; null without a benchmark. */
  estimatedMinutes: number | null;
  /** The typical pilot the estimate is for, e.g. "50,000 rows × 100 features, 30 epochs". */
  typicalPilot: string;
  /** The largest pilot that fits comfortably in the memory available, e.g. "4,100,000 rows × 100 features". */
  largestPilot: string;
  backend: BackendName | null;
  recommendations: Recommendation[];
}

export interface HardwareReport {
  schemaVersion: number;
  /** Stable across runs on one machine: a hash of the OS install id and hostname. */
  machineId: string;
  hostname: string;
  /** ISO 8601. */
  createdAt: string;
  os: OsInfo;
  cpu: CpuInfo;
  memory: MemoryInfo;
  gpus: GpuInfo[];
  disk: DiskInfo;
  backends: BackendStatus[];
  stack: StackDiagnosis;
  benchmarks: Benchmarks;
  verdicts: Verdict[];
  /** All verdicts' recommendations, deduplicated and ranked. */
  recommendations: Recommendation[];
  /** What could not be detected and why ("GPU: not detected (nvidia-smi not found…)"). */
  notes: string[];
}
