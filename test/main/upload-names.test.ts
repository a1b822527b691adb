/** Messages about an uploaded file name it by the user's own name, never its folder under uploads/; data keeps its paths. */
import { describe, expect, it } from 'vitest';
import { nameUploads, uploadNamer } from '../../main/serve/upload-names.js';

describe('upload names in messages', () => {
  const rename = uploadNamer('/srv/pilot-data');
  const stored = '/srv/pilot-data/uploads/2026-12-02T06-01-02-003Z-a1b2c3/sales figures.csv';

  it('rewrites the stored path to the file name in messages, warnings and titles only', () => {
    const answer = {
      ok: false,
      error: { code: 'invalid-input', message: `${stored} looks like a binary file, not text. Export it as CSV.` },
      value: { path: stored, job: { title: `Import ${stored}`, warnings: [`${stored}: 3 rows padded`], input: { path: stored } } },
    };
    const named = nameUploads(answer, rename);
    expect(named.error.message).toBe('sales figures.csv looks like a binary file, not text. Export it as CSV.');
    expect(named.value.job.title).toBe('Import sales figures.csv');
    expect(named.value.job.warnings).toEqual(['sales figures.csv: 3 rows padded']);
    // Paths in data stay usable for the next call.
    expect(named.value.path).toBe(stored);
    expect(named.value.job.input.path).toBe(stored);
  });

  it('leaves other paths and other data folders alone', () => {
    expect(rename('/home/me/uploads/x/a.csv is missing')).toBe('/home/me/uploads/x/a.csv is missing');
    expect(rename('/srv/pilot-data/models/run-1/weights.bin changed')).toBe('/srv/pilot-data/models/run-1/weights.bin changed');
  });
});
