/** OS, runtime versions and the stable machine identifier. */
import { createHash } from 'node:crypto';
import type { Systeminformation } from 'systeminformation';
import type { OsInfo } from './types.js';

export interface OsSources {
  osInfo: () => Promise<Systeminformation.OsData>;
  uuid: () => Promise<Systeminformation.UuidData>;
  system: () => Promise<Systeminformation.SystemData>;
  hostname: string;
  platform: string;
  arch: string;
  release: string;
  versions: NodeJS.ProcessVersions;
}

/**
 * A machine id that survives reboots and re-profiling: SHA-256 of the OS install id (machine-id on
 * Linux, MachineGuid on Windows, IOPlatformUUID on macOS), the hardware uuid and the hostname,
 * first 16 hex digits. Hostname alone is not enough (two labs both have "workstation-1").
 */
export function machineIdFrom(osUuid: string, hardwareUuid: string, hostname: string): string {
  return createHash('sha256').update(`${osUuid}\n${hardwareUuid}\n${hostname.toLowerCase()}`).digest('hex').slice(0, 16);
}

export async function collectOs(sources: OsSources): Promise<{ os: OsInfo; machineId: string; hostname: string }> {
  const [info, ids, system] = await Promise.all([
    sources.osInfo().catch(() => null),
    sources.uuid().catch(() => null),
    sources.system().catch(() => null),
  ]);
  const hostname = info?.hostname || sources.hostname;
  return {
    os: {
      platform: info?.platform || sources.platform,
      distro: info?.distro || sources.platform,
      release: info?.release || sources.release,
      kernel: info?.kernel || sources.release,
      arch: info?.arch || sources.arch,
      node: sources.versions.node,
      electron: sources.versions['electron'] ?? null,
      virtual: system ? Boolean(system.virtual) : null,
    },
    machineId: machineIdFrom(ids?.os ?? '', ids?.hardware ?? '', hostname),
    hostname,
  };
}
