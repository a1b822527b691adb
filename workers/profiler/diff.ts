/** What changed between two profiles of the same (or different) machines: driver, disk, RAM, stack, speed. */
import type { HardwareReport } from './types.js';

export interface ProfileChange {
  /** Dotted path of what changed, e.g. `gpus[0].driver`, `disk.freeBytes`. */
  field: string;
  /** Human label, e.g. "GPU 0 driver". */
  label: string;
  before: string | number | boolean | null;
  after: string | number | boolean | null;
  /** One line a person reads, e.g. "Free disk: 120.0 GB → 38.5 GB (−81.5 GB)". */
  summary: string;
}

const GB = 1024 ** 3;
const fmtGB = (bytes: number | null) => (bytes === null ? 'unknown' : `${(bytes / GB).toFixed(1)} GB`);

/** Changes from `a` (older) to `b` (newer). Byte figures that move less than `minBytes` (default 1 GB) are ignored as noise. */
export function diffProfiles(a: HardwareReport, b: HardwareReport, options: { minBytes?: number; minRatio?: number } = {}): ProfileChange[] {
  const minBytes = options.minBytes ?? GB;
  const minRatio = options.minRatio ?? 0.1;
  const changes: ProfileChange[] = [];
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  const text = (field: string, label: string, before: string | null, after: string | null) => {
    if (before !== after) changes.push({ field, label, before, after, summary: `${label}: ${before ?? 'none'} → ${after ?? 'none'}` });
  };
  const bytes = (field: string, label: string, before: number | null, after: number | null) => {
    if (before === null || after === null) {
      if (before !== after) changes.push({ field, label, before, after, summary: `${label}: ${fmtGB(before)} → ${fmtGB(after)}` });
      return;
    }
    const delta = after - before;
    if (Math.abs(delta) >= minBytes) {
      changes.push({ field, label, before, after, summary: `${label}: ${fmtGB(before)} → ${fmtGB(after)} (${delta > 0 ? '+' : '−'}${fmtGB(Math.abs(delta))})` });
    }
  };
  const speed = (field: string, label: string, unit: string, before: number | null | undefined, after: number | null | undefined) => {
    const x = before ?? null;
    const y = after ?? null;
    if (x === null && y === null) return;
    if (x === null || y === null || Math.abs(y - x) / Math.max(Math.abs(x), 1e-9) >= minRatio) {
      const pct = x && y ? ` (${y > x ? '+' : '−'}${Math.round((Math.abs(y - x) / x) * 100)}%)` : '';
      changes.push({ field, label, before: x, after: y, summary: `${label}: ${x === null ? 'not measured' : `${x.toFixed(1)} ${unit}`} → ${y === null ? 'not measured' : `${y.toFixed(1)} ${unit}`}${pct}` });
    }
  };

  if (a.machineId !== b.machineId) text('machineId', 'Machine', `${a.hostname} (${a.machineId})`, `${b.hostname} (${b.machineId})`);
  text('os.release', 'OS', `${a.os.distro} ${a.os.release}`, `${b.os.distro} ${b.os.release}`);
  text('os.kernel', 'Kernel', a.os.kernel, b.os.kernel);
  text('os.node', 'Node', a.os.node, b.os.node);
  text('os.electron', 'Electron', a.os.electron, b.os.electron);
  text('cpu.model', 'CPU', a.cpu.model, b.cpu.model);
  if (a.cpu.logicalCores !== b.cpu.logicalCores) text('cpu.logicalCores', 'CPU threads', String(a.cpu.logicalCores), String(b.cpu.logicalCores));
  bytes('memory.totalBytes', 'RAM', a.memory.totalBytes, b.memory.totalBytes);
  bytes('disk.freeBytes', 'Free disk', a.disk.freeBytes, b.disk.freeBytes);

  const gpuCount = Math.max(a.gpus.length, b.gpus.length);
  for (let i = 0; i < gpuCount; i++) {
    const x = a.gpus[i];
    const y = b.gpus[i];
    if (!x || !y || x.model !== y.model) {
      text(`gpus[${i}].model`, `GPU ${i}`, x?.model ?? null, y?.model ?? null);
      continue;
    }
    text(`gpus[${i}].driver`, `GPU ${i} driver`, x.driver, y.driver);
    text(`gpus[${i}].cudaVersion`, `GPU ${i} CUDA version`, x.cudaVersion, y.cudaVersion);
    bytes(`gpus[${i}].vramBytes`, `GPU ${i} memory`, x.vramBytes, y.vramBytes);
    if (!same(x.mig?.enabled ?? null, y.mig?.enabled ?? null)) text(`gpus[${i}].mig`, `GPU ${i} MIG`, x.mig?.enabled ? 'on' : 'off', y.mig?.enabled ? 'on' : 'off');
  }
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    const x = a.backends.find((status) => status.name === name);
    const y = b.backends.find((status) => status.name === name);
    const describe = (status: typeof x) => (status ? (status.available ? (status.gpu ? 'available (GPU)' : 'available') : 'unavailable') : null);
    text(`backends.${name}`, `Backend ${name}`, describe(x), describe(y));
  }
  for (const name of new Set([...Object.keys(a.benchmarks.matmulGflops), ...Object.keys(b.benchmarks.matmulGflops)])) {
    const key = name as keyof HardwareReport['benchmarks']['matmulGflops'];
    speed(`benchmarks.matmulGflops.${name}`, `Matmul on ${name}`, 'GFLOP/s', a.benchmarks.matmulGflops[key], b.benchmarks.matmulGflops[key]);
  }
  speed('benchmarks.memoryGBps', 'Memory bandwidth', 'GB/s', a.benchmarks.memoryGBps, b.benchmarks.memoryGBps);
  speed('benchmarks.diskWriteMBps', 'Disk write', 'MB/s', a.benchmarks.diskWriteMBps, b.benchmarks.diskWriteMBps);
  for (const verdict of b.verdicts) {
    const before = a.verdicts.find((candidate) => candidate.template === verdict.template);
    if (before && before.level !== verdict.level) text(`verdicts.${verdict.template}`, `Verdict ${verdict.template}`, before.level, verdict.level);
  }
  return changes;
}
