/**
 * The image wizard's time estimate before a run starts: the run's plan (`image.plan`: pictures to
 * train on and validate, the epoch limit, the network's training FLOPs) at a speed from this
 * machine's hardware benchmark — the image trainer's network timed there, scaled from the nearest
 * timed shape to this network by FLOPs — or, without one on this backend (or with a backbone, whose
 * network the benchmark never saw), from the plan's own fresh timing of exactly this network.
 *
 * Per epoch the trainer takes a training step on each training picture and scores each validation
 * picture (forward only, about a third of a step): seconds = epochs × (train + validation / 3) / speed.
 * Early stopping often ends a run sooner; the figure is the limit.
 */
/** The parts of a run's plan the estimate needs. */
export interface PlanForEstimate {
  train: number;
  validation: number;
  maxEpochs: number;
  backend: string;
  trainingFlops: number | null;
  timing: { imagesPerSec: number } | null;
}

/** A hardware benchmark's image point (workers/profiler TrainPoint with its `image` shape). */
export interface BenchImagePoint {
  backend: string;
  samplesPerSec: number;
  /** The timed network's shape and its training FLOPs per picture (workers/image/model.ts `trainingFlops`). */
  image?: { side: number; channels: number; trainingFlops?: number | undefined } | undefined;
}

export interface ImageEstimate {
  seconds: number;
  imagesPerSec: number;
  backend: string;
  /** Where the speed comes from, in words. */
  basis: string;
}

const round = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** Images per second for this plan's network from the benchmark: the point nearest in FLOPs on the plan's backend, scaled; null when none fits. */
export function benchmarkSpeed(plan: PlanForEstimate, points: readonly BenchImagePoint[]): { imagesPerSec: number; from: BenchImagePoint } | null {
  if (plan.trainingFlops === null) return null;
  const target = plan.trainingFlops;
  let best: { imagesPerSec: number; from: BenchImagePoint; distance: number } | null = null;
  for (const point of points) {
    const flops = point.image?.trainingFlops;
    if (flops === undefined || !(flops > 0) || point.backend !== plan.backend || !(point.samplesPerSec > 0)) continue;
    const distance = Math.abs(Math.log(flops / target));
    if (!best || distance < best.distance) best = { imagesPerSec: (point.samplesPerSec * flops) / target, from: point, distance };
  }
  return best && { imagesPerSec: best.imagesPerSec, from: best.from };
}

/** The estimate, or null when neither a benchmark figure nor a timing applies. */
export function estimateImageRun(plan: PlanForEstimate, points: readonly BenchImagePoint[]): ImageEstimate | null {
  const work = plan.maxEpochs * (plan.train + plan.validation / 3);
  const bench = benchmarkSpeed(plan, points);
  if (bench) {
    const shape = bench.from.image!;
    return {
      seconds: work / bench.imagesPerSec,
      imagesPerSec: bench.imagesPerSec,
      backend: plan.backend,
      basis: `from this machine's hardware benchmark: ${round(bench.from.samplesPerSec)} pictures/s on the trainer's network at ${shape.side}×${shape.side}, scaled by this network's size to ${round(bench.imagesPerSec)} pictures/s`,
    };
  }
  if (plan.timing && plan.timing.imagesPerSec > 0) {
    return {
      seconds: work / plan.timing.imagesPerSec,
      imagesPerSec: plan.timing.imagesPerSec,
      backend: plan.backend,
      basis: `from a few training steps of this network timed on this machine: ${round(plan.timing.imagesPerSec)} pictures/s (run the hardware benchmark for a steadier figure)`,
    };
  }
  return null;
}

/** "about 12 minutes", "under a minute", "about 2.5 hours". */
export function aboutMinutes(seconds: number): string {
  const minutes = seconds / 60;
  if (minutes < 1) return 'under a minute';
  if (minutes < 90) return `about ${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}`;
  return `about ${(minutes / 60).toFixed(minutes < 600 ? 1 : 0)} hours`;
}
