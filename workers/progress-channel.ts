/**
 * The progress side channel a worker gets from the supervisor (main/jobs/worker-process.ts): a
 * file descriptor that a worker thread can write progress lines to while the worker's event loop
 * is blocked (workers/tfjs/first-batch.ts). The worker entry takes it from the environment at
 * start, so processes the worker starts do not inherit a variable naming a descriptor they lack.
 */
let channel: number | null = null;

/** Reads and removes PILOT_PROGRESS_FD (the worker entry calls it once). */
export function takeProgressChannel(env: NodeJS.ProcessEnv = process.env): void {
  const fd = Number.parseInt(env['PILOT_PROGRESS_FD'] ?? '', 10);
  delete env['PILOT_PROGRESS_FD'];
  channel = Number.isInteger(fd) && fd > 2 ? fd : null;
}

/** The side channel's descriptor, or null when this process has none (engines run in-process). */
export function progressChannel(): number | null {
  return channel;
}
