/**
 * Which machine of a fleet should run a kind of pilot. A machine that was never benchmarked has no
 * time estimate, so its verdict level is only a lower bound: the time rules that would have made it
 * amber or red could not run. Every benchmarked machine therefore ranks above every unbenchmarked
 * one; an unbenchmarked machine whose level is better than the winner's is named beside it as the
 * one to benchmark next. Pure: the renderer, the CLI and the HTML report share it.
 */

export type FleetLevel = 'green' | 'amber' | 'red';

/** The part of a hardware verdict the ranking reads. */
export interface FleetVerdict {
  template: string;
  level: FleetLevel;
  /** Null when the machine was not benchmarked for this kind. */
  estimatedMinutes: number | null;
}

/** The winner for one kind, and whether its speed was measured (an unmeasured winner is named with a caveat). */
export interface FleetChoice<M> {
  machine: M;
  level: FleetLevel;
  measured: boolean;
  estimatedMinutes: number | null;
  /** An unbenchmarked machine whose (lower-bound) level beats the winner's: worth benchmarking before deciding. */
  benchmarkNext: M | null;
}

const LEVEL = { green: 0, amber: 1, red: 2 } as const;

/** Rank key, lower is better: benchmarked machines by level, then unbenchmarked ones by level; ties by the estimate. */
function tier(v: FleetVerdict): number {
  return (v.estimatedMinutes === null ? 3 : 0) + LEVEL[v.level];
}

/** The best machine for `kind` among `machines` (null when none has a verdict for it). */
export function bestMachine<M>(machines: readonly M[], verdicts: (machine: M) => readonly FleetVerdict[], kind: string): FleetChoice<M> | null {
  let best: { machine: M; verdict: FleetVerdict } | null = null;
  for (const machine of machines) {
    const verdict = verdicts(machine).find((v) => v.template === kind);
    if (!verdict) continue;
    const better =
      !best ||
      tier(verdict) < tier(best.verdict) ||
      (tier(verdict) === tier(best.verdict) && (verdict.estimatedMinutes ?? Infinity) < (best.verdict.estimatedMinutes ?? Infinity));
    if (better) best = { machine, verdict };
  }
  if (!best) return null;
  const winner = best;
  let benchmarkNext: { machine: M; level: number } | null = null;
  if (winner.verdict.estimatedMinutes !== null) {
    for (const machine of machines) {
      const verdict = verdicts(machine).find((v) => v.template === kind);
      if (!verdict || verdict.estimatedMinutes !== null || LEVEL[verdict.level] >= LEVEL[winner.verdict.level]) continue;
      if (!benchmarkNext || LEVEL[verdict.level] < benchmarkNext.level) benchmarkNext = { machine, level: LEVEL[verdict.level] };
    }
  }
  return {
    machine: winner.machine,
    level: winner.verdict.level,
    measured: winner.verdict.estimatedMinutes !== null,
    estimatedMinutes: winner.verdict.estimatedMinutes,
    benchmarkNext: benchmarkNext?.machine ?? null,
  };
}
