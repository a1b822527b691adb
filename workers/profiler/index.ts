/** The hardware profiler: public API. */
export { createProfiler, defaultDeps, hardwareInputSchema, profileHardware, type HardwareInput, type ProfilerDeps } from './engine.js';
export * from './types.js';
export { parseProfileJson, hardwareReportSchema } from './profile-json.js';
export { diffProfiles, type ProfileChange } from './diff.js';
export { renderHardwareHtml, bestMachinePerPilot } from './html.js';
export { RULES, type Rule, type RuleFacts } from './rules.js';
export { TYPICAL_PILOTS } from './typical.js';
