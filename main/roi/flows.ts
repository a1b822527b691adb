/**
 * Builds a ROI case's monthly cash flows, component by component (month 0 = the start, when the
 * one-off costs fall; months 1…horizon = running costs and benefits). Each component is rounded
 * to minor units once, then only integers are added, so the breakdown, the monthly rows and the
 * totals add up exactly.
 */
import { UserInputError } from '../../workers/protocol.js';
import { ROI_FIELD_SPECS } from './fields.js';
import { minorDigits, toMinor, type Minor } from './money.js';
import type { RoiInput, RoiMeasured } from './schema.js';

/** Figures the model uses after choosing between measured values and fallbacks. */
export interface ResolvedMeasured {
  /** Model error rate, fraction 0…1; null = no usable measurement or no baseline: no error benefit. */
  modelErrorRate: number | null;
  /** Seconds of one training run; null = not measured: no energy cost counted. */
  trainingSeconds: number | null;
  /** Watts drawn while training (measured, else the case's fallback). */
  devicePowerWatts: number;
  /** Whether the watts were measured (false = the case's fallback value). */
  powerMeasured: boolean;
  baselinePresent: boolean;
}

/** A warning shown beside the results: a stable code for tests and the UI, and a sentence. */
export interface RoiWarning {
  code: string;
  message: string;
}

/** One cost or benefit line, in major units per month (index = month, 0…horizon). */
export interface Component {
  key: string;
  label: string;
  kind: 'cost' | 'benefit';
  amounts: number[];
}

/** Chooses the figures the model uses and says what was left out and why. */
export function resolveMeasured(input: RoiInput, measured: RoiMeasured): { resolved: ResolvedMeasured; warnings: RoiWarning[] } {
  const warnings: RoiWarning[] = [];
  const state = measured.modelVersionState ?? (measured.modelErrorRate === null ? 'none' : 'current');
  let modelErrorRate = measured.modelErrorRate;
  if (state === 'deleted' || state === 'none') {
    if (state === 'deleted') warnings.push({ code: 'model-deleted', message: 'The model version this case was built on has been deleted, so its error rate is unknown: no benefit from avoided errors is counted. Register a model version and recompute.' });
    modelErrorRate = null;
  } else if (state === 'archived') {
    warnings.push({ code: 'model-archived', message: "The model version is archived: the error rate used is its last measurement and may not match what runs in production." });
  }
  const errorsMatter = input.volumePerMonth > 0 && input.costPerError > 0;
  // Today's error rate is the baseline: recorded in the goal step, or entered in the case itself
  // (the ROI page, or pilot roi --set todayErrorRatePercent=20), where it is an assumption.
  const baselineEntered = !measured.baselinePresent && input.todayErrorRatePercent > 0;
  if (baselineEntered && errorsMatter) {
    warnings.push({ code: 'baseline-assumed', message: `Today's error rate (${input.todayErrorRatePercent} %) was entered in the ROI case, not recorded in the pilot's goal step: it is an assumption. Record it in the goal step once it is measured.` });
  }
  if (!measured.baselinePresent && !baselineEntered) {
    if (errorsMatter) warnings.push({ code: 'no-baseline', message: "No baseline was recorded in the pilot's goal step, so the ROI claims no benefit from avoided errors: without today's figures there is nothing to compare the model with. Record the baseline, then recompute." });
    modelErrorRate = null;
  } else if (modelErrorRate === null && errorsMatter && state !== 'deleted') {
    warnings.push({ code: 'no-model-error', message: "The model's error rate has not been measured yet (no test metrics or evaluation), so no benefit from avoided errors is counted. Train and evaluate the model, then recompute." });
  }
  if (modelErrorRate !== null && errorsMatter && modelErrorRate > input.todayErrorRatePercent / 100) {
    warnings.push({ code: 'model-worse', message: `The model's measured error rate (${(modelErrorRate * 100).toFixed(2)} %) is higher than today's (${input.todayErrorRatePercent} %): using it would cause more errors, which counts as a loss.` });
  }
  if (measured.trainingSeconds === null) {
    warnings.push({ code: 'no-training-time', message: 'The training time has not been measured yet, so no energy cost is counted for training runs. Train the pilot once, then recompute.' });
  }
  const powerMeasured = measured.devicePowerWatts !== null && !measured.devicePowerAssumption;
  if (!powerMeasured && measured.trainingSeconds !== null) {
    const watts = measured.devicePowerWatts ?? input.fallbackDevicePowerWatts;
    const why = measured.devicePowerWatts !== null && measured.devicePowerAssumption ? ` (${measured.devicePowerAssumption})` : '';
    warnings.push({ code: 'power-assumed', message: `The device's power was not measured; ${watts} W is assumed for energy costs${why}.` });
  }
  return {
    resolved: {
      modelErrorRate,
      trainingSeconds: measured.trainingSeconds,
      devicePowerWatts: measured.devicePowerWatts ?? input.fallbackDevicePowerWatts,
      powerMeasured,
      baselinePresent: measured.baselinePresent || baselineEntered,
    },
    warnings,
  };
}

/** Energy of one training run in kWh: seconds ÷ 3600 × watts ÷ 1000. */
export function energyKwhPerRun(resolved: ResolvedMeasured): number {
  return resolved.trainingSeconds === null ? 0 : (resolved.trainingSeconds / 3600) * (resolved.devicePowerWatts / 1000);
}

function line(key: string, label: string, kind: Component['kind'], months: number, at: (month: number) => number): Component {
  return { key, label, kind, amounts: Array.from({ length: months + 1 }, (_, month) => at(month)) };
}

/** Every cost and benefit line of the case, unrounded, in major units. */
export function buildComponents(input: RoiInput, resolved: ResolvedMeasured): Component[] {
  const h = input.horizonMonths;
  const runsPerMonth = input.retrainsPerYear / 12;
  const energyPerRun = energyKwhPerRun(resolved) * input.pricePerKwh;
  const cloudPerRun = input.cloudGpuHoursPerRun * input.cloudGpuRatePerHour;
  const running = (perMonth: number) => (month: number) => (month >= 1 ? perMonth : 0);
  // Month 0 carries the first training run; months 1… carry the retraining cadence.
  const perRun = (cost: number) => (month: number) => (month === 0 ? cost : cost * runsPerMonth);
  const live = (perMonth: number) => (month: number) => (month > input.monthsToGoLive ? perMonth : 0);
  const errorRateDrop = resolved.modelErrorRate === null ? 0 : input.todayErrorRatePercent / 100 - resolved.modelErrorRate;
  return [
    line('setupStaff', 'Staff: data preparation, training, integration', 'cost', h, (m) =>
      m === 0 ? (input.dataPrepHours + input.trainingStaffHours + input.integrationHours) * input.staffRatePerHour : 0),
    line('labellingOneOff', 'Data labelling, once', 'cost', h, (m) => (m === 0 ? input.labellingOneOff : 0)),
    line('hardware', 'Hardware, amortised', 'cost', h, (m) => (m >= 1 && m <= input.hardwareLifeMonths ? input.hardwarePrice / input.hardwareLifeMonths : 0)),
    line('cloud', 'Cloud GPU hours', 'cost', h, perRun(cloudPerRun)),
    line('energy', 'Energy for training runs', 'cost', h, perRun(energyPerRun)),
    line('retrainStaff', 'Staff: retraining', 'cost', h, running(runsPerMonth * input.retrainStaffHoursPerRun * input.staffRatePerHour)),
    line('monitoring', 'Staff: monitoring', 'cost', h, running(input.monitoringHoursPerMonth * input.staffRatePerHour)),
    line('licences', 'Licences and subscriptions', 'cost', h, running(input.licencesPerMonth)),
    line('labellingOngoing', 'Data labelling, ongoing', 'cost', h, running(input.labellingPerMonth)),
    line('timeSaved', 'Hours saved', 'benefit', h, live(input.hoursSavedPerMonth * input.hourlyValue * (input.adoptionPercent / 100))),
    line('errorsAvoided', 'Errors avoided', 'benefit', h, live(input.volumePerMonth * errorRateDrop * input.costPerError)),
    line('revenueUplift', 'Revenue uplift', 'benefit', h, live(input.revenueUpliftPerMonth)),
  ];
}

// The largest scenario multiplier the schema allows; amounts are checked against it up front so
// no scenario or sensitivity run can leave the range where integers are exact.
const MAX_MULTIPLIER = Math.max(ROI_FIELD_SPECS.pessimisticCostPercent.max, ROI_FIELD_SPECS.optimisticBenefitPercent.max) / 100;

/** Throws a `UserInputError` when the amounts are too large to add up exactly in minor units. */
export function guardMagnitude(components: readonly Component[], currency: string): void {
  const scale = 10 ** minorDigits(currency);
  let total = 0;
  for (const component of components) for (const amount of component.amounts) total += Math.abs(amount);
  // ×2 for the sensitivity swing on top of the largest scenario multiplier.
  if (total * scale * MAX_MULTIPLIER * 2 > Number.MAX_SAFE_INTEGER) {
    throw new UserInputError(`The amounts in this ROI case add up to more than ${Math.floor(Number.MAX_SAFE_INTEGER / scale / MAX_MULTIPLIER / 2).toExponential(1)} ${currency}, too large to compute to the cent; check the units and the number of zeros.`);
  }
}

/** A case's flows in one scenario, rounded: per month and per component, in minor units. */
export interface RoundedFlows {
  cost: Minor[];
  benefit: Minor[];
  /** Per component, the minor units of each month (rounded once, then only added). */
  components: { key: string; label: string; kind: Component['kind']; amounts: Minor[] }[];
}

/** Applies scenario multipliers, rounds every component-month to minor units, and adds up. */
export function roundFlows(components: readonly Component[], costFactor: number, benefitFactor: number, currency: string): RoundedFlows {
  const months = components[0]?.amounts.length ?? 0;
  const cost = new Array<Minor>(months).fill(0);
  const benefit = new Array<Minor>(months).fill(0);
  const rounded = components.map((component) => {
    // A benefit line that is a loss (a model worse than today) scales like a cost, so the
    // pessimistic scenario makes the loss larger, not smaller.
    const isLoss = component.kind === 'benefit' && component.amounts.reduce((a, b) => a + b, 0) < 0;
    const factor = component.kind === 'cost' || isLoss ? costFactor : benefitFactor;
    // Rounding the running total, not each month, keeps every month within a cent of its exact
    // value while the line's total is exactly its rounded exact total (1000 over 3 months is
    // 333.33 + 333.34 + 333.33, not 999.99).
    let exact = 0;
    let roundedSoFar = 0;
    const amounts = component.amounts.map((amount) => {
      exact += amount * factor;
      const cumulative = toMinor(exact, currency);
      const month = cumulative - roundedSoFar;
      roundedSoFar = cumulative;
      return month;
    });
    const target = component.kind === 'cost' ? cost : benefit;
    amounts.forEach((amount, month) => {
      target[month] = (target[month] ?? 0) + amount;
    });
    return { key: component.key, label: component.label, kind: component.kind, amounts };
  });
  return { cost, benefit, components: rounded };
}
