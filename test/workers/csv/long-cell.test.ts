/**
 * A 50 MB cell without a line break (a whole document pasted into one cell of a ticket export):
 * the sniffer reads a bounded window once instead of growing over the cell and parsing it, says
 * what it did, and the text reader then keeps every row, cutting the long text with a warning.
 * The file is generated here in the OS temp folder and deleted afterwards. The checks are on the
 * work done (bytes read and parsed), never on time.
 */
import { createWriteStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG_RECORD_BYTES, SNIFF_BYTES, sniffFile, sniffWork } from '../../../workers/csv/sniff.js';
import { MAX_TEXT_CHARS, readTextDataset } from '../../../workers/text/read.js';
import { tempDir } from '../../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const CELL = 50 * 1024 * 1024;
let path = '';

beforeAll(async () => {
  path = join(dir, 'one-huge-cell.csv');
  const out = createWriteStream(path);
  const write = (s: string) => new Promise<void>((resolve) => (out.write(s) ? resolve() : out.once('drain', resolve)));
  await write('id,text,label\n');
  await write('1,');
  const chunk = 'lorem ipsum dolor sit amet consectetur '.repeat(1024 * 27).slice(0, 1024 * 1024);
  for (let k = 0; k < CELL / chunk.length; k++) await write(chunk);
  await write(',spam\n2,short ham message about the meeting,ham\n3,another short spam offer,spam\n4,lunch on friday,ham\n');
  await new Promise<void>((resolve) => out.end(resolve));
}, 120_000);

describe('a 50 MB single cell', () => {
  it('is sniffed from a bounded window read once, with a warning naming the line', async () => {
    const sniffed = await sniffFile(path, { confirmEncoding: false });
    expect(statSync(path).size).toBeGreaterThan(CELL);
    expect(sniffed.columns).toEqual(['id', 'text', 'label']);
    expect(sniffed.delimiter).toBe(',');
    expect(sniffed.hasHeader).toBe(true);
    // The window grew 64 KB → 256 KB → 1 MB, each byte read once: 1 MB in all (the old window read
    // 64 KB + 256 KB + 1 MB + 4 MB + 16 MB + the whole 50 MB file, ≈ 71 MB, and parsed all of it five times).
    expect(sniffWork.bytesRead).toBe(LONG_RECORD_BYTES);
    expect(sniffWork.bytesParsed).toBe(LONG_RECORD_BYTES);
    expect(sniffWork.bytesRead).toBeGreaterThan(SNIFF_BYTES);
    expect(sniffed.warnings.join(' ')).toMatch(/Line 2 of one-huge-cell\.csv runs past 1 MB without a line break/);
  });

  it('reads every row for training and cuts only the long text, with a warning', async () => {
    const data = await readTextDataset({ path, textColumn: 'text', target: 'label' });
    expect(data.labels).toEqual(['spam', 'ham', 'spam', 'ham']);
    expect(data.texts[0]!.length).toBe(MAX_TEXT_CHARS);
    expect(data.texts[1]).toBe('short ham message about the meeting');
    expect(data.truncated).toBe(1);
    expect(data.warnings.join(' ')).toMatch(/1 text\(s\) were longer than 100,000 characters \(the longest 52,428,800\)/);
  }, 120_000);
});
