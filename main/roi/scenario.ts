/**
 * One scenario of a ROI case: the rounded monthly flows with their totals, ROI, payback, NPV and
 * IRR. Expected, pessimistic and optimistic are the same computation with other multipliers.
 */
import { annualRateFromMonthly, irr, monthlyRateFromAnnual, npv, payback, presentValues } from './finance.js';
import { roundFlows, type Component, type RoundedFlows } from './flows.js';
import { roundHalfAway, type Minor } from './money.js';
import type { RoiInput } from './schema.js';

/** The results of one scenario. Money in minor units of the case's currency. */
export interface RoiScenario {
  /** Costs as a percentage of the expected costs (100 for the expected scenario). */
  costPercent: number;
  /** Benefits as a percentage of the expected benefits. */
  benefitPercent: number;
  totalCost: Minor;
  totalBenefit: Minor;
  /** totalBenefit − totalCost, undiscounted. */
  net: Minor;
  /** Net present value at the case's discount rate (month 0 undiscounted). */
  npv: Minor;
  /** Present value of the benefits alone and of the costs alone (for the risk-adjusted value). */
  pvBenefit: Minor;
  pvCost: Minor;
  /** (totalBenefit − totalCost) ÷ totalCost × 100; null when there is no cost. */
  roiPercent: number | null;
  /** Months from the start until the cumulative net stays ≥ 0, fractional; null = never. */
  paybackMonth: number | null;
  /** Why `paybackMonth` is null, in words. */
  paybackReason: string | null;
  /** IRR as an annual percentage (monthly IRR compounded over 12 months); null when none exists. */
  irr: number | null;
  /** Cumulative net at the end of each month 0…horizon. */
  cumulative: Minor[];
}

function zeroBenefitReason(input: RoiInput): string {
  if (input.monthsToGoLive >= input.horizonMonths) {
    return `Benefits begin only after go-live in month ${input.monthsToGoLive + 1}, beyond the ${input.horizonMonths}-month horizon, so the pilot never pays back within it.`;
  }
  return 'No benefit is claimed (hours saved, errors avoided and revenue uplift are all zero), so the pilot never pays back: every month only adds cost.';
}

/** Evaluates a scenario; also returns its rounded flows for the monthly table. */
export function evaluateScenario(
  input: RoiInput,
  components: readonly Component[],
  costPercent: number,
  benefitPercent: number,
  options: { irr: boolean } = { irr: true },
): { scenario: RoiScenario; flows: RoundedFlows; irrDetail: ReturnType<typeof irr> } {
  const flows = roundFlows(components, costPercent / 100, benefitPercent / 100, input.currency);
  const net = flows.benefit.map((benefit, month) => benefit - (flows.cost[month] ?? 0));
  const cumulative: Minor[] = [];
  net.reduce((running, value) => {
    cumulative.push(running + value);
    return running + value;
  }, 0);
  const totalCost = flows.cost.reduce((a, b) => a + b, 0);
  const totalBenefit = flows.benefit.reduce((a, b) => a + b, 0);
  const rate = monthlyRateFromAnnual(input.discountRatePercent / 100);
  const back = payback(net);
  let paybackReason = back.reason;
  if (back.period === null) {
    if (totalBenefit === 0) paybackReason = zeroBenefitReason(input);
    else if (totalBenefit < 0) paybackReason = 'The benefits are negative (the model causes more errors than today\'s process), so the pilot never pays back.';
    else paybackReason = `Benefits do not cover costs within the ${input.horizonMonths}-month horizon: ${back.reason}`;
  }
  // The sensitivity runs only need the NPV; the IRR search is most of the cost of a scenario.
  const irrDetail = options.irr ? irr(net) : { rate: null, reason: 'IRR not computed for this run.', multiple: false };
  const annualIrr = irrDetail.rate === null ? null : annualRateFromMonthly(irrDetail.rate) * 100;
  const sumPv = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const scenario: RoiScenario = {
    costPercent,
    benefitPercent,
    totalCost,
    totalBenefit,
    net: totalBenefit - totalCost,
    // NPV is computed on the minor units and rounded once, at the end.
    npv: roundWhole(npv(rate, net)),
    pvBenefit: roundWhole(sumPv(presentValues(rate, flows.benefit))),
    pvCost: roundWhole(sumPv(presentValues(rate, flows.cost))),
    roiPercent: totalCost === 0 ? null : ((totalBenefit - totalCost) / totalCost) * 100,
    paybackMonth: back.period,
    paybackReason,
    irr: annualIrr !== null && Number.isFinite(annualIrr) ? annualIrr : null,
    cumulative,
  };
  return { scenario, flows, irrDetail };
}

/** Rounds a value already in minor units to a whole minor unit, half away from zero. */
function roundWhole(value: number): Minor {
  return roundHalfAway(value, 0);
}
