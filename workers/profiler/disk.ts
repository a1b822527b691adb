/**
 * The drive holding the data directory: its type (NVMe/SSD/HDD where the OS says), size and free
 * space. Free space comes from `statfs` on the directory itself, so it is right even when the
 * mount table is unreadable; the type needs systeminformation and is often unknown in VMs.
 */
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Systeminformation } from 'systeminformation';
import type { DiskInfo, DiskType } from './types.js';

export interface DiskSources {
  fsSize: () => Promise<Systeminformation.FsSizeData[]>;
  blockDevices: () => Promise<Systeminformation.BlockDevicesData[]>;
  diskLayout: () => Promise<Systeminformation.DiskLayoutData[]>;
  statfs?: (dir: string) => Promise<{ bsize: number; blocks: number; bavail: number }>;
}

/** The nearest existing ancestor: the data directory may not exist yet on first start. */
export function existingAncestor(dir: string): string {
  let current = path.resolve(dir);
  while (!existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** The mount whose path is the longest prefix of `dir`. */
export function mountFor(dir: string, mounts: Systeminformation.FsSizeData[]): Systeminformation.FsSizeData | null {
  const target = dir.toLowerCase();
  let best: Systeminformation.FsSizeData | null = null;
  for (const mount of mounts) {
    const point = (mount.mount || '').toLowerCase();
    if (!point) continue;
    const prefix = point.endsWith('/') || point.endsWith('\\') ? point : `${point}${target.includes('\\') ? '\\' : '/'}`;
    if ((target === point || target.startsWith(prefix) || point === '/') && (!best || point.length > best.mount.length)) best = mount;
  }
  return best;
}

/** "/dev/nvme0n1p2" → "nvme0n1", "/dev/sda1" → "sda", "/dev/vda" → "vda". */
export function parentDiskName(device: string): string {
  const name = device.replace(/^\/dev\//u, '');
  if (/^(nvme\d+n\d+|mmcblk\d+)p\d+$/u.test(name)) return name.replace(/p\d+$/u, '');
  return name.replace(/(?<=^[a-z]+)\d+$/u, '');
}

/** Decides the drive type from what is known, and says how (or why not). */
export function classifyDisk(
  diskName: string | null,
  block: Systeminformation.BlockDevicesData | undefined,
  layout: Systeminformation.DiskLayoutData[],
): { type: DiskType; detail: string } {
  if (diskName && /^nvme/u.test(diskName)) return { type: 'NVMe', detail: 'NVMe device name' };
  if (diskName && /^(x?vd[a-z]|hyperv)/u.test(diskName)) {
    return { type: 'unknown', detail: `virtual disk (${diskName}): the host's drive type is not visible from inside the VM` };
  }
  const entry = layout.find((disk) => diskName !== null && disk.device.replace(/^\/dev\//u, '') === diskName) ?? (layout.length === 1 ? layout[0] : undefined);
  if (entry) {
    if (/nvme/iu.test(entry.interfaceType) || /nvme/iu.test(entry.type)) return { type: 'NVMe', detail: `drive ${entry.name || entry.device}: NVMe` };
    if (/ssd/iu.test(entry.type)) return { type: 'SSD', detail: `drive ${entry.name || entry.device}: SSD` };
    if (/hd/iu.test(entry.type)) return { type: 'HDD', detail: `drive ${entry.name || entry.device}: rotational` };
  }
  if (block?.physical === 'SSD') return { type: 'SSD', detail: 'the kernel reports a non-rotational device' };
  if (block?.physical === 'HDD') return { type: 'HDD', detail: 'the kernel reports a rotational device' };
  return { type: 'unknown', detail: 'not detected (the OS did not report the drive type)' };
}

/** Describes the drive holding `dataDir`. Never throws: unknowns stay null with a note. */
export async function collectDisk(dataDir: string, sources: DiskSources): Promise<{ disk: DiskInfo; notes: string[] }> {
  const notes: string[] = [];
  const dir = existingAncestor(dataDir);
  const [mounts, blocks, layout] = await Promise.all([
    sources.fsSize().catch(() => []),
    sources.blockDevices().catch(() => []),
    sources.diskLayout().catch(() => []),
  ]);
  let sizeBytes: number | null = null;
  let freeBytes: number | null = null;
  try {
    const stats = await (sources.statfs ?? statfs)(dir);
    sizeBytes = stats.blocks * stats.bsize;
    freeBytes = stats.bavail * stats.bsize;
  } catch (error) {
    notes.push(`free space of ${dir} unknown: ${error instanceof Error ? error.message : String(error)}`);
  }
  const mount = mountFor(dir, mounts);
  sizeBytes ??= mount?.size ?? null;
  freeBytes ??= mount?.available ?? null;
  const device = mount?.fs && mount.fs.startsWith('/dev/') ? mount.fs : null;
  const diskName = device ? parentDiskName(device) : null;
  const block = blocks.find((entry) => entry.name === diskName);
  const { type, detail } = classifyDisk(diskName, block, layout);
  return {
    disk: {
      path: path.resolve(dataDir),
      mount: mount?.mount ?? null,
      device,
      type,
      typeDetail: detail,
      filesystem: mount?.type || null,
      sizeBytes,
      freeBytes,
    },
    notes,
  };
}
