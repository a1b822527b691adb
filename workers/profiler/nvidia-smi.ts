/**
 * Parsers for nvidia-smi's two outputs: the CSV of `--query-gpu=… --format=csv[,noheader][,nounits]`
 * and the plain table, whose header is the only place that says which CUDA version the driver
 * supports and whose "MIG devices" section lists MIG slices. Output formats changed across driver
 * generations (the 610 series renamed "Driver Version" to "KMD Version"), so every parser is
 * lenient and returns null rather than inventing a value.
 */
import type { GpuInfo, MigDevice } from './types.js';

/** The fields asked of nvidia-smi, in order. `compute_cap` is unknown to drivers before 510 and is retried without. */
export const NVIDIA_QUERY_FIELDS = [
  'index',
  'name',
  'memory.total',
  'driver_version',
  'compute_cap',
  'power.limit',
  'temperature.gpu',
  'utilization.gpu',
  'pci.bus_id',
  'mig.mode.current',
] as const;

const MIB = 1024 * 1024;

/** What a CSV query answer was. */
export type NvidiaCsvResult =
  | { kind: 'rows'; rows: Record<string, string | null>[] }
  /** The driver does not know a field (e.g. `compute_cap` before driver 510): retry without it. */
  | { kind: 'unknown-field'; field: string }
  /** nvidia-smi could not talk to the driver. */
  | { kind: 'driver-error'; message: string }
  | { kind: 'no-devices' }
  | { kind: 'garbage'; message: string };

const NULL_VALUES = new Set(['', 'n/a', '[n/a]', '[not supported]', 'not supported', '[unknown error]', '[insufficient permissions]']);

/** "81920 MiB" → "81920", "[N/A]" → null. Units are dropped because the header (or the query) fixes them. */
function cleanValue(raw: string): string | null {
  const value = raw.trim();
  if (NULL_VALUES.has(value.toLowerCase())) return null;
  return value.replace(/\s+(MiB|W|%|C|MHz)$/u, '');
}

/** "memory.total [MiB]" → "memory.total". */
function cleanHeader(raw: string): string {
  return raw.trim().replace(/\s*\[[^\]]*\]$/u, '');
}

/** Recognises nvidia-smi's error texts, which it prints on stdout with exit code 0 or non-zero alike. */
export function classifyNvidiaError(text: string): NvidiaCsvResult | null {
  const unknown = /Field "([^"]+)" is not a valid field to query/u.exec(text);
  if (unknown) return { kind: 'unknown-field', field: unknown[1] ?? '' };
  if (/NVIDIA-SMI has failed|couldn't communicate with the NVIDIA driver|Failed to initialize NVML/iu.test(text)) {
    const line = text.trim().split('\n')[0] ?? text.trim();
    return { kind: 'driver-error', message: line.trim() };
  }
  if (/No devices were found/iu.test(text)) return { kind: 'no-devices' };
  return null;
}

/**
 * Parses the CSV answer. With a header line the columns are taken from it (so outputs of any field
 * list parse); without one, `fields` names them. Lines whose column count does not match are refused.
 */
export function parseNvidiaQueryCsv(text: string, fields: readonly string[] = NVIDIA_QUERY_FIELDS): NvidiaCsvResult {
  const error = classifyNvidiaError(text);
  if (error) return error;
  const lines = text.split(/\r?\n/u).map((line) => line.trim()).filter((line) => line.length > 0);
  if (lines.length === 0) return { kind: 'no-devices' };
  const first = (lines[0] ?? '').split(',').map(cleanHeader);
  // A header is all lower-case field names ("memory.total [MiB]" cleaned to "memory.total"); data rows never are.
  const hasHeader = first.every((cell) => /^[a-z][a-z0-9_.]*$/u.test(cell));
  const columns = hasHeader ? first : [...fields];
  const rows: Record<string, string | null>[] = [];
  for (const line of hasHeader ? lines.slice(1) : lines) {
    const cells = line.split(',');
    if (cells.length !== columns.length) {
      return { kind: 'garbage', message: `nvidia-smi printed a line with ${cells.length} columns where ${columns.length} were expected: "${line.slice(0, 80)}"` };
    }
    const row: Record<string, string | null> = {};
    columns.forEach((column, i) => (row[column] = cleanValue(cells[i] ?? '')));
    rows.push(row);
  }
  if (rows.length === 0) return { kind: 'no-devices' };
  return { kind: 'rows', rows };
}

function toNumber(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const number = Number.parseFloat(value);
  return Number.isFinite(number) ? number : null;
}

/** Turns parsed CSV rows into GPU records (CUDA version and MIG slices come from the plain output). */
export function nvidiaRowsToGpus(rows: Record<string, string | null>[]): GpuInfo[] {
  return rows.map((row) => {
    const mib = toNumber(row['memory.total']);
    const migMode = row['mig.mode.current'];
    return {
      vendor: 'NVIDIA',
      model: row['name'] ?? row['gpu_name'] ?? 'NVIDIA GPU',
      vramBytes: mib === null ? null : Math.round(mib * MIB),
      vramSource: mib === null ? 'unknown' : 'nvidia-smi',
      sharedMemory: false,
      driver: row['driver_version'] ?? null,
      cudaVersion: null,
      computeCapability: row['compute_cap'] ?? null,
      powerLimitW: toNumber(row['power.limit']),
      temperatureC: toNumber(row['temperature.gpu']),
      utilizationPercent: toNumber(row['utilization.gpu']),
      busId: row['pci.bus_id'] ?? null,
      mig: migMode === 'Enabled' || migMode === 'Disabled' ? { enabled: migMode === 'Enabled', devices: [] } : null,
    };
  });
}

/** The plain table's header: driver version and the highest CUDA version the driver supports. */
export function parseNvidiaSmiHeader(text: string): { driver: string | null; cudaVersion: string | null } {
  const driver = /(?:Driver|KMD) Version:\s*([0-9][0-9.]*)/u.exec(text)?.[1] ?? null;
  const cudaVersion = /CUDA(?: UMD)? Version:\s*([0-9]+\.[0-9]+)/u.exec(text)?.[1] ?? null;
  return { driver, cudaVersion };
}

/** One GPU row of the plain table: index, (possibly truncated) name, bus id, memory, MIG mode. */
export interface PlainGpuRow {
  index: number;
  name: string;
  busId: string | null;
  memoryTotalMiB: number | null;
  migMode: 'Enabled' | 'Disabled' | null;
}

/**
 * Reads the GPU rows of the plain table. Used when the CSV query fails, and for the MIG mode on
 * drivers whose query lacks `mig.mode.current`. Names longer than the column end in "...".
 */
export function parseNvidiaSmiTable(text: string): PlainGpuRow[] {
  const lines = text.split(/\r?\n/u);
  const migStart = lines.findIndex((line) => /MIG devices:/u.test(line));
  const end = migStart >= 0 ? migStart : lines.findIndex((line) => /Processes:/u.test(line));
  const table = end >= 0 ? lines.slice(0, end) : lines;
  const rows: PlainGpuRow[] = [];
  for (let i = 0; i < table.length; i++) {
    const match = /^\|\s+(\d+)\s+(.+?)\s+(?:On|Off)\s*\|\s*([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f])/u.exec(table[i] ?? '');
    if (!match) continue;
    const block = table.slice(i + 1, i + 3);
    const memory = block.map((line) => /(\d+)MiB\s*\/\s*(\d+)MiB/u.exec(line)).find((m) => m !== null);
    const migLine = block.find((line) => /^\|\s+\|\s+\|\s+(Enabled|Disabled|N\/A)\s*\|\s*$/u.test(line));
    const migMode = migLine ? (/(Enabled|Disabled)/u.exec(migLine)?.[1] as 'Enabled' | 'Disabled' | undefined) ?? null : null;
    rows.push({
      index: Number(match[1]),
      name: (match[2] ?? '').trim(),
      busId: match[3] ?? null,
      memoryTotalMiB: memory ? Number(memory[2]) : null,
      migMode,
    });
  }
  return rows;
}

/** Reads the "MIG devices" section of the plain table: one entry per slice with its memory. */
export function parseMigDevices(text: string): MigDevice[] {
  const lines = text.split(/\r?\n/u);
  const start = lines.findIndex((line) => /MIG devices:/u.test(line));
  if (start < 0) return [];
  const devices: MigDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/Processes:/u.test(line)) break;
    const match = /^\|\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\|\s*(?:(\d+)MiB\s*\/\s*(\d+)MiB)?/u.exec(line);
    if (!match) continue;
    devices.push({
      gpuIndex: Number(match[1]),
      gpuInstance: Number(match[2]),
      computeInstance: Number(match[3]),
      migDevice: Number(match[4]),
      memoryBytes: match[6] === undefined ? null : Number(match[6]) * MIB,
    });
  }
  return devices;
}

/** GPU records from the plain table alone, for drivers whose CSV query failed. */
export function plainRowsToGpus(rows: PlainGpuRow[], header: { driver: string | null; cudaVersion: string | null }): GpuInfo[] {
  return rows.map((row) => ({
    vendor: 'NVIDIA',
    model: row.name,
    vramBytes: row.memoryTotalMiB === null ? null : row.memoryTotalMiB * MIB,
    vramSource: row.memoryTotalMiB === null ? 'unknown' : 'nvidia-smi',
    sharedMemory: false,
    driver: header.driver,
    cudaVersion: header.cudaVersion,
    computeCapability: null,
    powerLimitW: null,
    temperatureC: null,
    utilizationPercent: null,
    busId: row.busId,
    mig: row.migMode ? { enabled: row.migMode === 'Enabled', devices: [] } : null,
  }));
}
