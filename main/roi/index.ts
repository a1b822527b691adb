/**
 * ROI of a pilot: the finance library the ROI page, the `roi_cases` store, the CLI (`pilot roi`,
 * `pilot report`) and the executive report call. Pure and synchronous; no electron, no renderer.
 */
export { computeRoi, type RoiBreakdownLine, type RoiMonth, type RoiResult, type RoiRiskAdjusted } from './compute.js';
export type { RoiWarning } from './flows.js';
export type { RoiScenario } from './scenario.js';
export type { SensitivityEntry } from './sensitivity.js';
export { ROI_FIELD_SPECS, fieldUnit, roiFields, type RoiField, type RoiFieldGroup, type RoiFieldSpec, type RoiNumericKey } from './fields.js';
export {
  defaultRoiInput, parseRoiInput, parseRoiMeasured, roiInputSchema, roiMeasuredSchema, validateRoiInput,
  type RoiInput, type RoiInputIssue, type RoiMeasured,
} from './schema.js';
export { applyRoiSettings } from './settings.js';
export { inputOrigins, measuredLines, type InputOrigin, type OriginLine } from './origins.js';
export { modelErrorRateFromMetrics, type MetricsLike } from './measured.js';
export { diffRoiInputs, type RoiInputChange } from './history.js';
export { annualRateFromMonthly, irr, monthlyRateFromAnnual, npv, payback, straightLine, type IrrResult, type PaybackResult } from './finance.js';
export { formatMoney, formatMoneyCompact, isKnownCurrency, isKnownLocale, minorDigits, sumMinor, toDecimalString, toMajor, toMinor, type Minor } from './money.js';
export {
  DEFAULT_CLOUD, DEFAULT_WORKSTATIONS, buyVersusRent, buyVersusRentSchema, secondsPerRun,
  type BreakEven, type BuyRentOption, type BuyVersusRentInput, type BuyVersusRentResult, type WorkstationOption,
} from './buy-vs-rent.js';
export { actualVsProjected, roiActualSchema, type ActualVsProjected, type ActualVsProjectedRow, type RoiActual } from './actuals.js';
export { renderExecutiveReportHtml } from './report/html.js';
export type * from './report/types.js';
