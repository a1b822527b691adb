import { describe, expect, it } from 'vitest';
import { profileColumn } from '../../../workers/trainer/columns.js';
import { fitPreprocessing, transform, OTHER_LEVEL } from '../../../workers/trainer/preprocess.js';
import { splitRows } from '../../../workers/trainer/split.js';
import { fitTarget } from '../../../workers/trainer/task.js';
import { UserInputError } from '../../../workers/protocol.js';

const fit = (name: string, values: string[]) => fitPreprocessing([{ profile: profileColumn(name, values), values }]);

describe('column profiling', () => {
  it('excludes identifiers, constants and personal data with reasons, keeps measurements', () => {
    const n = 100;
    const seq = Array.from({ length: n }, (_, i) => String(i + 1));
    expect(profileColumn('row', seq).exclude).toMatch(/identifier-like/);
    expect(profileColumn('customer_id', seq.map((v) => `C${v}`)).exclude).toMatch(/identifier-like/);
    expect(profileColumn('country', new Array<string>(n).fill('FR')).exclude).toMatch(/constant/);
    expect(profileColumn('email', seq.map((v) => `user${v}@example.com`)).exclude).toMatch(/personal data/);
    expect(profileColumn('last_name', seq.map((v) => `Name${Number(v) % 7}`)).exclude).toMatch(/personal data/);
    // A continuous measurement is unique per row too, but it is not an identifier.
    const weights = Array.from({ length: n }, (_, i) => String(50 + ((i * 37) % 100) / 3));
    expect(profileColumn('weight', weights).exclude).toBeUndefined();
    const day = profileColumn('day', seq.map((_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')}`));
    expect(day.kind).toBe('date');
    expect(day.exclude).toBeUndefined();
    expect(profileColumn('churned', seq.map((_, i) => (i % 3 ? 'yes' : 'no'))).kind).toBe('boolean');
  });
});

describe('preprocessing', () => {
  it('imputes numbers with the training median and standardises with the imputed mean/std', () => {
    const pre = fit('x', ['1', '2', '', '10', 'NaN']);
    // Median of 1, 2, 10 = 2; imputed column 1, 2, 2, 10, 2: mean 3.4, std sqrt(((2.4²)+(1.4²)·3+6.6²)/5).
    const mean = 3.4;
    const std = Math.sqrt((2.4 ** 2 + 3 * 1.4 ** 2 + 6.6 ** 2) / 5);
    const { x } = transform(pre, ['x'], [['10'], [''], ['abc']]);
    expect(x[0]).toBeCloseTo((10 - mean) / std, 5);
    expect(x[1]).toBeCloseTo((2 - mean) / std, 5);
    expect(x[2]).toBeCloseTo((2 - mean) / std, 5);
  });

  it('one-hot encodes frequent levels, groups rare and unseen ones as other, and reports unseen', () => {
    const values = [...new Array<string>(10).fill('a'), ...new Array<string>(6).fill('b'), 'c', 'd'];
    const pre = fit('colour', values);
    expect(pre.inputs).toEqual(['colour=a', 'colour=b', `colour=${OTHER_LEVEL}`]);
    const { x, report } = transform(pre, ['colour'], [['b'], ['c'], ['zzz']]);
    expect(Array.from(x)).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 1]);
    expect(report.unseen).toEqual({ colour: 2 });
  });

  it('hashes a column with thousands of frequent levels instead of one input per level', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => `v${i % 5000}`);
    const pre = fit('code', values);
    expect(pre.features[0]!.kind).toBe('hashed');
    expect(pre.inputs).toHaveLength(32);
    const { x } = transform(pre, ['code'], [['v1'], ['v1']]);
    expect(Array.from(x.subarray(0, 32))).toEqual(Array.from(x.subarray(32, 64)));
    expect(x.subarray(0, 32).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('refuses more model inputs than the limit, naming the widest columns', () => {
    const columns = Array.from({ length: 120 }, (_, c) => {
      const values = Array.from({ length: 300 }, (_, i) => `L${(i * (c + 7)) % 50}`);
      return { profile: profileColumn(`cat${c}`, values), values };
    });
    expect(() => fitPreprocessing(columns)).toThrow(UserInputError);
    expect(() => fitPreprocessing(columns)).toThrow(/inputs after one-hot encoding, above the limit of 2,000.*cat\d+ \(50\)/);
  });

  it('splits dates into parts and maps booleans to 0/1', () => {
    const dates = ['2024-03-01', '2023-12-25 14:30', ''];
    const pre = fitPreprocessing([
      { profile: profileColumn('when', dates), values: dates },
      { profile: profileColumn('flag', ['yes', 'no', 'yes']), values: ['yes', 'no', 'yes'] },
    ]);
    expect(pre.inputs).toEqual(['when.year', 'when.month', 'when.day', 'when.weekday', 'when.hour', 'flag']);
    const { x } = transform(pre, ['when', 'flag'], [['2024-03-01', 'no'], ['2024-03-01', 'YES']]);
    expect(x[5]).toBe(0);
    expect(x[11]).toBe(1);
    // 2024-03-01 was a Friday (5); weekday is standardised around its training mean.
    const weekday = pre.features[0]!.kind === 'date' ? pre.features[0]!.parts[3]!.scaler : null;
    expect(x[3]).toBeCloseTo((5 - weekday!.mean) / weekday!.std, 5);
  });
});

describe('target and split', () => {
  it('infers the task and picks the positive class', () => {
    expect(fitTarget('y', ['0', '1', '1'], 'auto')).toMatchObject({ task: 'binary', classes: ['0', '1'] });
    expect(fitTarget('y', ['a', 'b', 'c'], 'auto')).toMatchObject({ task: 'multiclass' });
    expect(fitTarget('y', ['1.5', '2', '7.25'], 'auto').task).toBe('regression');
    expect(fitTarget('y', ['<=50K', '<=50K', '>50K'], 'auto')).toMatchObject({ classes: ['<=50K', '>50K'] });
    expect(() => fitTarget('y', ['a', 'a'], 'auto')).toThrow(/single value/);
    expect(() => fitTarget('y', ['1', '2', 'three'], 'regression')).toThrow(/has text in 1 row/);
  });

  it('stratifies, is seeded, and never shares a row between splits', () => {
    const strata = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const a = splitRows(1000, { validation: 0.15, test: 0.15 }, 5, strata);
    const b = splitRows(1000, { validation: 0.15, test: 0.15 }, 5, strata);
    expect(a).toEqual(b);
    expect(new Set([...a.train, ...a.validation, ...a.test]).size).toBe(1000);
    const positives = (rows: number[]) => rows.filter((i) => strata[i] === 1).length / rows.length;
    for (const part of [a.train, a.validation, a.test]) expect(positives(part)).toBeCloseTo(0.1, 2);
    expect(a.test).toHaveLength(150);
    expect(splitRows(1000, { validation: 0.15, test: 0.15 }, 6, strata).test).not.toEqual(a.test);
  });
});
