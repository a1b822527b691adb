/**
 * Data quality and bias engine: streams a CSV once (in parallel byte ranges where it can) and
 * returns a scored report with alerts, per-column profiles, relations, bias metrics and
 * train/test checks. `renderQualityHtml` turns the report into one self-contained HTML file.
 */
export { scoreQuality } from './engine.js';
export { qualityInputSchema, type QualityInput } from './schema.js';
export { renderQualityHtml } from './html.js';
export { THRESHOLDS, SCORE_WEIGHTS } from './thresholds.js';
export type { QualityReport, ColumnReport, Alert, AttributeBias, GroupReport, CorrelationPair, ColumnType, Severity } from './report.js';
