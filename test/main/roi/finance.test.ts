import { describe, expect, it } from 'vitest';
import { annualRateFromMonthly, irr, monthlyRateFromAnnual, npv, payback, straightLine } from '../../../main/roi/finance.js';

describe('npv', () => {
  it('discounts yearly flows by hand: 10 %, −1000, 300, 400, 500', () => {
    // −1000 + 300/1.1 + 400/1.21 + 500/1.331 = −1000 + 272.7273 + 330.5785 + 375.6574 = −21.0368
    expect(npv(0.1, [-1000, 300, 400, 500])).toBeCloseTo(-21.0368, 4);
  });

  it('discounts monthly flows at 10 % a year converted to a monthly rate', () => {
    // Monthly rate = 1.1^(1/12) − 1 = 0.0079741404.
    // 300/1.1^(1/12) = 297.6267, 400/1.1^(2/12) = 393.6962, 500/1.1^(3/12) = 488.2271
    // NPV = −1000 + 297.6267 + 393.6962 + 488.2271 = 179.5500
    const monthly = monthlyRateFromAnnual(0.1);
    expect(monthly).toBeCloseTo(0.0079741404, 10);
    expect(npv(monthly, [-1000, 300, 400, 500])).toBeCloseTo(179.55, 2);
  });

  it('is the plain sum at a zero rate and round-trips monthly ↔ annual rates', () => {
    expect(npv(0, [-5, 2, 2, 2])).toBe(1);
    expect(annualRateFromMonthly(monthlyRateFromAnnual(0.08))).toBeCloseTo(0.08, 12);
    expect(() => npv(-1, [1])).toThrow(RangeError);
  });
});

describe('irr', () => {
  it('finds 10 % for −100, 110', () => {
    const result = irr([-100, 110]);
    expect(result.rate).toBeCloseTo(0.1, 9);
    expect(result.reason).toBeNull();
  });

  it('finds 23.375 % for −1000, 500, 500, 500 (annuity factor 2)', () => {
    // 500 × (1/(1+r) + 1/(1+r)² + 1/(1+r)³) = 1000 ⇔ annuity factor 2 ⇔ r = 0.233752
    const rate = irr([-1000, 500, 500, 500]).rate;
    expect(rate).toBeCloseTo(0.233752, 5);
    // Check with the definition, independently of the search: NPV at the rate is zero.
    const r = rate ?? Number.NaN;
    expect(-1000 + 500 / (1 + r) + 500 / (1 + r) ** 2 + 500 / (1 + r) ** 3).toBeCloseTo(0, 6);
  });

  it('finds a negative IRR when the money only partly comes back', () => {
    // −100, 50, 40: with x = 1/(1+r), 40x² + 50x − 100 = 0
    // x = (−50 + √(2500 + 16000)) / 80 = (−50 + 136.0147) / 80 = 1.0751838 ⇒ r = −0.069926
    expect(irr([-100, 50, 40]).rate).toBeCloseTo(-0.069926, 5);
  });

  it('says why there is no IRR for all-positive, all-negative and zero flows', () => {
    const positive = irr([100, 200, 300]);
    expect(positive.rate).toBeNull();
    expect(positive.reason).toMatch(/positive/);
    expect(irr([-100, -5]).reason).toMatch(/negative/);
    expect(irr([0, 0]).reason).toMatch(/zero/);
    expect(irr([]).rate).toBeNull();
  });

  it('flags more than one IRR when flows change sign twice', () => {
    // −100, 230, −132 has roots r = 10 % and r = 20 % ((1+r)² − 2.3(1+r) + 1.32 = 0).
    const result = irr([-100, 230, -132]);
    expect(result.multiple).toBe(true);
    expect(result.rate).toBeCloseTo(0.1, 8);
  });
});

describe('payback', () => {
  it('interpolates a partial month', () => {
    // Cumulative −1000, −600, −200, +200: crosses zero half-way through month 3 ⇒ 2.5.
    expect(payback([-1000, 400, 400, 400])).toEqual({ period: 2.5, reason: null });
  });

  it('is exact when the cumulative hits zero at a month end', () => {
    expect(payback([-300, 100, 100, 100]).period).toBe(3);
  });

  it('is never when the cumulative ends negative, with a reason', () => {
    const result = payback([-1000, 100, 100]);
    expect(result.period).toBeNull();
    expect(result.reason).toMatch(/negative/);
  });

  it('uses the last crossing when the cumulative dips back below zero', () => {
    // Cumulative 0, −50, +50, −10, +40: stays ≥ 0 only after month 3 ⇒ 3 + 10/50 = 3.2.
    expect(payback([0, -50, 100, -60, 50]).period).toBeCloseTo(3.2, 12);
  });

  it('is zero when nothing is ever owed', () => {
    expect(payback([0, 10, 10]).period).toBe(0);
  });
});

describe('straightLine', () => {
  it('spreads the price evenly over the life and stops at the horizon', () => {
    const schedule = straightLine(3600, 36, 48);
    expect(schedule).toHaveLength(48);
    expect(schedule.slice(0, 36).every((v) => v === 100)).toBe(true);
    expect(schedule.slice(36).every((v) => v === 0)).toBe(true);
    // A horizon shorter than the life counts only its share: 12 × 100.
    expect(straightLine(3600, 36, 12).reduce((a, b) => a + b, 0)).toBe(1200);
    expect(() => straightLine(100, 0, 12)).toThrow(RangeError);
  });
});
