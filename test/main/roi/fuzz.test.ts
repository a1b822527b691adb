import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../workers/protocol.js';
import { computeRoi } from '../../../main/roi/compute.js';
import { roiFields } from '../../../main/roi/fields.js';
import { renderExecutiveReportHtml } from '../../../main/roi/report/html.js';
import { validateRoiInput, type RoiMeasured } from '../../../main/roi/schema.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every number anywhere in a value; collects the paths of the non-finite ones. */
function nonFinite(value: unknown, path = '$', out: string[] = []): string[] {
  if (typeof value === 'number' && !Number.isFinite(value)) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) nonFinite(v, `${path}.${k}`, out);
  return out;
}

function pick(random: () => number, min: number, max: number, integer: boolean): number {
  const r = random();
  let value: number;
  if (r < 0.2) value = 0;
  else if (r < 0.3) value = min;
  else if (r < 0.35) value = max;
  else if (r < 0.7) value = min + random() * Math.min(max - min, 1000); // everyday magnitudes
  else value = min + (max - min) * random() ** 6; // log-ish: mostly small, sometimes huge
  value = Math.min(max, Math.max(min, value));
  return integer ? Math.round(value) : value;
}

describe('fuzzing computeRoi', () => {
  it('never puts NaN or Infinity in the output, and its sums always agree', () => {
    const random = rng(20261121);
    let computed = 0;
    let refused = 0;
    for (let i = 0; i < 250; i += 1) {
      const input: Record<string, unknown> = { currency: ['USD', 'EUR', 'JPY', 'KWD'][i % 4], locale: ['en-US', 'de-DE', 'ja-JP'][i % 3] };
      for (const field of roiFields) input[field.key] = pick(random, field.min, field.max, field.integer);
      const measured: RoiMeasured = {
        modelErrorRate: random() < 0.2 ? null : random(),
        trainingSeconds: random() < 0.2 ? null : pick(random, 0, 1e8, false),
        devicePowerWatts: random() < 0.3 ? null : pick(random, 0, 1e5, false),
        baselinePresent: random() < 0.7,
        modelVersionState: (['current', 'archived', 'deleted', 'none'] as const)[Math.floor(random() * 4)],
      };
      let result;
      try {
        result = computeRoi(input, measured);
      } catch (error) {
        // The only acceptable refusal: amounts too large to add up to the cent.
        expect(error).toBeInstanceOf(UserInputError);
        expect((error as Error).message).toMatch(/too large to compute/);
        refused += 1;
        continue;
      }
      computed += 1;
      expect(nonFinite(result), `case ${i}`).toEqual([]);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(result.monthly.map((m) => m.cost))).toBe(result.totals.cost);
      expect(sum(result.monthly.map((m) => m.benefit))).toBe(result.totals.benefit);
      expect(result.monthly.at(-1)?.cumulative).toBe(result.totals.net);
      expect(sum(result.breakdown.filter((l) => l.kind === 'benefit').map((l) => l.total))).toBe(result.totals.benefit);
      for (const m of result.monthly) expect(Number.isSafeInteger(m.cumulative)).toBe(true);
      if (result.paybackMonth === null) expect(result.paybackReason).toBeTruthy();
      if (result.irr === null) expect(result.irrReason).toBeTruthy();
      const parsed = validateRoiInput(input);
      if (i % 25 === 0 && parsed.ok) {
        const page = renderExecutiveReportHtml({ project: `case ${i}`, generatedAt: '2026-11-21T05:00:00Z', roi: { result, input: parsed.value } });
        expect(page).not.toMatch(/NaN|Infinity|undefined/);
      }
    }
    // The generator must mostly produce computable cases, or this test proves little.
    expect(computed).toBeGreaterThan(150);
    expect(refused).toBeLessThan(100);
  });

  it('answers garbage with messages, never a crash', () => {
    const random = rng(7);
    const garbage = [-1, -1e9, Number.NaN, Number.POSITIVE_INFINITY, '12', null, true, {}, [], 1e300, 0.5];
    for (let i = 0; i < 300; i += 1) {
      const input: Record<string, unknown> = {};
      const field = roiFields[Math.floor(random() * roiFields.length)];
      if (!field) continue;
      const value = garbage[Math.floor(random() * garbage.length)];
      input[field.key] = value;
      const result = validateRoiInput(input);
      if (result.ok) {
        expect(nonFinite(result.value)).toEqual([]);
        continue;
      }
      for (const issue of result.issues) {
        expect(issue.message.length).toBeGreaterThan(10);
        expect(issue.message).toContain(field.label);
      }
    }
  });
});
