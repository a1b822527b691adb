/**
 * Channels of the ROI capability: the assumptions catalogue, a project's ROI case (stored with its
 * history), live computing while editing, actual monthly figures, buy versus rent and the
 * executive report. Money in results is integer minor units of the case's currency.
 */
import { z } from 'zod';
import type { PilotVerdict } from '../verdict/pilot.js';
import type { OriginLine } from '../roi/origins.js';
import type { RoiProjectSummary } from '../../db/roi.js';
import type { ProjectMeasured } from '../report/measured.js';
import type {
  ActualVsProjected,
  BuyVersusRentInput,
  BuyVersusRentResult,
  RoiField,
  RoiFieldGroup,
  RoiInput,
  RoiInputChange,
  RoiInputIssue,
  RoiResult,
  WorkstationOption,
} from '../roi/index.js';
import { channel } from './define.js';

/** The catalogue the ROI form is generated from, so the renderer needs no value import. */
export interface RoiFieldsInfo {
  fields: RoiField[];
  /** Form sections in order, with their headings. */
  groups: { id: RoiFieldGroup; label: string; help: string }[];
  /** Every field at its default value (currency USD, locale en-US). */
  defaults: RoiInput;
  /** Indicative workstations to buy (editable on the page). */
  workstations: WorkstationOption[];
  /** An indicative cloud GPU offer. */
  cloud: { label: string; ratePerGpuHour: number; currency: string; speedUp: number; overheadHoursPerRun: number };
}

/** One saved version of a project's assumptions. */
export interface RoiCaseSummary {
  id: number;
  note: string;
  createdAt: number;
  /** What changed against the previous save, in form order; empty for the first save. */
  changes: RoiInputChange[];
  /** Headline figures of the case as computed when it was saved (minor units). */
  npv: number | null;
  roiPercent: number | null;
  paybackMonth: number | null;
  currency: string;
}

/** A project's ROI as the page opens it. */
export interface RoiState {
  project: Pick<RoiProjectSummary, 'id' | 'name' | 'question' | 'baselinePresent'>;
  /** The latest saved case; null when none was saved (the input is then the defaults and the baseline's figures). */
  saved: { id: number; createdAt: number; note: string } | null;
  input: RoiInput;
  /** What the workbench measured now, and where each figure came from. */
  measured: ProjectMeasured;
  /** The input computed with today's measurements (a better or drifted model changes it). */
  result: RoiResult;
  /** What the workbench measures differently since the case was saved, in words ("Model error rate 12.00 % → 9.50 %"). */
  measuredChanges: string[];
  history: RoiCaseSummary[];
  actuals: ActualVsProjected;
  /** The pilot verdict on the version the case uses: the money figures mean little while it is "not ready". */
  verdict: PilotVerdict | null;
  /** Each input that counts, with where it came from: the Goal step, set by someone, or the default (assumed). */
  origins: OriginLine[];
}

/** Live result while editing: `result` is null when the input has problems, listed per field. */
export interface RoiComputed {
  result: RoiResult | null;
  issues: RoiInputIssue[];
}

export interface RoiSaved {
  case: RoiCaseSummary;
  input: RoiInput;
  result: RoiResult;
}

/** Buy versus rent for a project, with the figures it was computed from. */
export interface RoiBuyVsRent {
  input: BuyVersusRentInput;
  result: BuyVersusRentResult;
  /** Where the training time and the power came from, in words. */
  sources: { trainingTime: string; power: string };
}

const projectId = z.number({ error: 'Give a project id (a number).' }).int().positive();
/** Validated by the ROI library, which names each field in words (see roiInputSchema). */
const roiInput = z.record(z.string(), z.unknown(), { error: 'The ROI input must be an object of field values.' });
const money = (what: string) =>
  z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, `The ${what} must be a number such as 1250 or 1250.50 (a dot for decimals, no thousands separator).`)], {
    error: `The ${what} must be a number such as 1250.50.`,
  });

const workstation = z
  .object({ label: z.string().max(120).optional(), price: z.number(), speedUp: z.number(), powerWatts: z.number() })
  .strict();
const cloud = z
  .object({ label: z.string().max(120).optional(), ratePerGpuHour: z.number(), speedUp: z.number(), overheadHoursPerRun: z.number().optional() })
  .strict();

export const roiChannels = {
  'roi:fields': channel<RoiFieldsInfo>()(z.object({}).strict(), 'The ROI assumptions: key, label, unit, help text, range, default and form group of each.'),
  'roi:projects': channel<RoiProjectSummary[]>()(z.object({}).strict(), 'Pilot projects with whether a baseline was recorded and when their ROI case was last saved.'),
  'roi:get': channel<RoiState>()(
    z.object({ projectId }).strict(),
    "A project's latest ROI case computed with today's measurements, with the history of its assumptions and the actual figures.",
  ),
  'roi:compute': channel<RoiComputed>()(
    z.object({ projectId, input: roiInput }).strict(),
    'Computes a ROI case without saving it (live editing); invalid fields come back as issues, not as an error.',
  ),
  'roi:save': channel<RoiSaved>()(
    z.object({ projectId, input: roiInput, note: z.string().max(500, 'Keep the note under 500 characters.').default('') }).strict(),
    'Saves the assumptions as a new version of the case (the previous ones stay, as history) with what changed.',
  ),
  'roi:history': channel<RoiCaseSummary[]>()(z.object({ projectId }).strict(), 'Every saved version of the case, newest first, with what changed each time.'),
  'roi:actuals:set': channel<ActualVsProjected>()(
    z
      .object({
        projectId,
        month: z.number({ error: 'Give the month as a number (0 = the start).' }).int('The month must be a whole number.').min(0, 'The month cannot be negative.').max(120, 'The month cannot be after month 120.'),
        cost: money('actual cost'),
        benefit: money('actual benefit'),
        note: z.string().max(500, 'Keep the note under 500 characters.').default(''),
      })
      .strict(),
    'Enters (or replaces) the actual cost and benefit of one month, in major units of the case currency; returns projected versus actual.',
  ),
  'roi:actuals:delete': channel<ActualVsProjected>()(
    z.object({ projectId, month: z.number().int().min(0).max(120) }).strict(),
    "Removes one month's actual figures; returns projected versus actual.",
  ),
  'roi:buy-vs-rent': channel<RoiBuyVsRent>()(
    z
      .object({
        projectId,
        workstation: workstation.optional(),
        cloud: cloud.optional(),
        /** Overrides the measured training time of one run, seconds. */
        secondsPerRunHere: z.number().optional(),
        /** Overrides this machine's power, watts. */
        powerWattsHere: z.number().optional(),
      })
      .strict(),
    "Cost of the case's retraining cadence on this machine, on a workstation to buy and on cloud GPUs, with the break-even month.",
  ),
  'roi:report': channel<{ html: string; fileName: string }>()(
    z.object({ projectId }).strict(),
    'The executive report of a project: one self-contained HTML document (print it to PDF from the desktop app).',
  ),
};
