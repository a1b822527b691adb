/**
 * The Hardware page's steps for the detected NVIDIA driver. Drivers and CUDA versions come from the
 * headers of real nvidia-smi outputs (test/fixtures/nvidia-smi/README.md), parsed by the profiler's
 * own parser; the thresholds are NVIDIA's compatibility table (common/cuda11.ts).
 */
import { describe, expect, it } from 'vitest';
import { compareVersions, CUDA11_WHEELS, pipInstallCommand } from '../../../common/cuda11.js';
import { driverSteps } from '../../../workers/profiler/driver-steps.js';
import { parseNvidiaSmiHeader } from '../../../workers/profiler/nvidia-smi.js';
import type { GpuInfo } from '../../../workers/profiler/types.js';
import { fixture } from './helpers.js';

function nvidiaFrom(file: string, model: string): GpuInfo {
  const { driver, cudaVersion } = parseNvidiaSmiHeader(fixture(file));
  return { vendor: 'NVIDIA', model, vramBytes: null, vramSource: 'nvidia-smi', sharedMemory: false, driver, cudaVersion, computeCapability: null, powerLimitW: null, temperatureC: null, utilizationPercent: null, busId: null, mig: null };
}

const fresh = { platform: 'linux' as const, gpuPackageInstalled: false, gpuBackendWorks: false };

describe('driverSteps', () => {
  it.each([
    // [fixture, GPU, CUDA releases the driver runs]
    ['rtx3060-plain.txt', 'NVIDIA GeForce RTX 3060', ['11.x', '12.x', '13.x']],
    ['h100x8-plain-excerpt.txt', 'NVIDIA H100 80GB HBM3', ['11.x', '12.x']],
    ['mig-a100x2-header-plain.txt', 'NVIDIA A100 80GB PCIe', ['11.x']],
    ['b200x2-kmd-version-plain.txt', 'NVIDIA B200', ['11.x', '12.x', '13.x']],
  ])('%s: says which CUDA runtimes the driver runs; CUDA 11 among them, so tfjs-node-gpu can', (file, model, runs) => {
    const steps = driverSteps({ ...fresh, gpus: [nvidiaFrom(file, model)] });
    expect(steps?.runtimes.filter((row) => row.runs).map((row) => row.cuda)).toEqual(runs);
    expect(steps?.tfjsGpu).toBe(true);
    expect(steps?.summary).toContain(`Driver ${steps?.driver}`);
    expect(steps?.summary).toContain(`runs ${runs.map((cuda) => `CUDA ${cuda}`).join(', ')}`);
  });

  it('gives the steps in order: the package, the pinned pip command, the folder, the check again; then the kernel cache', () => {
    const steps = driverSteps({ ...fresh, gpus: [nvidiaFrom('h100x8-plain-excerpt.txt', 'NVIDIA H100 80GB HBM3')] })!;
    expect(steps.steps).toHaveLength(5);
    expect(steps.steps[0]).toContain('`npm install @tensorflow/tfjs-node-gpu@4.22.0`');
    expect(steps.steps[1]).toContain(`\`${pipInstallCommand()}\``);
    expect(steps.steps[2]).toContain('`pilot gpu libraries ~/cuda11 --save`');
    expect(steps.steps[3]).toContain('`pilot hardware`');
    expect(steps.steps[4]).toMatch(/Preparing the GPU.*cuda-cache, up to 4 GiB/u);
    // With the package in place, that step goes; with the GPU already working, only the confirmation remains.
    expect(driverSteps({ ...fresh, gpuPackageInstalled: true, gpus: [nvidiaFrom('h100x8-plain-excerpt.txt', 'H100')] })!.steps).toHaveLength(4);
    expect(driverSteps({ ...fresh, gpuPackageInstalled: true, gpuBackendWorks: true, gpus: [nvidiaFrom('h100x8-plain-excerpt.txt', 'H100')] })!.steps[0]).toMatch(/^Nothing to do/u);
  });

  it('asks for a driver update first when the driver predates CUDA 11 minor version compatibility', () => {
    // nvidia-smi header of tensorflow/tensorflow#43718: driver 455.23.05 runs CUDA 11.x from 450.80.02 on.
    expect(driverSteps({ ...fresh, gpus: [nvidiaFrom('rtx3090-cuda11.1-plain.txt', 'GeForce RTX 3090')] })?.tfjsGpu).toBe(true);
    const old = driverSteps({ ...fresh, gpus: [{ ...nvidiaFrom('rtx3090-cuda11.1-plain.txt', 'Tesla T4'), driver: '450.51.06', cudaVersion: '11.0' }] })!;
    expect(old.tfjsGpu).toBe(false);
    expect(old.runtimes.every((row) => !row.runs)).toBe(true);
    expect(old.steps[0]).toMatch(/^Update the NVIDIA driver to 450\.80\.02 or newer \(Linux\)/u);
    const windows = driverSteps({ ...fresh, platform: 'win32', gpus: [{ ...nvidiaFrom('rtx3060-plain.txt', 'RTX 3060'), driver: '452.06' }] })!;
    expect(windows.runtimes[0]).toEqual({ cuda: '11.x', minimum: '452.39', runs: false });
  });

  it('is absent without an NVIDIA driver', () => {
    expect(driverSteps({ ...fresh, gpus: [] })).toBeNull();
    expect(driverSteps({ ...fresh, gpus: [{ ...nvidiaFrom('driver-error.txt', 'NVIDIA GPU') }] })).toBeNull();
  });
});

describe('the CUDA 11 wheels', () => {
  it('pins cuDNN below 9 (the unpinned wheel is cuDNN 9, whose libcudnn.so.9 tfjs-node-gpu cannot load) and quotes it for the shell', () => {
    const command = pipInstallCommand('/opt/cuda11');
    expect(command).toContain("'nvidia-cudnn-cu11>=8.6,<9'");
    for (const { spec } of CUDA11_WHEELS.filter((entry) => entry.wheel !== 'nvidia-cudnn-cu11')) expect(spec).toMatch(/^nvidia-[a-z-]+-cu11==(11|10)\.\d+\.\d+(\.\d+)?$/u);
    expect(compareVersions('580.95.05', '580')).toBeGreaterThan(0);
    expect(compareVersions('525.60.13', '525.60.13')).toBe(0);
    expect(compareVersions('470.182.03', '525.60.13')).toBeLessThan(0);
  });
});
