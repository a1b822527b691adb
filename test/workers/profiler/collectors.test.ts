import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Systeminformation } from 'systeminformation';
import { afterAll, describe, expect, it } from 'vitest';
import { collectCpu, trainingFlags } from '../../../workers/profiler/cpu.js';
import { classifyDisk, collectDisk, existingAncestor, mountFor, parentDiskName } from '../../../workers/profiler/disk.js';
import { collectMemory } from '../../../workers/profiler/memory.js';
import { collectOs, machineIdFrom } from '../../../workers/profiler/os-info.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'profiler-collect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cpu', () => {
  it('keeps only the training-relevant flags of a /proc/cpuinfo line', () => {
    const line = 'fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 avx512f avx512dq avx512_bf16 avx_vnni aes';
    expect(trainingFlags(line, 'x64')).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_bf16', 'avx_vnni']);
  });

  it('reports NEON on ARM (Linux says asimd; Apple silicon says nothing)', () => {
    expect(trainingFlags('fp asimd evtstrm aes pmull sha1 sha2 crc32', 'arm64')).toEqual(['neon']);
    expect(trainingFlags('', 'arm64')).toEqual(['neon']);
    expect(trainingFlags('fp asimd', 'arm')).toEqual(['neon']);
  });

  it('falls back to os.cpus() when systeminformation fails', async () => {
    const { cpu, notes } = await collectCpu({
      cpu: async () => {
        throw new Error('no /proc');
      },
      flags: async () => 'avx2 fma',
      cache: async () => {
        throw new Error('no cache');
      },
      osCpus: () => [
        { model: 'Test CPU 9000', speed: 3200 },
        { model: 'Test CPU 9000', speed: 3200 },
      ],
      arch: 'x64',
    });
    expect(cpu).toMatchObject({ model: 'Test CPU 9000', logicalCores: 2, physicalCores: 2, baseClockGHz: 3.2, maxClockGHz: null, flags: ['avx2', 'fma'] });
    expect(cpu.caches).toEqual({ l1d: null, l1i: null, l2: null, l3: null });
    expect(notes[0]).toMatch(/no \/proc/u);
  });

  it('uses systeminformation figures when present', async () => {
    const { cpu } = await collectCpu({
      cpu: async () => ({ manufacturer: 'AMD', brand: 'EPYC', vendor: 'AuthenticAMD', cores: 2, physicalCores: 2, speed: 0, speedMax: 3.7, flags: 'avx2' }) as Systeminformation.CpuData,
      flags: async () => '',
      cache: async () => ({ l1d: 98304, l1i: 65536, l2: 2097152, l3: 33554432 }),
      osCpus: () => [],
      arch: 'x64',
    });
    expect(cpu).toMatchObject({ model: 'AMD EPYC', vendor: 'AuthenticAMD', baseClockGHz: null, maxClockGHz: 3.7, flags: ['avx2'] });
    expect(cpu.caches.l3).toBe(33554432);
  });
});

describe('memory', () => {
  it('prefers MemAvailable, and falls back to os figures when systeminformation fails', async () => {
    const good = await collectMemory(async () => ({ total: 100, free: 10, available: 60, swaptotal: 5, swapfree: 4 }) as Systeminformation.MemData, { total: 1, free: 1 });
    expect(good.memory).toEqual({ totalBytes: 100, availableBytes: 60, swapTotalBytes: 5, swapFreeBytes: 4 });
    const bad = await collectMemory(async () => {
      throw new Error('boom');
    }, { total: 200, free: 50 });
    expect(bad.memory).toEqual({ totalBytes: 200, availableBytes: 50, swapTotalBytes: 0, swapFreeBytes: 0 });
    expect(bad.notes[0]).toMatch(/swap unknown/u);
  });
});

describe('disk', () => {
  it('maps partitions to their disk', () => {
    expect(parentDiskName('/dev/nvme0n1p2')).toBe('nvme0n1');
    expect(parentDiskName('/dev/sda1')).toBe('sda');
    expect(parentDiskName('/dev/vda')).toBe('vda');
    expect(parentDiskName('/dev/mmcblk0p1')).toBe('mmcblk0');
  });

  it('picks the longest mount prefix', () => {
    const mounts = [{ mount: '/' }, { mount: '/data' }, { mount: '/data2' }] as Systeminformation.FsSizeData[];
    expect(mountFor('/data/pilot', mounts)?.mount).toBe('/data');
    expect(mountFor('/data2x', mounts)?.mount).toBe('/');
    expect(mountFor('C:\\Users\\me', [{ mount: 'C:' }] as Systeminformation.FsSizeData[])?.mount).toBe('C:');
  });

  it('classifies NVMe by name, virtual disks as unknown, and otherwise by what the OS says', () => {
    expect(classifyDisk('nvme0n1', undefined, []).type).toBe('NVMe');
    const virtio = classifyDisk('vda', { physical: 'HDD' } as Systeminformation.BlockDevicesData, []);
    expect(virtio.type).toBe('unknown');
    expect(virtio.detail).toMatch(/virtual disk/u);
    expect(classifyDisk('sda', undefined, [{ device: '/dev/sda', type: 'SSD', interfaceType: 'SATA', name: 'Samsung 870' } as Systeminformation.DiskLayoutData]).type).toBe('SSD');
    expect(classifyDisk('sdb', { physical: 'HDD' } as Systeminformation.BlockDevicesData, []).type).toBe('HDD');
    expect(classifyDisk(null, undefined, [])).toEqual({ type: 'unknown', detail: 'not detected (the OS did not report the drive type)' });
  });

  it('measures free space of a data directory that does not exist yet, via its nearest ancestor', async () => {
    const missing = path.join(tmp, 'not', 'yet');
    expect(existingAncestor(missing)).toBe(tmp);
    const { disk } = await collectDisk(missing, {
      fsSize: async () => [],
      blockDevices: async () => [],
      diskLayout: async () => [],
      statfs: async () => ({ bsize: 4096, blocks: 1000, bavail: 250 }),
    });
    expect(disk).toMatchObject({ path: missing, sizeBytes: 4096 * 1000, freeBytes: 4096 * 250, type: 'unknown', mount: null });
  });

  it('says "not detected" and keeps going when every source fails', async () => {
    const fail = async () => {
      throw new Error('nope');
    };
    const { disk, notes } = await collectDisk(tmp, { fsSize: fail, blockDevices: fail, diskLayout: fail, statfs: fail });
    expect(disk.freeBytes).toBeNull();
    expect(disk.type).toBe('unknown');
    expect(notes[0]).toMatch(/free space of .* unknown: nope/u);
  });
});

describe('os and machine id', () => {
  it('is a stable hash of the OS id, hardware id and hostname (case-insensitive hostname)', () => {
    const id = machineIdFrom('3d1219c7', '', 'VM');
    expect(id).toMatch(/^[0-9a-f]{16}$/u);
    expect(machineIdFrom('3d1219c7', '', 'vm')).toBe(id);
    expect(machineIdFrom('other-install', '', 'vm')).not.toBe(id);
  });

  it('reports Node and Electron versions and survives systeminformation failing', async () => {
    const fail = async () => {
      throw new Error('x');
    };
    const { os: info, hostname, machineId } = await collectOs({
      osInfo: fail,
      uuid: fail,
      system: fail,
      hostname: 'lab-7',
      platform: 'win32',
      arch: 'x64',
      release: '10.0.22631',
      versions: { ...process.versions, node: '20.11.0', electron: '42.0.0' } as NodeJS.ProcessVersions,
    });
    expect(info).toMatchObject({ platform: 'win32', node: '20.11.0', electron: '42.0.0', virtual: null, kernel: '10.0.22631' });
    expect(hostname).toBe('lab-7');
    expect(machineId).toBe(machineIdFrom('', '', 'lab-7'));
  });
});
