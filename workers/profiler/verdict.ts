/** Applies the rules table to a profile: a verdict per pilot kind and one ranked list of recommendations. */
import { GPU_TRAINING_EFFICIENCY, gpuTflops } from './gpu-specs.js';
import { RULES, type RuleFacts } from './rules.js';
import { estimateMinutes, largestSamples, TYPICAL_PILOTS } from './typical.js';
import type { Benchmarks, HardwareReport, PilotKind, Recommendation, Verdict, VerdictLevel } from './types.js';
import { PILOT_KINDS } from './types.js';

const SEVERITY: Record<VerdictLevel, number> = { green: 0, amber: 1, red: 2 };

/** Small dense models cannot keep a GPU busy: their speed-up is capped lower than convolutions'. */
const SPEEDUP_CAP: Record<PilotKind, number> = { tabular: 10, anomaly: 10, timeseries: 10, text: 10, image: 100 };

/**
 * Estimated training speed-up from using the NVIDIA GPU: its peak FP32 × a modest efficiency,
 * against the matmul GFLOP/s measured on the backend the pilot gets now. Null when either is unknown.
 */
export function gpuSpeedup(kind: PilotKind, report: Pick<HardwareReport, 'gpus'>, benchmarks: Benchmarks, backend: string | null): number | null {
  const gpu = report.gpus.find((candidate) => candidate.vendor === 'NVIDIA');
  const tflops = gpu ? gpuTflops(gpu.model) : null;
  const measured = backend ? benchmarks.matmulGflops[backend as keyof Benchmarks['matmulGflops']] : undefined;
  if (tflops === null || !measured) return null;
  const factor = (tflops * 1000 * GPU_TRAINING_EFFICIENCY) / measured;
  return Math.max(1, Math.min(SPEEDUP_CAP[kind], factor));
}

type ProfileForVerdict = Pick<HardwareReport, 'os' | 'cpu' | 'memory' | 'disk' | 'gpus' | 'backends' | 'stack' | 'benchmarks'>;

/** The facts the rules see for one kind. */
export function factsFor(kind: PilotKind, profile: ProfileForVerdict): RuleFacts {
  const pilot = profile.stack.pilots.find((entry) => entry.template === kind) ?? { template: kind, backend: null, reason: 'not diagnosed' };
  const samplesPerSec = profile.benchmarks.trainSamplesPerSec[kind] ?? null;
  return {
    kind,
    os: profile.os,
    cpu: profile.cpu,
    memory: profile.memory,
    disk: profile.disk,
    gpus: profile.gpus,
    backends: profile.backends,
    pilot,
    problems: profile.stack.problems,
    samplesPerSec,
    estimatedMinutes: samplesPerSec ? estimateMinutes(kind, samplesPerSec) : null,
    trainPoints: (profile.benchmarks.train ?? []).filter((point) => point.template === kind),
    gpuSpeedup: gpuSpeedup(kind, profile, profile.benchmarks, pilot.backend),
  };
}

export function verdictFor(kind: PilotKind, profile: ProfileForVerdict): Verdict {
  const facts = factsFor(kind, profile);
  let level: VerdictLevel = 'green';
  const reasons: string[] = [];
  const recommendations: Recommendation[] = [];
  for (const rule of RULES) {
    if (rule.kinds !== 'all' && !rule.kinds.includes(kind)) continue;
    if (!rule.when(facts)) continue;
    if (SEVERITY[rule.level] > SEVERITY[level]) level = rule.level;
    reasons.push(rule.reason(facts));
    if (rule.recommendation) {
      recommendations.push({ rule: rule.id, text: rule.recommendation.text(facts), effect: rule.recommendation.effect(facts) });
    }
  }
  recommendations.sort((a, b) => b.effect - a.effect);
  const count = largestSamples(kind, profile.memory.availableBytes);
  return {
    template: kind,
    level,
    reasons,
    estimatedMinutes: facts.estimatedMinutes === null ? null : Math.round(facts.estimatedMinutes * 10) / 10,
    typicalPilot: TYPICAL_PILOTS[kind].description,
    largestPilot: TYPICAL_PILOTS[kind].largestTemplate.replace('{count}', count.toLocaleString('en-US')),
    backend: facts.pilot.backend,
    recommendations,
  };
}

/** Verdicts for every kind, and all recommendations merged (same text once, at its highest effect) and ranked. */
export function judge(profile: ProfileForVerdict): { verdicts: Verdict[]; recommendations: Recommendation[] } {
  const verdicts = PILOT_KINDS.map((kind) => verdictFor(kind, profile));
  const merged = new Map<string, Recommendation>();
  for (const recommendation of verdicts.flatMap((verdict) => verdict.recommendations)) {
    // Per-kind wording differs only in figures for some rules; one entry per rule keeps the list short.
    const existing = merged.get(recommendation.rule);
    if (!existing || recommendation.effect > existing.effect) merged.set(recommendation.rule, recommendation);
  }
  return { verdicts, recommendations: [...merged.values()].sort((a, b) => b.effect - a.effect) };
}
