import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CsvRecordParser, readRange } from '../../../workers/csv/reader.js';
import { fixSeams, planRanges } from '../../../workers/csv/ranges.js';

const dir = mkdtempSync(join(tmpdir(), 'reader-test-'));

function parseAll(text: string, chunk = text.length): { records: string[][]; lines: number[]; stats: ReturnType<CsvRecordParser['stats']> } {
  const records: string[][] = [];
  const lines: number[] = [];
  const parser = new CsvRecordParser(',', (fields, line) => {
    records.push(fields.slice());
    lines.push(line);
  });
  for (let i = 0; i < text.length; i += chunk) parser.push(text.slice(i, i + chunk));
  parser.end();
  return { records, lines, stats: parser.stats() };
}

async function readFile(path: string, encoding: Parameters<typeof readRange>[0]['encoding'], start = 0): Promise<string[][]> {
  const records: string[][] = [];
  const { size } = await import('node:fs').then((fs) => fs.statSync(path));
  await readRange({ path, encoding, delimiter: ',', start, end: size, skipHeader: false, chunkBytes: 7, onRecord: (f) => records.push(f.slice()) });
  return records;
}

describe('CsvRecordParser', () => {
  const text = 'a,b,c\r\n1,"x, y",3\n2,"multi\nline ""quoted""",4\r5,,\n\n6,"",7';
  const expected = [
    ['a', 'b', 'c'],
    ['1', 'x, y', '3'],
    ['2', 'multi\nline "quoted"', '4'],
    ['5', '', ''],
    ['6', '', '7'],
  ];

  it('splits quoted fields with delimiters, newlines and escaped quotes across mixed line endings', () => {
    const { records, lines, stats } = parseAll(text);
    expect(records).toEqual(expected);
    // Physical lines: the quoted newline pushes record 4 to line 5; the blank line is skipped.
    expect(lines).toEqual([1, 2, 3, 5, 7]);
    expect(stats.blankLines).toBe(1);
    expect(stats.quotes).toBe(text.split('"').length - 1);
  });

  it('gives the same records whatever the chunk size, even one character at a time', () => {
    for (const chunk of [1, 2, 3, 5, 8, 13]) expect(parseAll(text, chunk).records).toEqual(expected);
  });

  it('keeps rows with too few or too many fields as they are (the engine counts them)', () => {
    expect(parseAll('a,b\n1\n1,2,3\n').records).toEqual([['a', 'b'], ['1'], ['1', '2', '3']]);
  });

  it('reads a 1 MB single field', () => {
    const big = 'x'.repeat(1 << 20);
    const { records } = parseAll(`h\n"${big}"\n`, 64 * 1024);
    expect(records[1]![0]!.length).toBe(1 << 20);
  });

  it('flags an unterminated quote at the end of input', () => {
    const { records, stats } = parseAll('a\n"open');
    expect(records[1]).toEqual(['open']);
    expect(stats.unterminatedQuote).toBe(true);
  });
});

describe('readRange encodings', () => {
  const rows = 'name,city\nJosé,Zürich\n"Ødegård, K",Malmö\n';
  const expected = [
    ['name', 'city'],
    ['José', 'Zürich'],
    ['Ødegård, K', 'Malmö'],
  ];

  it('reads UTF-8 with a BOM, UTF-16 LE and BE with a BOM, and Latin-1, with 7-byte chunks', async () => {
    const utf8 = join(dir, 'utf8bom.csv');
    writeFileSync(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows, 'utf8')]));
    expect(await readFile(utf8, 'utf-8-bom', 3)).toEqual(expected);
    const le = join(dir, 'utf16le.csv');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rows, 'utf-16le')]));
    expect(await readFile(le, 'utf-16le', 2)).toEqual(expected);
    const be = join(dir, 'utf16be.csv');
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(rows, 'utf-16be')]));
    expect(await readFile(be, 'utf-16be', 2)).toEqual(expected);
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, iconv.encode(rows, 'latin1'));
    expect(await readFile(latin1, 'latin1')).toEqual(expected);
  });
});

describe('ranges', () => {
  it('moves a seam that falls inside a quoted field, and the ranges then read every record once', async () => {
    // Every record has a quoted field with many line breaks, so most nominal split points land inside quotes.
    const lines = ['id,note'];
    for (let i = 0; i < 200; i++) lines.push(`${i},"line one\nline two\nline three, with comma\n""quoted"" end"`);
    const text = `${lines.join('\n')}\n`;
    const path = join(dir, 'seams.csv');
    writeFileSync(path, text);
    const bounds = await planRanges(path, 0, text.length, 7);
    const read = async (b: number[]) => {
      const ids: string[] = [];
      const quotes: number[] = [];
      for (let i = 0; i + 1 < b.length; i++) {
        const r = await readRange({ path, encoding: 'utf-8', delimiter: ',', start: b[i]!, end: b[i + 1]!, skipHeader: i === 0, onRecord: (f) => ids.push(f[0]!) });
        quotes.push(r.quotes);
      }
      return { ids, quotes };
    };
    const first = await read(bounds);
    const fixed = await fixSeams(path, bounds, first.quotes);
    expect(fixed).not.toEqual(bounds); // at least one seam was inside quotes
    const second = await read(fixed);
    expect(second.ids).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    // A fixed plan is stable: checking it again changes nothing.
    expect(await fixSeams(path, fixed, second.quotes)).toEqual(fixed);
  });
});
