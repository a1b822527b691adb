/**
 * Where each figure of a ROI case comes from, so the CLI and the report can say which inputs were
 * measured and which assumed: measured by the workbench (model error rate, training time, device
 * power), taken from the pilot's Goal step (today's figures), set by someone, or left at the default.
 */
import { fieldUnit, roiFields, type RoiNumericKey } from './fields.js';
import type { RoiInput } from './schema.js';
import type { RoiResult } from './compute.js';

export type InputOrigin = 'goal' | 'set' | 'default';

/** One input that counts (not zero), with its origin. */
export interface OriginLine {
  key: RoiNumericKey;
  label: string;
  value: number;
  unit: string;
  origin: InputOrigin;
}

/**
 * `defaults` are the field defaults; `fromGoal` the case the Goal step's figures seed
 * (main/api/roi.ts initialRoiInput). A value equal to the Goal step's seed (and different from the
 * default) came from the Goal step; any other value that differs from the default was set.
 * Zero-valued inputs are left out (they add nothing), as are the scenario knobs.
 */
export function inputOrigins(input: RoiInput, defaults: RoiInput, fromGoal: RoiInput): OriginLine[] {
  return roiFields
    .filter((f) => f.group !== 'scenario' && input[f.key] !== 0)
    .map((f) => {
      const value = input[f.key];
      const origin: InputOrigin = fromGoal[f.key] !== defaults[f.key] && value === fromGoal[f.key] ? 'goal' : value !== defaults[f.key] ? 'set' : 'default';
      return { key: f.key, label: f.label, value, unit: fieldUnit(f, input.currency), origin };
    });
}

/** The figures the workbench measured and the case used, in words ("model error rate 12.50 % (test split of version 3)"). */
export function measuredLines(result: RoiResult): { measured: string[]; assumed: string[] } {
  const used = result.measuredUsed;
  const measured: string[] = [];
  const assumed: string[] = [];
  if (used.modelErrorRate !== null) measured.push(`model error rate ${(used.modelErrorRate * 100).toFixed(2)} %${used.modelErrorSource ? ` (${used.modelErrorSource})` : ''}`);
  if (used.trainingSeconds !== null) measured.push(`training time ${used.trainingSeconds < 10 ? used.trainingSeconds.toFixed(1) : Math.round(used.trainingSeconds)} s a run`);
  (used.powerMeasured ? measured : assumed).push(`device power ${Math.round(used.devicePowerWatts)} W`);
  return { measured, assumed };
}
