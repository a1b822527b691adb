import { describe, expect, it } from 'vitest';
import { criterionResult, pilotVerdict, type VerdictInput } from '../../main/verdict/pilot.js';

const metrics = { accuracy: 0.84, recall: 0.61, perClass: [{ label: '>50K', recall: 0.61 }, { label: '<=50K', recall: 0.91 }] };
const met = criterionResult({ successMetric: 'accuracy', successThreshold: 0.8, successClass: null }, metrics);
const base: VerdictInput = {
  criterion: met,
  task: 'binary',
  headline: { metric: 'accuracy', value: 0.84, majority: 0.76 },
  fairness: [],
  dataAlerts: [],
  features: ['age', 'sex', 'hours'],
  excluded: [],
  versusLinear: { verdict: 'better', difference: 0.02, pValue: 0.001, metric: 'accuracy' },
};
// Adult-like groups: women selected 6 %, men 19 % (disparate impact 0.32).
const unfair = [{ column: 'sex', groups: [{ group: 'Male', count: 600, selectionRate: 0.19, tpr: 0.62 }, { group: 'Female', count: 300, selectionRate: 0.06, tpr: 0.55 }] }];

describe('criterionResult', () => {
  it('judges higher- and lower-is-better metrics, and a class the criterion names', () => {
    expect(met.state).toBe('met');
    expect(met.text).toBe('Success criterion met: accuracy is 84.0 %, at least the 80.0 % you asked for.');
    expect(criterionResult({ successMetric: 'recall', successThreshold: 0.75, successClass: '>50K' }, metrics)).toMatchObject({ state: 'not-met' });
    expect(criterionResult({ successMetric: 'mae', successThreshold: 500, successClass: null }, { mae: 480 }).state).toBe('met');
    expect(criterionResult({ successMetric: 'recall', successThreshold: 0.5, successClass: 'nope' }, metrics).state).toBe('invalid');
    expect(criterionResult({ successMetric: null, successThreshold: null, successClass: null }, metrics).state).toBe('not-set');
  });
});

describe('pilotVerdict', () => {
  it('is ready only when the criterion is met and nothing stands against it', () => {
    const v = pilotVerdict(base);
    expect(v.level).toBe('ready');
    expect(v.headline).toMatch(/^Ready for the next step/);
    expect(v.needsReason).toBe(false);
    expect(v.strengths).toHaveLength(2);
  });

  it('puts a failed criterion first, over a met-looking score, and asks a reason to promote', () => {
    const v = pilotVerdict({ ...base, criterion: criterionResult({ successMetric: 'recall', successThreshold: 0.75, successClass: '>50K' }, metrics), fairness: unfair });
    expect(v.level).toBe('not-ready');
    expect(v.headline).toBe('Not ready: the success criterion is not met; also fairness concern by sex (disparate impact 0.32).');
    expect(v.findings.map((f) => f.kind)).toEqual(['criterion', 'fairness']);
    expect(v.needsReason).toBe(true);
  });

  it('a fairness concern alone turns a met criterion into "needs a decision"', () => {
    const v = pilotVerdict({ ...base, fairness: unfair });
    expect(v.level).toBe('review');
    expect(v.headline).toMatch(/^Needs a decision: fairness concern by sex \(disparate impact 0\.32\)/);
    expect(v.needsReason).toBe(true);
  });

  it('does not judge groups under 30 rows, and says so', () => {
    const v = pilotVerdict({ ...base, fairness: [{ column: 'race', groups: [{ group: 'A', count: 500, selectionRate: 0.2 }, { group: 'B', count: 400, selectionRate: 0.19 }, { group: 'C', count: 12, selectionRate: 0 }] }] });
    expect(v.level).toBe('ready');
    expect(v.findings[0]).toMatchObject({ severity: 'note', kind: 'fairness' });
    expect(v.findings[0]!.detail).toMatch(/C \(12 rows\)/);
  });

  it('an error-level data alert changes the headline; a leaking feature in use stops the pilot', () => {
    const dup = { severity: 'error', code: 'DUPLICATES', column: null, message: '300 rows are exact copies of another row (6.0 %).' };
    expect(pilotVerdict({ ...base, dataAlerts: [dup] }).headline).toMatch(/^Needs a decision: the data has 1 error-level finding/);
    const leak = { severity: 'error', code: 'TARGET_LEAKAGE', column: 'sex', message: '"sex" alone predicts …' };
    const v = pilotVerdict({ ...base, dataAlerts: [dup, leak] });
    expect(v.level).toBe('not-ready');
    expect(v.findings[0]!.title).toBe('"sex" gives the answer away');
    // A leak in a column the model does not use is not held against it.
    expect(pilotVerdict({ ...base, dataAlerts: [{ ...leak, column: 'other' }] }).level).toBe('ready');
  });

  it('a suspiciously perfect score stops the pilot, and a tie with the linear model is said plainly', () => {
    const v = pilotVerdict({ ...base, task: 'regression', headline: { metric: 'r2', value: 0.99999, majority: -0.01 }, versusLinear: { verdict: 'about the same', difference: 0.0001, pValue: 0.4, metric: 'r2' } });
    expect(v.level).toBe('not-ready');
    expect(v.headline).toMatch(/^Not ready: the score is suspiciously perfect \(R² 1\.0000\)/);
    expect(v.findings.at(-1)!.title).toBe('the network is about the same as a simple linear model');
    const worse = pilotVerdict({ ...base, versusLinear: { verdict: 'worse', difference: -0.03, pValue: 0.01, metric: 'accuracy' } });
    expect(worse.headline).toBe('Needs a decision: a simple linear model does better than the network.');
  });
});

describe('verdicts on the other kinds of pilot', () => {
  it('sends the user to the step where that kind asks for its criterion', () => {
    const none = { successMetric: null, successThreshold: null, successClass: null };
    expect(criterionResult(none, {}, 'the Train step').text).toBe('No success criterion was set in the Train step, so nothing says what "good enough" is.');
    expect(criterionResult(none, {}, null).text).not.toMatch(/Goal step/);
    expect(criterionResult({ successMetric: 'rocAuc', successThreshold: 0.9, successClass: null }, { accuracy: 0.9 }, 'the Train step').text).toMatch(/Choose another metric in the Train step\.$/);
  });

  it('judges a forecast by MASE, where lower is better', () => {
    const goal = { successMetric: 'mase', successThreshold: 1, successClass: null };
    expect(criterionResult(goal, { mase: 0.65 }, null)).toMatchObject({ state: 'met', text: 'Success criterion met: MASE is 0.650, at most the 1.000 you asked for.' });
    expect(criterionResult(goal, { mase: 1.05 }, null).state).toBe('not-met');
  });

  it('is never green while test documents have copies in the training split', () => {
    const overlap = { severity: 'warning', code: 'TRAIN_TEST_OVERLAP', column: null, message: '12 test document(s) have an exact or near copy in the training split: the test accuracy is optimistic.' };
    const v = pilotVerdict({ ...base, dataAlerts: [overlap] });
    expect(v.level).toBe('review');
    expect(v.findings[0]).toMatchObject({ severity: 'concern', title: 'the test score is likely optimistic' });
    expect(v.headline).toMatch(/optimistic/);
    expect(pilotVerdict({ ...base, dataAlerts: [{ ...overlap, code: 'TRAIN_TEST_LEAKAGE' }] }).level).toBe('review');
  });
});
