import { describe, expect, it } from 'vitest';
import { roiFields, fieldUnit } from '../../../main/roi/fields.js';
import { diffRoiInputs } from '../../../main/roi/history.js';
import { applyRoiSettings } from '../../../main/roi/settings.js';
import { defaultRoiInput, parseRoiInput, validateRoiInput } from '../../../main/roi/schema.js';

describe('the field catalogue', () => {
  it('describes every field with a label, unit, help and a default inside its range', () => {
    const defaults = defaultRoiInput();
    for (const field of roiFields) {
      expect(field.label.length, field.key).toBeGreaterThan(3);
      expect(field.help.length, field.key).toBeGreaterThan(30);
      expect(field.unit.length, field.key).toBeGreaterThan(0);
      expect(field.min).toBeLessThanOrEqual(field.default);
      expect(field.default).toBeLessThanOrEqual(field.max);
      expect(defaults[field.key]).toBe(field.default);
    }
    expect(defaults.currency).toBe('USD');
    expect(fieldUnit({ unit: '{currency} per hour' }, 'EUR')).toBe('EUR per hour');
  });
});

describe('validation', () => {
  it('reports each bad field next to its key, in words', () => {
    const result = validateRoiInput({ adoptionPercent: 150, hoursSavedPerMonth: -3, horizonMonths: 'ten', bogus: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byKey = Object.fromEntries(result.issues.map((i) => [i.key, i.message]));
    expect(byKey.adoptionPercent).toMatch(/Adoption of 150 % is beyond the plausible maximum of 100/);
    expect(byKey.hoursSavedPerMonth).toMatch(/cannot be negative \(you entered -3\)/);
    expect(byKey.horizonMonths).toMatch(/Horizon must be a number in months, not "ten"/);
    expect(byKey['']).toMatch(/Unknown field bogus/);
  });

  it('throws one UserInputError listing the problems', () => {
    expect(() => parseRoiInput({ discountRatePercent: Number.NaN })).toThrow(/Discount rate must be a number/);
    expect(() => parseRoiInput({ locale: 'not a locale!' })).toThrow(/Locale/);
  });
});

describe('applyRoiSettings (CLI --set)', () => {
  it('applies key=value pairs on top of a stored case', () => {
    const input = applyRoiSettings({ hoursSavedPerMonth: 10 }, ['costPerError=12.5', 'adoptionPercent=60%', 'currency=eur', 'volumePerMonth=10_000']);
    expect(input).toMatchObject({ hoursSavedPerMonth: 10, costPerError: 12.5, adoptionPercent: 60, currency: 'EUR', volumePerMonth: 10000 });
  });

  it('explains malformed settings and suggests a key for a typo', () => {
    expect(() => applyRoiSettings({}, ['hoursSaved'])).toThrow(/key=value/);
    expect(() => applyRoiSettings({}, ['hoursSaved=5'])).toThrow(/Did you mean hoursSavedPerMonth/);
    expect(() => applyRoiSettings({}, ['costPerError=1,5'])).toThrow(/not a number/);
    expect(() => applyRoiSettings({}, ['horizonMonths='])).toThrow(/not a number/);
  });
});

describe('diffRoiInputs', () => {
  it('lists exactly the assumptions that changed, in form order', () => {
    const before = parseRoiInput({ adoptionPercent: 80 });
    const after = parseRoiInput({ adoptionPercent: 60, currency: 'EUR', hardwarePrice: 10 });
    expect(diffRoiInputs(before, after).map((c) => [c.key, c.before, c.after])).toEqual([
      ['currency', 'USD', 'EUR'],
      ['hardwarePrice', 0, 10],
      ['adoptionPercent', 80, 60],
    ]);
    expect(diffRoiInputs(before, before)).toEqual([]);
  });
});
