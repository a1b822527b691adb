/**
 * The textbook financial formulas, on plain numbers and one cash flow per period (period 0 is
 * "now"). Everything here is pure and never returns NaN or Infinity: where a figure does not
 * exist (no IRR, no payback) it returns null with the reason in words.
 */

/** The monthly rate equivalent to an annual rate: (1 + annual)^(1/12) − 1 (both as fractions). */
export function monthlyRateFromAnnual(annual: number): number {
  return (1 + annual) ** (1 / 12) - 1;
}

/** The annual rate equivalent to a monthly rate: (1 + monthly)^12 − 1 (both as fractions). */
export function annualRateFromMonthly(monthly: number): number {
  return (1 + monthly) ** 12 - 1;
}

/** Net present value: Σ flows[t] / (1 + rate)^t, with flows[0] undiscounted. `rate` is per period, > −1. */
export function npv(rate: number, flows: readonly number[]): number {
  if (!(rate > -1)) throw new RangeError(`npv: rate ${rate} must be above −100 %`);
  let total = 0;
  let factor = 1;
  for (const flow of flows) {
    total += flow / factor;
    factor *= 1 + rate;
  }
  return total;
}

/** Present value of each flow, same order. */
export function presentValues(rate: number, flows: readonly number[]): number[] {
  let factor = 1;
  return flows.map((flow) => {
    const value = flow / factor;
    factor *= 1 + rate;
    return value;
  });
}

/** An internal rate of return, or why there is none. */
export interface IrrResult {
  /** Rate per period as a fraction (0.1 = 10 % per period); null when none exists. */
  rate: number | null;
  /** Why `rate` is null, in words; null when there is a rate. */
  reason: string | null;
  /** More than one rate makes NPV zero (flows change sign more than once); `rate` is the one nearest 0. */
  multiple: boolean;
}

// Rates per period searched for a sign change of NPV: −99 % … +1000 %. Denser near 0, where real
// projects are; a root outside this range is reported as not found rather than guessed.
const IRR_GRID: readonly number[] = (() => {
  const grid = [-0.99, -0.95, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.15, -0.1, -0.05, -0.02, -0.01, -0.005, 0];
  for (let r = 0.0025; r < 10; r *= 1.25) grid.push(r);
  grid.push(10);
  return grid;
})();

function bisect(flows: readonly number[], low: number, high: number): number {
  let lowValue = npv(low, flows);
  for (let i = 0; i < 200; i += 1) {
    const mid = (low + high) / 2;
    const midValue = npv(mid, flows);
    if (midValue === 0 || high - low < 1e-13) return mid;
    if (Math.sign(midValue) === Math.sign(lowValue)) {
      low = mid;
      lowValue = midValue;
    } else {
      high = mid;
    }
  }
  return (low + high) / 2;
}

/**
 * The rate per period at which NPV is zero. Bracketed on a fixed grid and refined by bisection,
 * which is slower than Newton's method but cannot diverge or jump to a far root.
 */
export function irr(flows: readonly number[]): IrrResult {
  const hasPositive = flows.some((f) => f > 0);
  const hasNegative = flows.some((f) => f < 0);
  if (!hasPositive && !hasNegative) return { rate: null, reason: 'All cash flows are zero, so there is no rate of return.', multiple: false };
  if (!hasNegative) return { rate: null, reason: 'Every cash flow is positive or zero: there is no investment to earn a return on, so IRR does not exist.', multiple: false };
  if (!hasPositive) return { rate: null, reason: 'Every cash flow is negative or zero: the money never comes back, so IRR does not exist.', multiple: false };
  const roots: number[] = [];
  let previousRate: number | undefined;
  let previousValue = 0;
  for (const rate of IRR_GRID) {
    const value = npv(rate, flows);
    if (!Number.isFinite(value)) continue;
    if (value === 0) roots.push(rate);
    else if (previousRate !== undefined && previousValue !== 0 && Math.sign(value) !== Math.sign(previousValue)) {
      roots.push(bisect(flows, previousRate, rate));
    }
    previousRate = rate;
    previousValue = value;
  }
  if (roots.length === 0) {
    return { rate: null, reason: 'No rate between −99 % and +1000 % per period makes the net present value zero.', multiple: false };
  }
  const nearest = roots.reduce((best, r) => (Math.abs(r) < Math.abs(best) ? r : best));
  return { rate: nearest, reason: null, multiple: roots.length > 1 };
}

/** When the cumulative cash flow turns non-negative for good, or why it never does. */
export interface PaybackResult {
  /** Periods from period 0, fractional (2.5 = half-way through period 3); null = never. */
  period: number | null;
  /** Why `period` is null, in words; null when there is a payback. */
  reason: string | null;
}

/**
 * Payback: the point after which the cumulative cash flow stays at or above zero, with the
 * crossing month interpolated linearly (cash assumed to arrive evenly within a month). Using the
 * last crossing, not the first, means a project that dips back into the red is not called paid back.
 */
export function payback(flows: readonly number[]): PaybackResult {
  const cumulative: number[] = [];
  let running = 0;
  for (const flow of flows) {
    running += flow;
    cumulative.push(running);
  }
  if (cumulative.length === 0) return { period: null, reason: 'There are no cash flows.' };
  const last = cumulative[cumulative.length - 1] ?? 0;
  if (last < 0) return { period: null, reason: 'The cumulative cash flow is still negative at the end of the horizon.' };
  let lastNegative = -1;
  cumulative.forEach((value, index) => {
    if (value < 0) lastNegative = index;
  });
  if (lastNegative === -1) return { period: 0, reason: null };
  const before = cumulative[lastNegative] ?? 0;
  const after = cumulative[lastNegative + 1] ?? 0;
  return { period: lastNegative + -before / (after - before), reason: null };
}

/**
 * Straight-line amortisation: `price / lifeMonths` in each of the first `lifeMonths` months,
 * cut at the horizon (what lies beyond the horizon is not a cost of this horizon).
 * Returns the amount for months 1…horizon (index 0 = month 1).
 */
export function straightLine(price: number, lifeMonths: number, horizonMonths: number): number[] {
  if (!(lifeMonths >= 1)) throw new RangeError('straightLine: life must be at least one month');
  const perMonth = price / lifeMonths;
  return Array.from({ length: horizonMonths }, (_, index) => (index < lifeMonths ? perMonth : 0));
}
