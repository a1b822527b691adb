/**
 * Projected versus actual: after deployment, the figures really spent and earned each month sit
 * beside the projection, so a pilot that is not adding value shows it early.
 */
import { z } from 'zod';
import { UserInputError } from '../../workers/protocol.js';
import { toMinor, type Minor } from './money.js';
import type { RoiResult } from './compute.js';

/** One month of actual figures as a person enters them, in major units of the case's currency. */
export const roiActualSchema = z.object({
  /** Month since the start of the case (0 = the start, as in the projection). */
  month: z.number().int('The month must be a whole number.').min(0, 'The month cannot be negative.').max(120, 'The month cannot be after month 120.'),
  cost: z.number({ error: 'The actual cost must be a number.' }).min(0, 'An actual cost cannot be negative; enter refunds as a lower cost of that month.').max(1e10, 'This actual cost is not plausible; check the number of zeros.'),
  benefit: z.number({ error: 'The actual benefit must be a number.' }).min(-1e10, 'This actual benefit is not plausible.').max(1e10, 'This actual benefit is not plausible; check the number of zeros.'),
  /** Optional note ("new team joined", "model retrained"). */
  note: z.string().max(500).optional(),
});

export type RoiActual = z.output<typeof roiActualSchema>;

/** One month side by side. Money in minor units; `actual…` are null for months not entered yet. */
export interface ActualVsProjectedRow {
  month: number;
  projectedCost: Minor;
  projectedBenefit: Minor;
  projectedCumulative: Minor;
  actualCost: Minor | null;
  actualBenefit: Minor | null;
  /** Running sum of actual net, carried only while there is no gap in the months entered. */
  actualCumulative: Minor | null;
  /** actual net − projected net of the month; null when not entered. */
  netVariance: Minor | null;
  note: string | null;
}

export interface ActualVsProjected {
  rows: ActualVsProjectedRow[];
  /** Months entered (after the projection's horizon too, where they are compared with nothing). */
  monthsReported: number;
  /** The last month up to which the months entered have no gap (null = month 0 missing). */
  continuousThrough: number | null;
  /** actualCumulative − projectedCumulative at `continuousThrough`; null when none. */
  cumulativeVariance: Minor | null;
  /** 'ahead' / 'on-track' (within 10 % of the projected cumulative cost) / 'behind' / 'no-data'. */
  status: 'ahead' | 'on-track' | 'behind' | 'no-data';
  /** In words, for the page and the report. */
  summary: string;
  warnings: string[];
}

/** Lines up actual monthly figures with a projection from `computeRoi`. */
export function actualVsProjected(projection: Pick<RoiResult, 'monthly' | 'currency'>, rawActuals: readonly unknown[]): ActualVsProjected {
  const actuals = rawActuals.map((raw, index) => {
    const parsed = roiActualSchema.safeParse(raw);
    if (!parsed.success) throw new UserInputError(`Actual figures, entry ${index + 1}: ${parsed.error.issues.map((i) => i.message).join(' ')}`);
    return parsed.data;
  });
  const byMonth = new Map<number, RoiActual>();
  for (const actual of actuals) {
    if (byMonth.has(actual.month)) throw new UserInputError(`Actual figures for month ${actual.month} are entered twice; keep one entry per month.`);
    byMonth.set(actual.month, actual);
  }
  const warnings: string[] = [];
  const horizon = projection.monthly.length - 1;
  const beyond = [...byMonth.keys()].filter((month) => month > horizon).sort((a, b) => a - b);
  if (beyond.length > 0) warnings.push(`Months ${beyond.join(', ')} are after the projection's ${horizon}-month horizon and are not compared.`);

  let running = 0;
  let continuous = true;
  let continuousThrough: number | null = null;
  const rows = projection.monthly.map((projected): ActualVsProjectedRow => {
    const actual = byMonth.get(projected.month);
    if (!actual) continuous = false;
    const actualCost = actual ? toMinor(actual.cost, projection.currency) : null;
    const actualBenefit = actual ? toMinor(actual.benefit, projection.currency) : null;
    let actualCumulative: Minor | null = null;
    if (continuous && actualCost !== null && actualBenefit !== null) {
      running += actualBenefit - actualCost;
      actualCumulative = running;
      continuousThrough = projected.month;
    }
    return {
      month: projected.month,
      projectedCost: projected.cost,
      projectedBenefit: projected.benefit,
      projectedCumulative: projected.cumulative,
      actualCost,
      actualBenefit,
      actualCumulative,
      netVariance: actualCost === null || actualBenefit === null ? null : actualBenefit - actualCost - projected.net,
      note: actual?.note ?? null,
    };
  });
  const gap = rows.some((row) => row.actualCost !== null && (continuousThrough === null || row.month > continuousThrough));
  if (gap) warnings.push('Some months are missing before or between those entered: the actual cumulative is shown only up to the first missing month (month 0 is the start).');

  const through = continuousThrough as number | null;
  const at = through === null ? undefined : rows[through];
  const cumulativeVariance = at?.actualCumulative == null ? null : at.actualCumulative - at.projectedCumulative;
  let status: ActualVsProjected['status'] = 'no-data';
  if (cumulativeVariance !== null && at) {
    // Within a tenth of what has been spent so far is noise, not a trend.
    const spent = rows.slice(0, (through ?? 0) + 1).reduce((sum, row) => sum + row.projectedCost, 0);
    const tolerance = Math.max(1, Math.round(spent / 10));
    status = cumulativeVariance > tolerance ? 'ahead' : cumulativeVariance < -tolerance ? 'behind' : 'on-track';
  }
  const summary =
    status === 'no-data'
      ? 'No actual figures entered yet from month 0 onwards; enter what was spent and earned each month since the start.'
      : `Up to month ${through}, the actual cumulative net is ${status === 'ahead' ? 'ahead of' : status === 'behind' ? 'behind' : 'in line with'} the projection.`;
  return { rows, monthsReported: byMonth.size, continuousThrough: through, cumulativeVariance, status, summary, warnings };
}
