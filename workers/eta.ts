/**
 * The one estimate of a job's time left. The worker entry sends it with every progress report as
 * the job's `etaSeconds`, which the job card and a training's live epoch line both show, so the
 * two cannot disagree. A training knows its pace (epochs left, seconds per epoch) and gives its
 * own estimate; the average pace since the job started would count the time spent reading the
 * data as if it were training. Other jobs: the average pace so far, over the fraction left.
 */

/** Seconds left of a training: the epochs left at the last epoch's pace. */
export function epochsLeftSeconds(epochsLeft: number, secondsPerEpoch: number): number {
  return Math.max(0, epochsLeft) * Math.max(0, secondsPerEpoch);
}

/**
 * The job's estimate: the engine's own (`own`, a training's pace) when it gave one, else the
 * elapsed time over the fraction done times the fraction left; null before there is enough to go
 * on (1 % done, half a second).
 */
export function secondsLeft(fraction: number, elapsedSeconds: number, own?: number): number | null {
  if (own !== undefined && Number.isFinite(own) && own >= 0) return own;
  return fraction > 0.01 && elapsedSeconds > 0.5 ? (elapsedSeconds / fraction) * (1 - fraction) : null;
}
