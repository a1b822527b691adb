/**
 * The check that a tfjs-node-gpu worker really runs on the GPU (workers/tfjs/gpu-confirm.ts).
 *
 * This machine has no GPU, no driver and no nvidia-smi. The parser is tested on nvidia-smi
 * `--query-compute-apps` outputs published on GitHub (test/fixtures/nvidia-smi/README.md), and the
 * whole path — running nvidia-smi, reading its answer, finding this process's PID in it — with a
 * stand-in `nvidia-smi` script put first on PATH: that is the only way to exercise the real
 * `execFile` call here. The script prints what the real command prints for this query (one
 * `pid, used_memory, gpu_name` line per process, memory with its " MiB" unit), with this test's
 * own PID (the script's parent) so the check can find it.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmGpu, firstGpuName, parseComputeApps, queryComputeApps } from '../../../workers/tfjs/gpu-confirm.js';
import { fixture, tempDir } from '../../helpers.js';

const GPU = { package: '@tensorflow/tfjs-node-gpu', gpu: true };
const read = (name: string) => readFileSync(fixture(`nvidia-smi/${name}`), 'utf8');

const restore: (() => void)[] = [];
afterEach(() => {
  for (const step of restore.splice(0).reverse()) step();
});

/** Puts a stand-in nvidia-smi first on PATH for this test. */
function fakeSmi(script: string): void {
  const { dir, cleanup } = tempDir('pilot-smi-');
  const file = join(dir, 'nvidia-smi');
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  const before = process.env['PATH'];
  process.env['PATH'] = `${dir}:${before ?? ''}`;
  restore.push(cleanup, () => {
    process.env['PATH'] = before;
  });
}

describe('parseComputeApps on published nvidia-smi outputs', () => {
  it('reads 8 × H200 processes from a headed CSV with other columns, keeping the memory in MiB', () => {
    const apps = parseComputeApps(read('compute-apps-h200x8-header.csv'));
    if (!Array.isArray(apps)) throw new Error(apps.error);
    expect(apps).toHaveLength(8);
    expect(apps[0]).toEqual({ pid: 1328667, usedMiB: 130004, gpuName: null });
    expect(apps.at(-1)).toEqual({ pid: 1758887, usedMiB: 58060, gpuName: null });
    expect(apps.reduce((sum, app) => sum + (app.usedMiB ?? 0), 0)).toBe(130004 + 130044 + 105842 + 129984 + 105842 * 3 + 58060);
  });

  it('reads the L40S list and a header with nothing under it (no process on the GPU)', () => {
    expect(parseComputeApps(read('compute-apps-l40s-header.csv'))).toEqual([
      { pid: 44378, usedMiB: 1836, gpuName: null },
      { pid: 44966, usedMiB: 974, gpuName: null },
      { pid: 52114, usedMiB: 6294, gpuName: null },
    ]);
    expect(parseComputeApps(read('compute-apps-header-only.csv'))).toEqual([]);
    expect(parseComputeApps('')).toEqual([]);
  });

  it('reads a noheader,nounits line by the field list asked for', () => {
    const fields = ['timestamp', 'gpu_name', 'pid', 'process_name', 'used_memory'];
    expect(parseComputeApps(read('compute-apps-rtx3090-noheader-nounits.csv'), fields)).toEqual([{ pid: 1106871, usedMiB: 23342, gpuName: 'NVIDIA GeForce RTX 3090' }]);
  });

  it('says why when nvidia-smi cannot talk to the driver', () => {
    const apps = parseComputeApps(read('driver-error.txt'));
    expect(Array.isArray(apps)).toBe(false);
    expect(apps).toMatchObject({ error: expect.stringMatching(/NVIDIA-SMI has failed|communicate with the NVIDIA driver/u) });
  });
});

describe('confirmGpu', () => {
  const h200 = read('compute-apps-h200x8-header.csv');

  it('confirms a worker nvidia-smi lists, with its GPU and memory', () => {
    const line = `${process.pid}, 1536 MiB, NVIDIA H200\n`;
    expect(confirmGpu(GPU, { ok: true, stdout: line }, process.pid)).toEqual({ confirmed: true, gpuName: 'NVIDIA H200', usedMiB: 1536, message: 'GPU confirmed: NVIDIA H200, 1536 MiB' });
  });

  it('warns, naming the next step, when the worker is not among the GPU processes', () => {
    const verdict = confirmGpu(GPU, { ok: true, stdout: h200 }, 4242);
    expect(verdict?.confirmed).toBe(false);
    expect(verdict?.message).toMatch(/^Training runs on the CPU although tfjs-node-gpu loaded: nvidia-smi does not list this worker \(PID 4242\)/u);
    expect(verdict?.message).toContain('8 other processes');
    expect(verdict?.message).toContain('pilot gpu libraries DIR --save');
  });

  it('warns when libtensorflow registered no GPU device, without asking nvidia-smi', () => {
    const verdict = confirmGpu({ ...GPU, gpu: false }, { ok: false, error: 'not asked' }, 1);
    expect(verdict?.message).toMatch(/^Training runs on the CPU although tfjs-node-gpu loaded: libtensorflow registered no GPU device.*libcudnn\.so\.8/u);
  });

  it('says it could not confirm when nvidia-smi does not answer, and says nothing for the CPU builds', () => {
    expect(confirmGpu(GPU, { ok: false, error: 'nvidia-smi is not on PATH' }, 1)?.message).toMatch(/^The GPU could not be confirmed: nvidia-smi did not answer \(nvidia-smi is not on PATH\)/u);
    expect(confirmGpu({ package: '@tensorflow/tfjs-node', gpu: false }, { ok: true, stdout: '' }, 1)).toBeNull();
    expect(confirmGpu(null, { ok: true, stdout: '' }, 1)).toBeNull();
  });
});

describe('asking nvidia-smi (a stand-in script on PATH)', () => {
  it('finds this process in the answer to the real query and reads the GPU name', async () => {
    fakeSmi(`case "$1" in
  --query-compute-apps=pid,used_memory,gpu_name) [ "$2" = "--format=csv,noheader" ] && echo "4001, 912 MiB, NVIDIA H200" && echo "$PPID, 2048 MiB, NVIDIA H200" ;;
  --query-gpu=name) echo "NVIDIA H200" ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac`);
    const answer = await queryComputeApps();
    expect(answer.ok).toBe(true);
    expect(confirmGpu(GPU, answer, process.pid)?.message).toBe('GPU confirmed: NVIDIA H200, 2048 MiB');
    await expect(firstGpuName()).resolves.toBe('NVIDIA H200');
  });

  it('turns a failing nvidia-smi into its first line of output, and a missing one into "not on PATH"', async () => {
    fakeSmi('echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver."; exit 9');
    const failing = await queryComputeApps();
    expect(failing).toEqual({ ok: false, error: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." });
    await expect(firstGpuName()).resolves.toBeNull();
    restore.splice(0).reverse().forEach((step) => step());
    const before = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    restore.push(() => {
      process.env['PATH'] = before;
    });
    await expect(queryComputeApps()).resolves.toEqual({ ok: false, error: 'nvidia-smi is not on PATH' });
  });
});
