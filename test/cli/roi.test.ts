/** `pilot roi` and `pilot report` as real processes against a store seeded with SQL. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { databasePath } from '../../main/paths.js';
import { computeRoi } from '../../main/roi/index.js';
import { seedProject } from '../db/roi-seed.js';
import { pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
const QUESTION = 'Can we flag invoices likely to be paid late?';

beforeAll(() => {
  const store = openStore(databasePath(dataDir));
  seedProject(store.write, {
    name: 'late-invoices',
    question: QUESTION,
    baseline: { volumePerMonth: 2000, todayErrorRatePercent: 12, costPerError: 25 },
    accuracy: 0.9,
    trainSeconds: 300,
    backend: 'tensorflow',
    gpuWatts: 450,
    successMetric: 'accuracy',
    successThreshold: 0.85,
  });
  seedProject(store.write, { name: 'no-baseline', accuracy: 0.9, trainSeconds: 60 });
  // Misses its criterion (80 % against 85 %): no money headline.
  seedProject(store.write, { name: 'missed', baseline: { volumePerMonth: 500, todayErrorRatePercent: 30, costPerError: 40 }, accuracy: 0.8, trainSeconds: 60, successMetric: 'accuracy', successThreshold: 0.85 });
  seedProject(store.write, { name: 'retired', baseline: { volumePerMonth: 10 }, accuracy: 0.8, stage: 'archived' });
  store.close();
});

const json = (args: string[]) => {
  const run = pilot([...args, '--json'], { dataDir });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};

describe('pilot roi', () => {
  it('--json equals computeRoi on the same input with the measured figures (error rate = 1 − test accuracy)', () => {
    const out = json(['roi', 'late-invoices']);
    // The baseline's figures seed the first case.
    expect(out.input).toMatchObject({ volumePerMonth: 2000, todayErrorRatePercent: 12, costPerError: 25 });
    const expected = computeRoi(out.input, { modelErrorRate: 1 - 0.9, trainingSeconds: 300, devicePowerWatts: 450, baselinePresent: true, modelVersionState: 'current', modelErrorSource: 'test metrics of version 1' });
    const { project, caseId, saved, changes, input, measuredSources, measuredChanges, ...result } = out;
    expect(measuredChanges).toEqual([]);
    expect(result).toEqual(JSON.parse(JSON.stringify(expected)));
    expect({ project, caseId, saved, changes, input: typeof input }).toEqual({ project: { id: 1, name: 'late-invoices' }, caseId: null, saved: false, changes: null, input: 'object' });
    expect(measuredSources.devicePower).toMatch(/power limit of the NVIDIA/);
    // Hand check: 2000 cases × (12 % − 10 %) × 25 = 1000.00 a month, for months 4…36 = 33 000.00.
    expect(out.breakdown.find((b: { key: string }) => b.key === 'errorsAvoided').total).toBe(3_300_000);
    expect(out.measuredUsed.modelErrorRate).toBeCloseTo(0.1, 12);
    for (const key of ['roiPercent', 'paybackMonth', 'npv', 'irr']) expect(typeof out[key]).toBe('number');
    expect(Object.keys(out.scenarios).sort()).toEqual(['expected', 'optimistic', 'pessimistic']);
    expect(out.monthly).toHaveLength(37);
    for (const m of out.monthly) {
      expect(Object.keys(m).sort()).toEqual(['benefit', 'cost', 'cumulative', 'month', 'net']);
      expect(Number.isInteger(m.cost) && Number.isInteger(m.net)).toBe(true);
    }
    expect(out).toMatchObject({ currency: 'USD', minorDigits: 2 });
  });

  it('--set saves a new case; a second save records what changed', () => {
    const first = json(['roi', 'late-invoices', '--set', 'adoptionPercent=60', '--set', 'hoursSavedPerMonth=10']);
    expect(first).toMatchObject({ saved: true, caseId: expect.any(Number), changes: [], input: { adoptionPercent: 60, hoursSavedPerMonth: 10 } });
    const second = json(['roi', 'late-invoices', '--set', 'adoptionPercent=40', '--note', 'sales team only']);
    expect(second.caseId).toBeGreaterThan(first.caseId);
    expect(second.changes).toEqual([{ key: 'adoptionPercent', label: 'Adoption', unit: '%', before: 60, after: 40 }]);
    // Hours saved: 10 h × 50/h × 40 % = 200.00 a month over 33 months.
    expect(second.breakdown.find((b: { key: string }) => b.key === 'timeSaved').total).toBe(660_000);
    const store = openStore(databasePath(dataDir));
    const rows = store.read.prepare("SELECT note FROM roi_cases WHERE project_id = 1 ORDER BY id").all() as { note: string }[];
    store.close();
    expect(rows.map((r) => r.note)).toEqual(['pilot roi --set adoptionPercent=60 hoursSavedPerMonth=10', 'sales team only']);
    // Without --set, the latest saved case is shown.
    expect(json(['roi', '1'])).toMatchObject({ caseId: second.caseId, saved: true, input: { adoptionPercent: 40 } });
  });

  it('--dry-run computes without saving', () => {
    const before = json(['roi', 'late-invoices']).caseId;
    const dry = json(['roi', 'late-invoices', '--set', 'costPerError=50', '--dry-run']);
    expect(dry).toMatchObject({ saved: false, input: { costPerError: 50 } });
    expect(dry.breakdown.find((b: { key: string }) => b.key === 'errorsAvoided').total).toBe(6_600_000);
    expect(json(['roi', 'late-invoices']).caseId).toBe(before);
  });

  it('says which inputs were measured, which came from the Goal step, which were set and which are defaults, and gives ranges', () => {
    const run = pilot(['roi', 'late-invoices'], { dataDir });
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^Measured: model error rate 10\.00 % \(test metrics of version 1\); training 300 s a run at 450 W$/m);
    expect(out).toMatch(/^From the Goal step: Cases per month 2000 cases per month; Today's error rate 12 %; Cost of one error 25 USD per error$/m);
    // adoptionPercent=40 and hoursSavedPerMonth=10 were set by the tests above.
    expect(out).toMatch(/^Assumed, set for this case: Hours saved 10 hours per month; Adoption 40 %$/m);
    expect(out).toMatch(/^Assumed, defaults \(check them\): .*Loaded staff cost 60 USD per hour/m);
    const state = json(['roi', 'late-invoices']);
    const money = (minor: number) => `$${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`.replace('$-', '-$');
    expect(out).toContain(`NPV ${money(state.npv)} (range ${money(state.scenarios.pessimistic.npv)} to ${money(state.scenarios.optimistic.npv)})`);
    expect(out).toContain(`ROI ${state.roiPercent.toFixed(1)} % (range ${state.scenarios.pessimistic.roiPercent.toFixed(1)} % to ${state.scenarios.optimistic.roiPercent.toFixed(1)} %)`);
  });

  it('a pilot that failed its criterion: the first line says it does not stand and what it would take, not an NPV', () => {
    const run = pilot(['roi', 'missed'], { dataDir });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^missed: the pilot does not stand — /);
    expect(run.stdout).toMatch(/What it would take: /);
    expect(run.stdout).toMatch(/No return is claimed while it stands/);
    expect(lines[0]).not.toMatch(/NPV|ROI over/);
  });

  it('no baseline: warns and counts no benefit from avoided errors; --set todayErrorRatePercent sets one, said to be assumed', () => {
    const none = pilot(['roi', 'no-baseline', '--dry-run', '--set', 'volumePerMonth=1000', '--set', 'costPerError=10'], { dataDir });
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/warning: No baseline was recorded in the pilot's goal step, so the ROI claims no benefit from avoided errors/);
    expect(none.stdout).toMatch(/payback never: /);

    const run = pilot(['roi', 'no-baseline', '--set', 'volumePerMonth=1000', '--set', 'todayErrorRatePercent=20', '--set', 'costPerError=10'], { dataDir });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: Today's error rate \(20 %\) was entered in the ROI case, not recorded in the pilot's goal step: it is an assumption/);
    const out = json(['roi', 'no-baseline']);
    expect(out.warnings.map((w: { code: string }) => w.code)).not.toContain('no-baseline');
    // Accuracy 0.9: 1000 cases × (0.20 − 0.10) × 10 per error = 1000 a month (in cents), from go-live.
    const avoided = out.breakdown.find((b: { key: string }) => b.key === 'errorsAvoided');
    expect(avoided.total).toBe(100_000 * (out.horizonMonths - out.input.monthsToGoLive));
  });

  it('archived version: the state is reported', () => {
    const out = json(['roi', 'retired']);
    expect(out.warnings.map((w: { code: string }) => w.code)).toContain('model-archived');
  });

  it('bad input: clear one-line errors, exit 2 for usage, 1 for values', () => {
    const unknown = pilot(['roi', 'late-invoices', '--set', 'adoption=5'], { dataDir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('pilot roi: There is no ROI field named "adoption". Did you mean adoptionPercent?');
    const malformed = pilot(['roi', 'late-invoices', '--set', 'adoptionPercent'], { dataDir });
    expect(malformed.code).toBe(2);
    const negative = pilot(['roi', 'late-invoices', '--set', 'costPerError=-5'], { dataDir });
    expect(negative.code).toBe(1);
    expect(negative.stderr.trim()).toMatch(/^pilot roi: The ROI case has 1 problem: Cost of one error cannot be negative \(you entered -5\)/);
    expect(negative.stderr.trim().split('\n')).toHaveLength(1);
    const notNumber = pilot(['roi', 'late-invoices', '--set', 'costPerError=ten'], { dataDir });
    expect(notNumber.code).toBe(1);
    expect(notNumber.stderr).toMatch(/is not a number/);
    const missing = pilot(['roi', 'nope'], { dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('pilot roi: There is no pilot project "nope". Give its name or id (pilot train creates one).');
  });
});

describe('pilot report', () => {
  it('writes the executive report with the question and the ROI figures', () => {
    const file = join(dir, 'report.html');
    const run = pilot(['report', 'late-invoices', '--html', file], { dataDir });
    expect(run.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(QUESTION);
    const roi = json(['roi', 'late-invoices']);
    const npv = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(roi.npv / 100);
    expect(html).toContain(npv);
    expect(html).toContain('Yes — the success criterion is met.');
    expect(html).toMatch(/Accuracy/);
    expect(html).not.toMatch(/NaN|Infinity|<script/);
  });

  it('without --html exits 2', () => {
    expect(pilot(['report', 'late-invoices'], { dataDir }).code).toBe(2);
  });
});
