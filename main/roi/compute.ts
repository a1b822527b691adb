/**
 * `computeRoi`: a ROI case plus what the workbench measured → monthly cash flows, ROI, payback,
 * NPV, IRR, scenarios, the risk-adjusted value, the sensitivity tornado and plain-words warnings.
 * Pure and synchronous (milliseconds); called by the main process, the CLI and the report.
 */
import { buildComponents, energyKwhPerRun, guardMagnitude, resolveMeasured, type RoiWarning } from './flows.js';
import { minorDigits, roundHalfAway, type Minor } from './money.js';
import { evaluateScenario, type RoiScenario } from './scenario.js';
import { parseRoiInput, parseRoiMeasured, type RoiMeasured } from './schema.js';
import { sensitivity, type SensitivityEntry } from './sensitivity.js';

/** One month of the expected scenario. Money in minor units. Month 0 is the start (one-off costs). */
export interface RoiMonth {
  month: number;
  cost: Minor;
  benefit: Minor;
  /** benefit − cost. */
  net: Minor;
  /** Sum of `net` from month 0 to this month. */
  cumulative: Minor;
}

/** One cost or benefit line over the whole horizon (expected scenario), for the breakdown table. */
export interface RoiBreakdownLine {
  key: string;
  label: string;
  kind: 'cost' | 'benefit';
  /** Sum over months 0…horizon, minor units; the lines of a kind add up exactly to its total. */
  total: Minor;
}

/** The risk-adjusted expected value: every cost counted, benefits × probability of success. */
export interface RoiRiskAdjusted {
  probabilityPercent: number;
  /** probability × PV(benefits) − PV(costs), minor units. */
  npv: Minor;
  /** probability × total benefits, minor units (undiscounted). */
  benefit: Minor;
  /** benefit − total costs, minor units (undiscounted). */
  net: Minor;
  /** net ÷ total costs × 100; null when there is no cost. */
  roiPercent: number | null;
}

/** The result of `computeRoi`. Every amount is an integer in minor units of `currency`. */
export interface RoiResult {
  currency: string;
  locale: string;
  /** Minor digits of the currency (2 for EUR, 0 for JPY): amount ÷ 10^minorDigits = major units. */
  minorDigits: number;
  horizonMonths: number;
  /** Expected scenario, months 0…horizon. */
  monthly: RoiMonth[];
  totals: { cost: Minor; benefit: Minor; net: Minor };
  breakdown: RoiBreakdownLine[];
  /** Expected scenario's ROI over the horizon in %; null when there is no cost (see `roiReason`). */
  roiPercent: number | null;
  roiReason: string | null;
  /** Expected scenario's payback month (fractional); null = never, see `paybackReason`. */
  paybackMonth: number | null;
  paybackReason: string | null;
  /** Expected scenario's NPV at the discount rate. */
  npv: Minor;
  /** Expected scenario's IRR, annual %; null when it does not exist, see `irrReason`. */
  irr: number | null;
  /** The monthly IRR it comes from, in %. */
  irrMonthlyPercent: number | null;
  irrReason: string | null;
  scenarios: { pessimistic: RoiScenario; expected: RoiScenario; optimistic: RoiScenario };
  riskAdjusted: RoiRiskAdjusted;
  /** Tornado, largest NPV swing first. */
  sensitivity: SensitivityEntry[];
  /** The measured figures actually used (after fallbacks and refusals). */
  measuredUsed: {
    modelErrorRate: number | null;
    modelErrorSource: string | null;
    trainingSeconds: number | null;
    devicePowerWatts: number;
    powerMeasured: boolean;
    energyKwhPerRun: number;
    baselinePresent: boolean;
  };
  warnings: RoiWarning[];
}

/**
 * Computes a ROI case. `rawInput` and `rawMeasured` are validated here (a `UserInputError` says
 * what is wrong), so callers can pass what came over IPC or from the CLI.
 */
export function computeRoi(rawInput: unknown, rawMeasured: RoiMeasured): RoiResult {
  const input = parseRoiInput(rawInput);
  const measured = parseRoiMeasured(rawMeasured);
  const { resolved, warnings } = resolveMeasured(input, measured);
  const components = buildComponents(input, resolved);
  guardMagnitude(components, input.currency);

  const expected = evaluateScenario(input, components, 100, 100);
  const pessimistic = evaluateScenario(input, components, input.pessimisticCostPercent, input.pessimisticBenefitPercent).scenario;
  const optimistic = evaluateScenario(input, components, input.optimisticCostPercent, input.optimisticBenefitPercent).scenario;
  const e = expected.scenario;

  const monthly: RoiMonth[] = expected.flows.cost.map((cost, month) => {
    const benefit = expected.flows.benefit[month] ?? 0;
    return { month, cost, benefit, net: benefit - cost, cumulative: e.cumulative[month] ?? 0 };
  });
  const breakdown: RoiBreakdownLine[] = expected.flows.components.map((line) => ({
    key: line.key,
    label: line.label,
    kind: line.kind,
    total: line.amounts.reduce((a, b) => a + b, 0),
  }));

  const p = input.probabilityOfSuccessPercent / 100;
  const riskBenefit = roundHalfAway(e.totalBenefit * p, 0);
  const riskAdjusted: RoiRiskAdjusted = {
    probabilityPercent: input.probabilityOfSuccessPercent,
    npv: roundHalfAway(e.pvBenefit * p - e.pvCost, 0),
    benefit: riskBenefit,
    net: riskBenefit - e.totalCost,
    roiPercent: e.totalCost === 0 ? null : ((riskBenefit - e.totalCost) / e.totalCost) * 100,
  };

  if (e.totalBenefit === 0) warnings.push({ code: 'zero-benefit', message: e.paybackReason ?? 'No benefit is claimed, so the pilot never pays back.' });
  if (input.monthsToGoLive >= input.horizonMonths) {
    warnings.push({ code: 'go-live-after-horizon', message: `Go-live after ${input.monthsToGoLive} months is not before the end of the ${input.horizonMonths}-month horizon, so no benefit falls inside it. Lengthen the horizon or shorten the time to go-live.` });
  }
  if (input.hardwarePrice > 0 && input.hardwareLifeMonths > input.horizonMonths) {
    warnings.push({ code: 'hardware-beyond-horizon', message: `Only ${input.horizonMonths} of the hardware's ${input.hardwareLifeMonths} months of life fall inside the horizon; the rest of its price is not counted as a cost of this case.` });
  }
  if (expected.irrDetail.multiple) {
    warnings.push({ code: 'irr-multiple', message: 'The cash flows change sign more than once, so more than one IRR exists; the one nearest zero is shown. Rely on the NPV instead.' });
  }

  const roiReason = e.roiPercent === null ? 'No cost is entered, so a return on investment cannot be computed (there is no investment).' : null;
  return {
    currency: input.currency,
    locale: input.locale,
    minorDigits: minorDigits(input.currency),
    horizonMonths: input.horizonMonths,
    monthly,
    totals: { cost: e.totalCost, benefit: e.totalBenefit, net: e.net },
    breakdown,
    roiPercent: e.roiPercent,
    roiReason,
    paybackMonth: e.paybackMonth,
    paybackReason: e.paybackReason,
    npv: e.npv,
    irr: e.irr,
    irrMonthlyPercent: expected.irrDetail.rate === null || e.irr === null ? null : expected.irrDetail.rate * 100,
    irrReason: e.irr === null ? (expected.irrDetail.reason ?? 'The IRR is too large to show: the investment is tiny against the returns.') : null,
    scenarios: { pessimistic, expected: e, optimistic },
    riskAdjusted,
    sensitivity: sensitivity(input, resolved),
    measuredUsed: {
      modelErrorRate: resolved.modelErrorRate,
      modelErrorSource: measured.modelErrorSource ?? null,
      trainingSeconds: resolved.trainingSeconds,
      devicePowerWatts: resolved.devicePowerWatts,
      powerMeasured: resolved.powerMeasured,
      energyKwhPerRun: energyKwhPerRun(resolved),
      baselinePresent: resolved.baselinePresent,
    },
    warnings,
  };
}
