/**
 * Runs the measurements of quick or full mode and assembles `Benchmarks`. Every stage checks for
 * cancellation and reports progress; a stage that fails becomes a note, not a failed profile.
 */
import { performance } from 'node:perf_hooks';
import { CancelledError, throwIfCancelled } from '../protocol.js';
import { benchDisk } from './bench-disk.js';
import { benchMatmul, benchMemory } from './bench-compute.js';
import { benchImageTraining, benchTraining, REFERENCE_MODELS } from './bench-train.js';
import { specFor, trainingFlops, type ImageBenchPoint } from './bench-image.js';
import type { BackendName, BackendStatus, Benchmarks, BenchMode, PilotBackend, PilotKind, TrainPoint } from './types.js';

type Tf = typeof import('@tensorflow/tfjs');

/** How much one mode measures. */
export interface BenchPlan {
  matmulSizes: readonly number[];
  /** Minimum time per matmul size (at least two products are timed). */
  matmulBudgetMs: number;
  memoryBytes: number;
  memoryBudgetMs: number;
  diskBytes: number;
  /** Minimum time per reference model, after one warm-up batch. */
  trainBudgetMs: number;
  trainMinBatches: number;
}

/** How much each mode measures. Quick fits in 20 s on a busy 2-core VM; full takes a few minutes. */
export const BENCH_PLANS: Record<'quick' | 'full', BenchPlan> = {
  quick: { matmulSizes: [128, 256], matmulBudgetMs: 250, memoryBytes: 64 * 1024 ** 2, memoryBudgetMs: 400, diskBytes: 64 * 1024 ** 2, trainBudgetMs: 600, trainMinBatches: 1 },
  full: { matmulSizes: [128, 256, 512, 1024], matmulBudgetMs: 1500, memoryBytes: 256 * 1024 ** 2, memoryBudgetMs: 2000, diskBytes: 1024 ** 3, trainBudgetMs: 5000, trainMinBatches: 3 },
};

export interface BenchInput {
  mode: BenchMode;
  /** Overrides the mode's plan (tests use tiny budgets). */
  plan?: BenchPlan;
  backends: BackendStatus[];
  pilots: PilotBackend[];
  dataDir: string;
  freeBytes: number | null;
  signal: AbortSignal;
  loadBackend: (name: BackendName) => Promise<Tf>;
  progress: (fraction: number, stage: string) => void;
}

export function emptyBenchmarks(mode: BenchMode): Benchmarks {
  return {
    mode,
    matmulGflops: {},
    matmul: [],
    memoryGBps: null,
    diskWriteMBps: null,
    diskReadMBps: null,
    diskReadUncached: false,
    diskSkipped: mode === 'none' ? 'not measured (profile without benchmark)' : null,
    trainSamplesPerSec: {},
    train: [],
    notes: mode === 'none' ? ['Benchmarks not run: run the quick benchmark for measured speeds and training-time estimates.'] : [],
    seconds: 0,
  };
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** One timed (or scaled) shape of the image trainer's network as a report point. */
function imagePoint(p: ImageBenchPoint, backend: BackendName, note: string | null): TrainPoint {
  const spec = specFor(p, backend);
  const layers = spec.filters.map((f) => `conv ${f}`).join(' → pool → ');
  const how = p.step === 'wasm-direct' ? "the trainer's direct wasm step" : "the trainer's tensor step";
  return {
    template: 'image',
    backend,
    model: `image CNN ${p.side}×${p.side}×${p.channels} → ${layers} → pool → dense ${spec.dense} → ${p.classes}, batch ${p.batch} (${how})`,
    samplesPerSec: p.imagesPerSec,
    unit: 'images',
    note: p.measured ? note : [note, `scaled from the ${p.side === 28 ? 'other' : '28 px'} figure by the networks' FLOPs (not timed: the CPU budget of the quick benchmark was spent)`].filter(Boolean).join('; '),
    image: { side: p.side, channels: p.channels, classes: p.classes, trainImages: p.trainImages, batch: p.batch, measured: p.measured, trainingFlops: trainingFlops(spec) },
  };
}

export async function runBenchmarks(input: BenchInput): Promise<Benchmarks> {
  const result = emptyBenchmarks(input.mode);
  if (input.mode === 'none') return result;
  const plan = input.plan ?? BENCH_PLANS[input.mode];
  const started = performance.now();
  const available = input.backends.filter((status) => status.available).map((status) => status.name);
  // Stage weights for the progress bar, roughly proportional to time taken.
  const matmulSteps = available.length * plan.matmulSizes.length;
  const trainSteps = input.pilots.filter((pilot) => pilot.backend).length;
  const total = matmulSteps * 2 + 2 + 3 + trainSteps * 3;
  let done = 0;
  const step = (weight: number, stage: string) => {
    done += weight;
    input.progress(Math.min(1, done / total), stage);
  };
  const guard = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      result.notes.push(`${what} failed: ${message(error)}`);
    }
  };

  for (const backend of available) {
    await guard(`matmul on ${backend}`, async () => {
      const tf = await input.loadBackend(backend);
      for (const size of plan.matmulSizes) {
        throwIfCancelled(input.signal);
        input.progress(done / total, `Matrix multiply ${size}×${size} on ${backend}`);
        const gflops = await benchMatmul(tf, size, plan.matmulBudgetMs, input.signal);
        result.matmul.push({ backend, size, gflops });
        result.matmulGflops[backend] = Math.max(result.matmulGflops[backend] ?? 0, gflops);
        step(2, `Matrix multiply ${size}×${size} on ${backend}`);
      }
    });
  }

  throwIfCancelled(input.signal);
  input.progress(done / total, 'Memory bandwidth');
  await guard('memory bandwidth', async () => {
    result.memoryGBps = await benchMemory(plan.memoryBytes, plan.memoryBudgetMs, input.signal);
  });
  step(2, 'Memory bandwidth');

  input.progress(done / total, 'Disk write and read');
  const before = done;
  await guard('disk test', async () => {
    const disk = await benchDisk({
      dir: input.dataDir,
      bytes: plan.diskBytes,
      freeBytes: input.freeBytes,
      signal: input.signal,
      onProgress: (fraction) => input.progress((before + 3 * fraction) / total, 'Disk write and read'),
    });
    result.diskWriteMBps = disk.writeMBps;
    result.diskReadMBps = disk.readMBps;
    result.diskSkipped = disk.skipped;
    result.diskReadUncached = disk.uncached;
    if (disk.skipped === null && !disk.uncached) result.notes.push('Disk read is measured right after writing and may partly come from the OS cache.');
  });
  if (result.diskWriteMBps === null) result.diskSkipped ??= 'skipped: the disk test failed (see notes)';
  done = before;
  step(3, 'Disk write and read');

  // Group by backend so each is activated once.
  const pilots = [...input.pilots].filter((pilot) => pilot.backend).sort((a, b) => String(a.backend).localeCompare(String(b.backend)));
  for (const pilot of pilots) {
    throwIfCancelled(input.signal);
    const kind: PilotKind = pilot.template;
    const spec = REFERENCE_MODELS[kind];
    input.progress(done / total, `Training step: ${kind} on ${pilot.backend}`);
    const attempts: BackendName[] = [pilot.backend as BackendName];
    if (pilot.backend !== 'cpu' && available.includes('cpu')) attempts.push('cpu');
    for (const backend of attempts) {
      try {
        const tf = await input.loadBackend(backend);
        const note =
          backend !== pilot.backend
            ? `measured on cpu because training failed on ${pilot.backend}`
            : kind === 'image' && backend === 'cpu'
              ? 'not wasm: the wasm backend is not available, so the convolutions train on plain JavaScript'
              : null;
        if (kind === 'image') {
          const points = await benchImageTraining(tf, plan.trainBudgetMs, input.signal, plan.trainMinBatches);
          result.train.push(...points.map((p) => imagePoint(p, backend, note)));
          // The verdict's figure: the last shape, the typical pilot's (typical.ts).
          result.trainSamplesPerSec[kind] = points.at(-1)?.imagesPerSec ?? 0;
          break;
        }
        const samplesPerSec = await benchTraining(tf, kind, plan.trainBudgetMs, input.signal, plan.trainMinBatches);
        const point: TrainPoint = { template: kind, backend, model: spec.description, samplesPerSec, unit: spec.unit, note };
        result.train.push(point);
        result.trainSamplesPerSec[kind] = samplesPerSec;
        break;
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        result.notes.push(`training step for ${kind} on ${backend} failed: ${message(error)}`);
      }
    }
    step(3, `Training step: ${kind}`);
  }
  result.seconds = (performance.now() - started) / 1000;
  input.progress(1, 'Benchmarks done');
  return result;
}
