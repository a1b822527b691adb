/** The picture wizard's time estimate: the benchmark's figure scaled by FLOPs to the planned network, else the plan's own timing. */
import { describe, expect, it } from 'vitest';
import { aboutMinutes, estimateImageRun, type BenchImagePoint, type PlanForEstimate } from '../../common/image-estimate.js';

// fashion-mnist-small's plan: 510 training and 90 validation pictures, up to 30 epochs, the 16/32-filter network at 28 px.
const plan: PlanForEstimate = { train: 510, validation: 90, maxEpochs: 30, backend: 'wasm', trainingFlops: 3 * 2_234_112, timing: { imagesPerSec: 250 } };
const points: BenchImagePoint[] = [
  { backend: 'wasm', samplesPerSec: 180, image: { side: 28, channels: 1, trainingFlops: 3 * 8_482_304 } },
  { backend: 'wasm', samplesPerSec: 20, image: { side: 64, channels: 3, trainingFlops: 3 * 84_675_072 } },
];

describe('estimateImageRun', () => {
  it('scales the nearest benchmark shape (in FLOPs) to the planned network on the same backend', () => {
    const estimate = estimateImageRun(plan, points)!;
    // 28 px is nearer than 64 px: 180 × 8,482,304 / 2,234,112 = 683.4 pictures/s; 30 × (510 + 90 / 3) pictures.
    const speed = (180 * 8_482_304) / 2_234_112;
    expect(estimate.imagesPerSec).toBeCloseTo(speed, 9);
    expect(estimate.seconds).toBeCloseTo((30 * 540) / speed, 9);
    expect(estimate.backend).toBe('wasm');
    expect(estimate.basis).toBe("from this machine's hardware benchmark: 180 pictures/s on the trainer's network at 28×28, scaled by this network's size to 683 pictures/s");
    // A large network is nearer the 64 px point.
    const large = estimateImageRun({ ...plan, trainingFlops: 3 * 60_000_000 }, points)!;
    expect(large.imagesPerSec).toBeCloseTo((20 * 84_675_072) / 60_000_000, 9);
  });

  it("falls back to the plan's fresh timing on another backend, with a backbone, or without benchmark shapes", () => {
    expect(estimateImageRun({ ...plan, backend: 'cpu' }, points)!.seconds).toBeCloseTo((30 * 540) / 250, 9);
    expect(estimateImageRun({ ...plan, trainingFlops: null }, points)!.basis).toMatch(/timed on this machine: 250 pictures\/s/);
    expect(estimateImageRun(plan, [{ backend: 'wasm', samplesPerSec: 9 }])!.imagesPerSec).toBe(250);
    expect(estimateImageRun({ ...plan, timing: null }, [])).toBeNull();
  });

  it('phrases minutes as the wizard shows them', () => {
    expect(aboutMinutes(30)).toBe('under a minute');
    expect(aboutMinutes(64.8)).toBe('about 1 minute');
    expect(aboutMinutes(12.4 * 60)).toBe('about 12 minutes');
    expect(aboutMinutes(150 * 60)).toBe('about 2.5 hours');
  });
});
