import type { Systeminformation } from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { collectGpus, controllerToGpu } from '../../../workers/profiler/gpu.js';
import { fixture, notFound, ok, scriptedRunner, timedOut } from './helpers.js';

const GB = 1024 ** 3;
const noGraphics = async () => ({ controllers: [], displays: [] }) as Systeminformation.GraphicsData;

function controller(partial: Partial<Systeminformation.GraphicsControllerData>): Systeminformation.GraphicsControllerData {
  return { vendor: '', model: '', bus: '', vram: null, vramDynamic: false, ...partial } as Systeminformation.GraphicsControllerData;
}

const a100Csv = [
  'index, name, memory.total [MiB], driver_version, compute_cap, power.limit [W], temperature.gpu, utilization.gpu [%], pci.bus_id, mig.mode.current',
  '0, NVIDIA A100-SXM4-80GB, 81920, 510.47.03, 8.0, 500.00, 38, 58, 00000000:01:00.0, Disabled',
  '1, NVIDIA A100-SXM4-80GB, 81920, 510.47.03, 8.0, 500.00, 38, [N/A], 00000000:41:00.0, Enabled',
].join('\n');

describe('collectGpus', () => {
  it('says "not detected" and lists nothing when there is no nvidia-smi, no rocm-smi and no controller (this machine)', async () => {
    const inventory = await collectGpus({ run: scriptedRunner([]), graphics: noGraphics, platform: 'linux', totalMemoryBytes: 8 * GB });
    expect(inventory.gpus).toEqual([]);
    expect(inventory.notes.join('\n')).toMatch(/nvidia-smi not found/u);
    expect(inventory.notes.join('\n')).toMatch(/GPU: not detected/u);
    expect(inventory.nvidiaDriverError).toBeNull();
  });

  it('survives systeminformation throwing', async () => {
    const inventory = await collectGpus({
      run: scriptedRunner([]),
      graphics: async () => {
        throw new Error('WMI unavailable');
      },
      platform: 'win32',
      totalMemoryBytes: 8 * GB,
    });
    expect(inventory.gpus).toEqual([]);
    expect(inventory.notes.join('\n')).toMatch(/graphics\(\) failed: WMI unavailable/u);
  });

  it('reports a hanging nvidia-smi as a timeout, without GPUs', async () => {
    const inventory = await collectGpus({ run: scriptedRunner([['nvidia-smi', timedOut]]), graphics: noGraphics, platform: 'linux', totalMemoryBytes: 8 * GB });
    expect(inventory.gpus).toEqual([]);
    expect(inventory.notes.join('\n')).toMatch(/did not answer within 5 s/u);
  });

  it('turns the driver error into nvidiaDriverError', async () => {
    const inventory = await collectGpus({
      run: scriptedRunner([['nvidia-smi', { status: 'failed', stdout: fixture('driver-error.txt'), stderr: '', code: 9 }]]),
      graphics: noGraphics,
      platform: 'linux',
      totalMemoryBytes: 8 * GB,
    });
    expect(inventory.gpus).toEqual([]);
    expect(inventory.nvidiaDriverError).toMatch(/NVIDIA-SMI has failed/u);
  });

  it('merges the query (exact VRAM, compute capability) with the plain header (CUDA version) and MIG slices', async () => {
    const plain = `${fixture('mig-a100x2-header-plain.txt')}\n${fixture('mig-devices-section.txt')}`;
    const run = scriptedRunner([
      ['nvidia-smi --query-gpu', ok(a100Csv)],
      ['nvidia-smi', ok(plain)],
    ]);
    const graphics = async () => ({ controllers: [controller({ vendor: 'NVIDIA', model: 'A100', vram: 4096 })], displays: [] }) as Systeminformation.GraphicsData;
    const inventory = await collectGpus({ run, graphics, platform: 'linux', totalMemoryBytes: 512 * GB });
    // systeminformation's duplicate of the NVIDIA GPU is dropped in favour of nvidia-smi's figures.
    expect(inventory.gpus).toHaveLength(2);
    expect(inventory.gpus[0]).toMatchObject({ vendor: 'NVIDIA', vramBytes: 81920 * 1024 ** 2, cudaVersion: '11.6', computeCapability: '8.0', powerLimitW: 500 });
    expect(inventory.gpus[0]?.mig).toEqual({ enabled: false, devices: [] });
    expect(inventory.gpus[1]?.mig?.enabled).toBe(true);
    expect(inventory.gpus[1]?.mig?.devices.map((device) => device.migDevice)).toEqual([0, 1, 2]);
  });

  it('retries without compute_cap on a driver that does not know it', async () => {
    const run = scriptedRunner([
      [
        'nvidia-smi --query-gpu',
        (line) =>
          line.includes('compute_cap')
            ? { status: 'failed', stdout: fixture('old-driver-compute-cap.txt'), stderr: '', code: 2 }
            : ok('index, name, memory.total [MiB], driver_version\n0, NVIDIA GeForce RTX 3090, 24265, 455.23.05'),
      ],
      ['nvidia-smi', ok(fixture('rtx3090-cuda11.1-plain.txt'))],
    ]);
    const inventory = await collectGpus({ run, graphics: noGraphics, platform: 'linux', totalMemoryBytes: 32 * GB });
    expect(run.calls.filter((call) => call.includes('--query-gpu'))).toHaveLength(2);
    expect(inventory.gpus[0]).toMatchObject({ model: 'NVIDIA GeForce RTX 3090', vramBytes: 24265 * 1024 ** 2, computeCapability: null, cudaVersion: '11.1' });
  });

  it('falls back to the plain table when the query prints garbage', async () => {
    const run = scriptedRunner([
      ['nvidia-smi --query-gpu', ok('%%% garbled, output\nmore, garbage, here\n')],
      ['nvidia-smi', ok(fixture('rtx3060-plain.txt'))],
    ]);
    const inventory = await collectGpus({ run, graphics: noGraphics, platform: 'linux', totalMemoryBytes: 32 * GB });
    expect(inventory.gpus).toHaveLength(1);
    expect(inventory.gpus[0]).toMatchObject({ model: 'NVIDIA GeForce RTX 3060', vramBytes: 12288 * 1024 ** 2, driver: '580.95.05', cudaVersion: '13.0' });
    expect(inventory.notes.join('\n')).toMatch(/columns where/u);
  });

  it('uses rocm-smi for AMD and keeps an integrated GPU from systeminformation', async () => {
    const run = scriptedRunner([['nvidia-smi', notFound], ['rocm-smi', ok(fixture('rocm-smi-rx7900xt.json'))]]);
    const graphics = async () =>
      ({
        controllers: [
          controller({ vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', model: 'Navi 31 [Radeon RX 7900 XT]', vram: 20464 }),
          controller({ vendor: 'Intel Corporation', model: 'UHD Graphics 770', vram: 128, vramDynamic: true }),
        ],
        displays: [],
      }) as Systeminformation.GraphicsData;
    const inventory = await collectGpus({ run, graphics, platform: 'linux', totalMemoryBytes: 32 * GB });
    expect(inventory.gpus.map((gpu) => [gpu.vendor, gpu.model, gpu.sharedMemory, gpu.vramSource])).toEqual([
      ['AMD', 'Radeon RX 7900 XT', false, 'rocm-smi'],
      ['Intel', 'UHD Graphics 770', true, 'systeminformation'],
    ]);
  });
});

describe('controllerToGpu', () => {
  it("refuses Windows WMI's 4 GB-capped AdapterRAM instead of reporting 4 GB", () => {
    const gpu = controllerToGpu(controller({ vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 3060', vram: 4095 }), 'win32', 32 * GB);
    expect(gpu.vramBytes).toBeNull();
    expect(gpu.vramSource).toBe('unknown');
    // The same figure off Windows is believed.
    expect(controllerToGpu(controller({ vendor: 'NVIDIA', model: 'GTX 1650', vram: 4096 }), 'linux', 32 * GB).vramBytes).toBe(4 * GB);
  });

  it('gives Apple silicon the unified memory and marks it shared', () => {
    const gpu = controllerToGpu(controller({ vendor: 'Apple', model: 'Apple M2 Pro', vram: null }), 'darwin', 32 * GB);
    expect(gpu).toMatchObject({ vendor: 'Apple', vramBytes: 32 * GB, vramSource: 'unified-memory', sharedMemory: true });
  });

  it('marks integrated Intel and AMD APU graphics as shared memory, but not Intel Arc', () => {
    expect(controllerToGpu(controller({ vendor: 'Intel Corporation', model: 'Iris Xe Graphics' }), 'win32', 16 * GB).sharedMemory).toBe(true);
    expect(controllerToGpu(controller({ vendor: 'AMD', model: 'AMD Radeon(TM) Graphics' }), 'win32', 16 * GB).sharedMemory).toBe(true);
    expect(controllerToGpu(controller({ vendor: 'Intel Corporation', model: 'Intel Arc A770', vram: 16384 }), 'win32', 16 * GB).sharedMemory).toBe(false);
  });
});
