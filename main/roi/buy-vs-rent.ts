/**
 * Buy versus rent: what the retraining cadence costs on this machine, on a GPU workstation bought
 * for it, and on rented cloud GPU hours, from the training time measured here — and from which
 * month buying is cheaper than renting.
 */
import { z } from 'zod';
import { UserInputError } from '../../workers/protocol.js';
import { isKnownCurrency, isKnownLocale, minorDigits, toMinor, type Minor } from './money.js';

/** A workstation one could buy; the defaults below are indicative and meant to be edited. */
export interface WorkstationOption {
  id: string;
  label: string;
  /** Purchase price in major units of `currency`. */
  price: number;
  currency: string;
  /** How many times faster than this machine one training run is expected to be. */
  speedUp: number;
  /** Power drawn while training, watts. */
  powerWatts: number;
  /** Useful life, months (for the amortised view). */
  lifeMonths: number;
}

/**
 * Indicative prices (USD, late 2025) and speed-ups against a CPU-only office machine for
 * mid-sized neural networks. Small tabular models gain far less from a GPU: measure before buying.
 */
export const DEFAULT_WORKSTATIONS: readonly WorkstationOption[] = [
  { id: 'gpu-16gb-small', label: 'Small PC with one 16 GB consumer GPU', price: 1800, currency: 'USD', speedUp: 5, powerWatts: 300, lifeMonths: 36 },
  { id: 'gpu-24gb', label: 'Workstation with one 24 GB consumer GPU', price: 4500, currency: 'USD', speedUp: 10, powerWatts: 600, lifeMonths: 36 },
  { id: 'gpu-2x24gb', label: 'Workstation with two 24 GB consumer GPUs', price: 8000, currency: 'USD', speedUp: 17, powerWatts: 1000, lifeMonths: 36 },
  { id: 'gpu-48gb-pro', label: 'Workstation with one 48 GB professional GPU', price: 11000, currency: 'USD', speedUp: 14, powerWatts: 700, lifeMonths: 48 },
];

/** An indicative cloud offer (USD per GPU hour, one data-centre GPU). */
export const DEFAULT_CLOUD = { label: 'Cloud, one data-centre GPU', ratePerGpuHour: 2.5, currency: 'USD', speedUp: 15, overheadHoursPerRun: 0.25 } as const;

const positive = (label: string, max: number) =>
  z.number({ error: `${label} must be a number.` }).positive(`${label} must be more than 0.`).max(max, `${label} above ${max} is not plausible; check the unit.`);
const nonNegative = (label: string, max: number) =>
  z.number({ error: `${label} must be a number.` }).min(0, `${label} cannot be negative.`).max(max, `${label} above ${max} is not plausible; check the unit.`);

/** Input of `buyVersusRent`. Prices in major units of `currency`. */
export const buyVersusRentSchema = z.object({
  currency: z.string().refine(isKnownCurrency, 'Currency must be an ISO 4217 code such as USD, EUR or JPY.').default('USD'),
  locale: z.string().refine(isKnownLocale, 'Locale must be a supported tag such as en-US or de-DE.').default('en-US'),
  /** Measured seconds of one training run on this machine (see `secondsPerRun` to derive it from throughput). */
  secondsPerRunHere: positive('Training time on this machine', 1e8),
  /** Watts this machine draws while training. */
  powerWattsHere: nonNegative('Power of this machine', 1e5),
  /** Training runs per year. */
  retrainsPerYear: nonNegative('Retraining cadence', 365),
  horizonMonths: z.number().int('The horizon must be a whole number of months.').min(1, 'The horizon must be at least 1 month.').max(120, 'The horizon cannot exceed 120 months.').default(36),
  /** Electricity, per kWh. */
  pricePerKwh: nonNegative('Electricity price', 1000),
  workstation: z.object({
    label: z.string().max(120).default('GPU workstation'),
    price: nonNegative('Workstation price', 1e9),
    speedUp: positive('Workstation speed-up', 1000),
    powerWatts: nonNegative('Workstation power', 1e5),
    /** How long such a machine is used before it is replaced: a break-even beyond it never comes. */
    lifeMonths: z.number().int().min(1).max(240).default(36),
  }),
  cloud: z.object({
    label: z.string().max(120).default('Cloud GPU'),
    ratePerGpuHour: nonNegative('Cloud GPU price', 1e5),
    speedUp: positive('Cloud speed-up', 1000),
    /** Billed hours per run that are not training: start-up, data upload, download. */
    overheadHoursPerRun: nonNegative('Cloud overhead per run', 1000).default(0),
  }),
});

export type BuyVersusRentInput = z.output<typeof buyVersusRentSchema>;

/** Seconds of one run from a measured throughput: samples per run ÷ samples per second. */
export function secondsPerRun(samplesPerRun: number, samplesPerSecond: number): number {
  if (!(samplesPerRun > 0) || !(samplesPerSecond > 0) || !Number.isFinite(samplesPerRun / samplesPerSecond)) {
    throw new UserInputError('The training throughput is not measured (samples per second must be more than 0); run the hardware benchmark or train the pilot once.');
  }
  return samplesPerRun / samplesPerSecond;
}

/** One way to run the retraining cadence. Money in minor units. */
export interface BuyRentOption {
  id: 'here' | 'workstation' | 'cloud';
  label: string;
  hoursPerRun: number;
  /** Machine hours a month taken by retraining. */
  hoursPerMonth: number;
  /** Paid at month 0 (the workstation's price). */
  upfront: Minor;
  /** Paid every month (energy, or rented hours). */
  monthly: Minor;
  /** upfront + monthly × horizon. */
  total: Minor;
  /** Cumulative cost at the end of months 0…horizon. */
  cumulative: Minor[];
  /** False when the runs would not fit in the time between them. */
  feasible: boolean;
  note: string | null;
}

/** From which month one option is cheaper than another, or why never. */
export interface BreakEven {
  /** Fractional month; null = never. */
  month: number | null;
  /** Whether `month` falls inside the horizon. */
  withinHorizon: boolean;
  reason: string | null;
}

export interface BuyVersusRentResult {
  currency: string;
  locale: string;
  minorDigits: number;
  horizonMonths: number;
  options: BuyRentOption[];
  breakEven: { workstationVsCloud: BreakEven; workstationVsHere: BreakEven };
  /** The feasible option with the lowest total over the horizon. */
  cheapest: BuyRentOption['id'] | null;
}

const HOURS_PER_MONTH = (365.25 * 24) / 12;

function option(id: BuyRentOption['id'], label: string, hoursPerRun: number, runsPerMonth: number, upfront: number, monthly: number, input: BuyVersusRentInput): BuyRentOption {
  const up = toMinor(upfront, input.currency);
  const perMonth = toMinor(monthly, input.currency);
  const hoursPerMonth = hoursPerRun * runsPerMonth;
  const feasible = hoursPerMonth <= HOURS_PER_MONTH;
  return {
    id, label, hoursPerRun, hoursPerMonth, upfront: up, monthly: perMonth,
    total: up + perMonth * input.horizonMonths,
    cumulative: Array.from({ length: input.horizonMonths + 1 }, (_, month) => up + perMonth * month),
    feasible,
    note: feasible ? null : `Retraining would need ${Math.round(hoursPerMonth)} machine hours a month, more than a month has: this option cannot keep up with the cadence.`,
  };
}

function breakEven(buy: BuyRentOption, other: BuyRentOption, horizon: number, lifeMonths: number): BreakEven {
  const saving = other.monthly - buy.monthly;
  const extra = buy.upfront - other.upfront;
  if (extra <= 0) return { month: 0, withinHorizon: true, reason: null };
  if (saving <= 0) {
    return { month: null, withinHorizon: false, reason: `${other.label} costs no more per month than running the ${buy.label.toLowerCase()}, so buying never pays for itself.` };
  }
  const month = extra / saving;
  if (month > lifeMonths) {
    const years = (m: number) => (m >= 24 ? `${Math.round(m / 12)} years` : `${Math.ceil(m)} months`);
    return {
      month,
      withinHorizon: false,
      reason: `Not within the hardware's life: against ${other.label.toLowerCase()}, the ${buy.label.toLowerCase()} saves too little each month to earn back its price (about ${years(month)}), and such a machine is used for about ${years(lifeMonths)}. Buy it for speed, not to save money, or retrain more often.`,
    };
  }
  return { month, withinHorizon: month <= horizon, reason: month <= horizon ? null : `Buying pays for itself after ${Math.ceil(month)} months, within the hardware's life but beyond the ${horizon}-month horizon of this case.` };
}

/** Costs of the retraining cadence on this machine, a workstation to buy and the cloud. */
export function buyVersusRent(rawInput: unknown): BuyVersusRentResult {
  const parsed = buyVersusRentSchema.safeParse(rawInput);
  if (!parsed.success) throw new UserInputError(`Buy versus rent: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(' ')}`);
  const input = parsed.data;
  const runsPerMonth = input.retrainsPerYear / 12;
  const hoursHere = input.secondsPerRunHere / 3600;
  const energy = (hours: number, watts: number) => runsPerMonth * hours * (watts / 1000) * input.pricePerKwh;
  const wsHours = hoursHere / input.workstation.speedUp;
  const cloudHours = hoursHere / input.cloud.speedUp + input.cloud.overheadHoursPerRun;
  const here = option('here', 'This machine', hoursHere, runsPerMonth, 0, energy(hoursHere, input.powerWattsHere), input);
  const ws = option('workstation', input.workstation.label, wsHours, runsPerMonth, input.workstation.price, energy(wsHours, input.workstation.powerWatts), input);
  const cloud = option('cloud', input.cloud.label, cloudHours, runsPerMonth, 0, runsPerMonth * cloudHours * input.cloud.ratePerGpuHour, input);
  const options = [here, ws, cloud];
  for (const o of options) {
    if (!Number.isSafeInteger(o.total)) throw new UserInputError('Buy versus rent: the amounts are too large to compute exactly; check the units and the number of zeros.');
  }
  const feasible = options.filter((o) => o.feasible);
  const cheapest = feasible.length === 0 ? null : feasible.reduce((best, o) => (o.total < best.total ? o : best)).id;
  return {
    currency: input.currency,
    locale: input.locale,
    minorDigits: minorDigits(input.currency),
    horizonMonths: input.horizonMonths,
    options,
    breakEven: { workstationVsCloud: breakEven(ws, cloud, input.horizonMonths, input.workstation.lifeMonths), workstationVsHere: breakEven(ws, here, input.horizonMonths, input.workstation.lifeMonths) },
    cheapest,
  };
}
