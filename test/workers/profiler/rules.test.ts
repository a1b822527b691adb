import { describe, expect, it } from 'vitest';
import { RULES } from '../../../workers/profiler/rules.js';
import { estimateMinutes, largestSamples } from '../../../workers/profiler/typical.js';
import { factsFor, gpuSpeedup, judge, verdictFor } from '../../../workers/profiler/verdict.js';
import type { GpuInfo, HardwareReport, PilotKind } from '../../../workers/profiler/types.js';
import { baseReport } from './helpers.js';
import { verdictWords } from '../../../common/verdict-words.js';

const GB = 1024 ** 3;

const rtx3060: GpuInfo = {
  vendor: 'NVIDIA', model: 'NVIDIA GeForce RTX 3060', vramBytes: 12 * GB, vramSource: 'nvidia-smi', sharedMemory: false,
  driver: '580.95.05', cudaVersion: '13.0', computeCapability: '8.6', powerLimitW: 170, temperatureC: 26, utilizationPercent: 0, busId: null, mig: null,
};

function variant(change: (report: HardwareReport) => void): HardwareReport {
  const report = baseReport();
  change(report);
  return report;
}

const onTensorflowGpu = (r: HardwareReport) => {
  r.gpus = [{ ...rtx3060 }];
  r.backends[0] = { name: 'tensorflow', available: true, gpu: true, reason: '@tensorflow/tfjs-node-gpu (libtensorflow with CUDA)' };
  r.stack.pilots = r.stack.pilots.map((pilot) => ({ ...pilot, backend: 'tensorflow' }));
};

/** A benchmark with the image trainer's two reference shapes, the second scaled rather than timed. */
const withImagePoints = (r: HardwareReport) => {
  const point = { template: 'image' as const, backend: 'wasm' as const, model: 'image CNN', unit: 'images', note: null };
  r.benchmarks.train = [
    { ...point, samplesPerSec: 180, image: { side: 28, channels: 1, classes: 10, trainImages: 3500, batch: 8, measured: true, trainingFlops: 3 * 8_482_304 } },
    { ...point, samplesPerSec: 9.54, image: { side: 64, channels: 3, classes: 10, trainImages: 3500, batch: 8, measured: false, trainingFlops: 3 * 84_675_072 } },
  ];
};

/** For every rule: a kind and profile where it applies, and one where it does not. */
const CASES: { id: string; kind: PilotKind; applies: (r: HardwareReport) => void; not: (r: HardwareReport) => void; notKind?: PilotKind }[] = [
  { id: 'no-backend', kind: 'tabular', applies: (r) => (r.stack.pilots[0]!.backend = null), not: () => {} },
  // (3,500 training + 750 validation / 3) pictures × 30 epochs / 3 images/s = 625 min.
  { id: 'time-red', kind: 'image', applies: (r) => (r.benchmarks.trainSamplesPerSec.image = 3), not: (r) => (r.benchmarks.trainSamplesPerSec.image = 2000) },
  // 50,000 rows × 30 epochs / 500 rows/s = 50 min.
  { id: 'time-amber', kind: 'tabular', applies: (r) => (r.benchmarks.trainSamplesPerSec.tabular = 500), not: () => {} },
  { id: 'time-green', kind: 'tabular', applies: () => {}, not: (r) => (r.benchmarks.trainSamplesPerSec.tabular = 500) },
  { id: 'not-measured', kind: 'tabular', applies: (r) => (r.benchmarks.trainSamplesPerSec = {}), not: () => {} },
  { id: 'cnn-on-cpu-backend', kind: 'image', applies: () => {}, not: onTensorflowGpu },
  { id: 'slow-without-gpu', kind: 'image', applies: (r) => (r.benchmarks.trainSamplesPerSec.image = 3), not: (r) => (r.gpus = [rtx3060]) },
  { id: 'image-measured', kind: 'image', applies: withImagePoints, not: () => {} },
  { id: 'ram-red', kind: 'tabular', applies: (r) => (r.memory.totalBytes = 3 * GB), not: () => {} },
  { id: 'ram-amber', kind: 'image', applies: (r) => (r.memory.totalBytes = 12 * GB), not: () => {} },
  { id: 'ram-busy', kind: 'tabular', applies: (r) => (r.memory.availableBytes = 1 * GB), not: () => {} },
  { id: 'disk-red', kind: 'tabular', applies: (r) => (r.disk.freeBytes = 3 * GB), not: () => {} },
  { id: 'disk-amber', kind: 'image', applies: (r) => (r.disk.freeBytes = 30 * GB), not: (r) => (r.disk.freeBytes = 3 * GB) },
  { id: 'disk-hdd', kind: 'image', applies: (r) => (r.disk.type = 'HDD'), not: (r) => (r.disk.type = 'HDD'), notKind: 'tabular' },
  { id: 'nvidia-unused', kind: 'tabular', applies: (r) => (r.gpus = [rtx3060]), not: onTensorflowGpu },
  { id: 'gpu-used', kind: 'tabular', applies: onTensorflowGpu, not: (r) => (r.gpus = [rtx3060]) },
  {
    id: 'gpu-vram-small',
    kind: 'image',
    applies: (r) => {
      onTensorflowGpu(r);
      r.gpus[0]!.vramBytes = 2 * GB;
    },
    not: onTensorflowGpu,
  },
  { id: 'wasm-single-thread', kind: 'tabular', applies: () => {}, not: (r) => (r.gpus = [rtx3060]) },
  { id: 'cpu-cores-unused', kind: 'tabular', applies: () => {}, not: (r) => (r.cpu.physicalCores = 2) },
  { id: 'cpu-no-avx2', kind: 'tabular', applies: (r) => (r.cpu.flags = ['sse4_2', 'avx']), not: (r) => ((r.cpu.flags = []), (r.os.arch = 'arm64')) },
  { id: 'few-cores', kind: 'tabular', applies: (r) => (r.cpu.logicalCores = 2), not: () => {} },
  {
    id: 'other-gpu-unusable',
    kind: 'tabular',
    applies: (r) => (r.gpus = [{ ...rtx3060, vendor: 'AMD', model: 'Radeon RX 7900 XT' }]),
    not: (r) => (r.gpus = [{ ...rtx3060, vendor: 'Intel', model: 'UHD Graphics 770', sharedMemory: true }]),
  },
];

describe('the rules table', () => {
  it('has a test case for every rule, and ids are unique', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CASES.map((c) => c.id).sort()).toEqual([...ids].sort());
  });

  for (const testCase of CASES) {
    it(`${testCase.id}: applies where it should, and only there`, () => {
      const rule = RULES.find((candidate) => candidate.id === testCase.id)!;
      const yes = verdictFor(testCase.kind, variant(testCase.applies));
      const no = verdictFor(testCase.notKind ?? testCase.kind, variant(testCase.not));
      const yesReason = rule.reason(factsFor(testCase.kind, variant(testCase.applies)));
      expect(yes.reasons).toContain(yesReason);
      const notKind = testCase.notKind ?? testCase.kind;
      const appliesToKind = rule.kinds === 'all' || rule.kinds.includes(notKind);
      expect(appliesToKind && rule.when(factsFor(notKind, variant(testCase.not)))).toBe(false);
      expect(no.reasons).not.toContain(rule.reason(factsFor(testCase.notKind ?? testCase.kind, variant(testCase.not))));
      // The verdict is at least as severe as the rule's level.
      const severity = { green: 0, amber: 1, red: 2 };
      expect(severity[yes.level]).toBeGreaterThanOrEqual(severity[rule.level]);
      if (rule.recommendation) expect(yes.recommendations.map((rec) => rec.rule)).toContain(rule.id);
    });
  }
});

describe('verdict figures', () => {
  it('estimates training minutes as samples × epochs × cost / throughput', () => {
    expect(estimateMinutes('tabular', 50_000)).toBeCloseTo((50_000 * 30) / 50_000 / 60, 10);
    // Image: 3,500 training pictures and 750 validation ones scored (a third of a step each) per epoch, 30 epochs.
    expect(estimateMinutes('image', 12)).toBeCloseTo(((3_500 + 250) * 30) / 12 / 60, 10);
    expect(verdictFor('tabular', baseReport()).estimatedMinutes).toBe(0.5);
  });

  it('sizes the largest pilot to half the available memory with three copies, 2 significant digits', () => {
    // 24 GB × 0.5 / (100 features × 4 bytes × 3) = 10,737,418 → 10,000,000.
    expect(largestSamples('tabular', 24 * GB)).toBe(10_000_000);
    // 24 GB × 0.5 / (64 × 64 × 3 × 4 × 3) = 87,381 → 87,000.
    expect(largestSamples('image', 24 * GB)).toBe(87_000);
    expect(verdictFor('image', baseReport()).largestPilot).toBe('87,000 colour pictures at 64×64');
    expect(largestSamples('image', 1000)).toBe(0);
  });

  it('estimates the GPU speed-up from peak FP32 × 0.25 against the measured backend, capped per kind', () => {
    const report = variant((r) => (r.gpus = [rtx3060]));
    // RTX 3060: 12.7 TFLOP/s × 1000 × 0.25 = 3,175 GFLOP/s; against wasm's 40 → 79, capped at 10 for small dense models.
    expect(gpuSpeedup('tabular', report, report.benchmarks, 'wasm')).toBe(10);
    // Against the cpu backend's 1.2 GFLOP/s: 2,646, capped at 100 for CNNs.
    expect(gpuSpeedup('image', report, report.benchmarks, 'cpu')).toBe(100);
    report.benchmarks.matmulGflops.wasm = 1000;
    expect(gpuSpeedup('tabular', report, report.benchmarks, 'wasm')).toBeCloseTo(3.175, 6);
    expect(gpuSpeedup('tabular', baseReport(), baseReport().benchmarks, 'wasm')).toBeNull();
  });

  it('says "install CUDA 11.2 + cuDNN 8.1 to use the RTX 3060: about N× faster"', () => {
    const verdict = verdictFor('image', variant((r) => (r.gpus = [rtx3060])));
    const recommendation = verdict.recommendations.find((rec) => rec.rule === 'nvidia-unused');
    expect(recommendation?.text).toBe('Install CUDA 11.2 + cuDNN 8.1 and @tensorflow/tfjs-node-gpu to use the NVIDIA GeForce RTX 3060: about 100× faster training.');
  });

  it('asks to free the missing space on the data drive', () => {
    const verdict = verdictFor('image', variant((r) => (r.disk.freeBytes = 10 * GB)));
    expect(verdict.recommendations.find((rec) => rec.rule === 'disk-amber')?.text).toMatch(/^Free 40 GB on the data drive/u);
  });

  it('takes the worst level and ranks recommendations by effect, merging them across kinds', () => {
    const report = variant((r) => {
      r.gpus = [rtx3060];
      r.disk.freeBytes = 3 * GB;
      r.memory.totalBytes = 6 * GB;
    });
    const { verdicts, recommendations } = judge(report);
    expect(verdicts.map((verdict) => verdict.level)).toEqual(['red', 'red', 'red', 'red', 'red']);
    // A full disk blocks everything, so freeing it ranks above the GPU's 100× speed-up.
    expect(recommendations.map((rec) => rec.rule)).toEqual(['disk-red', 'nvidia-unused', 'ram-amber']);
    expect(recommendations.map((rec) => rec.effect)).toEqual([500, 100, 3]);
    const effects = recommendations.map((rec) => rec.effect);
    expect([...effects].sort((a, b) => b - a)).toEqual(effects);
  });

  it('is green for a machine with a working GPU and plenty of everything', () => {
    const report = variant((r) => {
      onTensorflowGpu(r);
      r.benchmarks.trainSamplesPerSec = { tabular: 500_000, image: 5_000, text: 200_000, anomaly: 500_000, timeseries: 500_000 };
    });
    expect(judge(report).verdicts.every((verdict) => verdict.level === 'green')).toBe(true);
  });
});

describe('an unmeasured speed', () => {
  it('is never green for any kind: amber, "not known yet", and the quick benchmark first among the fixes', () => {
    const unmeasured = variant((r) => {
      r.benchmarks.trainSamplesPerSec = {};
      r.benchmarks.train = [];
      onTensorflowGpu(r); // otherwise everything is green: only the missing measurement is left
    });
    const { verdicts, recommendations } = judge(unmeasured);
    expect(verdicts.map((v) => v.level)).toEqual(['amber', 'amber', 'amber', 'amber', 'amber']);
    expect(verdicts.map((v) => verdictWords(v))).toEqual(Array(5).fill('not known yet: run the quick benchmark (≈ 20 s)'));
    expect(recommendations[0]).toMatchObject({ rule: 'not-measured', text: expect.stringMatching(/^Run the quick benchmark \(≈ 20 s\)/u) });
    // Measured, the same machine is ready (image: amber for its measured time, with limits, not "not known").
    const measured = variant(onTensorflowGpu);
    expect(judge(measured).verdicts.map((v) => verdictWords(v))).toEqual(['ready', 'possible, with limits', 'ready', 'ready', 'ready']);
  });

  it('keeps red "not ready" and measured amber "possible, with limits"', () => {
    expect(verdictWords({ level: 'red', estimatedMinutes: null })).toBe('not ready');
    expect(verdictWords({ level: 'amber', estimatedMinutes: 50 })).toBe('possible, with limits');
  });
});

describe('image verdict', () => {
  it("states the trainer network's measured speeds and the typical pilot the estimate assumes", () => {
    const report = variant(withImagePoints);
    report.benchmarks.trainSamplesPerSec.image = 9.54;
    const verdict = verdictFor('image', report);
    expect(verdict.reasons).toContain(
      "Timed on the network image pilots train, with the trainer's own training step on wasm: 180 pictures/s at 28×28 grey, 9.5 pictures/s at 64×64 colour (scaled, not timed). The estimate is for 5,000 colour pictures at 64×64 (3,500 to train on), up to 30 epochs, without early stopping.",
    );
    // 3,750 step-equivalents × 30 epochs / 9.54 images/s = 196.5 min: amber.
    expect(verdict.estimatedMinutes).toBe(196.5);
    expect(verdict.level).toBe('amber');
    expect(verdict.typicalPilot).toBe('5,000 colour pictures at 64×64 (3,500 to train on), up to 30 epochs');
  });
});
