/**
 * Whether the process that owns a job (or a lock) is still the one that took it. A PID alone is
 * not enough: after a restart or a reboot the same number can belong to any other process, and a
 * job would stay `running` forever. So an owner is recorded as its PID plus its start identity:
 *
 * - Linux: the boot id (/proc/sys/kernel/random/boot_id) and the process's start time in clock
 *   ticks since boot (/proc/PID/stat, field 22). Both together are unique for the machine's life.
 * - macOS and other Unixes: the start time `ps -o lstart=` prints (to the second; a PID reused
 *   within the same second is the one case this misses).
 * - Windows: the process's creation time, from PowerShell (`Get-Process -Id N`, StartTime) or,
 *   where PowerShell is missing or blocked, `wmic process … get CreationDate`; both come from the
 *   same kernel creation time, written here as milliseconds since 1970 (UTC) so either reads the
 *   same. Each look costs a process start, so an answer is kept for a few seconds per PID.
 * - Where none can be read (e.g. /proc mounted with hidepid): null, and liveness falls back to
 *   the PID alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { JobOwner } from '../../db/jobs.js';

/** What became of a recorded owner: still there, gone, or its PID now belongs to another process. */
export type OwnerState = 'alive' | 'gone' | 'reused';

let bootId: string | null | undefined;

function linuxBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** The start identity of process `pid`; null when it cannot be read here (or the process is gone). */
export function processStart(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    const boot = linuxBootId();
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 2 (the command name) is in parentheses and may itself hold spaces or ')': the
      // fields after the last ')' start at field 3, so field 22 is the 20th of them.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = fields[19];
      if (boot && ticks && /^\d+$/.test(ticks)) return `linux:${boot}:${ticks}`;
    } catch {
      return null;
    }
    return null;
  }
  if (process.platform === 'win32') return windowsStartCached(pid);
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return started ? `ps:${started}` : null;
  } catch {
    return null;
  }
}

/** Runs a command and returns its stdout; throws when it cannot run or fails. */
export type RunCommand = (file: string, args: string[]) => string;

const runCommand: RunCommand = (file, args) => execFileSync(file, args, { encoding: 'utf8', timeout: 5000, windowsHide: true, stdio: ['ignore', 'pipe', 'ignore'] });

/**
 * A Windows process's start identity, `win:<ms since 1970 UTC>`, from PowerShell's StartTime (as
 * ISO 8601 UTC) or wmic's CreationDate (`yyyymmddHHMMSS.mmmmmm±UUU`, UUU the offset in minutes);
 * null when neither answers (the process is gone, or both tools are unavailable).
 */
export function windowsProcessStart(pid: number, run: RunCommand = runCommand): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const out = run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToUniversalTime().ToString('o')`]);
    const ms = parseIsoUtc(out.trim());
    if (ms !== null) return `win:${ms}`;
  } catch {
    // PowerShell missing, blocked by policy, or no such process: wmic is asked next.
  }
  try {
    const out = run('wmic', ['process', 'where', `ProcessId=${pid}`, 'get', 'CreationDate', '/value']);
    const ms = parseWmicDate(/CreationDate=(\S+)/.exec(out)?.[1] ?? '');
    if (ms !== null) return `win:${ms}`;
  } catch {
    // Neither tool: the PID alone decides.
  }
  return null;
}

/** `2026-12-02T05:50:36.1234567Z` → whole milliseconds since 1970 (fractions truncated, not rounded). */
export function parseIsoUtc(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]00:00)$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = ''] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** wmic's `20261202065036.123456+060` (local time, offset in minutes east of UTC) → milliseconds since 1970. */
export function parseWmicDate(text: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-]\d{3})$/.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, micro, offset] = match;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Math.floor(Number(micro) / 1000);
  return local - Number(offset) * 60_000;
}

const WINDOWS_CACHE_MS = 5000;
const windowsSeen = new Map<number, { at: number; start: string | null }>();

function windowsStartCached(pid: number): string | null {
  const now = Date.now();
  const seen = windowsSeen.get(pid);
  if (seen && now - seen.at < WINDOWS_CACHE_MS) return seen.start;
  const start = windowsProcessStart(pid);
  windowsSeen.set(pid, { at: now, start });
  return start;
}

let own: JobOwner | undefined;

/** This process as an owner. */
export function ownIdentity(): JobOwner {
  own ??= { pid: process.pid, start: processStart(process.pid) };
  return own;
}

/** Whether a process with this PID exists (EPERM: it exists but belongs to another user). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The recorded owner's state now. An owner recorded without a start identity (rows from before
 * it was kept, or a machine where it cannot be read) is judged by its PID alone.
 */
export function ownerState(owner: JobOwner): OwnerState {
  if (!pidExists(owner.pid)) return 'gone';
  if (owner.start === null) return 'alive';
  const now = processStart(owner.pid);
  if (now === null) return pidExists(owner.pid) ? 'alive' : 'gone';
  return now === owner.start ? 'alive' : 'reused';
}

/** One line on an owner that is not there any more, for job errors and lock messages. */
export function describeGone(owner: JobOwner, state: Exclude<OwnerState, 'alive'>): string {
  return state === 'gone'
    ? `its process (PID ${owner.pid}) is no longer running`
    : `its process (PID ${owner.pid}) is gone; that PID now belongs to another program`;
}
