/**
 * Decoding faults found by a tester, each reproduced with a real file: a Latin-1 file whose first
 * accented letter is past the sniffing window, invalid UTF-8 late in a file with a BOM, a header
 * longer than the window, UTF-16 without a BOM, mixed line ends, a /proc file, and 6,000 numeric
 * columns. Expected values come from the files as written (Python's `bytes.decode('latin-1')`
 * gives the same strings as iconv here: Latin-1 maps each byte to the code point of its value).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffFile } from '../../../workers/csv/sniff.js';
import { importDataset } from '../../../workers/importer/index.js';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality } from '../../../workers/quality/index.js';
import { profileColumn } from '../../../workers/trainer/columns.js';
import { loadTable } from '../../../workers/trainer/load.js';
import { fitPreprocessing } from '../../../workers/trainer/preprocess.js';
import { tempDir } from '../../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let counter = 0;
function file(content: string | Buffer, name = `d${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const ctx = () => makeContext({ dataDir: dir });

/** name,city rows of ASCII filling more than the sniffing window, then rows with Latin-1 letters. */
function lateLatin1(): { bytes: Buffer; offset: number; line: number; asciiRows: number } {
  const head = ['name,city'];
  let size = 10;
  let rows = 0;
  while (size < SNIFF_BYTES + 5000) {
    const row = `Anna ${rows},Paris`;
    head.push(row);
    size += row.length + 1;
    rows++;
  }
  const ascii = Buffer.from(`${head.join('\n')}\n`);
  const late = iconv.encode('Zoë Orléans,Orléans\n'.repeat(30), 'latin1');
  return { bytes: Buffer.concat([ascii, late]), offset: ascii.length + 2, line: head.length + 1, asciiRows: rows };
}

describe('one encoding decision per file', () => {
  const late = lateLatin1();
  const path = file(late.bytes);

  it('is Latin-1 for every reader when the first non-UTF-8 byte is past the window, with the right offset', async () => {
    const imported = await importDataset({ path }, ctx());
    expect(imported.encoding).toBe('latin1');
    expect(imported.rowCount).toBe(late.asciiRows + 30);
    expect(imported.warnings.join(' ')).toContain(`offset ${late.offset}, line ${late.line}`);

    const sniffed = await sniffFile(path);
    expect(sniffed.encoding).toBe('latin1');
    expect(sniffed.warnings.join(' ')).toContain(`offset ${late.offset}, line ${late.line}`);

    // Before: the trainer decoded these bytes as UTF-8 and kept "Zo\uFFFD Orl\uFFFDans" as a category.
    const table = await loadTable(path);
    expect(table.rows.at(-1)).toEqual(['Zoë Orléans', 'Orléans']);
    expect(table.rows.flat().some((cell) => cell.includes('\uFFFD'))).toBe(false);

    const report = await scoreQuality({ path }, ctx());
    expect(report.file.encoding).toBe('latin1');
    const name = report.columns.find((c) => c.name === 'name')!;
    expect(name.topValues[0]).toEqual({ value: 'Zoë Orléans', count: 30 });
  });

  it('refuses a file whose byte-order mark says UTF-8 when later bytes are not', async () => {
    const bomPath = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), late.bytes]));
    await expect(importDataset({ path: bomPath }, ctx())).rejects.toThrow(/byte-order mark, but the bytes at offset \d+ \(line \d+\) are not valid UTF-8/);
    await expect(sniffFile(bomPath)).rejects.toThrow(/mixes encodings/);
  });

  it('is worked out by the quality scan in its own pass, with the sniffing\'s encoding, warning and values, on any number of ranges', async () => {
    // A new path each time: no decision is cached for it, so the scan itself finds the first invalid byte.
    const expected = await sniffFile(file(late.bytes));
    for (const ranges of [undefined, 1, 3, 7]) {
      const report = await scoreQuality({ path: file(late.bytes), ranges }, ctx());
      expect(report.file.encoding).toBe('latin1');
      expect(report.warnings).toEqual(expected.warnings);
      expect(report.warnings.join(' ')).toContain(`offset ${late.offset}, line ${late.line}`);
      expect(report.rows).toBe(late.asciiRows + 30);
      const name = report.columns.find((c) => c.name === 'name')!;
      expect(name.topValues[0]).toEqual({ value: 'Zoë Orléans', count: 30 });
      expect(name.distinct).toBe(late.asciiRows + 1);
    }
    // A BOM that says UTF-8: refused, as the sniffing refuses it, wherever the break falls.
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), late.bytes]);
    for (const ranges of [1, 5]) {
      await expect(scoreQuality({ path: file(bom), ranges }, ctx())).rejects.toThrow(`bytes at offset ${late.offset + 3} (line ${late.line}) are not valid UTF-8: the file mixes encodings`);
    }
    // Valid UTF-8 throughout, accents past the window included: still UTF-8, no warning.
    const utf8 = Buffer.concat([late.bytes.subarray(0, late.offset - 2), Buffer.from('Zoë Orléans,Orléans\n'.repeat(30), 'utf8')]);
    const ok = await scoreQuality({ path: file(utf8), ranges: 3 }, ctx());
    expect(ok.file.encoding).toBe('utf-8');
    expect(ok.warnings).toEqual([]);
    expect(ok.columns.find((c) => c.name === 'name')!.topValues[0]).toEqual({ value: 'Zoë Orléans', count: 30 });
  });
});

describe('the sniffing window', () => {
  it('grows past a header of 20,000 columns instead of calling the file whitespace', async () => {
    const columns = Array.from({ length: 20_000 }, (_, i) => `feature_number_${i}`);
    const row = (r: number) => columns.map((_, i) => (i * 7 + r) % 100).join(',');
    const path = file(`${columns.join(',')}\n${[0, 1, 2, 3].map(row).join('\n')}\n`);
    const imported = await importDataset({ path }, ctx());
    expect(imported.columns).toHaveLength(20_000);
    expect(imported.columns[19_999]).toBe('feature_number_19999');
    expect(imported.rowCount).toBe(4);
  });
});

describe('refusals name the actual cause', () => {
  it('reads UTF-16 without a byte-order mark as UTF-16, not as a binary file', async () => {
    const text = 'name,age\nZoë,31\nAnna,44\n';
    const le = await importDataset({ path: file(iconv.encode(text, 'utf-16le')) }, ctx());
    expect(le).toMatchObject({ encoding: 'utf-16le', rowCount: 2, columns: ['name', 'age'] });
    const be = await importDataset({ path: file(iconv.encode(text, 'utf-16be')) }, ctx());
    expect(be).toMatchObject({ encoding: 'utf-16be', rowCount: 2, columns: ['name', 'age'] });
  });

  it('counts rows of a file that mixes CR, LF and CRLF line ends', async () => {
    const imported = await importDataset({ path: file('a,b\r\n1,2\n3,4\r5,6\r\n7,8\n') }, ctx());
    expect(imported.rowCount).toBe(4);
  });

  it('calls /proc/self/status a special file, not an empty one', async () => {
    await expect(importDataset({ path: '/proc/self/status' }, ctx())).rejects.toThrow(/special file whose size is unknown/);
  });

  it('says 6,000 numeric columns are too many columns, not a one-hot problem', () => {
    const columns = Array.from({ length: 6000 }, (_, i) => {
      const values = ['1', '2', '3', '4.5'];
      return { profile: profileColumn(`x${i}`, values), values };
    });
    expect(() => fitPreprocessing(columns)).toThrow(/6,000 numeric feature columns .* too many columns, not too many categories/);
  });
});
