/** `pilot datasets import` and `pilot quality` with decimal commas, as a real process. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');

describe('number formats from the CLI', () => {
  it('states the detected formats, takes --decimal/--thousands, and the quality report reads them', () => {
    const file = fixture('number-formats/ambiguous-semicolon.csv');
    const detected = pilot(['datasets', 'import', file, '--json'], { dataDir });
    expect(detected.code).toBe(0);
    expect(JSON.parse(detected.stdout).warnings[0]).toMatch(/amount: every value can be read two ways/);
    expect(JSON.parse(detected.stdout).numberFormats).toEqual([expect.objectContaining({ column: 'amount', decimal: ',', thousands: '' })]);
    // pandas read_csv(sep=';', decimal=',') gives a mean of 4.985625 (test/fixtures/number-formats/expected.json).
    const before = JSON.parse(pilot(['quality', file, '--json'], { dataDir }).stdout);
    expect(before.columns.find((c: { name: string }) => c.name === 'amount').mean).toBeCloseTo(4.985625, 9);

    const override = pilot(['datasets', 'import', file, '--decimal', '.', '--thousands', ','], { dataDir });
    expect(override.code).toBe(0);
    expect(override.stdout).toMatch(/Numbers in amount: read with decimal point, commas between thousands, as asked \(--decimal \. --thousands ,\)/);
    // The same content with another format is a new report: pandas read_csv(thousands=',') gives 4985.625.
    const after = JSON.parse(pilot(['quality', file, '--json'], { dataDir }).stdout);
    expect(after.reused).toBe(false);
    expect(after.columns.find((c: { name: string }) => c.name === 'amount').mean).toBeCloseTo(4985.625, 9);
    expect(after.numberFormats[0]).toMatch(/as asked/);

    const bad = pilot(['datasets', 'import', file, '--decimal', ',', '--thousands', ','], { dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot both be ","/);
    // Five CLI processes: on a loaded shared machine each takes tens of seconds, so the limit is generous.
  }, 400_000);
});
