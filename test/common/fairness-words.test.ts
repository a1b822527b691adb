/** The fairness caption never gives a bare ratio from a small group: it names the group and the range. */
import { describe, expect, it } from 'vitest';
import { fairnessCaption, percentRange } from '../../common/fairness-words.js';
import { groupFairness } from '../../workers/trainer/fairness.js';

describe('fairnessCaption', () => {
  it('says a 0.00 ratio comes from a 30-row group, with its plausible range, and lists groups too small to judge', () => {
    // 200 rows with 60 selected, 30 rows with none, 12 rows with none (as in fairness.test.ts; the
    // range 0.00–0.47 is 0 / 0.3668 … 0.1135 / 0.2407 from scipy's Wilson intervals).
    const groups = [...Array(200).fill('M'), ...Array(30).fill('F'), ...Array(12).fill('X')];
    const predicted = [...Array(60).fill(1), ...Array(140).fill(0), ...Array(42).fill(0)];
    const f = groupFairness('sex', groups, 'binary', Array(242).fill(0), predicted);
    expect(fairnessCaption(f)).toBe(
      'sex — disparate impact 0.00 (plausible 0.00–0.47; set by F, only 30 rows); below 0.8: the four-fifths rule flags it. Not judged (under 30 rows): X (12 rows).',
    );
  });

  it('does not call a ratio flagged when its range reaches 0.8, and omits the size note for large groups', () => {
    expect(
      fairnessCaption({ column: 'age', groups: [{ group: 'a', count: 40, judged: true, small: true }, { group: 'b', count: 400, judged: true, small: false }], disparateImpact: 0.7, disparateImpactRange: [0.45, 0.95], lowestGroup: 'a' }),
    ).toBe('age — disparate impact 0.70 (plausible 0.45–0.95; set by a, only 40 rows); below 0.8, but the range reaches 0.8: too few rows to be sure.');
    expect(fairnessCaption({ column: 'region', groups: [{ group: 'n', count: 500, judged: true, small: false }, { group: 's', count: 600, judged: true, small: false }], disparateImpact: 0.9, disparateImpactRange: [0.82, 0.98], lowestGroup: 'n' })).toBe(
      'region — disparate impact 0.90 (plausible 0.82–0.98).',
    );
    expect(percentRange([0.2407, 0.3668])).toBe('24 %–37 %');
  });
});
