/**
 * The score never stays green over a red finding, and the headline names the worst one first:
 * COMPAS (error-level alerts, target leakage through r_case_number), Adult (disparate impact 0.358
 * by sex, no error), bike_day's numeric target (cnt = casual + registered) and Iris as a control.
 */
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { judgeQuality } from '../../../workers/quality/alerts.js';
import { scoreQuality } from '../../../workers/quality/index.js';

const F = (name: string) => `test/fixtures/${name}`;

describe('quality verdict', () => {
  it('COMPAS: 12+ error alerts cap the score below the amber band, and the leak is named first', async () => {
    const r = await scoreQuality({ path: F('compas-scores-two-years.csv'), target: 'two_year_recid', positive: '1' }, makeContext());
    const errors = r.alerts.filter((a) => a.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(12);
    expect(r.scoreBeforeCap).toBeGreaterThanOrEqual(90); // what it showed before: a green 93
    expect(r.score).toBe(69);
    expect(r.verdict.level).toBe('error');
    expect(r.verdict.worst?.code).toBe('TARGET_LEAKAGE');
    expect(r.verdict.headline).toMatch(new RegExp(`^Fix before training: ${errors.length} errors\\. Worst: "r_case_number" alone predicts "two_year_recid"`));
  }, 60_000);

  it('Adult: the four-fifths failure by sex keeps the score out of the green band', async () => {
    const r = await scoreQuality({ path: F('adult.csv'), target: 'income', positive: '>50K', protected: ['sex'] }, makeContext());
    expect(r.bias!.sex!.disparateImpact).toBeCloseTo(0.358023, 5); // pandas: share of ">50K", Female 0.109461 / Male 0.305737
    expect(r.alerts.some((a) => a.severity === 'error')).toBe(false);
    expect(r.scoreBeforeCap).toBeGreaterThanOrEqual(90);
    expect(r.score).toBe(89);
    expect(r.verdict.headline).toMatch(/^Check fairness before training: Positive outcomes of Female are below four fifths of Male's/);
  }, 60_000);

  it('bike_day: a numeric target computed from two columns is an error, named in the headline', async () => {
    const r = await scoreQuality({ path: F('bike_day.csv'), target: 'cnt' }, makeContext());
    expect(r.target!.numericLeakage).toEqual([{ columns: ['registered', 'casual'], formula: '"registered" + "casual"', r2: 1 }]);
    expect(r.alerts.filter((a) => a.code === 'TARGET_LEAKAGE').map((a) => a.column).sort()).toEqual(['casual', 'registered']);
    expect(r.verdict.headline).toMatch(/^Fix before training: 2 errors\. Worst: "registered" \+ "casual" predicts "cnt" almost exactly/);
    expect(r.score).toBeLessThanOrEqual(69);
  }, 60_000);

  it('Iris (control): no cap, and the headline says what stands', async () => {
    const r = await scoreQuality({ path: F('iris.csv'), target: 'species' }, makeContext());
    expect(r.scoreBeforeCap).toBeNull();
    expect(r.target!.numericLeakage).toEqual([]);
    expect(r.verdict.level).not.toBe('error');
  }, 30_000);

  it('judgeQuality: errors cap at 69, fairness at 89, warnings alone do not cap', () => {
    const alert = (severity: 'error' | 'warning' | 'info', code = 'X') => ({ code, severity, column: null, message: `${code} found.`, fix: '' });
    expect(judgeQuality(95, [alert('warning'), alert('error', 'MISSING')])).toMatchObject({ score: 69, scoreBeforeCap: 95, verdict: { level: 'error', headline: 'Fix before training: 1 error. Worst: MISSING found.' } });
    expect(judgeQuality(95, [alert('warning', 'DISPARATE_IMPACT')])).toMatchObject({ score: 89, scoreBeforeCap: 95 });
    expect(judgeQuality(95, [alert('warning', 'IMBALANCED')])).toMatchObject({ score: 95, scoreBeforeCap: null, verdict: { level: 'warning' } });
    expect(judgeQuality(60, [alert('error')])).toMatchObject({ score: 60, scoreBeforeCap: null });
    expect(judgeQuality(99, []).verdict).toEqual({ level: 'ok', headline: 'No error or warning found.', worst: null });
  });
});
