import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../workers/importer/index.js';
import { CancelledError, makeContext, UserInputError } from '../../../workers/protocol.js';
import { fixture, tempDir } from '../../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let counter = 0;
function file(content: string | Buffer, name = `f${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const run = (path: string) => importDataset({ path }, makeContext({ dataDir: dir }));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('importDataset on real data', () => {
  it('counts the 32,561 rows of UCI Adult and hashes it', async () => {
    const path = fixture('adult.csv');
    const ctx = makeContext();
    const result = await importDataset({ path }, ctx);
    // adult.data has 32,561 records (adult.names); the file adds one header line.
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '').length;
    expect(result.rowCount).toBe(32_561);
    expect(result.rowCount).toBe(lines - 1);
    expect(result.sha256).toBe(sha256(path));
    expect(result).toMatchObject({ delimiter: ',', encoding: 'utf-8', hasHeader: true, name: 'adult.csv' });
    expect(result.columns).toHaveLength(15);
    expect(result.columns[14]).toBe('income');
    const fractions = ctx.reports.map((r) => r.fraction);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('renames the repeated columns of the COMPAS file and warns', async () => {
    const result = await run(fixture('compas-scores-two-years.csv'));
    expect(result.rowCount).toBe(7_214);
    expect(result.columns.filter((c) => c.startsWith('decile_score'))).toEqual(['decile_score', 'decile_score_2']);
    expect(result.warnings.join(' ')).toMatch(/"priors_count" appears more than once/);
  });
});

describe('importDataset formats', () => {
  it('detects tabs, semicolons and pipes', async () => {
    for (const delimiter of ['\t', ';', '|']) {
      const result = await run(file(['a', 'b', 'c'].join(delimiter) + '\n' + ['1', '2', '3'].join(delimiter) + '\n' + ['4', '5', '6'].join(delimiter) + '\n'));
      expect(result.delimiter).toBe(delimiter);
      expect(result.rowCount).toBe(2);
    }
  });

  it('does not count newlines inside quoted fields as rows', async () => {
    const result = await run(file('id,note\n1,"line one\nline two"\n2,"a, b"\n3,"say ""hi""\r\nagain"\n'));
    expect(result.rowCount).toBe(3);
  });

  it('reads UTF-8 with a BOM, UTF-16 LE and BE with a BOM', async () => {
    const text = 'name,city\nZoë,Köln\nJosé,São Paulo\n';
    const bom = await run(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    expect(bom).toMatchObject({ encoding: 'utf-8-bom', rowCount: 2, columns: ['name', 'city'] });
    const le = await run(file(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')])));
    expect(le).toMatchObject({ encoding: 'utf-16le', rowCount: 2, columns: ['name', 'city'] });
    const be = await run(file(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, 'utf-16be')])));
    expect(be).toMatchObject({ encoding: 'utf-16be', rowCount: 2, columns: ['name', 'city'] });
  });

  it('falls back to Latin-1 and says so', async () => {
    const result = await run(file(iconv.encode('name,city\nZoë,Köln\n', 'latin1')));
    expect(result.encoding).toBe('latin1');
    expect(result.warnings.join(' ')).toMatch(/not valid UTF-8.*Latin-1/);
  });

  it('notices invalid UTF-8 after the sampled start of a large file', async () => {
    const head = 'a,b\n' + '1,2\n'.repeat(40_000); // 160 KB of ASCII, beyond the 64 KiB sample
    const result = await run(file(Buffer.concat([Buffer.from(head), iconv.encode('é,3\n', 'latin1')])));
    expect(result.rowCount).toBe(40_001);
    expect(result.encoding).toBe('latin1');
  });

  it('names columns when there is no header', async () => {
    const result = await run(file('1,2.5,3\n4,5.5,6\n'));
    expect(result).toMatchObject({ hasHeader: false, rowCount: 2, columns: ['column_1', 'column_2', 'column_3'] });
  });
});

describe('importDataset bad input', () => {
  const fails = async (path: string, message: RegExp) => {
    const error = await run(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('\n')).toHaveLength(1);
  };

  it('a missing file', () => fails(join(dir, 'nope.csv'), /File not found: .*nope\.csv\. Check the path/));
  it('a directory', () => fails(dir, /is a folder, not a file/));
  it('an empty file', () => fails(file(''), /is empty \(0 bytes\)/));
  it('a binary file', () => fails(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 8, 1, 2, 3, 0, 0, 0])), /binary file/));
  it('a header with no rows', () => fails(file('a,b,c\n'), /header but no data rows/));
  it('rows with the wrong number of fields, naming the first lines', () =>
    fails(file('a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n'), /2 rows have a different number of fields than the header's 3 \(lines 3, 5\)/));
  it('an unclosed quote', () => fails(file('a,b\n1,"open\n2,3\n'), /not valid CSV|different number of fields/));
});

it('stops when cancelled', async () => {
  const controller = new AbortController();
  controller.abort();
  await expect(importDataset({ path: fixture('adult.csv') }, makeContext({ signal: controller.signal }))).rejects.toBeInstanceOf(CancelledError);
});
