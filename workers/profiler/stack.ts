/**
 * The training stack diagnosis: which TensorFlow.js backend each pilot kind would get, why not a
 * better one, and — where an NVIDIA GPU is present but unused — exactly why and what to do.
 */
import { pipInstallCommand } from '../../common/cuda11.js';
import { driverSteps } from './driver-steps.js';
import { versionOf } from './libraries.js';
import type { BackendName, BackendStatus, GpuInfo, LibrarySearch, PilotBackend, PilotKind, StackDiagnosis, StackProblem } from './types.js';
import { PILOT_KINDS } from './types.js';

/**
 * Kernels a kind's reference model needs for training, beyond the dense ones every backend has.
 * Stock tfjs-backend-wasm 4.22 registers Conv2D but not its gradients, so CNNs cannot train there.
 */
export const TRAINING_KERNELS: Record<PilotKind, string[]> = {
  tabular: [],
  anomaly: [],
  timeseries: [],
  image: ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPool', 'MaxPoolGrad'],
  text: [],
};

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface StackInput {
  gpus: GpuInfo[];
  backends: BackendStatus[];
  libraries: { cudart: LibrarySearch; cudnn: LibrarySearch } | null;
  /** nvidia-smi's message when it cannot talk to the driver. */
  nvidiaDriverError: string | null;
  /** Whether a kernel is registered for a backend (tfjs `getKernel`); injected so tests need not load tfjs. */
  hasKernel: (kernel: string, backend: BackendName) => boolean;
  platform: NodeJS.Platform;
}

/** Picks the backend for one pilot kind: the best available that has the kernels it needs. */
export function backendForPilot(kind: PilotKind, input: Pick<StackInput, 'backends' | 'hasKernel'>): PilotBackend {
  const statuses = new Map(input.backends.map((status) => [status.name, status]));
  const skipped: string[] = [];
  for (const name of ORDER) {
    const status = statuses.get(name);
    if (!status?.available) {
      if (status) skipped.push(`${name}: ${status.reason}`);
      continue;
    }
    // libtensorflow implements every kernel; the JS backends are checked one by one.
    const missing = name === 'tensorflow' ? [] : TRAINING_KERNELS[kind].filter((kernel) => !input.hasKernel(kernel, name));
    if (missing.length > 0) {
      skipped.push(`${name}: cannot train this model (kernel${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not registered for ${name})`);
      continue;
    }
    const detail = name === 'tensorflow' ? `${status.reason}, ${status.gpu ? 'on the GPU' : 'on the CPU'}` : status.reason;
    return {
      template: kind,
      backend: name,
      reason: skipped.length === 0 ? `${detail}: the best backend.` : `${detail}. Not ${skipped.join('. Not ')}.`,
    };
  }
  return { template: kind, backend: null, reason: `no backend can train it: ${skipped.join('; ')}` };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function libraryProblem(kind: 'cudart' | 'cudnn', search: LibrarySearch, platform: NodeJS.Platform): StackProblem | null {
  if (search.foundAt) return null;
  const what = kind === 'cudart' ? 'CUDA 11 runtime' : 'cuDNN 8';
  const parts = [`The ${what} (${search.wanted}) is not on the library path.`];
  if (search.notOnPath.length > 0) {
    parts.push(`It exists at ${search.notOnPath.join(', ')}, where the loader does not look.`);
  }
  if (search.otherVersions.length > 0) {
    const versions = [...new Set(search.otherVersions.map((file) => versionOf(file)).filter((v): v is string => v !== null))];
    parts.push(
      `Found ${kind === 'cudart' ? 'CUDA' : 'cuDNN'} ${versions.join(', ')} instead (${search.otherVersions.slice(0, 3).join(', ')}); tfjs-node-gpu 4.x is built against CUDA 11.2 + cuDNN 8.1 and cannot use ${versions.length > 1 ? 'them' : 'it'}.`,
    );
  }
  const pathVar = platform === 'win32' ? 'PATH' : 'LD_LIBRARY_PATH';
  // A newer driver runs CUDA 11 code, so the runtime libraries alone are enough: pip installs
  // them into a folder of their own, beside whatever CUDA the system has, without root.
  const folders = search.notOnPath.map((file) => file.replace(/[\\/][^\\/]+$/u, ''));
  const fix =
    search.notOnPath.length > 0
      ? `Run \`pilot gpu libraries ${folders.join(' ')} --save\` (or add ${folders.join(', ')} to ${pathVar}${platform === 'win32' ? '' : ', or to /etc/ld.so.conf.d/ and run ldconfig'}), then profile again.`
      : `Install the CUDA 11 libraries into a folder of their own (no root, beside any newer CUDA): \`${pipInstallCommand()}\`, then run \`pilot gpu libraries ~/cuda11 --save\` (or give the folder on the Hardware page) and profile again.`;
  return { id: `${kind}-missing`, message: parts.join(' '), fix };
}

/** Diagnoses the stack. Problems are listed in the order to fix them. */
export function diagnoseStack(input: StackInput): StackDiagnosis {
  const pilots = PILOT_KINDS.map((kind) => backendForPilot(kind, input));
  const problems: StackProblem[] = [];
  const nvidia = input.gpus.filter((gpu) => gpu.vendor === 'NVIDIA');
  const tensorflow = input.backends.find((status) => status.name === 'tensorflow');

  if (input.nvidiaDriverError) {
    problems.push({
      id: 'nvidia-driver-error',
      message: `nvidia-smi cannot talk to the NVIDIA driver: ${input.nvidiaDriverError}`,
      fix: 'Install (or reinstall) the NVIDIA driver — 450.80.02 or newer on Linux, 452.39 or newer on Windows — and reboot.',
    });
  }
  for (const gpu of nvidia) {
    if (gpu.cudaVersion && compareVersions(gpu.cudaVersion, '11.0') < 0) {
      problems.push({
        id: 'driver-too-old',
        message: `The driver ${gpu.driver ?? ''} supports CUDA ${gpu.cudaVersion} at most; tfjs-node-gpu needs CUDA 11.x.`.replace('  ', ' '),
        fix: 'Update the NVIDIA driver to 450.80.02 or newer (Linux) / 452.39 or newer (Windows).',
      });
    }
    if (gpu.computeCapability && compareVersions(gpu.computeCapability, '3.5') < 0) {
      problems.push({
        id: 'gpu-too-old',
        message: `${gpu.model} has compute capability ${gpu.computeCapability}; TensorFlow needs 3.5 or newer.`,
        fix: 'Train on the CPU, or use a newer NVIDIA GPU.',
      });
    }
    if (gpu.mig?.enabled) {
      const slices = gpu.mig.devices.length;
      problems.push({
        id: 'mig-enabled',
        message: `${gpu.model} is split into MIG slices${slices ? ` (${slices} listed)` : ''}: a training process sees one slice, not the whole GPU.`,
        fix: 'Point CUDA_VISIBLE_DEVICES at the MIG slice meant for the pilot, or ask the administrator to disable MIG for a full-GPU run.',
      });
    }
  }
  if (nvidia.length > 0) {
    const gpuName = nvidia[0]?.model ?? 'the NVIDIA GPU';
    if (tensorflow && !tensorflow.available && /not installed/u.test(tensorflow.reason)) {
      problems.push({
        id: 'gpu-package-missing',
        message: `${gpuName} is present but @tensorflow/tfjs-node-gpu is not installed, so training cannot use it.`,
        fix: 'Run `npm install @tensorflow/tfjs-node-gpu@4.22.0` in the app directory (it needs CUDA 11.2 + cuDNN 8.1 on the machine).',
      });
    } else if (tensorflow && !tensorflow.available) {
      problems.push({
        id: 'gpu-package-failed',
        message: `@tensorflow/tfjs-node-gpu is installed but did not load: ${tensorflow.reason}`,
        fix: 'Fix the CUDA/cuDNN libraries listed below, then restart the app.',
      });
    }
    if (input.libraries) {
      const cudart = libraryProblem('cudart', input.libraries.cudart, input.platform);
      const cudnn = libraryProblem('cudnn', input.libraries.cudnn, input.platform);
      if (cudart) problems.push(cudart);
      if (cudnn) problems.push(cudnn);
    }
    if (tensorflow?.available && tensorflow.gpu === false) {
      problems.push({
        id: 'gpu-silent-cpu-fallback',
        message: `The tensorflow backend loaded but sees no GPU: it silently trains on the CPU instead of ${gpuName}.`,
        fix:
          input.libraries && (!input.libraries.cudart.foundAt || !input.libraries.cudnn.foundAt)
            ? 'Make CUDA 11.2 and cuDNN 8.1 visible to the loader (see above), then restart the app.'
            : 'Install @tensorflow/tfjs-node-gpu (not tfjs-node), check CUDA_VISIBLE_DEVICES is not empty, then restart the app.',
      });
    }
  } else {
    const others = input.gpus.filter((gpu) => !gpu.sharedMemory || gpu.vendor === 'Apple');
    for (const gpu of others) {
      problems.push({
        id: 'gpu-not-supported',
        message: `${gpu.model} (${gpu.vendor}) cannot be used: TensorFlow.js under Node uses only NVIDIA GPUs through CUDA.`,
        fix: 'Pilots train on the CPU here; for GPU training use a machine with an NVIDIA GPU.',
      });
    }
  }
  const driver = driverSteps({
    gpus: input.gpus,
    platform: input.platform,
    gpuPackageInstalled: tensorflow?.package === '@tensorflow/tfjs-node-gpu' || (tensorflow !== undefined && !/tfjs-node-gpu is not installed/u.test(tensorflow.reason)),
    gpuBackendWorks: tensorflow?.available === true && tensorflow.gpu === true,
  });
  return { pilots, problems, libraries: input.libraries, driver };
}
