/**
 * What changed between two versions of a ROI case's assumptions, for the history shown beside a
 * stored `roi_cases` row ("adoption 80 % → 60 %").
 */
import { roiFields } from './fields.js';
import type { RoiInput } from './schema.js';

/** One assumption that differs between two versions. */
export interface RoiInputChange {
  key: keyof RoiInput;
  label: string;
  /** The field's unit, `{currency}` left for the caller to fill in (see `fieldUnit`). */
  unit: string;
  before: number | string;
  after: number | string;
}

/** The assumptions that differ, in form order (currency and locale first). */
export function diffRoiInputs(before: RoiInput, after: RoiInput): RoiInputChange[] {
  const changes: RoiInputChange[] = [];
  if (before.currency !== after.currency) changes.push({ key: 'currency', label: 'Currency', unit: '', before: before.currency, after: after.currency });
  if (before.locale !== after.locale) changes.push({ key: 'locale', label: 'Number format', unit: '', before: before.locale, after: after.locale });
  for (const field of roiFields) {
    if (before[field.key] !== after[field.key]) {
      changes.push({ key: field.key, label: field.label, unit: field.unit, before: before[field.key], after: after[field.key] });
    }
  }
  return changes;
}
