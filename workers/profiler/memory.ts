/** Memory: total, available to a new process, and swap. */
import type { Systeminformation } from 'systeminformation';
import type { MemoryInfo } from './types.js';

/** From `si.mem()`, falling back to `os.totalmem()/freemem()` when it fails. */
export async function collectMemory(
  mem: () => Promise<Systeminformation.MemData>,
  fallback: { total: number; free: number },
): Promise<{ memory: MemoryInfo; notes: string[] }> {
  try {
    const data = await mem();
    if (!(data.total > 0)) throw new Error('reported 0 bytes');
    return {
      memory: {
        totalBytes: data.total,
        // `available` is MemAvailable on Linux; other platforms report free.
        availableBytes: data.available > 0 ? data.available : data.free,
        swapTotalBytes: data.swaptotal,
        swapFreeBytes: data.swapfree,
      },
      notes: [],
    };
  } catch (error) {
    return {
      memory: { totalBytes: fallback.total, availableBytes: fallback.free, swapTotalBytes: 0, swapFreeBytes: 0 },
      notes: [`memory details from systeminformation failed (${error instanceof Error ? error.message : String(error)}); swap unknown`],
    };
  }
}
