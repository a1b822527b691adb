import { describe, expect, it } from 'vitest';
import { actualVsProjected } from '../../../main/roi/actuals.js';
import { computeRoi } from '../../../main/roi/compute.js';

// Projection: −500 at month 0 (cost 500), then cost 100 / benefit 300 a month for 6 months.
const projection = computeRoi(
  { horizonMonths: 6, monthsToGoLive: 0, discountRatePercent: 0, staffRatePerHour: 50, dataPrepHours: 10, trainingStaffHours: 0, integrationHours: 0,
    monitoringHoursPerMonth: 0, retrainStaffHoursPerRun: 0, retrainsPerYear: 0, licencesPerMonth: 100, hoursSavedPerMonth: 10, hourlyValue: 30, adoptionPercent: 100 },
  { modelErrorRate: null, trainingSeconds: null, devicePowerWatts: null, baselinePresent: true },
);

describe('actualVsProjected', () => {
  it('puts actual figures beside the projection, with the running variance', () => {
    const result = actualVsProjected(projection, [
      { month: 0, cost: 520, benefit: 0 },
      { month: 1, cost: 100.1, benefit: 250 },
      { month: 2, cost: 100, benefit: 260, note: 'team on holiday' },
    ]);
    expect(result.rows).toHaveLength(7);
    expect(result.rows[1]).toMatchObject({ projectedCost: 10000, actualCost: 10010, actualBenefit: 25000, netVariance: 14990 - 20000 });
    // Actual cumulative: −520 + 149.90 + 160 = −210.10; projected: −500 + 200 + 200 = −100.
    expect(result.rows[2]?.actualCumulative).toBe(-21010);
    expect(result.continuousThrough).toBe(2);
    expect(result.cumulativeVariance).toBe(-21010 - -10000);
    // Spent so far (projected) 700; tolerance 70; 110.10 behind.
    expect(result.status).toBe('behind');
    expect(result.rows[2]?.note).toBe('team on holiday');
    expect(result.rows[3]?.actualCost).toBeNull();
  });

  it('is on track within a tenth of the projected spend', () => {
    const result = actualVsProjected(projection, [
      { month: 0, cost: 500, benefit: 0 },
      { month: 1, cost: 100, benefit: 260 },
    ]);
    expect(result.status).toBe('on-track');
    expect(result.summary).toMatch(/in line with/);
  });

  it('stops the actual cumulative at a gap and warns about it and about months past the horizon', () => {
    const result = actualVsProjected(projection, [
      { month: 0, cost: 500, benefit: 0 },
      { month: 2, cost: 100, benefit: 300 },
      { month: 9, cost: 100, benefit: 300 },
    ]);
    expect(result.continuousThrough).toBe(0);
    expect(result.rows[2]?.actualCumulative).toBeNull();
    expect(result.warnings.join(' ')).toMatch(/missing/);
    expect(result.warnings.join(' ')).toMatch(/Months 9/);
    expect(result.monthsReported).toBe(3);
  });

  it('reports no data, refuses duplicates and bad figures', () => {
    expect(actualVsProjected(projection, []).status).toBe('no-data');
    expect(() => actualVsProjected(projection, [{ month: 1, cost: 1, benefit: 1 }, { month: 1, cost: 2, benefit: 2 }])).toThrow(/twice/);
    expect(() => actualVsProjected(projection, [{ month: 1, cost: -1, benefit: 1 }])).toThrow(/cannot be negative/);
    expect(() => actualVsProjected(projection, [{ month: 1.5, cost: 1, benefit: 1 }])).toThrow(/whole number/);
  });
});
