/**
 * CPU: model, cores, clocks, caches and the instruction sets that decide how fast training runs
 * on it (AVX2/FMA for native TensorFlow builds, AVX-512, NEON on ARM).
 */
import type { Systeminformation } from 'systeminformation';
import type { CpuInfo } from './types.js';

/** The flags worth reporting, in the order shown. `asimd` is how Linux on ARM spells NEON. */
const TRAINING_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'avx_vnni', 'neon'] as const;

/** Reduces a raw flag list (from /proc/cpuinfo or sysctl) to the flags that matter for training. */
export function trainingFlags(rawFlags: string, arch: string): string[] {
  const present = new Set(rawFlags.toLowerCase().split(/[\s,]+/u).filter(Boolean));
  // macOS spells some flags in capitals (AVX2, FMA) and AVX-512 as avx512f; Linux on ARM says asimd.
  if (present.has('asimd') || arch === 'arm64') present.add('neon');
  if (present.has('sse4.2')) present.add('sse4_2');
  if (present.has('avx1.0')) present.add('avx');
  return TRAINING_FLAGS.filter((flag) => present.has(flag));
}

export interface CpuSources {
  cpu: () => Promise<Systeminformation.CpuData>;
  flags: () => Promise<string>;
  cache: () => Promise<Systeminformation.CpuCacheData>;
  /** `os.cpus()`: a fallback for the model and the logical core count. */
  osCpus: () => { model: string; speed: number }[];
  arch: string;
}

function positiveOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Collects the CPU description; any source may fail, the others fill in. */
export async function collectCpu(sources: CpuSources): Promise<{ cpu: CpuInfo; notes: string[] }> {
  const notes: string[] = [];
  const cpu = await sources.cpu().catch((error: unknown) => (notes.push(`CPU details: ${String(error)}`), null));
  // si.cpu() already carries flags and caches; ask separately only when it did not (each call spawns work).
  const [flags, cache] = await Promise.all([
    cpu?.flags ? cpu.flags : sources.flags().catch(() => ''),
    cpu?.cache && cpu.cache.l1d !== undefined ? cpu.cache : sources.cache().catch(() => null),
  ]);
  const osCpus = sources.osCpus();
  const brand = cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() : '';
  const model = brand || osCpus[0]?.model?.trim() || 'unknown CPU';
  const logical = positiveOrNull(cpu?.cores) ?? (osCpus.length || 1);
  // Cache sizes from systeminformation are bytes.
  const bytes = (value: number | undefined) => positiveOrNull(value ?? null);
  const osSpeed = positiveOrNull(osCpus[0]?.speed) === null ? null : (osCpus[0]?.speed ?? 0) / 1000;
  return {
    cpu: {
      model,
      vendor: cpu?.vendor || cpu?.manufacturer || 'unknown',
      physicalCores: positiveOrNull(cpu?.physicalCores) ?? logical,
      logicalCores: logical,
      baseClockGHz: positiveOrNull(cpu?.speed) ?? osSpeed,
      maxClockGHz: positiveOrNull(cpu?.speedMax),
      caches: { l1d: bytes(cache?.l1d), l1i: bytes(cache?.l1i), l2: bytes(cache?.l2), l3: bytes(cache?.l3) },
      flags: trainingFlags(flags || '', sources.arch),
    },
    notes,
  };
}
