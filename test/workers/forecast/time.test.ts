import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../workers/protocol.js';
import { buildSeries, inferFrequency } from '../../../workers/forecast/series.js';
import { parseTimeColumn, parseTimeOfDay, parseTimeSpec } from '../../../workers/forecast/time.js';

const iso = (cells: string[]) => Array.from(parseTimeColumn('t', cells).times, (t) => new Date(t).toISOString());

describe('parseTimeColumn', () => {
  it('reads ISO dates and date-times (with seconds, fractions and offsets) as UTC wall-clock times', () => {
    expect(iso(['2024-03-01', '2024-03-01 14:30', '2024-03-01T14:30:15', '2024-03-01T14:30:15.250Z', '2024-03-01T16:30+02:00'])).toEqual([
      '2024-03-01T00:00:00.000Z',
      '2024-03-01T14:30:00.000Z',
      '2024-03-01T14:30:15.000Z',
      '2024-03-01T14:30:15.250Z',
      '2024-03-01T14:30:00.000Z',
    ]);
  });

  it('tells day/month from month/day by the values, and says when it had to assume', () => {
    expect(iso(['01/03/2024', '25/03/2024'])[0]).toBe('2024-03-01T00:00:00.000Z');
    expect(iso(['03/01/2024', '03/25/2024'])[0]).toBe('2024-03-01T00:00:00.000Z');
    const ambiguous = parseTimeColumn('t', ['01/03/2024', '02/03/2024']);
    expect(ambiguous.format).toBe('dmy');
    expect(ambiguous.warnings[0]).toMatch(/day and month cannot be told apart/);
    expect(iso(['2024/3/1 08:00'])[0]).toBe('2024-03-01T08:00:00.000Z');
    expect(iso(['1.3.2024'])[0]).toBe('2024-03-01T00:00:00.000Z');
    expect(iso(['2024-03', '2024-04'])[1]).toBe('2024-04-01T00:00:00.000Z');
    expect(iso(['1709251200'])[0]).toBe('2024-03-01T00:00:00.000Z');
    expect(iso(['3/1/2024 2:30 PM', '3/13/2024 12:05 AM'])).toEqual(['2024-03-01T14:30:00.000Z', '2024-03-13T00:05:00.000Z']);
    expect(iso(['1 Mar 2024', '01-Sep-2024 08:00', '3 September 2024'])).toEqual(['2024-03-01T00:00:00.000Z', '2024-09-01T08:00:00.000Z', '2024-09-03T00:00:00.000Z']);
    expect(() => parseTimeColumn('t', ['1 Mar 2024', '2 Mrz 2024'])).toThrow(/'2 Mrz 2024'/);
    expect(iso(['1709251200000'])[0]).toBe('2024-03-01T00:00:00.000Z');
  });

  it('refuses mixed formats, naming each format with an example and its rows', () => {
    const cells = ['2024-03-01', '2024-03-02', '03/01/2024', '2024-03-04', '03/05/2024'];
    expect(() => parseTimeColumn('when', cells)).toThrow(UserInputError);
    expect(() => parseTimeColumn('when', cells)).toThrow(/Column 'when' mixes time formats: 3 row\(s\) as ISO .* like '2024-03-01' \(rows 1, 2, 4\); .*like '03\/01\/2024' \(rows 3, 5\)/);
    // Day-first and month-first rows in one column are a mix too.
    expect(() => parseTimeColumn('when', ['25/03/2024', '03/25/2024'])).toThrow(/mixes time formats/);
  });

  it('refuses text that is no time and dates that do not exist, with examples and rows', () => {
    expect(() => parseTimeColumn('when', ['2024-03-01', 'yesterday', '2024-03-03'])).toThrow(/1 value\(s\) that are not dates or times, e.g. 'yesterday' \(rows 2\)/);
    expect(() => parseTimeColumn('when', ['2024-02-28', '2024-02-30'])).toThrow(/do not exist .* '2024-02-30' \(rows 2\)/);
    expect(() => parseTimeColumn('when', ['', ' '])).toThrow(/is empty/);
  });

  it('reads an hour column or a time of day, and a DATE+HOUR spec', () => {
    expect(Array.from(parseTimeOfDay('hr', ['0', '23', '14:30', '']))).toEqual([0, 23 * 3_600_000, 14.5 * 3_600_000, NaN]);
    expect(() => parseTimeOfDay('hr', ['24'])).toThrow(/hour \(0–23\)/);
    expect(parseTimeSpec('dteday+hr', ['dteday', 'hr', 'cnt'])).toEqual({ date: 'dteday', timeOfDay: 'hr' });
    expect(parseTimeSpec('a+b', ['a+b', 'x'])).toEqual({ date: 'a+b', timeOfDay: null });
    expect(() => parseTimeSpec('dteday+hour', ['dteday', 'hr'])).toThrow(/no column 'hour'/);
  });
});

describe('buildSeries', () => {
  const spec = { time: { date: 't', timeOfDay: null }, target: 'v', id: null, holiday: null, aggregate: 'auto' as const };

  it('infers the step from the median gap and snaps it to calendar units', () => {
    expect(inferFrequency(3_600_000).label).toBe('hourly');
    expect(inferFrequency(86_400_000 * 1.02).label).toBe('daily');
    expect(inferFrequency(86_400_000 * 30).label).toBe('monthly');
    expect(inferFrequency(86_400_000 * 91).label).toBe('quarterly');
  });

  it('reports gaps and fills them by interpolation; combines duplicate counts by sum and levels by mean', () => {
    const rows = [['2024-01-01 00:00', '10'], ['2024-01-01 01:00', '20'], ['2024-01-01 04:00', '50'], ['2024-01-01 04:00', '6'], ['2024-01-01 05:00', '7']];
    const set = buildSeries(['t', 'v'], rows, spec);
    expect(set.frequency.label).toBe('hourly');
    expect(set.aggregate).toBe('sum');
    expect(Array.from(set.series[0]!.values)).toEqual([10, 20, 32, 44, 56, 7]);
    expect(Array.from(set.series[0]!.filled)).toEqual([0, 0, 1, 1, 0, 0]);
    const gaps = set.alerts.find((a) => a.kind === 'gaps')!;
    expect(gaps).toMatchObject({ count: 2, examples: ['2024-01-01 02:00'] });
    expect(gaps.message).toMatch(/2 hourly step\(s\) are missing in 1 gap/);
    expect(set.alerts.find((a) => a.kind === 'duplicates')).toMatchObject({ count: 1, examples: ['2024-01-01 04:00'] });
    const levels = buildSeries(['t', 'v'], rows.map(([t, v]) => [t!, `${v}.5`]), spec);
    expect(levels.aggregate).toBe('mean');
    expect(levels.series[0]!.values[4]).toBe(28.5);
  });

  it('resamples irregular event counts to the median step, empty steps being 0', () => {
    // Events a minute or so apart, at odd seconds; minutes 7 and 8 have none, minute 12 has two.
    const seconds = [0, 65, 130, 180, 245, 310, 360, 545, 600, 665, 730, 735, 780];
    const rows = seconds.map((s) => [new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString(), '1']);
    const set = buildSeries(['t', 'v'], rows, spec);
    expect(set.frequency.label).toBe('every minute');
    expect(set.alerts.find((a) => a.kind === 'irregular')).toBeDefined();
    expect(Array.from(set.series[0]!.values)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 2, 1]);
  });

  it('keeps series apart by id, and treats trailing rows without a value as future rows', () => {
    const rows = [
      ['2024-01-01', 'a', '1', '0'],
      ['2024-01-02', 'a', '2', '1'],
      ['2024-01-01', 'b', '5', '0'],
      ['2024-01-02', 'b', '6', '0'],
      ['2024-01-03', 'b', '', '1'],
    ];
    const set = buildSeries(['t', 'id', 'v', 'hol'], rows, { ...spec, id: 'id', holiday: 'hol' });
    expect(set.series.map((s) => [s.id, Array.from(s.values)])).toEqual([['a', [1, 2]], ['b', [5, 6]]]);
    expect(Array.from(set.series[1]!.holiday!)).toEqual([0, 0, 1]);
  });
});
