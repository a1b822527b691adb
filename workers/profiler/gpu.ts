/**
 * GPU inventory: nvidia-smi for NVIDIA (exact VRAM, driver, CUDA version, compute capability,
 * MIG), rocm-smi for AMD where ROCm is installed, systeminformation for everything else (Intel,
 * Apple, AMD without ROCm). Every source may be absent, hang or print something unexpected: each
 * failure becomes a note and the GPU list stays honest (empty = "not detected").
 */
import type { Systeminformation } from 'systeminformation';
import {
  NVIDIA_QUERY_FIELDS,
  nvidiaRowsToGpus,
  parseMigDevices,
  parseNvidiaQueryCsv,
  parseNvidiaSmiHeader,
  parseNvidiaSmiTable,
  plainRowsToGpus,
} from './nvidia-smi.js';
import { parseRocmSmiJson } from './rocm-smi.js';
import { describeFailure, type CommandRunner } from './runner.js';
import type { GpuInfo, GpuVendor } from './types.js';

export interface GpuSources {
  run: CommandRunner;
  /** `si.graphics()`; may throw or return empty. */
  graphics: () => Promise<Systeminformation.GraphicsData>;
  platform: NodeJS.Platform;
  /** For Apple silicon: the GPU uses the system's unified memory. */
  totalMemoryBytes: number;
  timeoutMs?: number;
}

export interface GpuInventory {
  gpus: GpuInfo[];
  notes: string[];
  /** Set when nvidia-smi exists but cannot talk to the driver (a stack problem, not "no GPU"). */
  nvidiaDriverError: string | null;
}

/** Where nvidia-smi lives on Windows when it is not on PATH (older drivers put it under Program Files). */
const WINDOWS_NVIDIA_SMI = ['nvidia-smi', 'C:\\Windows\\System32\\nvidia-smi.exe', 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe'];

async function collectNvidia(sources: GpuSources): Promise<{ gpus: GpuInfo[]; notes: string[]; driverError: string | null }> {
  const timeoutMs = sources.timeoutMs;
  const candidates = sources.platform === 'win32' ? WINDOWS_NVIDIA_SMI : ['nvidia-smi'];
  let fields: string[] = [...NVIDIA_QUERY_FIELDS];
  for (const command of candidates) {
    let result = await sources.run(command, [`--query-gpu=${fields.join(',')}`, '--format=csv,nounits'], { timeoutMs });
    if (result.status === 'not-found') continue;
    let parsed = parseNvidiaQueryCsv(result.stdout + '\n' + result.stderr, fields);
    // Drivers before 510 do not know compute_cap (and some not mig.mode.current): drop what they refuse and ask again.
    for (let retry = 0; parsed.kind === 'unknown-field' && retry < 3; retry++) {
      const refused = parsed.field;
      fields = fields.filter((field) => field !== refused);
      result = await sources.run(command, [`--query-gpu=${fields.join(',')}`, '--format=csv,nounits'], { timeoutMs });
      parsed = parseNvidiaQueryCsv(result.stdout + '\n' + result.stderr, fields);
    }
    if (result.status === 'timeout') return { gpus: [], notes: [describeFailure('nvidia-smi', result, timeoutMs)], driverError: null };
    if (parsed.kind === 'driver-error') return { gpus: [], notes: [`nvidia-smi: ${parsed.message}`], driverError: parsed.message };
    if (parsed.kind === 'no-devices') return { gpus: [], notes: ['nvidia-smi found no NVIDIA GPU'], driverError: null };

    const plain = await sources.run(command, [], { timeoutMs });
    const plainText = plain.status === 'ok' ? plain.stdout : '';
    const header = parseNvidiaSmiHeader(plainText);
    const notes: string[] = [];
    let gpus: GpuInfo[];
    if (parsed.kind === 'rows') {
      gpus = nvidiaRowsToGpus(parsed.rows);
    } else {
      notes.push(parsed.kind === 'garbage' ? `nvidia-smi query: ${parsed.message}` : `nvidia-smi query failed: ${describeFailure('nvidia-smi', result, timeoutMs)}`);
      gpus = plainRowsToGpus(parseNvidiaSmiTable(plainText), header);
    }
    const tableRows = parseNvidiaSmiTable(plainText);
    const migDevices = parseMigDevices(plainText);
    gpus.forEach((gpu, i) => {
      gpu.cudaVersion = header.cudaVersion;
      gpu.driver ??= header.driver;
      const row = tableRows[i];
      if (!gpu.mig && row?.migMode) gpu.mig = { enabled: row.migMode === 'Enabled', devices: [] };
      if (gpu.mig?.enabled) gpu.mig.devices = migDevices.filter((device) => device.gpuIndex === i);
    });
    if (plain.status !== 'ok') notes.push(`CUDA version unknown: ${describeFailure('nvidia-smi', plain, timeoutMs)}`);
    if (gpus.length === 0 && parsed.kind !== 'rows') notes.push('nvidia-smi printed nothing this profiler understands');
    return { gpus, notes, driverError: null };
  }
  return { gpus: [], notes: ['nvidia-smi not found (no NVIDIA driver installed)'], driverError: null };
}

async function collectRocm(sources: GpuSources): Promise<{ gpus: GpuInfo[]; notes: string[] }> {
  if (sources.platform !== 'linux') return { gpus: [], notes: [] };
  const result = await sources.run('rocm-smi', ['--showproductname', '--showmeminfo', 'vram', '--showdriverversion', '--json'], {
    timeoutMs: sources.timeoutMs,
  });
  if (result.status === 'not-found') return { gpus: [], notes: [] };
  if (result.status !== 'ok') return { gpus: [], notes: [describeFailure('rocm-smi', result, sources.timeoutMs)] };
  const gpus = parseRocmSmiJson(result.stdout);
  if (gpus === null) return { gpus: [], notes: ['rocm-smi printed something that is not JSON'] };
  return { gpus, notes: [] };
}

function vendorOf(text: string): GpuVendor {
  if (/nvidia/iu.test(text)) return 'NVIDIA';
  if (/\b(amd|ati|radeon|advanced micro devices)\b/iu.test(text)) return 'AMD';
  if (/intel/iu.test(text)) return 'Intel';
  if (/apple/iu.test(text)) return 'Apple';
  return 'other';
}

/**
 * One systeminformation controller as a GPU record. On Windows its VRAM may come from WMI's
 * 32-bit `AdapterRAM`, capped at 4 GB: a figure at the cap is refused rather than believed.
 */
export function controllerToGpu(
  controller: Systeminformation.GraphicsControllerData,
  platform: NodeJS.Platform,
  totalMemoryBytes: number,
): GpuInfo {
  const vendor = vendorOf(`${controller.vendor} ${controller.model}`);
  const apple = vendor === 'Apple' || (platform === 'darwin' && /apple/iu.test(controller.model));
  const integrated =
    apple ||
    controller.vramDynamic === true ||
    (vendor === 'Intel' && !/\barc\b/iu.test(controller.model)) ||
    (vendor === 'AMD' && /radeon\(tm\) graphics|vega \d+ graphics|\bapu\b/iu.test(controller.model));
  let vramBytes: number | null = typeof controller.vram === 'number' && controller.vram > 0 ? controller.vram * 1024 * 1024 : null;
  let vramSource: GpuInfo['vramSource'] = vramBytes === null ? 'unknown' : 'systeminformation';
  if (platform === 'win32' && controller.vram !== null && controller.vram >= 4095 && controller.vram <= 4096) {
    vramBytes = null;
    vramSource = 'unknown';
  }
  if (apple) {
    vramBytes = totalMemoryBytes;
    vramSource = 'unified-memory';
  } else if (integrated) {
    // A shared-memory GPU's "VRAM" is a carve-out of system RAM, not memory of its own.
    vramSource = vramBytes === null ? 'unknown' : 'systeminformation';
  }
  return {
    vendor: apple ? 'Apple' : vendor,
    model: controller.model || controller.name || 'unknown GPU',
    vramBytes,
    vramSource,
    sharedMemory: integrated,
    driver: controller.driverVersion || null,
    cudaVersion: null,
    computeCapability: null,
    powerLimitW: typeof controller.powerLimit === 'number' ? controller.powerLimit : null,
    temperatureC: typeof controller.temperatureGpu === 'number' ? controller.temperatureGpu : null,
    utilizationPercent: typeof controller.utilizationGpu === 'number' ? controller.utilizationGpu : null,
    busId: controller.busAddress || controller.pciBus || null,
    mig: null,
  };
}

/** Every GPU the sources agree exist; nvidia-smi and rocm-smi figures win over systeminformation's. */
export async function collectGpus(sources: GpuSources): Promise<GpuInventory> {
  const [nvidia, rocm] = await Promise.all([collectNvidia(sources), collectRocm(sources)]);
  const notes = [...nvidia.notes, ...rocm.notes];
  let controllers: Systeminformation.GraphicsControllerData[] = [];
  try {
    controllers = (await sources.graphics()).controllers ?? [];
  } catch (error) {
    notes.push(`systeminformation graphics() failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const gpus = [...nvidia.gpus, ...rocm.gpus];
  for (const controller of controllers) {
    const gpu = controllerToGpu(controller, sources.platform, sources.totalMemoryBytes);
    // nvidia-smi / rocm-smi already described these with better figures.
    if (gpu.vendor === 'NVIDIA' && nvidia.gpus.length > 0) continue;
    if (gpu.vendor === 'AMD' && !gpu.sharedMemory && rocm.gpus.length > 0) continue;
    gpus.push(gpu);
  }
  if (gpus.length === 0) notes.push('GPU: not detected (no nvidia-smi, no rocm-smi, and the OS lists no graphics controller)');
  return { gpus, notes, nvidiaDriverError: nvidia.driverError };
}
