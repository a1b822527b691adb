/**
 * A preview reads the first 256 KiB of a file; the line cut there must not become a record. On
 * Adult, the cut falls inside a row and used to add a phantom category ("Mal" beside "Male") and
 * missing values in the numeric columns after it.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREVIEW_BYTES, readFirstRecords } from '../../../workers/csv/reader.js';
import { fixture } from '../../helpers.js';

const read = (path: string, limit = 100_000) => readFirstRecords({ path, encoding: 'utf-8', delimiter: ',', start: 0, end: statSync(path).size }, limit);

describe('readFirstRecords', () => {
  it('drops the record cut off at the preview limit', async () => {
    // Rows of exactly 32 bytes, then a header shift so the 256 KiB cut lands inside "Male".
    const row = 'aaaaaaaaaaaaaaaaaaaa,Male,12345\n';
    const header = 'text,sex,n\n';
    const rows = Math.ceil(PREVIEW_BYTES / row.length) + 10;
    const body = header + row.repeat(rows);
    const path = join(mkdtempSync(join(tmpdir(), 'preview-')), 'cut.csv');
    writeFileSync(path, body);
    const cut = body.slice(0, PREVIEW_BYTES);
    expect(cut.slice(cut.lastIndexOf('\n') + 1)).toMatch(/^a+,M?a?l?e?/); // the boundary is inside a row
    const records = await read(path);
    const sexes = new Set(records.slice(1).map((r) => r[1]));
    expect([...sexes]).toEqual(['Male']);
    expect(records.slice(1).every((r) => r.length === 3 && r[2] === '12345')).toBe(true);
    expect(records.length - 1).toBe(Math.floor((PREVIEW_BYTES - header.length) / row.length));
  });

  it('Adult: no "Mal", no cut-off numbers in the preview', async () => {
    const records = await read(fixture('adult.csv'));
    const header = records[0]!.map((h) => h.trim());
    const sex = header.indexOf('sex');
    expect(new Set(records.slice(1).map((r) => r[sex]!.trim()))).toEqual(new Set(['Male', 'Female']));
    expect(records.slice(1).every((r) => r.length === header.length)).toBe(true);
  });

  it('keeps everything when the file is read to its end, and keeps a lone first record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preview-'));
    const small = join(dir, 'small.csv');
    writeFileSync(small, 'a,b\n1,2\n3,4');
    expect(await read(small)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    const wide = join(dir, 'wide.csv');
    writeFileSync(wide, `${'h'.repeat(PREVIEW_BYTES + 10)}\n1\n`);
    expect(await read(wide, 1)).toHaveLength(1);
  });
});
