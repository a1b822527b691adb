/**
 * The scan's class-imbalance, tiny-picture and blank-picture alerts on folders built to trigger
 * each one (and controls built not to): the codes, the numbers in them (counted here from the
 * files written, sizes read from the PNG headers, spreads computed from the pixels written), and
 * the score, which takes the alerts' weights and the tabular report's cap (an error holds it at 69).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContext } from '../../../workers/protocol.js';
import { scanImages, splitAlerts, type ImageScanReport } from '../../../workers/image/scan.js';
import { noise, png } from './images.js';

const WEIGHT = { error: 25, warning: 8, info: 2 } as const;

/** Width and height from a PNG's IHDR chunk (bytes 16–23), not through any decoder. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** The score the alerts should give: 100 − their weights, capped at 69 while an error stands (the tabular rule). */
function expectedScore(report: ImageScanReport): { score: number; before: number | null } {
  const raw = Math.max(0, 100 - report.alerts.reduce((s, a) => s + WEIGHT[a.severity], 0));
  const capped = report.alerts.some((a) => a.severity === 'error') ? Math.min(raw, 69) : raw;
  return { score: capped, before: capped < raw ? raw : null };
}

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A folder of distinct noise pictures: `counts` per class (24 × 24 grey). */
async function classFolder(counts: Record<string, number>): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'image-alerts-'));
  made.push(root);
  let seed = 1;
  for (const [label, n] of Object.entries(counts)) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < n; i++) await png(join(root, label, `${i}.png`), noise(24, 24, 1, seed++ * 7919), 24, 24, 1);
  }
  return root;
}

/** Pictures per class folder, counted from the directory. */
function countFiles(root: string): Record<string, number> {
  return Object.fromEntries(readdirSync(root).map((label) => [label, readdirSync(join(root, label)).length]));
}

describe('CLASS_IMBALANCE', () => {
  it('a 7.5× imbalance is an info alert with the counts and ratio; above 20× a warning; exactly 5× none', async () => {
    const mild = await classFolder({ many: 30, few: 4 });
    const strong = await classFolder({ many: 42, few: 2 });
    const even = await classFolder({ big: 50, small: 10 });
    const [m, s, e] = await Promise.all([mild, strong, even].map((r) => scanImages(r, makeContext())));
    for (const [root, report] of [[mild, m], [strong, s], [even, e]] as const) {
      const counts = countFiles(root);
      const ratio = Math.max(...Object.values(counts)) / Math.min(...Object.values(counts));
      expect(Object.fromEntries(report!.classes.map((c) => [c.label, c.count]))).toEqual(counts);
      expect(report!.imbalanceRatio).toBeCloseTo(ratio, 2);
    }
    const mildAlert = m!.alerts.find((a) => a.code === 'CLASS_IMBALANCE')!;
    expect(mildAlert.severity).toBe('info');
    expect(mildAlert.message).toBe('The largest class ("many", 30) has 7.5× the images of the smallest ("few", 4).');
    expect(mildAlert.fix).toMatch(/Collect more of the small classes/);
    const strongAlert = s!.alerts.find((a) => a.code === 'CLASS_IMBALANCE')!;
    expect(strongAlert.severity).toBe('warning');
    expect(strongAlert.message).toContain(`${42 / 2}×`);
    // The control: 50 against 10 is at the limit, not above it; nor is any class small.
    expect(e!.alerts).toEqual([]);
    expect(e!.score).toBe(100);
    expect(e!.verdict.level).toBe('ok');
    // Score: the few class also has a FEW_IMAGES warning; imbalance costs its own weight.
    expect(m!.alerts.map((a) => a.code).sort()).toEqual(['CLASS_IMBALANCE', 'FEW_IMAGES']);
    expect(m!.score).toBe(100 - WEIGHT.info - WEIGHT.warning);
    expect(s!.score).toBe(100 - WEIGHT.warning - WEIGHT.warning);
    for (const r of [m!, s!, e!]) expect([r.score, r.scoreBeforeCap]).toEqual([expectedScore(r).score, expectedScore(r).before]);
    // Warnings and no error: usable, no cap, the headline names the first warning.
    expect(s!.verdict.level).toBe('warning');
    expect(s!.verdict.headline).toMatch(/^Usable, with 2 warnings\. First: /);
  }, 60_000);

  it('an empty class does not hide the imbalance of the others, and its error caps the score at 69 as in the tabular report', async () => {
    const root = await classFolder({ many: 30, few: 3 });
    mkdirSync(join(root, 'nothing'));
    const report = await scanImages(root, makeContext());
    expect(report.imbalanceRatio).toBe(0); // ∞ is written as 0
    const codes = report.alerts.map((a) => a.code).sort();
    expect(codes).toEqual(['CLASS_IMBALANCE', 'EMPTY_CLASS', 'FEW_IMAGES']);
    expect(report.alerts.find((a) => a.code === 'CLASS_IMBALANCE')!.message).toContain(`${30 / 3}×`);
    // 100 − 25 − 8 − 2 = 65 is below the cap already.
    expect(report.score).toBe(65);
    expect(report.scoreBeforeCap).toBeNull();
    expect(report.verdict.level).toBe('error');

    // The error alone: 75 before the cap, 69 shown (out of the amber band, as a tabular error).
    const lone = await classFolder({ a: 12, b: 12 });
    mkdirSync(join(lone, 'nothing'));
    const capped = await scanImages(lone, makeContext());
    expect(capped.alerts.map((a) => a.code)).toEqual(['EMPTY_CLASS']);
    expect(capped.score).toBe(69);
    expect(capped.scoreBeforeCap).toBe(100 - WEIGHT.error);
    expect(capped.verdict.headline).toBe('Fix before training: 1 error. Worst: The class folder "nothing" has no readable image.');
  }, 60_000);
});

describe('TINY_IMAGES', () => {
  it('counts the pictures under 16 px on their shorter side, per class, from the sizes in the files', async () => {
    const root = await classFolder({ a: 12, b: 12 });
    // Tiny: 10 × 40, 40 × 15, 8 × 8. Not tiny: 16 × 16 and 16 × 120 (the shorter side is 16).
    const sizes: [number, number][] = [[10, 40], [40, 15], [8, 8], [16, 16], [16, 120]];
    for (const [i, [w, h]] of sizes.entries()) await png(join(root, 'a', `size-${w}x${h}.png`), noise(w, h, 1, 5000 + i), w, h, 1);
    const report = await scanImages(root, makeContext());
    const tinyOf = (label: string) => readdirSync(join(root, label)).filter((f) => {
      const { width, height } = pngSize(join(root, label, f));
      return Math.min(width, height) < 16;
    }).length;
    expect(tinyOf('a')).toBe(3);
    const a = report.classes.find((c) => c.label === 'a')!;
    const b = report.classes.find((c) => c.label === 'b')!;
    expect(a.tiny).toBe(tinyOf('a'));
    expect(b.tiny).toBe(tinyOf('b'));
    expect(a.width).toEqual({ min: 8, median: 24, max: 40 });
    const tiny = report.alerts.filter((a) => a.code === 'TINY_IMAGES');
    expect(tiny).toHaveLength(1);
    expect(tiny[0]).toMatchObject({ severity: 'info', column: 'a', message: '3 pictures of "a" are smaller than 16 px on a side.' });
    expect(tiny[0]!.fix.length).toBeGreaterThan(0);
    expect(report.alerts.map((x) => x.code)).toEqual(['TINY_IMAGES']);
    expect(report.score).toBe(100 - WEIGHT.info);
    expect(report.verdict.level).toBe('ok');
  }, 60_000);
});

describe('BLANK_IMAGES', () => {
  /** Population standard deviation of 8-bit grey values. */
  const std = (v: Uint8Array | Buffer) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  };

  it('flat pictures (grey, coloured, ±1 noise) are blank; faint stripes and a small bright square on black are not', async () => {
    const root = await classFolder({ a: 12, b: 12 });
    const side = 32; // the scan's own measuring size: no resampling, so the spread below is the scan's
    const grey = (f: (i: number) => number) => Buffer.from(Array.from({ length: side * side }, (_, i) => f(i)));
    const jitter = noise(side, side, 1, 99);
    const pictures: Record<string, Buffer> = {
      'flat-grey': grey(() => 128),
      'flat-jitter': grey((i) => 128 + (jitter[i]! % 3) - 1),
      'stripes': grey((i) => (Math.floor((i % side) / 4) % 2 ? 136 : 120)),
      'square': grey((i) => (Math.floor(i / side) < 4 && i % side < 4 ? 255 : 0)),
    };
    const spreads: Record<string, number> = {};
    for (const [name, raw] of Object.entries(pictures)) {
      await png(join(root, 'a', `${name}.png`), raw, side, side, 1);
      spreads[name] = std(raw);
    }
    // A flat red picture is flat in grey too.
    await png(join(root, 'a', 'flat-red.png'), Buffer.from(Array.from({ length: side * side * 3 }, (_, i) => (i % 3 === 0 ? 255 : 0))), side, side, 3);
    spreads['flat-red'] = 0;
    expect(spreads['flat-jitter']).toBeGreaterThan(0.5);
    expect(spreads['stripes']).toBe(8);
    const blankHere = Object.values(spreads).filter((s) => s < 2).length;
    expect(blankHere).toBe(3);

    const report = await scanImages(root, makeContext());
    expect(report.classes.find((c) => c.label === 'a')!.blank).toBe(blankHere);
    expect(report.classes.find((c) => c.label === 'b')!.blank).toBe(0);
    const blank = report.alerts.filter((x) => x.code === 'BLANK_IMAGES');
    expect(blank).toHaveLength(1);
    expect(blank[0]).toMatchObject({ severity: 'warning', column: 'a', message: '3 pictures of "a" are blank (one flat colour).' });
    expect(blank[0]!.fix).toMatch(/Remove them/);
    // Three flat pictures are near-identical to each other too (an info alert of their own).
    const codes = report.alerts.map((x) => x.code).sort();
    expect(codes.filter((c) => c !== 'NEAR_DUPLICATES')).toEqual(['BLANK_IMAGES']);
    const { score, before } = expectedScore(report);
    expect([report.score, report.scoreBeforeCap]).toEqual([score, before]);
    expect(report.score).toBeLessThanOrEqual(100 - WEIGHT.warning);
    expect(report.verdict.headline).toBe('Usable, with 1 warning. First: 3 pictures of "a" are blank (one flat colour).');
  }, 60_000);
});

describe('splitAlerts (the training run\'s own check)', () => {
  const rows = [
    { rel: 'a/1.png', sha256: 'x1', label: 'a' },
    { rel: 'a/1-copy.png', sha256: 'x1', label: 'a' },
    { rel: 'a/2.png', sha256: 'x2', label: 'a' },
    { rel: 'b/3.png', sha256: 'x3', label: 'b' },
    { rel: 'b/2-as-b.png', sha256: 'x2', label: 'b' },
    { rel: 'b/4.png', sha256: 'x4', label: 'b' },
  ];
  it('flags the copies its split put on both sides (validation counts as learned from), not copies kept on one side', () => {
    const both = splitAlerts(rows, { train: [0, 2, 3], validation: [4], test: [1, 5] });
    expect(both.map((a) => [a.code, a.severity])).toEqual([['TRAIN_TEST_LEAKAGE', 'error'], ['CONFLICTING_LABELS', 'error']]);
    expect(both[0]!.message).toBe('1 test picture has an identical copy among the training pictures (e.g. a/1-copy.png = a/1.png); the test score is too optimistic.');
    expect(both[1]!.message).toBe('2 pictures appear under two different classes, e.g. a/2.png (a) = b/2-as-b.png (b).');
    const viaValidation = splitAlerts(rows, { train: [2, 3, 5], validation: [0], test: [1, 4] });
    expect(viaValidation[0]!.message).toMatch(/^2 test pictures/);
    const oneSide = splitAlerts(rows.filter((r) => r.rel !== 'b/2-as-b.png'), { train: [0, 1, 2], validation: [3], test: [4] });
    expect(oneSide).toEqual([]);
  });
});
