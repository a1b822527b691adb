/**
 * Buy versus rent for a project: the library's comparison fed with the project's measured
 * training time and power, its case's cadence, horizon, electricity price and currency, and the
 * indicative workstation and cloud offer unless the caller gives its own.
 */
import { AppError } from '../errors.js';
import { buyVersusRent, DEFAULT_CLOUD, DEFAULT_WORKSTATIONS, type BuyVersusRentInput, type RoiInput, type RoiResult } from '../roi/index.js';
import type { ProjectMeasured } from './measured.js';

/** The overrides a caller may give (the page's editable table). */
export interface BuyRentOverrides {
  workstation?: { label?: string | undefined; price: number; speedUp: number; powerWatts: number } | undefined;
  cloud?: { label?: string | undefined; ratePerGpuHour: number; speedUp: number; overheadHoursPerRun?: number | undefined } | undefined;
  secondsPerRunHere?: number | undefined;
  powerWattsHere?: number | undefined;
}

/** The 24 GB workstation is the middle of the indicative table: a sensible first comparison. */
const DEFAULT_WORKSTATION = DEFAULT_WORKSTATIONS[1] ?? DEFAULT_WORKSTATIONS[0]!;

export function buyVsRentFor(now: { input: RoiInput; measured: ProjectMeasured; result: RoiResult }, overrides: BuyRentOverrides) {
  const { input, measured, result } = now;
  const seconds = overrides.secondsPerRunHere ?? measured.measured.trainingSeconds;
  if (seconds === null || seconds === undefined) {
    throw new AppError('invalid-input', 'The training time of this pilot is not measured yet, so retraining costs cannot be compared. Train the pilot once, or enter how long one training run takes on this machine.');
  }
  const power = overrides.powerWattsHere ?? result.measuredUsed.devicePowerWatts;
  const ws = overrides.workstation ?? DEFAULT_WORKSTATION;
  const cloud = overrides.cloud ?? DEFAULT_CLOUD;
  const raw = {
    currency: input.currency,
    locale: input.locale,
    secondsPerRunHere: seconds,
    powerWattsHere: power,
    retrainsPerYear: input.retrainsPerYear,
    horizonMonths: input.horizonMonths,
    pricePerKwh: input.pricePerKwh,
    workstation: { label: ws.label ?? 'GPU workstation', price: ws.price, speedUp: ws.speedUp, powerWatts: ws.powerWatts, lifeMonths: 'lifeMonths' in ws && typeof ws.lifeMonths === 'number' ? ws.lifeMonths : 36 },
    cloud: { label: cloud.label ?? 'Cloud GPU', ratePerGpuHour: cloud.ratePerGpuHour, speedUp: cloud.speedUp, overheadHoursPerRun: cloud.overheadHoursPerRun ?? 0 },
  } satisfies BuyVersusRentInput;
  return {
    input: raw,
    result: buyVersusRent(raw),
    sources: {
      trainingTime: overrides.secondsPerRunHere !== undefined ? 'entered' : measured.sources.trainingTime,
      power: overrides.powerWattsHere !== undefined ? 'entered' : measured.sources.devicePower,
    },
  };
}
