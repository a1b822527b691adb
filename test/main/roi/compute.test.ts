import { describe, expect, it } from 'vitest';
import { computeRoi } from '../../../main/roi/compute.js';
import type { RoiInput, RoiMeasured } from '../../../main/roi/schema.js';

/**
 * A case small enough to work out by hand: one-off staff cost 10 h × 50 = 500 at month 0;
 * licences 100 a month; benefit 10 h saved × 30 × 100 % adoption = 300 a month from month 1.
 * Everything else is zero. Net: −500, then +200 for 12 months.
 */
const simple: Partial<RoiInput> = {
  currency: 'USD', locale: 'en-US', horizonMonths: 12, monthsToGoLive: 0, discountRatePercent: 0,
  hardwarePrice: 0, staffRatePerHour: 50, dataPrepHours: 10, trainingStaffHours: 0, integrationHours: 0,
  monitoringHoursPerMonth: 0, retrainStaffHoursPerRun: 0, licencesPerMonth: 100, retrainsPerYear: 0,
  pricePerKwh: 0, fallbackDevicePowerWatts: 0,
  hoursSavedPerMonth: 10, hourlyValue: 30, adoptionPercent: 100, probabilityOfSuccessPercent: 70,
  pessimisticCostPercent: 120, pessimisticBenefitPercent: 70, optimisticCostPercent: 90, optimisticBenefitPercent: 130,
};
const measured: RoiMeasured = { modelErrorRate: 0.05, trainingSeconds: null, devicePowerWatts: null, baselinePresent: true };

describe('computeRoi on a hand-computed case', () => {
  const result = computeRoi(simple, measured);

  it('lays out the monthly flows and the cumulative curve', () => {
    expect(result.monthly).toHaveLength(13);
    expect(result.monthly[0]).toEqual({ month: 0, cost: 50000, benefit: 0, net: -50000, cumulative: -50000 });
    expect(result.monthly[1]).toEqual({ month: 1, cost: 10000, benefit: 30000, net: 20000, cumulative: -30000 });
    expect(result.monthly[12]?.cumulative).toBe(-50000 + 12 * 20000);
    expect(result.totals).toEqual({ cost: 170000, benefit: 360000, net: 190000 });
  });

  it('computes ROI, payback with a partial month, NPV at 0 % and IRR', () => {
    expect(result.roiPercent).toBeCloseTo((1900 / 1700) * 100, 10); // 111.7647 %
    // Cumulative −500, −300, −100, +100: 2 + 100/200 = 2.5.
    expect(result.paybackMonth).toBe(2.5);
    expect(result.paybackReason).toBeNull();
    expect(result.npv).toBe(190000);
    // Monthly IRR solves −500 + 200 × Σ 1/(1+r)^t = 0; check the definition with our own loop.
    const m = (result.irrMonthlyPercent ?? Number.NaN) / 100;
    let value = -500;
    for (let t = 1; t <= 12; t += 1) value += 200 / (1 + m) ** t;
    expect(value).toBeCloseTo(0, 6);
    expect(result.irr).toBeCloseTo(((1 + m) ** 12 - 1) * 100, 8);
  });

  it('discounts at 12 % a year with the monthly-equivalent rate', () => {
    const discounted = computeRoi({ ...simple, discountRatePercent: 12 }, measured);
    // Reference: each month t discounted by 1.12^(t/12), in cents, rounded once.
    let reference = -50000;
    for (let t = 1; t <= 12; t += 1) reference += 20000 / 1.12 ** (t / 12);
    expect(discounted.npv).toBe(Math.round(reference));
    expect(discounted.npv).toBeLessThan(190000);
  });

  it('applies the scenario multipliers', () => {
    const { pessimistic, optimistic, expected } = result.scenarios;
    expect(expected.npv).toBe(result.npv);
    // Pessimistic: month 0 cost 600; then 120 cost, 210 benefit, net 90. −600 + 90t ≥ 0 at 6 + 60/90.
    expect(pessimistic.totalCost).toBe(60000 + 12 * 12000);
    expect(pessimistic.totalBenefit).toBe(12 * 21000);
    expect(pessimistic.paybackMonth).toBeCloseTo(6 + 60 / 90, 12);
    // Optimistic: month 0 cost 450; then 90 cost, 390 benefit: net 300 ⇒ 1 + 150/300.
    expect(optimistic.paybackMonth).toBeCloseTo(1.5, 12);
    expect(optimistic.npv).toBe(-45000 + 12 * 30000);
  });

  it('risk-adjusts: all costs, benefits × probability of success', () => {
    // At 0 %: 0.7 × 3600 − 1700 = 820.
    expect(result.riskAdjusted.npv).toBe(82000);
    expect(result.riskAdjusted.benefit).toBe(252000);
    expect(result.riskAdjusted.roiPercent).toBeCloseTo((820 / 1700) * 100, 10);
  });

  it('keeps the breakdown equal to the totals', () => {
    const costs = result.breakdown.filter((l) => l.kind === 'cost').reduce((a, l) => a + l.total, 0);
    expect(costs).toBe(result.totals.cost);
    expect(result.breakdown.find((l) => l.key === 'licences')?.total).toBe(120000);
  });

  it('orders the sensitivity tornado by NPV swing', () => {
    // NPV = −rate×prepHours + 12 × (hours × value × adoption − licences), ±20 %:
    // hours and value ±720 (swing 1440); adoption can only go down to 80 % (swing 720);
    // licences ±240 (480); staff rate and prep hours ±100 (200).
    const top = result.sensitivity.slice(0, 6).map((e) => [e.key, e.swing]);
    expect(top).toEqual([
      ['hourlyValue', 144000],
      ['hoursSavedPerMonth', 144000],
      ['adoptionPercent', 72000],
      ['licencesPerMonth', 48000],
      ['dataPrepHours', 20000],
      ['staffRatePerHour', 20000],
    ]);
    const adoption = result.sensitivity.find((e) => e.key === 'adoptionPercent');
    expect(adoption).toMatchObject({ low: 80, high: 100 });
    expect(result.sensitivity.slice(6).every((e) => e.swing === 0)).toBe(true);
  });
});

describe('computeRoi edge cases', () => {
  const errors: Partial<RoiInput> = { ...simple, hoursSavedPerMonth: 0, volumePerMonth: 1000, todayErrorRatePercent: 10, costPerError: 20 };

  it('counts errors avoided: volume × (today − model) × cost per error', () => {
    // 1000 × (0.10 − 0.05) × 20 = 1000 a month.
    const result = computeRoi(errors, measured);
    expect(result.breakdown.find((l) => l.key === 'errorsAvoided')?.total).toBe(12 * 100000);
  });

  it("counts today's error rate entered in the case (not the goal step) as the baseline, and says it is assumed", () => {
    const result = computeRoi(errors, { ...measured, baselinePresent: false });
    // The same 1000 × (0.10 − 0.05) × 20 a month as with a recorded baseline.
    expect(result.breakdown.find((l) => l.key === 'errorsAvoided')?.total).toBe(12 * 100000);
    expect(result.warnings.find((w) => w.code === 'baseline-assumed')?.message).toMatch(/Today's error rate \(10 %\) was entered in the ROI case, not recorded in the pilot's goal step/);
    expect(result.warnings.map((w) => w.code)).not.toContain('no-baseline');
  });

  it('refuses to claim errors avoided without a baseline, and says so', () => {
    const result = computeRoi({ ...errors, todayErrorRatePercent: 0 }, { ...measured, baselinePresent: false });
    expect(result.breakdown.find((l) => l.key === 'errorsAvoided')?.total).toBe(0);
    expect(result.warnings.map((w) => w.code)).toContain('no-baseline');
    expect(result.warnings.find((w) => w.code === 'no-baseline')?.message).toMatch(/baseline/);
    expect(result.measuredUsed.modelErrorRate).toBeNull();
  });

  it('claims nothing from a deleted model version', () => {
    const result = computeRoi(errors, { ...measured, modelVersionState: 'deleted' });
    expect(result.totals.benefit).toBe(0);
    expect(result.warnings.map((w) => w.code)).toContain('model-deleted');
  });

  it('counts a model worse than today as a loss, with a warning', () => {
    const result = computeRoi(errors, { ...measured, modelErrorRate: 0.15 });
    expect(result.breakdown.find((l) => l.key === 'errorsAvoided')?.total).toBe(-12 * 100000);
    expect(result.warnings.map((w) => w.code)).toContain('model-worse');
    expect(result.paybackMonth).toBeNull();
    expect(result.paybackReason).toMatch(/negative/);
    // The pessimistic scenario makes the loss larger (× cost multiplier 120 %), not smaller.
    expect(result.scenarios.pessimistic.totalBenefit).toBe(-12 * 120000);
    expect(result.scenarios.optimistic.totalBenefit).toBe(-12 * 90000);
  });

  it('says in words that zero benefit never pays back', () => {
    const result = computeRoi({ ...simple, hoursSavedPerMonth: 0 }, measured);
    expect(result.paybackMonth).toBeNull();
    expect(result.paybackReason).toMatch(/never pays back/);
    expect(result.warnings.map((w) => w.code)).toContain('zero-benefit');
    expect(result.roiPercent).toBe(-100);
    expect(result.irr).toBeNull();
    expect(result.irrReason).toMatch(/negative/);
  });

  it('has no IRR and no ROI when there is no cost, and says why', () => {
    const free = computeRoi({ ...simple, dataPrepHours: 0, licencesPerMonth: 0 }, measured);
    expect(free.irr).toBeNull();
    expect(free.irrReason).toMatch(/positive/);
    expect(free.roiPercent).toBeNull();
    expect(free.roiReason).toMatch(/no cost/i);
    expect(free.paybackMonth).toBe(0);
  });

  it('amortises hardware straight-line, to the cent, within the horizon', () => {
    // 1000 over 3 months: 333.33 + 333.34 + 333.33 = 1000.00 exactly.
    const result = computeRoi({ ...simple, hardwarePrice: 1000, hardwareLifeMonths: 3 }, measured);
    const line = result.breakdown.find((l) => l.key === 'hardware');
    expect(line?.total).toBe(100000);
    const perMonth = result.monthly.slice(1, 4).map((m) => m.cost - 10000);
    expect(perMonth).toEqual([33333, 33334, 33333]);
    expect(result.monthly[4]?.cost).toBe(10000);
    // Longer life than horizon: only 12 of 24 months count, and a warning says so.
    const long = computeRoi({ ...simple, hardwarePrice: 2400, hardwareLifeMonths: 24 }, measured);
    expect(long.breakdown.find((l) => l.key === 'hardware')?.total).toBe(120000);
    expect(long.warnings.map((w) => w.code)).toContain('hardware-beyond-horizon');
  });

  it('prices energy from the measured training time and device power', () => {
    // 2 h × 500 W = 1 kWh per run × 0.30 = 0.30; first run at month 0 + 12 runs a year (1 a month).
    const result = computeRoi({ ...simple, pricePerKwh: 0.3, retrainsPerYear: 12 }, { ...measured, trainingSeconds: 7200, devicePowerWatts: 500 });
    expect(result.measuredUsed.energyKwhPerRun).toBeCloseTo(1, 12);
    expect(result.breakdown.find((l) => l.key === 'energy')?.total).toBe(13 * 30);
    const unmeasured = computeRoi({ ...simple, pricePerKwh: 0.3, retrainsPerYear: 12 }, measured);
    expect(unmeasured.breakdown.find((l) => l.key === 'energy')?.total).toBe(0);
    expect(unmeasured.warnings.map((w) => w.code)).toContain('no-training-time');
  });

  it('rejects bad input with a clear message', () => {
    expect(() => computeRoi({ hoursSavedPerMonth: -5 }, measured)).toThrow(/Hours saved cannot be negative \(you entered -5\)/);
    expect(() => computeRoi({ horizonMonths: 12.5 }, measured)).toThrow(/whole number/);
    expect(() => computeRoi({ currency: 'XYZ' }, measured)).toThrow(/ISO 4217/);
    expect(() => computeRoi({}, { ...measured, modelErrorRate: 5 })).toThrow(/fraction/);
  });

  it('never pays back when go-live is after the horizon, and says why', () => {
    const late = computeRoi({ ...simple, monthsToGoLive: 12 }, measured);
    expect(late.paybackMonth).toBeNull();
    expect(late.paybackReason).toMatch(/after go-live/);
    expect(late.warnings.map((w) => w.code)).toContain('go-live-after-horizon');
  });
});
