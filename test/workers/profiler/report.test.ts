import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../workers/protocol.js';
import { diffProfiles } from '../../../workers/profiler/diff.js';
import { escapeHtml } from '../../../common/html.js';
import { bestMachinePerPilot, renderHardwareHtml } from '../../../workers/profiler/html.js';
import { parseProfileJson } from '../../../workers/profiler/profile-json.js';
import type { HardwareReport } from '../../../workers/profiler/types.js';
import { judge } from '../../../workers/profiler/verdict.js';
import { baseReport } from './helpers.js';

const GB = 1024 ** 3;

function judged(change: (r: HardwareReport) => void = () => {}): HardwareReport {
  const report = baseReport();
  change(report);
  return { ...report, ...judge(report) };
}

describe('parseProfileJson', () => {
  it('round-trips a profile', () => {
    const report = judged();
    expect(parseProfileJson(JSON.stringify(report))).toEqual(report);
  });

  it('accepts a byte-order mark and extra fields from a compatible writer', () => {
    const text = `\uFEFF${JSON.stringify({ ...judged(), futureField: { x: 1 } })}`;
    expect((parseProfileJson(text) as unknown as { futureField: unknown }).futureField).toEqual({ x: 1 });
  });

  it('refuses text that is not JSON, with what to do', () => {
    expect(() => parseProfileJson('hostname: ws-1', 'host.json')).toThrow(UserInputError);
    expect(() => parseProfileJson('hostname: ws-1', 'host.json')).toThrow(/host\.json is not JSON\b.*pilot hardware --json/u);
    // The file's contents never appear in the message (it may be any file the user picked).
    expect(() => parseProfileJson('hostname: ws-1', 'host.json')).not.toThrow(/hostname|ws-1/u);
  });

  it('refuses JSON that is not a profile', () => {
    expect(() => parseProfileJson('{"rows": 10}', 'data.json')).toThrow(/data\.json is not a hardware profile/u);
    expect(() => parseProfileJson('[1,2]')).toThrow(/not a hardware profile/u);
  });

  it('refuses a profile from a newer schema version, saying to update', () => {
    const text = JSON.stringify({ ...judged(), schemaVersion: 2 });
    expect(() => parseProfileJson(text, 'new.json')).toThrow(/new\.json is a profile of schema version 2, newer than this app understands \(1\); update Pilot Workbench/u);
  });

  it('refuses a profile missing documented fields, naming the field', () => {
    const broken = judged() as unknown as Record<string, unknown>;
    delete broken['memory'];
    expect(() => parseProfileJson(JSON.stringify(broken))).toThrow(/memory/u);
    const badLevel = judged();
    (badLevel.verdicts[0] as { level: string }).level = 'purple';
    expect(() => parseProfileJson(JSON.stringify(badLevel))).toThrow(/verdicts\.0\.level/u);
  });
});

describe('diffProfiles', () => {
  it('lists what changed: driver, free disk, RAM, backend, speed, verdict', () => {
    const gpu = {
      vendor: 'NVIDIA' as const, model: 'NVIDIA GeForce RTX 3060', vramBytes: 12 * GB, vramSource: 'nvidia-smi' as const, sharedMemory: false,
      driver: '535.104.05', cudaVersion: '12.2', computeCapability: '8.6', powerLimitW: 170, temperatureC: 40, utilizationPercent: 0, busId: null, mig: null,
    };
    const before = judged((r) => (r.gpus = [{ ...gpu }]));
    const after = judged((r) => {
      r.gpus = [{ ...gpu, driver: '580.95.05', cudaVersion: '13.0' }];
      r.disk.freeBytes = 3 * GB;
      r.memory.totalBytes = 64 * GB;
      r.backends[0] = { name: 'tensorflow', available: true, gpu: true, reason: 'tfjs-node-gpu' };
      r.benchmarks.matmulGflops.wasm = 20;
    });
    const changes = diffProfiles(before, after);
    const byField = Object.fromEntries(changes.map((change) => [change.field, change]));
    expect(byField['gpus[0].driver']?.summary).toBe('GPU 0 driver: 535.104.05 → 580.95.05');
    expect(byField['gpus[0].cudaVersion']?.summary).toBe('GPU 0 CUDA version: 12.2 → 13.0');
    expect(byField['disk.freeBytes']?.summary).toBe('Free disk: 200.0 GB → 3.0 GB (−197.0 GB)');
    expect(byField['memory.totalBytes']?.summary).toBe('RAM: 32.0 GB → 64.0 GB (+32.0 GB)');
    expect(byField['backends.tensorflow']?.summary).toBe('Backend tensorflow: unavailable → available (GPU)');
    expect(byField['benchmarks.matmulGflops.wasm']?.summary).toBe('Matmul on wasm: 40.0 GFLOP/s → 20.0 GFLOP/s (−50%)');
    expect(byField['verdicts.tabular']?.summary).toBe('Verdict tabular: green → red');
    expect(byField['machineId']).toBeUndefined();
  });

  it('ignores noise: free disk within 1 GB, speeds within 10%', () => {
    const a = judged();
    const b = judged((r) => {
      r.disk.freeBytes = (r.disk.freeBytes ?? 0) - 0.5 * GB;
      r.benchmarks.memoryGBps = 21;
    });
    expect(diffProfiles(a, b)).toEqual([]);
  });

  it('shows added GPUs and a different machine', () => {
    const b = judged((r) => {
      r.machineId = 'ffff000011112222';
      r.hostname = 'ws-2';
      r.gpus = [{ vendor: 'AMD', model: 'Radeon RX 7900 XT', vramBytes: 20 * GB, vramSource: 'rocm-smi', sharedMemory: false, driver: null, cudaVersion: null, computeCapability: null, powerLimitW: null, temperatureC: null, utilizationPercent: null, busId: null, mig: null }];
    });
    const summaries = diffProfiles(judged(), b).map((change) => change.summary);
    expect(summaries).toContain('GPU 0: none → Radeon RX 7900 XT');
    expect(summaries).toContain('Machine: ws-1 (abcdef0123456789) → ws-2 (ffff000011112222)');
  });
});

describe('renderHardwareHtml', () => {
  it('is a self-contained document: no scripts, no external resources, print styles', () => {
    const html = renderHardwareHtml(judged());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//iu);
    expect(html).toMatch(/@media print/u);
    expect(html).toMatch(/<h1>ws-1<\/h1>/u);
  });

  it('shows the verdicts, estimates, recommendations and "not detected" for a machine without GPU', () => {
    const report = judged((r) => (r.disk.freeBytes = 3 * GB));
    const html = renderHardwareHtml(report);
    expect(html).toContain('not detected');
    expect(html).toContain('red · not ready');
    // The tabular estimate: 50,000 × 30 / 50,000 rows/s = 30 s = 0.5 min.
    expect(html).toContain('0.5 min');
    expect(html).toContain(escapeHtml(report.recommendations[0]!.text));
  });

  it('escapes what came from the machine (a hostile hostname or GPU name)', () => {
    const html = renderHardwareHtml(judged((r) => (r.hostname = '<img onerror=alert(1)>')));
    expect(html).not.toContain('<img onerror');
    expect(html).toContain('&lt;img onerror=alert(1)&gt;');
  });

  it('compares a fleet and names the best machine per pilot', () => {
    const slow = judged((r) => (r.hostname = 'slow-box'));
    const fast = judged((r) => {
      r.hostname = 'gpu-box';
      r.machineId = '1111222233334444';
      r.benchmarks.trainSamplesPerSec = { tabular: 400_000, image: 3000, text: 100_000, anomaly: 900_000, timeseries: 900_000 };
    });
    const best = bestMachinePerPilot([slow, fast]);
    expect(best.image?.hostname).toBe('gpu-box');
    expect(best.tabular?.hostname).toBe('gpu-box');
    const html = renderHardwareHtml([slow, fast]);
    expect(html).toContain('Fleet comparison: 2 machines');
    expect(html).toMatch(/Image classification: <b>gpu-box<\/b>/u);
    expect(html.match(/<section class="machine">/gu)).toHaveLength(2);
  });

  it('never names an unbenchmarked machine best over a benchmarked one, and says which to benchmark next', () => {
    // ws-slow is benchmarked and too slow for images (red); box-new has no benchmark at all.
    const measured = judged((r) => {
      r.hostname = 'ws-slow';
      r.benchmarks.trainSamplesPerSec = { ...r.benchmarks.trainSamplesPerSec, image: 1 };
    });
    const unmeasured = judged((r) => {
      r.hostname = 'box-new';
      r.machineId = '9999888877776666';
      r.benchmarks.trainSamplesPerSec = {};
    });
    expect(measured.verdicts.find((v) => v.template === 'image')?.level).toBe('red');
    expect(unmeasured.verdicts.find((v) => v.template === 'image')?.estimatedMinutes).toBeNull();
    expect(bestMachinePerPilot([unmeasured, measured]).image?.hostname).toBe('ws-slow');
    expect(renderHardwareHtml([unmeasured, measured])).toMatch(/Image classification: <b>ws-slow \(box-new is not benchmarked and may do better: benchmark it\)<\/b>/u);
  });
});
