/**
 * Whether a training worker that loaded tfjs-node-gpu really computes on the GPU, checked after
 * its first batch. libtensorflow falls back to the CPU without a word when a CUDA 11 library is
 * missing (tfjs#8269, #8362, #8505), so the package name is no proof: nvidia-smi's list of compute
 * processes is. A process that holds a CUDA context on a GPU is listed there with its memory; one
 * that fell back to the CPU is not.
 */
import { execFile } from 'node:child_process';
import { parseNvidiaQueryCsv } from '../profiler/nvidia-smi.js';

/** The fields asked of `nvidia-smi --query-compute-apps`, in order. */
export const COMPUTE_APPS_FIELDS = ['pid', 'used_memory', 'gpu_name'] as const;

/** One process nvidia-smi lists as using a GPU. */
export interface ComputeApp {
  pid: number;
  /** MiB of GPU memory it holds; null when the driver does not say (e.g. under WDDM on Windows). */
  usedMiB: number | null;
  gpuName: string | null;
}

/** What the check found. */
export interface GpuConfirmation {
  /** True when nvidia-smi lists this process on a GPU. */
  confirmed: boolean;
  /** The GPU it runs on, when confirmed. */
  gpuName: string | null;
  usedMiB: number | null;
  /**
   * One line for the progress and the result: "GPU confirmed: <name>, N MiB", or a warning that
   * says why it is not and what to do.
   */
  message: string;
}

/** What running nvidia-smi answered: its output, or why it could not run. */
export type SmiAnswer = { ok: true; stdout: string } | { ok: false; error: string };

/**
 * Parses `nvidia-smi --query-compute-apps=… --format=csv[,noheader][,nounits]`: with a header its
 * columns are read from it (any field list), without one `fields` names them.
 */
export function parseComputeApps(text: string, fields: readonly string[] = COMPUTE_APPS_FIELDS): ComputeApp[] | { error: string } {
  if (/no running (compute )?processes found/iu.test(text)) return [];
  const parsed = parseNvidiaQueryCsv(text, fields);
  if (parsed.kind === 'no-devices') return [];
  if (parsed.kind !== 'rows') return { error: parsed.kind === 'unknown-field' ? `this nvidia-smi does not know the field ${parsed.field}` : parsed.message };
  const apps: ComputeApp[] = [];
  for (const row of parsed.rows) {
    const pid = Number.parseInt(row['pid'] ?? '', 10);
    if (!Number.isFinite(pid)) continue;
    const used = Number.parseFloat(row['used_memory'] ?? row['used_gpu_memory'] ?? '');
    apps.push({ pid, usedMiB: Number.isFinite(used) ? used : null, gpuName: row['gpu_name'] ?? null });
  }
  return apps;
}

const NEXT_STEP =
  'Run `pilot gpu libraries DIR --save` with the folder of the CUDA 11 libraries (the Hardware page lists which are missing and the pip command that installs them), then train again.';

/**
 * The verdict for a worker on the `tensorflow` backend (`native`: its package, and whether
 * libtensorflow registered a GPU device; null on another backend); `smi` is nvidia-smi's answer,
 * asked after the first batch, when the worker holds its CUDA context if it has one.
 */
export function confirmGpu(native: { package: string; gpu: boolean } | null, smi: SmiAnswer, pid: number): GpuConfirmation | null {
  // tfjs-node (the CPU build) trains on the CPU by design: nothing to confirm.
  if (!native || native.package !== '@tensorflow/tfjs-node-gpu') return null;
  const none = { confirmed: false, gpuName: null, usedMiB: null };
  if (!native.gpu) {
    return {
      ...none,
      message: `Training runs on the CPU although tfjs-node-gpu loaded: libtensorflow registered no GPU device, which is what a missing CUDA 11 library (most often libcudnn.so.8) or an empty CUDA_VISIBLE_DEVICES does. ${NEXT_STEP}`,
    };
  }
  if (!smi.ok) {
    return { ...none, message: `The GPU could not be confirmed: nvidia-smi did not answer (${smi.error}). libtensorflow reports a GPU device; watch \`nvidia-smi\` while it trains to be sure.` };
  }
  const apps = parseComputeApps(smi.stdout);
  if (!Array.isArray(apps)) return { ...none, message: `The GPU could not be confirmed: nvidia-smi's process list was not readable (${apps.error}).` };
  const mine = apps.filter((app) => app.pid === pid);
  if (mine.length > 0) {
    const usedMiB = mine.every((app) => app.usedMiB === null) ? null : mine.reduce((sum, app) => sum + (app.usedMiB ?? 0), 0);
    const gpuName = [...new Set(mine.map((app) => app.gpuName).filter((name): name is string => name !== null))].join(' + ') || 'NVIDIA GPU';
    return { confirmed: true, gpuName, usedMiB, message: `GPU confirmed: ${gpuName}${usedMiB === null ? '' : `, ${Math.round(usedMiB)} MiB`}` };
  }
  const others = apps.length === 0 ? 'it lists no process at all' : `it lists ${apps.length} other process${apps.length === 1 ? '' : 'es'} (PID ${apps.map((app) => app.pid).slice(0, 5).join(', ')})`;
  return {
    ...none,
    message: `Training runs on the CPU although tfjs-node-gpu loaded: nvidia-smi does not list this worker (PID ${pid}) among the GPU's processes (${others}). In a container nvidia-smi may show other PIDs than the container's; otherwise a CUDA 11 library is missing. ${NEXT_STEP}`,
  };
}

/** Asks nvidia-smi for the GPU's compute processes (never throws). */
export function queryComputeApps(timeoutMs = 10_000): Promise<SmiAnswer> {
  return runSmi([`--query-compute-apps=${COMPUTE_APPS_FIELDS.join(',')}`, '--format=csv,noheader'], timeoutMs);
}

/** The first GPU's name from nvidia-smi, or null (for the "Preparing the GPU" stage). */
export async function firstGpuName(timeoutMs = 10_000): Promise<string | null> {
  const answer = await runSmi(['--query-gpu=name', '--format=csv,noheader'], timeoutMs);
  if (!answer.ok) return null;
  const parsed = parseNvidiaQueryCsv(answer.stdout, ['name']);
  return parsed.kind === 'rows' ? (parsed.rows[0]?.['name'] ?? null) : null;
}

function runSmi(args: string[], timeoutMs: number): Promise<SmiAnswer> {
  return new Promise((done) => {
    execFile('nvidia-smi', args, { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const text = `${stdout}${stderr}`.trim().split('\n')[0];
        done({ ok: false, error: code === 'ENOENT' ? 'nvidia-smi is not on PATH' : text || error.message.split('\n')[0] || 'failed' });
        return;
      }
      done({ ok: true, stdout });
    });
  });
}
