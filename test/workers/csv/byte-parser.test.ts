import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ByteRecordParser, FieldKind, hashText, textHash } from '../../../workers/csv/byte-parser.js';
import { CsvRecordParser, readByteRange, readRange } from '../../../workers/csv/reader.js';

const dir = mkdtempSync(join(tmpdir(), 'byte-parser-test-'));

/** What a parse produced, in a form both parsers give. */
interface Parsed {
  records: string[][];
  lines: number[];
  stats: ReturnType<CsvRecordParser['stats']>;
}

/** The reference: the string parser, fed the whole text. */
function parseStrings(text: string, delimiter = ','): Parsed {
  const records: string[][] = [];
  const lines: number[] = [];
  const parser = new CsvRecordParser(delimiter, (fields, line) => {
    records.push(fields.slice());
    lines.push(line);
  });
  parser.push(text);
  parser.end();
  return { records, lines, stats: parser.stats() };
}

/**
 * The byte parser fed `chunk` bytes at a time, the way `readByteRange` does (a cut-off record
 * stays at the front for the next call). Also checks every ASCII field's hashes against `hashText`
 * and that each record's span parses alone to the same record.
 */
function parseBytes(bytes: Buffer, chunk: number, encoding: 'utf8' | 'latin1' = 'utf8', delimiter = ','): Parsed & { hashMismatches: number; spanMismatches: number } {
  const records: string[][] = [];
  const lines: number[] = [];
  let hashMismatches = 0;
  let spanMismatches = 0;
  let again: string[] = [];
  const single = new ByteRecordParser(delimiter, encoding, (r) => (again = Array.from({ length: r.count }, (_, i) => r.text(i))));
  const parser = new ByteRecordParser(delimiter, encoding, (r, line) => {
    const fields = Array.from({ length: r.count }, (_, i) => r.text(i));
    for (let i = 0; i < r.count; i++) {
      if (r.kind[i] !== FieldKind.Ascii) continue;
      hashText(fields[i]!);
      if (textHash.a !== r.hashA[i] || textHash.b !== r.hashB[i]) hashMismatches++;
    }
    const span = Buffer.from(r.bytes.subarray(r.from, r.to));
    single.parse(span, span.length, true);
    if (JSON.stringify(again) !== JSON.stringify(fields)) spanMismatches++;
    records.push(fields);
    lines.push(line);
  });
  let buffer = Buffer.alloc(0);
  for (let at = 0; at < bytes.length; at += chunk) {
    buffer = Buffer.concat([buffer, bytes.subarray(at, at + chunk)]);
    buffer = buffer.subarray(parser.parse(buffer, buffer.length, false));
  }
  if (buffer.length > 0) parser.parse(buffer, buffer.length, true);
  return { records, lines, stats: parser.stats(), hashMismatches, spanMismatches };
}

/** Seeded random CSV-ish text from the pieces that make parsing hard. */
function randomText(seed: number, pieces: string[], length: number): string {
  let s = seed;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  let text = '';
  for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
  return text;
}

const TRICKY = ['"', '""', ',', ',', '\r', '\n', '\r\n', ' ', 'a', 'bc', '12', '-0', '.5', 'é', '€', '😀', 'x"y', '"q""r"', '\t'];

describe('ByteRecordParser', () => {
  it('gives the string parser\'s records, line numbers and counters on random tricky input, whatever the chunk size', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const text = randomText(seed, TRICKY, 1 + (seed % 60));
      const expected = parseStrings(text);
      for (const chunk of [1, 2, 3, 7, 64]) {
        const got = parseBytes(Buffer.from(text, 'utf8'), chunk);
        expect({ text, chunk, records: got.records, lines: got.lines, stats: got.stats }).toEqual({ text, chunk, ...expected });
        expect(got.hashMismatches).toBe(0);
        expect(got.spanMismatches).toBe(0);
      }
    }
  });

  it('reads Latin-1 bytes above 0x7f as their characters, and a semicolon delimiter', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const text = randomText(seed, ['"', '""', ';', '\r\n', '\n', 'é', 'ß', '\u00a0', 'Ø', 'ab', ' '], 40);
      const got = parseBytes(iconv.encode(text, 'latin1'), 5, 'latin1', ';');
      const expected = parseStrings(text, ';');
      expect({ text, records: got.records, lines: got.lines, stats: got.stats }).toEqual({ text, ...expected });
    }
  });

  it('flags what is not plain ASCII and keeps the span of an escaped or unterminated quoted field', () => {
    const kinds: number[][] = [];
    const parser = new ByteRecordParser(',', 'utf8', (r) => kinds.push(Array.from(r.kind.subarray(0, r.count))));
    const bytes = Buffer.from('a,"b",é,"c""d","e"f,"g\n');
    parser.parse(bytes, bytes.length, true);
    expect(kinds).toEqual([[FieldKind.Ascii, FieldKind.Ascii, FieldKind.Decode, FieldKind.Unquote, FieldKind.Unquote, FieldKind.Ascii]]);
    expect(parser.stats().unterminatedQuote).toBe(true);
  });
});

/** Everything the byte parser reports, raw (spans, kinds, both hash lanes), fed `chunk` bytes at a time. */
function parseRaw(bytes: Buffer, chunk: number, useKernel: boolean, delimiter = ','): { records: number[][]; texts: string[][]; stats: ReturnType<ByteRecordParser['stats']> } {
  const records: number[][] = [];
  const texts: string[][] = [];
  const parser = new ByteRecordParser(
    delimiter,
    'utf8',
    (r, line) => {
      const fields: number[] = [line, r.count, r.to - r.from];
      for (let i = 0; i < r.count; i++) fields.push(r.start[i]! - r.from, r.end[i]! - r.from, r.kind[i]!, r.hashA[i]!, r.hashB[i]!);
      records.push(fields);
      texts.push(Array.from({ length: r.count }, (_, i) => r.text(i)));
    },
    useKernel,
  );
  let buffer = Buffer.alloc(0);
  for (let at = 0; at < bytes.length; at += chunk) {
    buffer = Buffer.concat([buffer, bytes.subarray(at, at + chunk)]);
    buffer = buffer.subarray(parser.parse(buffer, buffer.length, false));
  }
  if (buffer.length > 0) parser.parse(buffer, buffer.length, true);
  return { records, texts, stats: parser.stats() };
}

/** Text to bytes, where `<ff>` stands for the byte 0xff (bytes that are not UTF-8: a lone byte, a cut-off sequence). */
function withBytes(text: string): Buffer {
  return Buffer.concat(text.split(/(<[0-9a-f]{2}>)/).map((part) => (/^<[0-9a-f]{2}>$/.test(part) ? Buffer.from([parseInt(part.slice(1, 3), 16)]) : Buffer.from(part, 'utf8'))));
}

describe('ByteRecordParser: the WebAssembly record loop', () => {
  it('reports what the JavaScript loop reports, field by field: quoted line breaks, CRLF split across reads, multi-byte and invalid UTF-8, unterminated quotes', () => {
    const pieces = [...TRICKY, '<ff>', '<c3>', '<e2><82>', '"\n"', '\r\n\r\n', '""""', ',,,'];
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = withBytes(randomText(seed * 7 + 3, pieces, 1 + (seed % 80)));
      for (const chunk of [1, 2, 5, 64, 1 << 16]) {
        const js = parseRaw(bytes, chunk, false);
        const wasm = parseRaw(bytes, chunk, true);
        expect({ seed, chunk, ...wasm }).toEqual({ seed, chunk, ...js });
      }
    }
    expect(new ByteRecordParser(',', 'utf8', () => {}).usesWebAssembly).toBe(true);
    expect(new ByteRecordParser(',', 'utf8', () => {}, false).usesWebAssembly).toBe(false);
    // The invalid bytes do reach the fields (decoded as U+FFFD by both).
    expect(parseRaw(withBytes('a<ff>b,c\n'), 3, true).texts).toEqual([['a\ufffdb', 'c']]);
  });

  it('makes room for records wider than its field arrays and inputs longer than its memory', () => {
    const wide = `${Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `"q${i}"` : `v${i}`)).join(',')}\n1,2\n`;
    const long = `"${'x'.repeat(300_000)}\n${'é'.repeat(50_000)}",b\r\nc,d`;
    for (const text of [wide, long, wide + long]) {
      const bytes = Buffer.from(text, 'utf8');
      for (const chunk of [4096, 1 << 20]) expect(parseRaw(bytes, chunk, true)).toEqual(parseRaw(bytes, chunk, false));
    }
    const got = parseRaw(Buffer.from(wide, 'utf8'), 1 << 20, true);
    expect(got.texts[0]!.length).toBe(5000);
    expect(got.texts[0]![4997]).toBe('v4997');
    expect(got.texts[0]![3]).toBe('q3');
    expect(got.texts[1]).toEqual(['1', '2']);
  });

  it('keeps a tab, semicolon or pipe delimiter apart from the other bytes', () => {
    for (const delimiter of ['\t', ';', '|']) {
      const bytes = Buffer.from(randomText(99, ['"', '""', delimiter, ',', '\r\n', '\n', 'é', 'ab', ' '], 400), 'utf8');
      expect(parseRaw(bytes, 7, true, delimiter)).toEqual(parseRaw(bytes, 7, false, delimiter));
    }
  });
});

describe('readByteRange', () => {
  it('reads the records readRange reads, multi-byte characters split across reads and a BOM skipped', async () => {
    const text = randomText(7, [...TRICKY, 'Zürich', 'naïve', '中文'], 3000);
    const path = join(dir, 'bom.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const size = Buffer.byteLength(text) + 3;
    for (const chunkBytes of [5, 7, 64, 1 << 20]) {
      const strings: string[][] = [];
      const bytes: string[][] = [];
      const a = await readRange({ path, encoding: 'utf-8-bom', delimiter: ',', start: 3, end: size, skipHeader: true, chunkBytes, onRecord: (f) => strings.push(f.slice()) });
      const b = await readByteRange({ path, encoding: 'utf-8-bom', delimiter: ',', start: 3, end: size, skipHeader: true, chunkBytes, onRecord: (r) => bytes.push(Array.from({ length: r.count }, (_, i) => r.text(i))) });
      expect(bytes).toEqual(strings);
      expect(b).toEqual(a);
    }
  });

  it('decodes invalid UTF-8 as the streaming decoder does, even split across reads', async () => {
    let seed = 3;
    const parts: Buffer[] = [];
    for (let i = 0; i < 4000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const r = seed % 16;
      // Stray continuation bytes, lead bytes without their continuations, cut-off sequences.
      parts.push(r < 3 ? Buffer.from([0x80 + (seed >>> 8) % 64]) : r < 5 ? Buffer.from([0xc0 + (seed >>> 8) % 64]) : r < 6 ? Buffer.from('€').subarray(0, 2) : Buffer.from(TRICKY[(seed >>> 8) % TRICKY.length]!));
    }
    const path = join(dir, 'invalid.csv');
    const file = Buffer.concat(parts);
    writeFileSync(path, file);
    for (const chunkBytes of [3, 7, 64]) {
      const strings: string[][] = [];
      const bytes: string[][] = [];
      await readRange({ path, encoding: 'utf-8', delimiter: ',', start: 0, end: file.length, skipHeader: false, chunkBytes, onRecord: (f) => strings.push(f.slice()) });
      await readByteRange({ path, encoding: 'utf-8', delimiter: ',', start: 0, end: file.length, skipHeader: false, chunkBytes, onRecord: (r) => bytes.push(Array.from({ length: r.count }, (_, i) => r.text(i))) });
      expect(bytes).toEqual(strings);
    }
  });
});
