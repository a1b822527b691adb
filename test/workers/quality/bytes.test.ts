import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality, type QualityReport } from '../../../workers/quality/index.js';
import { hashText, textHash } from '../../../workers/csv/byte-parser.js';
import { Rng, fmix32, hashString } from '../../../workers/quality/hash.js';
import { UNKNOWN_KIND, classify, classifyBytes, parsed } from '../../../workers/quality/values.js';

// UTF-8 and Latin-1 files are scanned as bytes (fields as spans, hashed while parsing); UTF-16
// files as strings. The string path is the reference: the same text must give the same report.

const dir = mkdtempSync(join(tmpdir(), 'quality-bytes-'));
const write = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]);
const run = (path: string, extra: Partial<Parameters<typeof scoreQuality>[0]> = {}) => scoreQuality({ path, ...extra }, makeContext());
/** The report without what depends on the file's bytes rather than its text. */
const comparable = (r: QualityReport) => ({ ...r, file: { ...r.file, path: '', bytes: 0, encoding: '' }, elapsedMs: 0, trainTest: r.trainTest && { ...r.trainTest, file: '' } });

/** Values that take every branch of the byte path: numbers `Number()` reads oddly, dates, markers, padding, personal data, quotes. */
const NUMBERS = ['1e5', '-0', '0', '.5', '5.', '-.5', '+3', '+.', '-', '.', '0x10', '0b1', 'Infinity', '-Infinity', '12345678901234567', '123456789012345', '1234567890123456', '000000000000000123', '1.2.3', '1-2', ' 42 ', '\t7', '0.1', '3.14159265358979', '-1234.5678901234', '12 Main St', 'NA', 'N/A', '?', 'NaN', '', 'true', 'No', 'y', 'nope', '4111 1111 1111 1111', '+33 6 12 34 56 78', '0.9999999999999999', '9007199254740993', '0.30000000000000004', '1.7976931348623157', '-0.000000000000000000000123'];
const DATES = ['2010-05-03', '2010-05-03 12:', '2010-05-03 12:3', '2010-13-40', '03/05/2010', '03.05.2010 x', '2010/05/03T12:34', '20100503', '2010-05-03 12:34:56', '1999-12-31', 'soon', 'later', 'never', 'unknown', 'tbd', '1e999'];
const TEXT = ['user@example.org', 'DE89370400440532013000', 'GB82WEST12345698765432', '192.168.0.1', 'fe80::1:2:3:4', '123-45-6789', 'José', 'Zürich', ' padded ', 'He said "hi", then left', 'two\nlines', 'x"y', 'Ødegård', 'NULL', 'null', '-', 'short', 'A longer free-text comment, with a comma', 'TRUE', 'f', '(555) 123-4567', 'Yes'];

function field(v: string): string {
  return /[",\r\n]/.test(v) && !/^x"y$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A file past the exact-distinct limit in some columns, with duplicate rows and conflicting labels, lines ending LF, CRLF or CR. */
function tricky(rows: number, extra: string[]): string {
  const pick = (list: string[], i: number) => list[i % list.length]!;
  const lines = ['id,num,date,text,cat,label,sex'];
  for (let i = 0; i < rows; i++) {
    // Unique values first, so the exact table fills up and most tricky values come after it.
    const unique = i < rows - 2000 && i % 8 !== 0;
    const num = unique ? String(((i * 7919) % 100_003) / 8) : pick(NUMBERS, i);
    const pad = (x: number) => String(x).padStart(2, '0');
    const date = unique ? `20${10 + (i % 14)}-${pad(1 + (i % 12))}-${pad(1 + (i % 28))} ${pad(Math.floor(i / 28) % 24)}:${pad(Math.floor(i / 672) % 60)}:00` : pick(DATES, i);
    const text = unique ? `note ${i} ${pick(extra, i)}` : pick([...TEXT, ...extra], i);
    const cat = pick([' a', 'a', 'a ', 'A', 'b', 'NA', 'é', ''], i);
    const cells = [String(i % 11_000), num, date, text, cat, i % 5 === 0 ? ' yes' : 'no', pick(['M', 'F', ' F', 'NA', 'X'], i)];
    const row = cells.map(field).join(',');
    lines.push(row);
    if (i % 997 === 0) lines.push(row); // a duplicate row
    if (i % 1009 === 0) lines.push(cells.map((c, k) => field(k === 5 ? 'maybe' : c)).join(',')); // a conflicting label
  }
  const endings = ['\n', '\r\n', '\r'];
  return lines.map((l, i) => l + endings[i % 7 === 0 ? 1 : i % 13 === 0 ? 2 : 0]).join('');
}

describe('bytes and strings give the same report', () => {
  it('UTF-8 (bytes, with and without a BOM) and UTF-16 (strings), with bias, a target and a test file', async () => {
    const text = tricky(14_000, ['€', '😀', '中文', 'naïve']);
    const testText = tricky(500, ['€', 'Zürich']);
    const input = { target: 'label', positive: 'no', protected: ['sex'] };
    const reference = await run(write('t16.csv', utf16(text)), { ...input, testPath: write('test16.csv', utf16(testText)) });
    const bytes = await run(write('t8.csv', Buffer.from(text, 'utf8')), { ...input, testPath: write('test8.csv', Buffer.from(testText, 'utf8')) });
    const withBom = (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')]);
    const bom = await run(write('t8bom.csv', withBom(text)), { ...input, testPath: write('test8bom.csv', withBom(testText)) });
    expect(bytes.file.encoding).toBe('utf-8');
    expect(reference.file.encoding).toBe('utf-16le');
    // The file really exercises the paths it is meant to.
    const num = reference.columns.find((c) => c.name === 'num')!;
    expect(num.distinctEstimated).toBe(true);
    expect(reference.columns.find((c) => c.name === 'date')!.distinctEstimated).toBe(true);
    expect(reference.columns.find((c) => c.name === 'text')!.distinctEstimated).toBe(true);
    expect(num.kinds.text).toBeGreaterThan(0);
    expect(Object.keys(reference.columns.find((c) => c.name === 'text')!.pii).sort()).toEqual(['email', 'iban', 'ip', 'nationalId', 'phone']);
    expect(Object.keys(num.pii).sort()).toEqual(['card', 'phone']);
    expect(reference.duplicateRows).toBeGreaterThan(0);
    expect(reference.target!.conflictingGroups).toBeGreaterThan(0);
    expect(reference.trainTest!.overlappingRows).toBeGreaterThan(0);
    expect(comparable(bytes)).toEqual(comparable(reference));
    expect(comparable(bom)).toEqual(comparable(reference));
  });

  it('Latin-1 (bytes above 0x7f) and UTF-16', async () => {
    const text = tricky(14_000, ['Zürich', 'ß', 'déjà vu', '\u00a0nbsp\u00a0']);
    const reference = await run(write('l16.csv', utf16(text)));
    const latin1 = await run(write('l1.csv', iconv.encode(text, 'latin1')));
    expect(latin1.file.encoding).toBe('latin1');
    expect(latin1.warnings).toEqual([expect.stringMatching(/read as Latin-1/)]);
    expect({ ...comparable(latin1), warnings: [] }).toEqual(comparable(reference));
  });

  it('finds train/test overlap across encodings: UTF-8 train, Latin-1 and UTF-16 test', async () => {
    const train = write('ov-train.csv', Buffer.from('city,name,n\nZürich,José,1\nMalmö,Ødegård,2\nParis,Zoé,3\nLyon,Anaïs,4\n', 'utf8'));
    const test = 'n,city,name\n1,Zürich,José\n2,Malmö,Ødegård\n9,Paris,Zoé\n4,Lyon,Anaïs\n';
    for (const testFile of [write('ov-test-l1.csv', iconv.encode(test, 'latin1')), write('ov-test-16.csv', utf16(test))]) {
      const r = await run(train, { testPath: testFile });
      expect(r.trainTest!.overlappingRows).toBe(3);
      expect(r.trainTest!.unseenCategories).toEqual([]);
    }
  });
});

describe('classifyBytes', () => {
  it('agrees with classify (kind and number, -0 included) on every value it answers', () => {
    const rng = new Rng(11);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * 10)).join('');
    const truncated = ['2010-05-03 12', '2010-05-03 1', '2010-05-03 ', '03/05/20', '03/05/201', '2010-05-0'];
    const values = [...NUMBERS, ...DATES, ...TEXT, ...truncated].map((v) => v.trim()).filter((v) => v !== '' && Buffer.byteLength(v) === v.length);
    for (let i = 0; i < 20_000; i++) {
      const sign = ['', '-', '+'][Math.floor(rng.next() * 3)]!;
      const int = digits(Math.floor(rng.next() * 14));
      const frac = rng.next() < 0.6 ? `.${digits(Math.floor(rng.next() * (rng.next() < 0.1 ? 25 : 12)))}` : '';
      const exp = rng.next() < 0.1 ? `e${Math.floor(rng.next() * 40) - 20}` : '';
      values.push(sign + int + frac + exp);
    }
    let answered = 0;
    // The value sits between other bytes, as in a file; what follows it must never count.
    for (const [v, after] of values.flatMap((v) => [[v, ' '], [v, ':00 12:34:56'], [v, '00 x']] as const)) {
      const bytes = Buffer.from(` ${v}${after}`, 'latin1');
      const kind = classifyBytes(bytes, 1, 1 + v.length);
      const x = parsed.number;
      if (kind === UNKNOWN_KIND) continue;
      answered++;
      const expected = classify(v);
      expect([v, kind]).toEqual([v, expected]);
      if (kind <= 1) expect([v, Object.is(x, parsed.number)]).toEqual([v, true]);
    }
    expect(answered).toBeGreaterThan(12_000);
  });
});

describe('field hashes', () => {
  it('hashString is fmix32 of lane A, so a value counts the same from bytes or from a string', () => {
    for (const v of [...NUMBERS, ...DATES, ...TEXT, '€😀中文']) {
      hashText(v);
      expect(fmix32(textHash.a)).toBe(hashString(v));
    }
  });
});
