/**
 * The zod schemas at the boundary (IPC, CLI, stored `roi_cases`): a ROI case's assumptions and
 * what the workbench measured. Every message names the field in words and says what to do.
 */
import { z } from 'zod';
import { UserInputError } from '../../workers/protocol.js';
import { ROI_FIELD_SPECS, fieldUnit, type RoiFieldSpec, type RoiNumericKey } from './fields.js';
import { isKnownCurrency, isKnownLocale } from './money.js';

function describeInput(input: unknown): string {
  if (typeof input === 'number') return String(input);
  if (typeof input === 'string') return `"${input.slice(0, 40)}"`;
  return input === null ? 'nothing' : typeof input;
}

function numberField(spec: RoiFieldSpec) {
  const unit = fieldUnit(spec, 'currency units');
  let field = z.number({ error: (issue) => `${spec.label} must be a number in ${unit}, not ${describeInput(issue.input)}.` });
  if (spec.integer) field = field.int({ error: (issue) => `${spec.label} must be a whole number of ${unit} (you entered ${describeInput(issue.input)}).` });
  return field
    .min(spec.min, {
      error: (issue) =>
        spec.min === 0
          ? `${spec.label} cannot be negative (you entered ${describeInput(issue.input)}); enter 0 or more ${unit}.`
          : `${spec.label} must be at least ${spec.min} ${unit} (you entered ${describeInput(issue.input)}).`,
    })
    .max(spec.max, {
      error: (issue) =>
        `${spec.label} of ${describeInput(issue.input)} ${unit} is beyond the plausible maximum of ${spec.max}; check the unit and the number of zeros.`,
    })
    .default(spec.default)
    .describe(`${spec.label} (${spec.unit}): ${spec.help}`);
}

type NumericShape = { [K in RoiNumericKey]: ReturnType<typeof numberField> };

const numericShape = Object.fromEntries(
  (Object.keys(ROI_FIELD_SPECS) as RoiNumericKey[]).map((key) => [key, numberField(ROI_FIELD_SPECS[key])]),
) as NumericShape;

/** A ROI case's assumptions. Amounts are in major units of `currency` (12.50 = twelve fifty). */
export const roiInputSchema = z
  .object({
    /** ISO 4217 code; every amount of the case is in this currency. */
    currency: z
      .string({ error: 'Currency must be a three-letter code such as USD, EUR or JPY.' })
      .refine(isKnownCurrency, { error: (issue) => `Currency ${describeInput(issue.input)} is not a known ISO 4217 code; use a code such as USD, EUR or JPY.` })
      .default('USD'),
    /** BCP 47 locale used to format amounts and dates, e.g. `en-US`, `de-DE`, `ja-JP`. */
    locale: z
      .string({ error: 'Locale must be a language tag such as en-US or de-DE.' })
      .refine(isKnownLocale, { error: (issue) => `Locale ${describeInput(issue.input)} is not supported here; use a tag such as en-US, de-DE or ja-JP.` })
      .default('en-US'),
    ...numericShape,
  })
  .strict();

/** A validated ROI case, every field present (defaults filled in). */
export type RoiInput = z.output<typeof roiInputSchema>;

/** What the workbench measured for the pilot; the ROI ties its figures to these. */
export const roiMeasuredSchema = z.object({
  /** The model's error rate as a fraction 0…1 (1 − accuracy on the test set or latest evaluation); null when unknown. */
  modelErrorRate: z.number().min(0, 'The model error rate must be between 0 and 1.').max(1, 'The model error rate must be between 0 and 1 (a fraction, not a percentage).').nullable(),
  /** Where `modelErrorRate` comes from, in words ("test metrics of version 3"). */
  modelErrorSource: z.string().max(200).optional(),
  /** State of the model version the error rate belongs to; `deleted`/`none` mean no usable measurement. */
  modelVersionState: z.enum(['current', 'archived', 'deleted', 'none']).optional(),
  /** Measured wall-clock time of one training run, in seconds; null when not trained yet. */
  trainingSeconds: z.number().min(0, 'Training time cannot be negative.').max(1e8, 'Training time above three years is not plausible.').nullable(),
  /** Measured or profiled power draw of the training device, in watts; null when unknown. */
  devicePowerWatts: z.number().min(0, 'Device power cannot be negative.').max(1e5, 'Device power above 100 kW is not plausible.').nullable(),
  /**
   * Set when `devicePowerWatts` is an assumption rather than a measurement (a CPU-only machine, whose
   * power the profiler cannot read): the sentence says what was assumed and why.
   */
  devicePowerAssumption: z.string().max(300).optional(),
  /** Whether the pilot's goal step recorded today's figures (the baseline) before training. */
  baselinePresent: z.boolean(),
});

/** What the workbench measured, validated. */
export type RoiMeasured = z.output<typeof roiMeasuredSchema>;

/** One problem with one field, for showing next to the field on a form. */
export interface RoiInputIssue {
  /** The field's key (`hoursSavedPerMonth`), or '' for the case as a whole. */
  key: string;
  /** What is wrong and what to do, in one sentence. */
  message: string;
}

function issuesOf(error: z.ZodError): RoiInputIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { key: '', message: `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; see the list of ROI fields for the names.` };
    }
    return { key: issue.path.map(String).join('.'), message: issue.message };
  });
}

/** Validates a ROI case without throwing: the form shows each issue beside its field. */
export function validateRoiInput(raw: unknown): { ok: true; value: RoiInput } | { ok: false; issues: RoiInputIssue[] } {
  const parsed = roiInputSchema.safeParse(raw ?? {});
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: issuesOf(parsed.error) };
}

/** Validates a ROI case; throws a `UserInputError` listing every problem (for the CLI and IPC). */
export function parseRoiInput(raw: unknown): RoiInput {
  const result = validateRoiInput(raw);
  if (result.ok) return result.value;
  throw new UserInputError(`The ROI case has ${result.issues.length} problem${result.issues.length > 1 ? 's' : ''}: ${result.issues.map((i) => i.message).join(' ')}`);
}

/** Validates what the workbench measured; throws a `UserInputError` (a bug upstream, usually). */
export function parseRoiMeasured(raw: unknown): RoiMeasured {
  const parsed = roiMeasuredSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new UserInputError(`The measured figures for the ROI are invalid: ${issuesOf(parsed.error).map((i) => `${i.key}: ${i.message}`).join(' ')}`);
}

/** Every field at its default value. */
export function defaultRoiInput(): RoiInput {
  return roiInputSchema.parse({});
}
