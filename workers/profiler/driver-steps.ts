/**
 * The steps to GPU training for the NVIDIA driver the profiler detected: which CUDA runtimes that
 * driver runs (NVIDIA's compatibility table, common/cuda11.ts), whether tfjs-node-gpu's CUDA 11
 * build can run on it, and exactly what to install and run, in order.
 */
import { compareVersions, CUDA_COMPATIBILITY_SOURCE, CUDA_DRIVER_MINIMUMS, pipInstallCommand } from '../../common/cuda11.js';
import type { DriverSteps, GpuInfo } from './types.js';

/** What the rest of the stack already is, so the steps skip what is done. */
export interface DriverStepsInput {
  gpus: GpuInfo[];
  platform: NodeJS.Platform;
  /** tfjs-node-gpu resolves (installed in the app). */
  gpuPackageInstalled: boolean;
  /** The tensorflow backend loaded and sees the GPU: nothing left to do. */
  gpuBackendWorks: boolean;
}

/** The steps for the first NVIDIA GPU with a known driver; null when there is none. */
export function driverSteps(input: DriverStepsInput): DriverSteps | null {
  const gpu = input.gpus.find((candidate) => candidate.vendor === 'NVIDIA' && candidate.driver);
  if (!gpu?.driver) return null;
  const driver = gpu.driver;
  const windows = input.platform === 'win32';
  const runtimes = CUDA_DRIVER_MINIMUMS.map((row) => {
    const minimum = windows ? row.windows : row.linux;
    return { cuda: row.cuda, minimum, runs: compareVersions(driver, minimum) >= 0 };
  });
  const cuda11 = runtimes[0]!;
  const runs = runtimes.filter((row) => row.runs).map((row) => `CUDA ${row.cuda}`);
  const ceiling = gpu.cudaVersion ? ` (nvidia-smi: CUDA ${gpu.cudaVersion} at most)` : '';
  const summary = cuda11.runs
    ? `Driver ${driver}${ceiling} runs ${runs.join(', ')}: tfjs-node-gpu's CUDA 11 build can use ${gpu.model}. It needs only the CUDA 11 runtime libraries, which install beside any newer CUDA.`
    : `Driver ${driver}${ceiling} is older than ${cuda11.minimum}, the oldest that runs CUDA 11.x: tfjs-node-gpu cannot use ${gpu.model} until the driver is updated.`;
  const steps: string[] = [];
  if (!cuda11.runs) {
    steps.push(`Update the NVIDIA driver to ${cuda11.minimum} or newer (${windows ? 'Windows' : 'Linux'}); any current driver (R525 and later, which run CUDA 12, or R580 and later, CUDA 13) runs CUDA 11 too. Reboot.`);
  }
  if (input.gpuBackendWorks) {
    steps.push('Nothing to do: the tensorflow backend already trains on the GPU. Each training run checks it after its first batch ("GPU confirmed" in its progress).');
  } else {
    if (!input.gpuPackageInstalled) steps.push('Install the GPU build of TensorFlow.js in the app folder: `npm install @tensorflow/tfjs-node-gpu@4.22.0`.');
    steps.push(
      `Install the CUDA 11 libraries into a folder of their own (no root needed, beside any newer CUDA): \`${pipInstallCommand()}\`. These are the last CUDA 11 builds (11.8) and cuDNN 8: cuDNN 9's wheel ships libcudnn.so.9, which tfjs-node-gpu cannot load. A conda environment with cudatoolkit 11.x and cudnn 8.x works too.`,
    );
    steps.push('Point the workbench at that folder and check that each library loads: `pilot gpu libraries ~/cuda11 --save` (or the form below). GPU workers then start with it on their library path.');
    steps.push('Run the check again: `pilot hardware` (or profile again here). The tensorflow backend should show "on the GPU"; the first training run then says "GPU confirmed: <GPU>, N MiB" after its first batch.');
  }
  steps.push(
    'On GPUs newer than libtensorflow 2.9\'s built-in kernels (Hopper, Blackwell), the first batch of the first run compiles them ("Preparing the GPU" in the progress; it can take minutes). They are kept in the CUDA cache in the data folder (cuda-cache, up to 4 GiB), so later runs start at once.',
  );
  return { driver, gpu: gpu.model, cudaVersion: gpu.cudaVersion, runtimes, tfjsGpu: cuda11.runs, summary, steps, source: CUDA_COMPATIBILITY_SOURCE };
}
