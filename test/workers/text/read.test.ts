import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../../workers/protocol.js';
import { parseEmail } from '../../../workers/text/eml.js';
import { readTextDataset } from '../../../workers/text/read.js';

const CSV = 'test/fixtures/text/spamassassin.csv';
const EML = 'test/fixtures/text/spamassassin-eml';
const tmp = () => mkdtempSync(join(tmpdir(), 'text-read-'));

describe('reading text datasets', () => {
  it('reads the SpamAssassin CSV: multi-line quoted cells, 500 documents, two labels', async () => {
    const d = await readTextDataset({ path: CSV, textColumn: 'text', target: 'label' });
    expect(d.texts).toHaveLength(500);
    expect(d.labels.filter((l) => l === 'spam')).toHaveLength(200);
    expect(d.texts.filter((t) => t.includes('\n')).length).toBeGreaterThan(400);
    expect(d.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a class-per-folder tree of .eml files as subject + body, headers dropped', async () => {
    const d = await readTextDataset({ path: EML });
    expect(d.format).toBe('folder');
    expect(d.texts).toHaveLength(80);
    expect([...new Set(d.labels)].sort()).toEqual(['ham', 'spam']);
    for (const t of d.texts) expect(t).not.toMatch(/^(Received|Return-Path|Message-Id):/im);
  });

  it('decodes quoted-printable, base64 and encoded-word subjects, and prefers text/plain', () => {
    const raw = [
      'From: a@example.com',
      'Subject: =?utf-8?B?Q2Fmw6kgb3JkZXI=?= =?iso-8859-1?Q?_n=F8_5?=',
      'Content-Type: multipart/alternative; boundary="XX"',
      '',
      '--XX',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 au lait, soft=',
      'break here.',
      '--XX',
      'Content-Type: text/html',
      '',
      '<p>HTML version</p>',
      '--XX--',
    ].join('\r\n');
    expect(parseEmail(raw)).toEqual({ subject: 'Café order nø 5', body: 'Café au lait, softbreak here.', text: 'Café order nø 5\n\nCafé au lait, softbreak here.' });
    const b64 = ['Subject: hi', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from('<html><body><b>Grüße</b>&amp; more</body></html>').toString('base64')].join('\n');
    expect(parseEmail(b64).body).toBe('Grüße & more');
  });

  it("decodes a charset iconv-lite lacks (ISO-2022-JP) through Node's ICU", () => {
    const body = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]); // 日本 in JIS X 0208
    const raw = Buffer.concat([Buffer.from('Subject: jp\r\nContent-Type: text/plain; charset="ISO-2022-JP"\r\n\r\n'), body]);
    expect(parseEmail(raw).body).toBe('日本');
  });

  it('decodes each file of a folder in its own encoding and says the encodings are mixed', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'fr'));
    mkdirSync(join(dir, 'de'));
    writeFileSync(join(dir, 'fr', 'a.txt'), 'Le café est très bon, merci beaucoup.');
    writeFileSync(join(dir, 'fr', 'b.txt'), iconv.encode('Un thé glacé, s’il vous plaît.', 'windows-1252'));
    writeFileSync(join(dir, 'de', 'c.md'), '# Grüße\nSchöne Straße.');
    writeFileSync(join(dir, 'de', 'd.txt'), iconv.encode('Größe und Maß.', 'windows-1252'));
    const d = await readTextDataset({ path: dir });
    expect(d.texts.sort()).toEqual(['# Grüße\nSchöne Straße.', 'Größe und Maß.', 'Le café est très bon, merci beaucoup.', 'Un thé glacé, s’il vous plaît.'].sort());
    expect(d.encodings).toEqual({ 'utf-8': 2, 'windows-1252': 2 });
    expect(d.warnings.join(' ')).toMatch(/different encodings \(2 UTF-8, 2 Windows-1252/);
  });

  it('skips a file of binary junk by name, and refuses a folder of nothing else', async () => {
    const dir = tmp();
    for (const c of ['a', 'b']) mkdirSync(join(dir, c));
    writeFileSync(join(dir, 'a', 'ok.txt'), 'a normal document');
    writeFileSync(join(dir, 'b', 'ok.txt'), 'another normal document');
    writeFileSync(join(dir, 'b', 'junk.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0xff, 0xfe, 0]));
    const d = await readTextDataset({ path: dir });
    expect(d.texts).toHaveLength(2);
    expect(d.warnings.join(' ')).toContain('1 file(s) are binary, not text, and were skipped: b/junk.txt');
    const junk = tmp();
    for (const c of ['a', 'b']) {
      mkdirSync(join(junk, c));
      writeFileSync(join(junk, c, 'x.txt'), Buffer.from([0, 1, 2, 3, 0, 5]));
    }
    await expect(readTextDataset({ path: junk })).rejects.toThrow(/Every file in .* is binary/);
  });

  it('cuts a 50 MB single cell (a pasted document, line after line) to the limit with a warning, and reads the other rows', async () => {
    const dir = tmp();
    const path = join(dir, 'big.csv');
    const line = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n';
    const huge = line.repeat(Math.ceil((50 * 2 ** 20) / line.length));
    writeFileSync(path, `text,label\n"${huge}",a\n"short one",b\n"another",a\n`);
    const d = await readTextDataset({ path, textColumn: 'text', target: 'label' });
    expect(d.texts.map((t) => t.length)).toEqual([100_000, 9, 7]);
    expect(d.texts[0]).toBe(huge.slice(0, 100_000));
    expect(d.truncated).toBe(1);
    expect(d.warnings.join(' ')).toContain(`1 text(s) were longer than 100,000 characters (the longest ${huge.length.toLocaleString('en')})`);
  }, 60_000);

  it.each([
    ['an all-empty text column', 'text,label\n,a\n"",b\n  ,a\n', /empty in all 3 rows/],
    ['a single class', 'text,label\nhello there,a\ngood morning,a\n', /same label \("a"\)/],
    ['a text column of numbers', 'text,label\n12.5,a\n13,b\n"1,200",a\n7,b\n', /holds numbers, not text/],
    ['an unknown column', 'body,label\nhello,a\n', /has no column "text"\. Its columns are: body, label/],
  ])('refuses %s with a message that says what to do', async (_, csv, message) => {
    const dir = tmp();
    const path = join(dir, 'bad.csv');
    writeFileSync(path, csv);
    const error = await readTextDataset({ path, textColumn: 'text', target: 'label' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(message);
  });
});
