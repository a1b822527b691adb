/**
 * Numbers with decimal commas and thousands separators, on real files: UCI Wine rewritten in
 * German (`14,23;…;1.065`), US-with-thousands (`"1,065"`) and French (`1 065` with a no-break
 * space) styles, and two files whose every amount is ambiguous (`1,234`). The expected values are
 * pandas' `read_csv(decimal=…, thousands=…)` of the same files (test/fixtures/number-formats/make.py
 * writes the files and expected.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapeMask, toCanonical } from '../../../workers/csv/number-format.js';
import { importDataset } from '../../../workers/importer/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality } from '../../../workers/quality/index.js';
import { evaluateInputSchema, evaluateVersion } from '../../../workers/evaluate/index.js';
import { predictFile, trainInputSchema, trainModel, type TrainInputRaw } from '../../../workers/trainer/index.js';
import { tempDir } from '../trainer/helpers.js';

const dir = join(import.meta.dirname, '../../fixtures/number-formats');
const path = (name: string) => join(dir, name);
const expected = JSON.parse(readFileSync(path('expected.json'), 'utf8')) as Record<string, Record<string, { mean: number; min: number; max: number; sum: number }>>;
const imported = (name: string, numberFormat?: { decimal: '.' | ','; thousands: '' | ',' | '.' | ' ' | "'" }) =>
  importDataset({ path: path(name), ...(numberFormat ? { numberFormat } : {}) }, makeContext());

describe('a cell in each format', () => {
  it('reads the issue\'s examples in the format that fits them, and none in the others', () => {
    const cases: Array<[string, { decimal: '.' | ','; thousands: '' | ',' | '.' | ' ' | "'" }, string | null]> = [
      ['12,34', { decimal: ',', thousands: '' }, '12.34'],
      ['1,234,567', { decimal: '.', thousands: ',' }, '1234567'],
      ['1.234.567,89', { decimal: ',', thousands: '.' }, '1234567.89'],
      ['1 234,5', { decimal: ',', thousands: ' ' }, '1234.5'],
      ['1\u00a0234,5', { decimal: ',', thousands: ' ' }, '1234.5'],
      ["1'234.5", { decimal: '.', thousands: "'" }, '1234.5'],
      ['-0,5', { decimal: ',', thousands: '.' }, '-0.5'],
      ['1.234.567,89', { decimal: '.', thousands: ',' }, null],
      ['12,34', { decimal: '.', thousands: ',' }, null], // groups of three only
      ['1,23,456', { decimal: '.', thousands: ',' }, null],
      ['3.14', { decimal: ',', thousands: '.' }, null],
      ['01.02.2020', { decimal: ',', thousands: '.' }, null],
    ];
    for (const [text, format, plain] of cases) expect(toCanonical(text, format), `${text} as ${JSON.stringify(format)}`).toBe(plain);
    expect(shapeMask(Buffer.from('2024-01-31'), 0, 10)).toBe(0);
    expect(shapeMask(Buffer.from('abc'), 0, 3)).toBe(0);
  });
});

describe('import decides each column from all its cells', () => {
  it('German style: decimal comma everywhere, points between thousands in proline', async () => {
    const result = await imported('wine-de.csv');
    expect(result.delimiter).toBe(';');
    const formats = Object.fromEntries(result.numberFormats.map((f) => [f.column, f]));
    // "1.065" alone is 1.065 or 1065: the other columns' decimal commas decide.
    expect(formats.proline).toMatchObject({ decimal: ',', thousands: '.', source: 'detected', ambiguous: true });
    expect(formats.proline!.note).toMatch(/because other columns of this file use a decimal comma/);
    expect(formats.alcohol).toMatchObject({ decimal: ',', thousands: '', ambiguous: false });
    // Integer columns read as before: nothing to state.
    expect(formats.magnesium).toBeUndefined();
    expect(formats.class).toBeUndefined();
    expect(formats.alcohol!.note).toBe('alcohol: read with decimal comma, no thousands separator ("14,23" = 14.23); 178 of 178 values are numbers this way.');
  });

  it('US style: "1,065" is a thousands comma, because the other columns use decimal points', async () => {
    const result = await imported('wine-us.csv');
    expect(result.numberFormats).toHaveLength(1);
    const [proline] = result.numberFormats;
    expect(proline).toMatchObject({ column: 'proline', decimal: '.', thousands: ',', ambiguous: true });
    expect(proline!.note).toMatch(/because other columns of this file use a decimal point/);
    expect(proline!.note).toMatch(/--decimal , --thousands none/);
    expect(result.warnings).toContain(proline!.note);
  });

  it('French style: a no-break space between thousands', async () => {
    const result = await imported('wine-fr.csv');
    expect(result.numberFormats.find((f) => f.column === 'proline')).toMatchObject({ decimal: ',', thousands: ' ' });
  });

  it('a column that fits two readings and nothing else to go by: the delimiter decides, and the note says so', async () => {
    const semicolon = await imported('ambiguous-semicolon.csv');
    expect(semicolon.numberFormats).toEqual([expect.objectContaining({ column: 'amount', decimal: ',', thousands: '', ambiguous: true })]);
    expect(semicolon.numberFormats[0]!.note).toMatch(/"1,234" is 1\.234 with decimal comma.*or 1234 with decimal point, commas between thousands.*semicolons/);
    const comma = await imported('ambiguous-comma.csv');
    expect(comma.numberFormats).toEqual([expect.objectContaining({ column: 'amount', decimal: '.', thousands: ',', ambiguous: true })]);
  });

  it('the user overrides the detection for the whole file', async () => {
    const result = await imported('ambiguous-semicolon.csv', { decimal: '.', thousands: ',' });
    expect(result.numberFormats).toEqual([expect.objectContaining({ column: 'amount', decimal: '.', thousands: ',', source: 'override' })]);
    expect(result.numberFormats[0]!.note).toMatch(/as asked \(--decimal \. --thousands ,\)/);
    // Plain dot-decimal asked for: nothing is reformatted.
    expect((await imported('wine-de.csv', { decimal: '.', thousands: '' })).numberFormats).toEqual([]);
  });
});

describe('quality scoring reads the numbers in the column\'s format', () => {
  for (const name of ['wine-de.csv', 'wine-us.csv', 'wine-fr.csv', 'ambiguous-semicolon.csv', 'ambiguous-comma.csv']) {
    it(`${name}: every numeric column's mean, min and max as pandas reads them`, async () => {
      const { numberFormats } = await imported(name);
      const report = await scoreQuality({ path: path(name), numberFormats }, makeContext());
      for (const [column, want] of Object.entries(expected[name]!)) {
        const c = report.columns.find((col) => col.name === column)!;
        expect(c.type, column).toMatch(/integer|float/);
        expect(c.mean!, column).toBeCloseTo(want.mean, 9);
        expect(c.min, column).toBeCloseTo(want.min, 12);
        expect(c.max, column).toBeCloseTo(want.max, 12);
      }
      expect(report.numberFormats).toEqual(numberFormats.map((f) => f.note));
      const formatted = numberFormats[0]!;
      expect(report.columns.find((c) => c.name === formatted.column)!.numberFormat).toBe(formatted.note);
    });
  }

  it('without the formats (as before) the columns are misread: the defect this fixes', async () => {
    const report = await scoreQuality({ path: path('wine-de.csv') }, makeContext());
    expect(report.columns.find((c) => c.name === 'alcohol')!.type).not.toMatch(/integer|float/);
    // "1.065" read as 1.065 beside "735": the mean far below the true one.
    expect(report.columns.find((c) => c.name === 'proline')!.mean!).toBeLessThan(expected['wine-de.csv']!.proline!.mean * 0.7);
  });
});

describe('training on a decimal-comma file', () => {
  const train = (raw: TrainInputRaw, dataDir: string) => trainModel(trainInputSchema.parse(raw), makeContext({ dataDir }));

  it('gives the same metrics as the dot-decimal file, and predict and evaluate read the model\'s format', async () => {
    const settings = { target: 'class', epochs: 8, seed: 7, backend: 'cpu' as const, model: 'network' as const };
    const plain = await train({ ...settings, file: join(dir, '..', 'wine.csv'), runId: 'plain' }, tempDir());
    const { numberFormats } = await imported('wine-de.csv');
    const dataDir = tempDir();
    const german = await train({ ...settings, file: path('wine-de.csv'), numberFormats, runId: 'german' }, dataDir);
    expect(german.features).toEqual(plain.features);
    expect(german.metrics).toEqual(plain.metrics);
    expect(german.summary).toEqual(plain.summary);
    const saved = JSON.parse(readFileSync(join(german.artifactDir, 'preprocessing.json'), 'utf8')) as { preprocessing: { numberFormats: Record<string, unknown> } };
    expect(saved.preprocessing.numberFormats.proline).toEqual({ decimal: ',', thousands: '.' });

    // Predicting the German file with the German model gives what the plain model gives on the plain file.
    const outGerman = join(tempDir(), 'de.csv');
    const outPlain = join(tempDir(), 'plain.csv');
    await predictFile(german.artifactDir, path('wine-de.csv'), outGerman);
    await predictFile(plain.artifactDir, join(dir, '..', 'wine.csv'), outPlain);
    const predictions = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((line) => line.split(',').slice(-4).join(','));
    expect(predictions(outGerman)).toEqual(predictions(outPlain));
    // The output keeps the cells as written.
    expect(readFileSync(outGerman, 'utf8').split('\n')[1]).toMatch(/^"?14,23/);

    const evaluate = (artifactDir: string, file: string) => evaluateVersion(evaluateInputSchema.parse({ artifactDir, file, backend: 'cpu', resamples: 20, seed: 1 }), makeContext());
    const evaluation = await evaluate(german.artifactDir, path('wine-de.csv'));
    const plainEvaluation = await evaluate(plain.artifactDir, join(dir, '..', 'wine.csv'));
    expect(evaluation.metrics).toEqual(plainEvaluation.metrics);
  }, 60_000);
});
