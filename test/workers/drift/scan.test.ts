import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '../../../workers/drift/index.js';
import type { CategoricalColumnProfile, NumericColumnProfile } from '../../../workers/drift/index.js';
import { parseNumberAt } from '../../../workers/drift/numbers.js';
import { seeded, tempDir } from './helpers.js';

const readOptions = { signal: new AbortController().signal, onProgress: () => {} };

describe('field scanner', () => {
  it('reads quoted fields (delimiters, "" and line breaks inside) across 1 MiB chunk seams like csv-parse does', async () => {
    const random = seeded(11);
    const words = ['plain', 'with,comma', 'say ""hi""', 'two\nlines', 'semi;colon', ''];
    const lines = ['id,text,value'];
    for (let i = 0; i < 40_000; i++) {
      const w = words[Math.floor(random() * words.length)] as string;
      const quoted = /[,"\n]/.test(w) || random() < 0.3 ? `"${w}"` : w;
      lines.push(`${i},${quoted},${(random() * 1000).toFixed(4)}`);
    }
    const path = join(tempDir(), 'quoted.csv');
    writeFileSync(path, `\ufeff${lines.join('\r\n')}\r\n`);
    const profile = await buildReferenceProfile(path, readOptions);
    const records = parse(lines.join('\r\n'), { columns: true }) as Record<string, string>[];
    expect(profile.rows).toBe(records.length);
    const text = profile.columns.find((c) => c.name === 'text') as CategoricalColumnProfile;
    const expected = new Map<string, number>();
    for (const r of records) if (r.text !== '') expected.set(r.text as string, (expected.get(r.text as string) ?? 0) + 1);
    expect(new Map(text.categories.map((c, i) => [c, text.counts[i]]))).toEqual(expected);
    expect(text.missing).toBe(records.filter((r) => r.text === '').length);
    const value = profile.columns.find((c) => c.name === 'value') as NumericColumnProfile;
    const sum = records.reduce((s, r) => s + Number(r.value), 0);
    expect(value.mean).toBeCloseTo(sum / records.length, 9);
  });

  it('gives the same result when quotes first appear after several unquoted chunks (fast path, then the quoted one)', async () => {
    const lines = ['n,word'];
    for (let i = 0; i < 150_000; i++) lines.push(`${i % 97},w${i % 13}`);
    for (let i = 0; i < 1_000; i++) lines.push(`${i % 97},"w${i % 13}"`, `1,"multi\nline, ""quoted"""`);
    const path = join(tempDir(), 'late-quotes.csv');
    writeFileSync(path, lines.join('\n'));
    const profile = await buildReferenceProfile(path, readOptions);
    const records = parse(lines.join('\n'), { columns: true }) as Record<string, string>[];
    expect(profile.rows).toBe(records.length);
    const word = profile.columns[1] as CategoricalColumnProfile;
    expect(word.counts[word.categories.indexOf('multi\nline, "quoted"')]).toBe(1_000);
    expect(word.counts[word.categories.indexOf('w0')]).toBe(records.filter((r) => r.word === 'w0').length);
    const n = profile.columns[0] as NumericColumnProfile;
    expect(n.count).toBe(records.length);
    expect(n.mean).toBeCloseTo(records.reduce((s, r) => s + Number(r.n), 0) / records.length, 9);
  });

  it('reads semicolon files and missing-value tokens', async () => {
    const path = join(tempDir(), 'semi.csv');
    writeFileSync(path, 'a;b\n1;x\nNA;y\n3;\n?;x\n5;z\n');
    const profile = await buildReferenceProfile(path, readOptions);
    const a = profile.columns[0] as NumericColumnProfile;
    expect(a.kind).toBe('numeric');
    expect(a.points).toEqual([1, 3, 5]);
    expect(a.missing).toBe(2);
    const b = profile.columns[1] as CategoricalColumnProfile;
    expect(b.categories).toEqual(['x', 'y', 'z']);
    expect(b.missing).toBe(1);
  });

  it('parseNumberAt agrees with Number on plain decimals and refuses what is not a number', () => {
    const random = seeded(5);
    for (let i = 0; i < 20_000; i++) {
      const digits = Math.floor(random() * 18) + 1;
      const scale = Math.floor(random() * (digits + 3));
      let s = String(Math.floor(random() * 10 ** Math.min(digits, 15))).padStart(scale + 1, '0');
      if (scale > 0) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
      if (random() < 0.3) s = `-${s}`;
      if (random() < 0.1) s = `${s}e${Math.floor(random() * 20) - 10}`;
      expect(parseNumberAt(` ${s} `, 0, s.length + 2)).toBe(Number(s));
    }
    for (const bad of ['', 'abc', '1.2.3', '0x10', 'Infinity', '1e', '--1', '12a']) expect(parseNumberAt(bad, 0, bad.length)).toBeNaN();
  });
});
