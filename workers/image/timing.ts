/**
 * Where a pilot's time goes: wall and CPU seconds (all threads of the process) per stage, in
 * order. CPU seconds are what a loaded machine does not inflate; on an idle one, wall ≈ CPU ÷ the
 * cores a stage keeps busy.
 */

/** One stage's cost. */
export interface StageTiming {
  stage: string;
  seconds: number;
  cpuSeconds: number;
}

/** Records the time since the previous mark under each stage name. */
export class StageClock {
  readonly stages: StageTiming[] = [];
  private wall = performance.now();
  private cpu = process.cpuUsage();

  mark(stage: string): void {
    const now = performance.now();
    const used = process.cpuUsage(this.cpu);
    this.stages.push({ stage, seconds: round((now - this.wall) / 1000), cpuSeconds: round((used.user + used.system) / 1e6) });
    this.wall = now;
    this.cpu = process.cpuUsage();
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
