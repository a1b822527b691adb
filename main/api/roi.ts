/**
 * Handlers of the ROI capability. Computing a case takes milliseconds, so nothing here is a job.
 * Each save is a new `roi_cases` row: the rows are the history of the assumptions.
 */
import type { roiChannels } from '../contract/roi.js';
import {
  deleteRoiActual,
  getRoiProject,
  insertRoiCase,
  latestRoiCase,
  listRoiActuals,
  listRoiCases,
  listRoiProjects,
  roiModelVersion,
  setRoiActual,
  type RoiProject,
} from '../../db/roi.js';
import type { App } from '../app-types.js';
import type { RoiCaseSummary, RoiFieldsInfo } from '../contract/roi.js';
import { notFound } from '../errors.js';
import { gatherReportData, reportFileName } from '../report/gather.js';
import { projectMeasured } from '../report/measured.js';
import { buyVsRentFor } from '../report/buy-rent.js';
import {
  actualVsProjected,
  computeRoi,
  defaultRoiInput,
  inputOrigins,
  DEFAULT_CLOUD,
  DEFAULT_WORKSTATIONS,
  diffRoiInputs,
  parseRoiInput,
  renderExecutiveReportHtml,
  roiFields,
  toMajor,
  toMinor,
  validateRoiInput,
  type ActualVsProjected,
  type RoiInput,
  type RoiMeasured,
  type RoiResult,
} from '../roi/index.js';
import type { HandlersOf } from './types.js';
import { versionVerdictById } from '../verdict/gather.js';

const GROUPS: RoiFieldsInfo['groups'] = [
  { id: 'benefit', label: 'Benefits', help: 'What the model brings each month once it is in use.' },
  { id: 'staff', label: 'People', help: 'Hours of the people who build and run the pilot, and what an hour costs.' },
  { id: 'hardware', label: 'Hardware', help: 'Hardware bought for the pilot, spread over its useful life.' },
  { id: 'cloud', label: 'Cloud', help: 'GPU hours rented for training, if any.' },
  { id: 'running', label: 'Running costs', help: 'Licences and data labelling.' },
  { id: 'energy', label: 'Energy and retraining', help: 'Electricity for training runs and how often the model is retrained.' },
  { id: 'timeline', label: 'Timeline and money', help: 'How long the case runs, when the model goes live and what money later is worth.' },
  { id: 'scenario', label: 'Scenarios and risk', help: 'How much worse or better things may turn out, and how likely the pilot is to succeed.' },
];

export function requireRoiProject(app: App, id: number): RoiProject {
  const project = getRoiProject(app.store.read, id);
  if (!project) throw notFound(`Project ${id}`, 'Create a pilot project first, or pick one from the list.');
  return project;
}

/**
 * Names the goal step uses for today's figures (main/contract/pilots.ts `baselineSchema`), mapped to
 * ROI fields; a fraction becomes a percentage. `hoursPerMonth` is asked for in the goal step as the
 * hours the model would save each month, so it seeds the case's hours saved.
 */
const BASELINE_ALIASES: Record<string, { key: keyof RoiInput; scale?: number }> = {
  errorRate: { key: 'todayErrorRatePercent', scale: 100 },
  errorRatePercent: { key: 'todayErrorRatePercent' },
  casesPerMonth: { key: 'volumePerMonth' },
  costOfError: { key: 'costPerError' },
  hourlyRate: { key: 'hourlyValue' },
  hoursPerMonth: { key: 'hoursSavedPerMonth' },
};

/**
 * The first case of a project: the defaults, with the figures the goal step recorded wherever they
 * name a ROI field. A figure that is out of range is left at its default rather than refused.
 */
export function initialRoiInput(project: RoiProject): RoiInput {
  const seeded: Record<string, unknown> = {};
  const fieldKeys = new Set<string>(['currency', 'locale', ...roiFields.map((f) => f.key)]);
  for (const [name, value] of Object.entries(project.baseline ?? {})) {
    const alias = BASELINE_ALIASES[name];
    const key = alias?.key ?? (fieldKeys.has(name) ? name : null);
    if (!key) continue;
    const candidate = typeof value === 'number' && alias?.scale ? value * alias.scale : key === 'currency' && typeof value === 'string' ? value.trim().toUpperCase() : value;
    if (validateRoiInput({ ...seeded, [key]: candidate }).ok) seeded[key] = candidate;
  }
  return validateRoiInput(seeded).ok ? parseRoiInput(seeded) : defaultRoiInput();
}

function storedInput(raw: Record<string, unknown>): RoiInput | null {
  const parsed = validateRoiInput(raw);
  return parsed.ok ? parsed.value : null;
}

function summaries(app: App, projectId: number): RoiCaseSummary[] {
  const cases = listRoiCases(app.store.read, projectId);
  return cases.map((row, index) => {
    const older = cases[index + 1];
    const after = storedInput(row.input);
    const before = older ? storedInput(older.input) : null;
    return {
      id: row.id,
      note: row.note,
      createdAt: row.createdAt,
      changes: after && before ? diffRoiInputs(before, after) : [],
      npv: row.npv,
      roiPercent: row.roiPercent,
      paybackMonth: row.paybackMonth,
      currency: row.currency ?? after?.currency ?? 'USD',
    };
  });
}

/** The latest saved input of a project, else its first case. */
export function currentRoiInput(app: App, project: RoiProject): { input: RoiInput; saved: ReturnType<typeof latestRoiCase> } {
  const saved = latestRoiCase(app.store.read, project.id);
  return { input: (saved && storedInput(saved.input)) ?? initialRoiInput(project), saved };
}

function actualsOf(app: App, projectId: number, result: RoiResult): ActualVsProjected {
  const rows = listRoiActuals(app.store.read, projectId);
  return actualVsProjected(
    result,
    rows.map((row) => ({ month: row.month, cost: toMajor(row.costMinor, result.currency), benefit: toMajor(row.benefitMinor, result.currency), ...(row.note ? { note: row.note } : {}) })),
  );
}

/** The latest case computed with today's measurements: what the page, the CLI and the report show. */
export function roiNow(app: App, project: RoiProject) {
  const { input, saved } = currentRoiInput(app, project);
  const measured = projectMeasured(app.store.read, project);
  return { input, saved, measured, result: computeRoi(input, measured.measured) };
}

function actualsAfterChange(app: App, projectId: number): ActualVsProjected {
  const project = requireRoiProject(app, projectId);
  return actualsOf(app, projectId, roiNow(app, project).result);
}

/**
 * What the workbench measures differently since the case was saved ("a better model or a drifted
 * one changes the ROI"), in words. Empty when nothing changed or nothing was saved.
 */
export function measuredChanges(saved: Record<string, unknown> | undefined, now: RoiMeasured): string[] {
  const before = (saved?.measured ?? null) as Partial<RoiMeasured> | null;
  if (!before) return [];
  const changes: string[] = [];
  const pct = (rate: number | null | undefined) => (typeof rate === 'number' ? `${(rate * 100).toFixed(2)} %` : 'none');
  if ((before.modelErrorRate ?? null) !== now.modelErrorRate) changes.push(`Model error rate ${pct(before.modelErrorRate)} → ${pct(now.modelErrorRate)}`);
  if ((before.modelVersionState ?? 'none') !== (now.modelVersionState ?? 'none')) changes.push(`Model version ${before.modelVersionState ?? 'none'} → ${now.modelVersionState ?? 'none'}`);
  if ((before.trainingSeconds ?? null) !== now.trainingSeconds) changes.push(`Training time ${before.trainingSeconds ?? 'not measured'} s → ${now.trainingSeconds ?? 'not measured'} s`);
  if ((before.devicePowerWatts ?? null) !== now.devicePowerWatts) changes.push(`Device power ${before.devicePowerWatts ?? 'not measured'} W → ${now.devicePowerWatts ?? 'not measured'} W`);
  if (before.baselinePresent !== undefined && before.baselinePresent !== now.baselinePresent) changes.push(now.baselinePresent ? 'A baseline has been recorded' : 'The baseline has been removed');
  return changes;
}

export const roiHandlers: HandlersOf<typeof roiChannels> = {
  'roi:fields': () => ({
    fields: [...roiFields],
    groups: GROUPS,
    defaults: defaultRoiInput(),
    workstations: [...DEFAULT_WORKSTATIONS],
    cloud: { ...DEFAULT_CLOUD },
  }),
  'roi:projects': (_input, app) => listRoiProjects(app.store.read),
  'roi:get': ({ projectId }, app) => {
    const project = requireRoiProject(app, projectId);
    const { input, saved, measured, result } = roiNow(app, project);
    return {
      project: { id: project.id, name: project.name, question: project.question, baselinePresent: project.baseline !== null },
      saved: saved ? { id: saved.id, createdAt: saved.createdAt, note: saved.note } : null,
      input,
      measured,
      result,
      measuredChanges: measuredChanges(saved?.measured, measured.measured),
      history: summaries(app, project.id),
      actuals: actualsOf(app, project.id, result),
      verdict: ((version) => (version ? versionVerdictById(app.store.read, version.id) : null))(roiModelVersion(app.store.read, project.id)),
      origins: inputOrigins(input, defaultRoiInput(), initialRoiInput(project)),
    };
  },
  'roi:compute': ({ projectId, input }, app) => {
    const project = requireRoiProject(app, projectId);
    const checked = validateRoiInput(input);
    if (!checked.ok) return { result: null, issues: checked.issues };
    return { result: computeRoi(checked.value, projectMeasured(app.store.read, project).measured), issues: [] };
  },
  'roi:save': ({ projectId, input, note }, app) => {
    const project = requireRoiProject(app, projectId);
    const value = parseRoiInput(input);
    const measured = projectMeasured(app.store.read, project);
    const result = computeRoi(value, measured.measured);
    const saved = insertRoiCase(app.store.write, { projectId, input: value as unknown as Record<string, unknown>, measured: measured as unknown as Record<string, unknown>, result: result as unknown as Record<string, unknown>, note: note.trim() }, Date.now());
    const summary = summaries(app, projectId).find((row) => row.id === saved.id)!;
    return { case: summary, input: value, result };
  },
  'roi:history': ({ projectId }, app) => {
    requireRoiProject(app, projectId);
    return summaries(app, projectId);
  },
  'roi:actuals:set': ({ projectId, month, cost, benefit, note }, app) => {
    const project = requireRoiProject(app, projectId);
    const { input } = currentRoiInput(app, project);
    // Validate with the library's rules (no negative cost, plausible sizes) before storing.
    actualVsProjected({ monthly: [], currency: input.currency }, [{ month, cost: Number(cost), benefit: Number(benefit), note }]);
    setRoiActual(app.store.write, projectId, { month, costMinor: toMinor(Number(cost), input.currency), benefitMinor: toMinor(Number(benefit), input.currency), note: note.trim() }, Date.now());
    return actualsAfterChange(app, projectId);
  },
  'roi:actuals:delete': ({ projectId, month }, app) => {
    requireRoiProject(app, projectId);
    deleteRoiActual(app.store.write, projectId, month);
    return actualsAfterChange(app, projectId);
  },
  'roi:buy-vs-rent': (input, app) => {
    const project = requireRoiProject(app, input.projectId);
    return buyVsRentFor(roiNow(app, project), input);
  },
  'roi:report': ({ projectId }, app) => {
    const project = requireRoiProject(app, projectId);
    const { input, result } = roiNow(app, project);
    const data = gatherReportData(app.store.read, project, { input, result, origins: inputOrigins(input, defaultRoiInput(), initialRoiInput(project)) });
    return { html: renderExecutiveReportHtml(data), fileName: reportFileName(project.name) };
  },
};
