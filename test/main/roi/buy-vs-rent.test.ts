import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSTATIONS, buyVersusRent, secondsPerRun } from '../../../main/roi/buy-vs-rent.js';

/**
 * By hand: 10 h per run here at 200 W, one run a month, 0.30 per kWh.
 * Here: 10 h × 0.2 kW × 0.30 = 0.60 a month.
 * Workstation (3000, 10× faster, 500 W): 1 h × 0.5 kW × 0.30 = 0.15 a month + 3000 at month 0.
 * Cloud (20× faster + 0.5 h overhead, 3 per hour): (0.5 + 0.5) h × 3 = 3.00 a month.
 */
const base = {
  currency: 'USD', locale: 'en-US', secondsPerRunHere: 36_000, powerWattsHere: 200, retrainsPerYear: 12, horizonMonths: 36, pricePerKwh: 0.3,
  workstation: { label: 'GPU workstation', price: 3000, speedUp: 10, powerWatts: 500 },
  cloud: { label: 'Cloud GPU', ratePerGpuHour: 3, speedUp: 20, overheadHoursPerRun: 0.5 },
};

describe('buyVersusRent', () => {
  it('prices each option from the measured run time', () => {
    const result = buyVersusRent(base);
    const [here, ws, cloud] = result.options;
    expect(here).toMatchObject({ id: 'here', hoursPerRun: 10, upfront: 0, monthly: 60, total: 36 * 60, feasible: true });
    expect(ws).toMatchObject({ id: 'workstation', hoursPerRun: 1, upfront: 300000, monthly: 15, total: 300000 + 36 * 15 });
    expect(cloud).toMatchObject({ id: 'cloud', hoursPerRun: 1, monthly: 300, total: 36 * 300 });
    expect(cloud?.cumulative).toHaveLength(37);
    expect(cloud?.cumulative[12]).toBe(3600);
    expect(result.cheapest).toBe('here');
  });

  it('gives the break-even month of buying against renting, or says it is beyond the horizon', () => {
    // 3000 ÷ (3.00 − 0.15) = 1052.6 months.
    const slow = buyVersusRent(base).breakEven.workstationVsCloud;
    expect(slow.month).toBeCloseTo(300000 / 285, 10);
    expect(slow.withinHorizon).toBe(false);
    // 1053 months is far beyond a 36-month machine life: said as such, not as a month number.
    expect(slow.reason).toMatch(/^Not within the hardware's life: .*about 88 years.*used for about 3 years/);
    // At 100 per hour the cloud costs 100 a month: 3000 ÷ 99.85 = 30.05 months.
    const dear = buyVersusRent({ ...base, cloud: { ...base.cloud, ratePerGpuHour: 100 } });
    expect(dear.breakEven.workstationVsCloud.month).toBeCloseTo(3000 / 99.85, 10);
    expect(dear.breakEven.workstationVsCloud.withinHorizon).toBe(true);
  });

  it('says buying never pays off when the workstation costs more to run each month', () => {
    const result = buyVersusRent({ ...base, cloud: { ...base.cloud, ratePerGpuHour: 0.1 } });
    expect(result.breakEven.workstationVsCloud.month).toBeNull();
    expect(result.breakEven.workstationVsCloud.reason).toMatch(/never/);
  });

  it('marks this machine infeasible when the runs do not fit in a month', () => {
    // 1000 h a run, once a month: more hours than a month has.
    const result = buyVersusRent({ ...base, secondsPerRunHere: 1000 * 3600 });
    expect(result.options[0]?.feasible).toBe(false);
    expect(result.options[0]?.note).toMatch(/cannot keep up/);
    expect(result.cheapest).not.toBe('here');
  });

  it('derives run time from throughput and rejects missing measurements', () => {
    expect(secondsPerRun(1_000_000, 250)).toBe(4000);
    expect(() => secondsPerRun(1000, 0)).toThrow(/throughput is not measured/);
    expect(() => buyVersusRent({ ...base, secondsPerRunHere: 0 })).toThrow(/more than 0/);
    expect(() => buyVersusRent({ ...base, workstation: { ...base.workstation, speedUp: -2 } })).toThrow(/speed-up/);
  });

  it('ships an editable default table with sane entries', () => {
    expect(DEFAULT_WORKSTATIONS.length).toBeGreaterThanOrEqual(3);
    for (const ws of DEFAULT_WORKSTATIONS) {
      expect(ws.price).toBeGreaterThan(0);
      expect(ws.speedUp).toBeGreaterThan(1);
      expect(buyVersusRent({ ...base, workstation: ws }).options[1]?.upfront).toBe(ws.price * 100);
    }
  });
});
