/**
 * Drift: compare a current CSV with reference data (a file, or a cached profile of it), column by
 * column with Evidently's default tests, plus prediction and performance drift.
 */
export { checkDrift } from './check.js';
export { compareWithReference, profileReference } from './engine.js';
export { driftInputSchema, driftModelSchema, driftOptionsSchema, profileInputSchema, referenceProfileSchema } from './schema.js';
export type { DriftInput, DriftModel, DriftOptions, ProfileInput } from './schema.js';
export type { ColumnDrift, ColumnStatus, DriftReport, DriftTest, Overlay, PerformanceDrift } from './report.js';
export type { ReferenceProfile, FileIdentity, ColumnProfile, NumericColumnProfile, CategoricalColumnProfile } from './profile.js';
export { DEFAULT_THRESHOLDS, type DriftThresholds } from './select.js';
export { buildReferenceProfile } from './read.js';
export { renderDriftHtml } from './html.js';
