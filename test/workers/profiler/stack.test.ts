import { describe, expect, it } from 'vitest';
import { parseLdconfig, searchCudaLibraries } from '../../../workers/profiler/libraries.js';
import { backendForPilot, diagnoseStack, type StackInput } from '../../../workers/profiler/stack.js';
import type { BackendStatus, GpuInfo } from '../../../workers/profiler/types.js';
import { ok, scriptedRunner } from './helpers.js';

/** A fake directory tree: path → file names. */
function fakeReaddir(tree: Record<string, string[]>) {
  return async (dir: string) => {
    const entries = tree[dir];
    if (!entries) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
    return entries;
  };
}

const LDCONFIG_CUDA13 = [
  '1234 libs found in cache `/etc/ld.so.cache\'',
  '\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13',
  '\tlibcudart.so (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so',
  '\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6',
].join('\n');

describe('searchCudaLibraries', () => {
  it('parses ldconfig -p', () => {
    const libraries = parseLdconfig(LDCONFIG_CUDA13);
    expect(libraries.get('libcudart.so.13')).toEqual(['/usr/local/cuda-13.0/lib/libcudart.so.13']);
    expect(libraries.has('1234')).toBe(false);
  });

  it('finds CUDA 13 instead of the CUDA 11 runtime tfjs-node-gpu wants (the state of this machine)', async () => {
    const result = await searchCudaLibraries({
      platform: 'linux',
      arch: 'x64',
      env: {},
      run: scriptedRunner([['ldconfig -p', ok(LDCONFIG_CUDA13)]]),
      readdir: fakeReaddir({ '/usr/local': ['bin', 'cuda', 'cuda-13.0'], '/usr/local/cuda-13.0/lib': ['libcudart.so.13', 'libcudart.so', 'libnvvm.so'] }),
    });
    expect(result?.cudart).toEqual({ wanted: 'libcudart.so.11.0', foundAt: null, otherVersions: ['/usr/local/cuda-13.0/lib/libcudart.so.13'], notOnPath: [] });
    expect(result?.cudnn.foundAt).toBeNull();
  });

  it('finds a CUDA 11.2 install that is not on the library path, and cuDNN 8 on LD_LIBRARY_PATH', async () => {
    const result = await searchCudaLibraries({
      platform: 'linux',
      arch: 'x64',
      env: { LD_LIBRARY_PATH: '/opt/cudnn/lib' },
      run: scriptedRunner([['ldconfig -p', ok('')]]),
      readdir: fakeReaddir({
        '/usr/local': ['cuda-11.2'],
        '/usr/local/cuda-11.2/lib64': ['libcudart.so.11.0', 'libcublas.so.11'],
        '/opt/cudnn/lib': ['libcudnn.so.8', 'libcudnn.so.8.1.1'],
      }),
    });
    expect(result?.cudart.foundAt).toBeNull();
    expect(result?.cudart.notOnPath).toEqual(['/usr/local/cuda-11.2/lib64/libcudart.so.11.0']);
    expect(result?.cudnn.foundAt).toBe('/opt/cudnn/lib/libcudnn.so.8');
  });

  it('looks for the Windows DLLs on PATH and under CUDA_PATH', async () => {
    const bin112 = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2\\bin';
    const result = await searchCudaLibraries({
      platform: 'win32',
      arch: 'x64',
      env: { PATH: `C:\\Windows;${bin112}`, CUDA_PATH: 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v12.4' },
      run: scriptedRunner([]),
      readdir: fakeReaddir({
        [bin112]: ['cudart64_110.dll'],
        'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v12.4\\bin': ['cudart64_12.dll', 'cudnn64_9.dll'],
      }),
    });
    expect(result?.cudart.foundAt).toBe(`${bin112}\\cudart64_110.dll`);
    expect(result?.cudnn).toMatchObject({ wanted: 'cudnn64_8.dll', foundAt: null, otherVersions: ['C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v12.4\\bin\\cudnn64_9.dll'] });
  });

  it('does not search on macOS', async () => {
    expect(await searchCudaLibraries({ platform: 'darwin', arch: 'arm64', env: {}, run: scriptedRunner([]) })).toBeNull();
  });
});

const NOT_INSTALLED: BackendStatus = { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node-gpu is not installed; install it' };
const WASM: BackendStatus = { name: 'wasm', available: true, reason: 'tfjs-backend-wasm (XNNPACK, SIMD, 1 thread)', simd: true, threads: 1 };
const CPU: BackendStatus = { name: 'cpu', available: true, reason: 'tfjs-backend-cpu' };
/** Stock tfjs 4.22 kernel registrations for the kernels the rules check. */
const stockKernels = (kernel: string, backend: string) => backend !== 'wasm' || !['Conv2DBackpropFilter', 'Conv2DBackpropInput'].includes(kernel);

const rtx3060: GpuInfo = {
  vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 3060', vramBytes: 12 * 1024 ** 3, vramSource: 'nvidia-smi', sharedMemory: false,
  driver: '580.95.05', cudaVersion: '13.0', computeCapability: '8.6', powerLimitW: 170, temperatureC: 26, utilizationPercent: 0, busId: null, mig: null,
};

function input(partial: Partial<StackInput>): StackInput {
  return { gpus: [], backends: [NOT_INSTALLED, WASM, CPU], libraries: null, nvidiaDriverError: null, hasKernel: stockKernels, platform: 'linux', ...partial };
}

describe('backendForPilot', () => {
  it('gives tabular pilots wasm and says why not tensorflow', () => {
    const pilot = backendForPilot('tabular', input({}));
    expect(pilot.backend).toBe('wasm');
    expect(pilot.reason).toMatch(/Not tensorflow: @tensorflow\/tfjs-node-gpu is not installed/u);
  });

  it('gives image pilots cpu, because wasm cannot train convolutions', () => {
    const pilot = backendForPilot('image', input({}));
    expect(pilot.backend).toBe('cpu');
    expect(pilot.reason).toMatch(/Not wasm: cannot train this model \(kernels Conv2DBackpropFilter, Conv2DBackpropInput not registered for wasm\)/u);
  });

  it('gives every pilot tensorflow when it is available', () => {
    const gpu: BackendStatus = { name: 'tensorflow', available: true, gpu: true, reason: '@tensorflow/tfjs-node-gpu (libtensorflow with CUDA)' };
    expect(backendForPilot('image', input({ backends: [gpu, WASM, CPU] }))).toMatchObject({ backend: 'tensorflow' });
  });

  it('says none when nothing loads', () => {
    const broken: BackendStatus = { name: 'cpu', available: false, reason: 'cpu backend failed' };
    expect(backendForPilot('tabular', input({ backends: [NOT_INSTALLED, { ...WASM, available: false }, broken] })).backend).toBeNull();
  });
});

describe('diagnoseStack', () => {
  it('with an RTX 3060 and no tfjs-node-gpu: package missing, CUDA 11 runtime missing with CUDA 13 found instead, cuDNN missing', () => {
    const diagnosis = diagnoseStack(
      input({
        gpus: [rtx3060],
        libraries: {
          cudart: { wanted: 'libcudart.so.11.0', foundAt: null, otherVersions: ['/usr/local/cuda-13.0/lib/libcudart.so.13'], notOnPath: [] },
          cudnn: { wanted: 'libcudnn.so.8', foundAt: null, otherVersions: [], notOnPath: [] },
        },
      }),
    );
    expect(diagnosis.problems.map((problem) => problem.id)).toEqual(['gpu-package-missing', 'cudart-missing', 'cudnn-missing']);
    const cudart = diagnosis.problems[1];
    expect(cudart?.message).toMatch(/libcudart\.so\.11\.0\) is not on the library path/u);
    expect(cudart?.message).toMatch(/Found CUDA 13 instead/u);
    expect(cudart?.fix).toMatch(/pip install --target ~\/cuda11 nvidia-cuda-runtime-cu11==11\.8\.89 .*'nvidia-cudnn-cu11>=8\.6,<9'.*pilot gpu libraries ~\/cuda11 --save/u);
  });

  it('names a right library in the wrong place and says which directory to add', () => {
    const diagnosis = diagnoseStack(
      input({
        gpus: [rtx3060],
        backends: [{ name: 'tensorflow', available: false, reason: 'tensorflow backend failed: libcudart.so.11.0: cannot open shared object file' }, WASM, CPU],
        libraries: {
          cudart: { wanted: 'libcudart.so.11.0', foundAt: null, otherVersions: [], notOnPath: ['/usr/local/cuda-11.2/lib64/libcudart.so.11.0'] },
          cudnn: { wanted: 'libcudnn.so.8', foundAt: '/usr/lib/x86_64-linux-gnu/libcudnn.so.8', otherVersions: [], notOnPath: [] },
        },
      }),
    );
    expect(diagnosis.problems.map((problem) => problem.id)).toEqual(['gpu-package-failed', 'cudart-missing']);
    expect(diagnosis.problems[1]?.fix).toMatch(/pilot gpu libraries \/usr\/local\/cuda-11\.2\/lib64 --save.*add \/usr\/local\/cuda-11\.2\/lib64 to LD_LIBRARY_PATH/u);
  });

  it('detects the silent CPU fallback of tfjs-node-gpu', () => {
    const loadedNoGpu: BackendStatus = { name: 'tensorflow', available: true, gpu: false, reason: '@tensorflow/tfjs-node-gpu (libtensorflow on the CPU)' };
    const diagnosis = diagnoseStack(input({ gpus: [rtx3060], backends: [loadedNoGpu, WASM, CPU] }));
    expect(diagnosis.problems.map((problem) => problem.id)).toEqual(['gpu-silent-cpu-fallback']);
    expect(diagnosis.problems[0]?.message).toMatch(/silently trains on the CPU instead of NVIDIA GeForce RTX 3060/u);
  });

  it('flags a driver too old for CUDA 11, the driver error, compute capability below 3.5 and MIG', () => {
    const old = { ...rtx3060, model: 'GeForce GTX 680', cudaVersion: '10.2', driver: '440.95.01', computeCapability: '3.0' };
    const mig = { ...rtx3060, model: 'NVIDIA A100-SXM4-80GB', mig: { enabled: true, devices: [] } };
    const ids = diagnoseStack(input({ gpus: [old, mig], nvidiaDriverError: 'NVIDIA-SMI has failed' })).problems.map((problem) => problem.id);
    expect(ids.slice(0, 4)).toEqual(['nvidia-driver-error', 'driver-too-old', 'gpu-too-old', 'mig-enabled']);
  });

  it('says an AMD GPU cannot be used, and is silent about integrated graphics', () => {
    const amd: GpuInfo = { ...rtx3060, vendor: 'AMD', model: 'Radeon RX 7900 XT', cudaVersion: null };
    const intel: GpuInfo = { ...rtx3060, vendor: 'Intel', model: 'UHD Graphics 770', sharedMemory: true, cudaVersion: null };
    const diagnosis = diagnoseStack(input({ gpus: [amd, intel] }));
    expect(diagnosis.problems).toHaveLength(1);
    expect(diagnosis.problems[0]).toMatchObject({ id: 'gpu-not-supported' });
    expect(diagnosis.problems[0]?.message).toMatch(/Radeon RX 7900 XT/u);
  });

  it('reports no problems on a machine without GPUs', () => {
    expect(diagnoseStack(input({})).problems).toEqual([]);
  });
});
