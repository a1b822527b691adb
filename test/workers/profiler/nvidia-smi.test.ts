import { describe, expect, it } from 'vitest';
import {
  nvidiaRowsToGpus,
  parseMigDevices,
  parseNvidiaQueryCsv,
  parseNvidiaSmiHeader,
  parseNvidiaSmiTable,
} from '../../../workers/profiler/nvidia-smi.js';
import { parseRocmSmiJson } from '../../../workers/profiler/rocm-smi.js';
import { fixture } from './helpers.js';

const MIB = 1024 * 1024;

describe('nvidia-smi CSV query', () => {
  it('parses a headerless, unitless consumer-GPU answer with the field list it was asked (RTX 2080)', () => {
    const fields = 'power.limit,power.min_limit,power.max_limit,memory.total,vbios_version,driver_version,compute_mode,name,gpu_uuid,power.draw,temperature.gpu,temperature.memory,clocks.gr,clocks.sm,clocks.mem,clocks.video,clocks.max.gr,clocks.max.sm,clocks.max.mem,utilization.gpu,utilization.memory,memory.used,fan.speed,gom.current,pcie.link.width.current,pcie.link.gen.current,pstate'.split(',');
    const result = parseNvidiaQueryCsv(fixture('rtx2080-query-noheader-nounits.csv'), fields);
    expect(result.kind).toBe('rows');
    if (result.kind !== 'rows') return;
    const [gpu] = nvidiaRowsToGpus(result.rows);
    expect(gpu?.model).toBe('GeForce RTX 2080');
    expect(gpu?.vramBytes).toBe(7982 * MIB);
    expect(gpu?.driver).toBe('440.64');
    expect(gpu?.powerLimitW).toBe(200);
    expect(gpu?.temperatureC).toBe(56);
    expect(gpu?.utilizationPercent).toBe(89);
    // "[N/A]" and "N/A" are unknowns, not strings.
    expect(result.rows[0]?.['gom.current']).toBeNull();
    expect(result.rows[0]?.['temperature.memory']).toBeNull();
  });

  it('reads columns from the header when there is one, whatever their order (TITAN V + RTX 5880)', () => {
    const result = parseNvidiaQueryCsv(fixture('titanv-rtx5880-query-header.csv'));
    expect(result.kind).toBe('rows');
    if (result.kind !== 'rows') return;
    const gpus = nvidiaRowsToGpus(result.rows);
    expect(gpus.map((gpu) => [gpu.model, gpu.computeCapability, gpu.driver])).toEqual([
      ['NVIDIA TITAN V', '7.0', '570.86.15'],
      ['NVIDIA RTX 5880 Ada Generation', '8.9', '570.86.15'],
    ]);
    expect(gpus[0]?.vramBytes).toBeNull();
    expect(gpus[0]?.vramSource).toBe('unknown');
  });

  it('parses a single headerless column for several GPUs', () => {
    const result = parseNvidiaQueryCsv(fixture('compute-cap-4x-noheader.csv'), ['compute_cap']);
    expect(result.kind === 'rows' && result.rows.map((row) => row['compute_cap'])).toEqual(['8.6', '8.6', '8.6', '8.6']);
  });

  it('treats mig.mode.current "[N/A]" as no MIG information', () => {
    const result = parseNvidiaQueryCsv(fixture('mig-mode-rtx.csv'));
    expect(result.kind).toBe('rows');
    if (result.kind === 'rows') expect(nvidiaRowsToGpus(result.rows)[0]?.mig).toBeNull();
  });

  it('recognises an old driver refusing compute_cap, so the query can be retried without it', () => {
    expect(parseNvidiaQueryCsv(fixture('old-driver-compute-cap.txt'))).toEqual({ kind: 'unknown-field', field: 'compute_cap' });
  });

  it('recognises the "could not communicate with the driver" failure', () => {
    const result = parseNvidiaQueryCsv(fixture('driver-error.txt'));
    expect(result.kind).toBe('driver-error');
    if (result.kind === 'driver-error') expect(result.message).toMatch(/couldn't communicate with the NVIDIA driver/u);
  });

  it('refuses garbage instead of inventing GPUs', () => {
    expect(parseNvidiaQueryCsv('Segmentation fault, core dumped\n').kind).toBe('garbage');
    expect(parseNvidiaQueryCsv('\n\n').kind).toBe('no-devices');
    expect(parseNvidiaQueryCsv('No devices were found\n').kind).toBe('no-devices');
  });
});

describe('nvidia-smi plain output', () => {
  it.each([
    ['rtx3060-plain.txt', '580.95.05', '13.0'],
    ['rtx3090-cuda11.1-plain.txt', '455.23.05', '11.1'],
    ['a100x2-cuda13-plain.txt', '580.126.09', '13.0'],
    ['h100x8-plain-excerpt.txt', '550.54.15', '12.4'],
    ['mig-a100x2-header-plain.txt', '510.47.03', '11.6'],
    // Driver 610 renamed the header fields.
    ['b200x2-kmd-version-plain.txt', '610.43.02', '13.3'],
  ])('reads driver and CUDA version from the header of %s', (file, driver, cudaVersion) => {
    expect(parseNvidiaSmiHeader(fixture(file))).toEqual({ driver, cudaVersion });
  });

  it('gives nulls for a header it does not know', () => {
    expect(parseNvidiaSmiHeader(fixture('driver-error.txt'))).toEqual({ driver: null, cudaVersion: null });
  });

  it('reads GPU rows: name, bus id, memory and MIG mode', () => {
    expect(parseNvidiaSmiTable(fixture('rtx3060-plain.txt'))).toEqual([
      { index: 0, name: 'NVIDIA GeForce RTX 3060', busId: '00000001:01:00.0', memoryTotalMiB: 12288, migMode: null },
    ]);
    const a100 = parseNvidiaSmiTable(fixture('mig-a100x2-header-plain.txt'));
    expect(a100.map((row) => [row.index, row.memoryTotalMiB, row.migMode])).toEqual([
      [0, 81920, 'Disabled'],
      [1, 81920, 'Enabled'],
    ]);
    const b200 = parseNvidiaSmiTable(fixture('b200x2-kmd-version-plain.txt'));
    expect(b200.map((row) => [row.name, row.memoryTotalMiB])).toEqual([
      ['NVIDIA B200', 183359],
      ['NVIDIA B200', 183359],
    ]);
  });

  it('keeps a GPU row whose memory line was cut off, with unknown memory', () => {
    const rows = parseNvidiaSmiTable(fixture('h100x8-plain-excerpt.txt'));
    expect(rows.map((row) => [row.name, row.memoryTotalMiB])).toEqual([
      ['NVIDIA H100 80GB HBM3', 81559],
      ['NVIDIA H100 80GB HBM3', null],
    ]);
  });

  it('lists MIG slices with their memory', () => {
    const devices = parseMigDevices(fixture('mig-devices-section.txt'));
    expect(devices.map((d) => [d.gpuIndex, d.gpuInstance, d.computeInstance, d.migDevice])).toEqual([
      [1, 3, 0, 0],
      [1, 5, 0, 1],
      [1, 6, 0, 2],
      [2, 3, 0, 0],
    ]);
    expect(devices[0]?.memoryBytes).toBe(19968 * MIB);
    expect(parseMigDevices(fixture('rtx3060-plain.txt'))).toEqual([]);
  });
});

describe('rocm-smi', () => {
  it('parses the JSON of an RX 7900 XT with exact VRAM', () => {
    const gpus = parseRocmSmiJson(fixture('rocm-smi-rx7900xt.json'));
    expect(gpus).toHaveLength(1);
    expect(gpus?.[0]).toMatchObject({ vendor: 'AMD', model: 'Radeon RX 7900 XT', vramBytes: 21458059264, vramSource: 'rocm-smi', computeCapability: 'gfx1100' });
  });

  it('returns null for text that is not rocm-smi JSON (its CSV, or garbage)', () => {
    expect(parseRocmSmiJson(fixture('rocm-smi-rx7900xt.csv'))).toBeNull();
    expect(parseRocmSmiJson('ERROR: rocm-smi crashed')).toBeNull();
  });
});
