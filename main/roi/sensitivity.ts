/**
 * Sensitivity (tornado): move one assumption at a time down and up by the swing percentage, keep
 * everything else, and see how far the expected NPV moves. Sorted so the assumption that matters
 * most comes first — that is where a better estimate is worth the effort.
 */
import { ROI_FIELD_SPECS, roiFields } from './fields.js';
import { buildComponents, type ResolvedMeasured } from './flows.js';
import type { Minor } from './money.js';
import { evaluateScenario } from './scenario.js';
import type { RoiInput } from './schema.js';

/** How one assumption moves the expected NPV. */
export interface SensitivityEntry {
  /** Field key, or `measured.modelErrorRate` / `measured.trainingSeconds` / `measured.devicePowerWatts`. */
  key: string;
  label: string;
  /** The assumption's value in the case, and the values tried (clamped to the field's range). */
  base: number;
  low: number;
  high: number;
  /** Expected NPV with the low and the high value (minor units). */
  npvLow: Minor;
  npvHigh: Minor;
  /** |npvHigh − npvLow|: the length of the tornado bar. */
  swing: Minor;
}

interface Variant {
  key: string;
  label: string;
  base: number;
  min: number;
  max: number;
  apply(input: RoiInput, resolved: ResolvedMeasured, value: number): [RoiInput, ResolvedMeasured];
}

function variants(input: RoiInput, resolved: ResolvedMeasured): Variant[] {
  const list: Variant[] = roiFields
    .filter((field) => field.sensitivity)
    .map((field) => ({
      key: field.key,
      label: field.label,
      base: input[field.key],
      min: field.min,
      max: field.max,
      apply: (i, r, value) => [{ ...i, [field.key]: value }, r],
    }));
  if (resolved.modelErrorRate !== null) {
    list.push({ key: 'measured.modelErrorRate', label: "Model's measured error rate", base: resolved.modelErrorRate, min: 0, max: 1,
      apply: (i, r, value) => [i, { ...r, modelErrorRate: value }] });
  }
  if (resolved.trainingSeconds !== null) {
    list.push({ key: 'measured.trainingSeconds', label: 'Measured training time', base: resolved.trainingSeconds, min: 0, max: 1e8,
      apply: (i, r, value) => [i, { ...r, trainingSeconds: value }] });
    list.push({ key: 'measured.devicePowerWatts', label: 'Device power', base: resolved.devicePowerWatts, min: 0, max: ROI_FIELD_SPECS.fallbackDevicePowerWatts.max,
      apply: (i, r, value) => [i, { ...r, devicePowerWatts: value }] });
  }
  return list.filter((variant) => variant.base !== 0);
}

function expectedNpv(input: RoiInput, resolved: ResolvedMeasured): Minor {
  return evaluateScenario(input, buildComponents(input, resolved), 100, 100, { irr: false }).scenario.npv;
}

/** The tornado: every non-zero assumption moved ±`input.sensitivitySwingPercent` %, largest swing first. */
export function sensitivity(input: RoiInput, resolved: ResolvedMeasured): SensitivityEntry[] {
  const swing = input.sensitivitySwingPercent / 100;
  const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
  const entries = variants(input, resolved).map((variant) => {
    const low = clamp(variant.base * (1 - swing), variant.min, variant.max);
    const high = clamp(variant.base * (1 + swing), variant.min, variant.max);
    const npvLow = expectedNpv(...variant.apply(input, resolved, low));
    const npvHigh = expectedNpv(...variant.apply(input, resolved, high));
    return { key: variant.key, label: variant.label, base: variant.base, low, high, npvLow, npvHigh, swing: Math.abs(npvHigh - npvLow) };
  });
  return entries.sort((a, b) => b.swing - a.swing || a.key.localeCompare(b.key));
}
