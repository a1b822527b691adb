import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CancelledError, UserInputError, makeContext } from '../../../workers/protocol.js';
import { renderQualityHtml, scoreQuality } from '../../../workers/quality/index.js';

const dir = mkdtempSync(join(tmpdir(), 'quality-test-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const run = (input: Parameters<typeof scoreQuality>[0]) => scoreQuality(input, makeContext());

describe('bad input', () => {
  it('refuses an empty file, a header-only file and a binary file with a message saying what to do', async () => {
    await expect(run({ path: file('empty.csv', '') })).rejects.toThrow(UserInputError);
    await expect(run({ path: file('empty.csv', '') })).rejects.toThrow(/empty/);
    await expect(run({ path: file('header.csv', 'a,b,c\n') })).rejects.toThrow(/header but no data rows/);
    const binary = Buffer.alloc(4096);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 37) % 256;
    await expect(run({ path: file('data.bin', binary) })).rejects.toThrow(/binary/);
  });

  it('names the columns that do exist when the target or a protected column does not', async () => {
    const path = file('small.csv', 'age,sex,label\n30,M,1\n40,F,0\n');
    await expect(run({ path, target: 'outcome', positive: '1' })).rejects.toThrow(/"outcome" is not in .*"age", "sex", "label"/);
    await expect(run({ path, target: 'label', positive: '1', protected: ['gender'] })).rejects.toThrow(/protected column "gender".*"sex"/);
  });

  it('says which values occur when the positive value never does', async () => {
    const path = file('small2.csv', 'age,sex,label\n30,M,yes\n40,F,no\n');
    await expect(run({ path, target: 'label', positive: '1', protected: ['sex'] })).rejects.toThrow(/"1" never occurs in "label".*"yes"/);
  });

  it('notices a file that changes while it is read', async () => {
    const path = file('growing.csv', `a,b\n${'1,2\n'.repeat(300_000)}`);
    const ctx = makeContext();
    let appended = false;
    ctx.progress = (report) => {
      if (!appended && report.stage === 'Scanning') {
        appended = true;
        appendFileSync(path, '3,4\n');
      }
    };
    await expect(scoreQuality({ path }, ctx)).rejects.toThrow(/changed while it was being read/);
  });

  it('stops with CancelledError when the job is cancelled mid-scan, and reports progress by bytes', async () => {
    const path = file('cancel.csv', `a,b\n${'1,2\n'.repeat(800_000)}`);
    const controller = new AbortController();
    const ctx = makeContext({ signal: controller.signal });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Scanning') controller.abort();
    };
    await expect(scoreQuality({ path }, ctx)).rejects.toThrow(CancelledError);
    const scanning = ctx.reports.find((r) => r.stage === 'Scanning')!;
    expect((scanning.detail as { bytesRead: number }).bytesRead).toBeGreaterThan(0);
    expect(scanning.fraction).toBeGreaterThan(0);
    expect(scanning.fraction).toBeLessThan(1);
  });

  it('counts rows with too few or too many fields, keeps their line numbers and goes on', async () => {
    const path = file('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n"multi\nline",1,2\n10,11\n');
    const r = await run({ path });
    expect(r.rows).toBe(5);
    expect(r.raggedRows).toEqual({ short: 2, long: 1, firstLines: [3, 4, 7] });
    expect(r.alerts.find((a) => a.code === 'RAGGED_ROWS')!.message).toContain('line 3, 4, 7');
  });
});

describe('encodings and delimiters', () => {
  it('scores UTF-16 LE with a BOM, Latin-1 and semicolon-separated files alike', async () => {
    const text = 'name;city;amount\r\nJosé;Zürich;10\r\nØdegård;Malmö;NA\r\nJosé;Zürich;10\r\n';
    const utf16 = file('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]));
    const latin1 = file('latin1.csv', iconv.encode(text, 'latin1'));
    for (const path of [utf16, latin1]) {
      const r = await run({ path });
      expect(r.file.delimiter).toBe(';');
      expect(r.rows).toBe(3);
      expect(r.duplicateRows).toBe(1);
      expect(r.columns[0]!.topValues[0]).toEqual({ value: 'José', count: 2 });
      expect(r.columns[2]!.missing).toBe(1);
      expect(r.columns[2]!.mean).toBe(10);
    }
  });
});

describe('shapes', () => {
  it('profiles a 10,000-column file and keeps the HTML report small', async () => {
    const header = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    const rows = Array.from({ length: 20 }, (_, r) => Array.from({ length: 10_000 }, (_, i) => (i + r) % 7).join(','));
    const path = file('wide.csv', `${header}\n${rows.join('\n')}\n`);
    const r = await run({ path });
    expect(r.columns).toHaveLength(10_000);
    expect(r.columns[9999]!.mean).toBeCloseTo(Array.from({ length: 20 }, (_, k) => (9999 + k) % 7).reduce((s, x) => s + x, 0) / 20, 12);
    const html = renderQualityHtml(r);
    expect(html.length).toBeLessThan(5_000_000);
    expect(html).toContain('c9999');
  });

  it('reads a 1 MB single field', async () => {
    const big = 'lorem ipsum '.repeat(90_000);
    const path = file('bigfield.csv', `id,text\n1,"${big}"\n2,short\n`);
    const r = await run({ path });
    expect(r.rows).toBe(2);
    expect(r.columns[1]!.maxLength).toBe(big.trim().length);
  });

  it('renames duplicate column names with a suffix and warns', async () => {
    const path = file('dupnames.csv', 'id,score,score,name\n1,2,3,a\n2,3,4,b\n');
    const r = await run({ path });
    expect(r.columns.map((c) => c.name)).toEqual(['id', 'score', 'score_2', 'name']);
    expect(r.columns[2]!.mean).toBe(3.5);
    expect(r.warnings.join(' ')).toMatch(/"score".*renamed to "score_2"/);
  });
});

describe('findings on synthetic data', () => {
  const lines = ['id,email,card,city,amount,label,leak,note'];
  const cities = ['Paris', 'paris', 'Lyon', ' Nice', 'Lille'];
  for (let i = 0; i < 400; i++) {
    const label = i % 3 === 0 ? 'yes' : 'no';
    const amount = i % 50 === 7 ? 'n/a-text' : String((i * 7919) % 1000);
    lines.push([i, `user${i}@example.org`, i === 5 ? '4111 1111 1111 1111' : '', cities[i % 5], amount, label, label === 'yes' ? 'A' : 'B', i % 40 === 0 ? '' : 'x'].join(','));
  }
  lines.push(lines[10]!, lines[11]!, lines[11]!); // 3 extra copies
  lines.push('400,u@example.org,,Paris,5,yes,A,x', '401,u@example.org,,Paris,5,no,A,x'); // identical features apart from id? no: ids differ
  const path = file('synthetic.csv', `${lines.join('\n')}\n`);

  it('raises the expected alerts, counted exactly', async () => {
    const r = await run({ path, target: 'label', positive: 'yes' });
    const codes = (column: string | null) => r.alerts.filter((a) => a.column === column).map((a) => a.code);
    expect(r.rows).toBe(405);
    expect(r.duplicateRows).toBe(3);
    expect(codes(null)).toContain('DUPLICATES');
    const email = r.columns.find((c) => c.name === 'email')!;
    expect(email.pii.email).toBe(405);
    expect(email.piiSamples.every((s) => !s.includes('user'))).toBe(true);
    expect(codes('email')).toContain('PERSONAL_DATA');
    expect(r.columns.find((c) => c.name === 'card')!.pii.card).toBe(1);
    expect(codes('city')).toEqual(expect.arrayContaining(['CASE_VARIANTS', 'WHITESPACE']));
    const amount = r.columns.find((c) => c.name === 'amount')!;
    expect(amount.type).toBe('integer');
    expect(amount.kinds.text).toBe(8);
    expect(codes('amount')).toContain('MIXED_TYPES');
    expect(codes('leak')).toContain('TARGET_LEAKAGE');
    expect(codes('id')).toContain('IDENTIFIER');
    const html = renderQualityHtml(r);
    expect(html).not.toContain('user1@example.org');
    expect(html).not.toContain('4111 1111 1111 1111');
    expect(html).toContain('Equalized-odds difference');
  });

  it('finds conflicting labels: identical features, different targets', async () => {
    const p = file('conflict.csv', 'a,b,y\n1,x,0\n1,x,1\n1,x,1\n2,y,0\n2,y,0\n3,z,1\n');
    const r = await run({ path: p, target: 'y', positive: '1' });
    expect(r.target!.conflictingGroups).toBe(1);
    expect(r.target!.conflictingRows).toBe(3);
    expect(r.duplicateRows).toBe(2);
  });

  it('checks a test file for rows seen in training and categories never seen', async () => {
    const trainPath = file('train.csv', 'x,color,y\n1,red,0\n2,blue,1\n3,red,0\n4,green,1\n');
    const testPath = file('test.csv', 'color,x,y\nred,1,0\npurple,9,1\nblue,2,1\nteal,7,0\npurple,8,0\n');
    const r = await run({ path: trainPath, testPath });
    expect(r.trainTest!.rows).toBe(5);
    expect(r.trainTest!.overlappingRows).toBe(2); // columns matched by name, whatever their order
    expect(r.trainTest!.unseenCategories).toEqual([{ column: 'color', values: ['purple', 'teal'], rows: 3 }]);
  });

  it('estimates distinct values with HyperLogLog past the exact limit, within its error bound', async () => {
    const n = 60_000;
    const rows = Array.from({ length: n }, (_, i) => `k${(i * 2654435761) % 1e9},${i % 3}`);
    const r = await run({ path: file('highcard.csv', `key,g\n${rows.join('\n')}\n`) });
    const key = r.columns[0]!;
    const exact = new Set(rows.map((l) => l.split(',')[0])).size;
    expect(key.distinctEstimated).toBe(true);
    expect(Math.abs(key.distinct - exact) / exact).toBeLessThan(4 * 0.0081);
    expect(r.columns[1]!.distinctEstimated).toBe(false);
  });
});

describe('parallel ranges', () => {
  it('gives the same report split into many ranges as read whole, with seams inside quoted fields', async () => {
    const lines = ['id,note,value,cat'];
    for (let i = 0; i < 3000; i++) lines.push(`${i % 2500},"first line\nsecond, ""line"" ${i % 17}",${(i * 37) % 101}.5,c${i % 13}`);
    const path = file('ranges.csv', `${lines.join('\r\n')}\r\n`);
    const whole = await run({ path, ranges: 1 });
    const split = await run({ path, ranges: 9 });
    expect(split.rows).toBe(3000);
    expect(split.duplicateRows).toBe(whole.duplicateRows);
    expect(split.duplicateRows).toBe(3000 - new Set(lines.slice(1)).size);
    for (let c = 0; c < 4; c++) {
      const [a, b] = [whole.columns[c]!, split.columns[c]!];
      expect([b.count, b.missing, b.distinct, b.type]).toEqual([a.count, a.missing, a.distinct, a.type]);
      if (a.mean !== null) expect(b.mean!).toBeCloseTo(a.mean, 9);
    }
  });
});
