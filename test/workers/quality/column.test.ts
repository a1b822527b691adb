import { describe, expect, it } from 'vitest';
import { ColumnAccumulator } from '../../../workers/quality/column.js';
import { hashString, Rng } from '../../../workers/quality/hash.js';
import { maskPii } from '../../../workers/quality/pii.js';
import { Kind } from '../../../workers/quality/values.js';

// While the exact table holds a value, a cell only bumps its count; the statistics take each
// value once with its count. These check that against a plain computation over every cell,
// on both entry points, across the switch to estimating, and that personal data is still
// sampled in file order.

const markers = new Set(['', 'NA']);
const column = (limit = 1000) => new ColumnAccumulator('c', markers, limit, 7);
/** Feeds a cell through the byte entry point when it is plain ASCII without padding, else as a string. */
function feed(acc: ColumnAccumulator, cell: string): void {
  const ascii = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(cell);
  if (ascii) acc.addBytes(Buffer.from(cell, 'latin1'), 0, cell.length, hashString(cell) | 0);
  else acc.add(cell);
}

function plain(xs: number[]) {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const m2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  const m3 = xs.reduce((s, x) => s + (x - mean) ** 3, 0);
  return { n, mean, m2, m3, min: Math.min(...xs), max: Math.max(...xs), zeros: xs.filter((x) => x === 0).length, negatives: xs.filter((x) => x < 0).length };
}

describe('column accumulator', () => {
  it('counts, moments, range and kinds equal a plain pass over every cell, before and after the table overflows', () => {
    for (const limit of [1000, 40]) {
      const rng = new Rng(limit);
      const acc = column(limit);
      const numbers: number[] = [];
      const texts: string[] = [];
      let missing = 0;
      for (let i = 0; i < 20_000; i++) {
        const r = rng.next();
        if (r < 0.05) {
          feed(acc, i % 2 ? 'NA' : '');
          missing++;
        } else if (r < 0.1) {
          const t = `word${Math.floor(rng.next() * 12)}`;
          feed(acc, t);
          texts.push(t);
        } else {
          const x = Math.floor(rng.next() * 120) / 4 - 10;
          feed(acc, i % 97 === 0 ? ` ${x} ` : String(x));
          numbers.push(x);
        }
      }
      const s = acc.state();
      const want = plain(numbers);
      expect(s.overflow).toBe(limit === 40);
      expect([s.count, s.missing, s.kinds[Kind.Integer]! + s.kinds[Kind.Float]!, s.kinds[Kind.Text]]).toEqual([numbers.length + texts.length, missing, numbers.length, texts.length]);
      expect([s.min, s.max, s.zeros, s.negatives]).toEqual([want.min, want.max, want.zeros, want.negatives]);
      expect(s.moments.n).toBe(want.n);
      expect(s.moments.mean).toBeCloseTo(want.mean, 10);
      expect(s.moments.m2 / want.m2).toBeCloseTo(1, 10);
      expect(s.moments.m3 / want.m3).toBeCloseTo(1, 8);
      expect(s.textCount).toBe(texts.length);
      expect(s.lengthSum).toBe(texts.reduce((sum, t) => sum + t.length, 0));
      // The first five distinct texts, in the order they first appeared.
      expect(s.textExamples).toEqual([...new Set(texts)].slice(0, 5));
      if (limit === 1000) {
        const counts = new Map<string, number>();
        for (const x of numbers) counts.set(String(x), (counts.get(String(x)) ?? 0) + 1);
        for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
        expect(new Map([...s.values].sort())).toEqual(new Map([...counts].sort()));
      }
    }
  });

  it('samples personal data in file order, repeats included, and counts every cell of it', () => {
    const acc = column();
    const cells = ['ann@example.org', 'plain', 'bob@example.org', 'ann@example.org', 'plain', 'cy@example.org', 'ann@example.org'];
    for (let r = 0; r < 3; r++) for (const c of cells) feed(acc, c);
    const s = acc.state();
    expect(s.pii.email).toBe(15);
    expect(s.piiSamples).toEqual(['ann@example.org', 'bob@example.org', 'ann@example.org'].map((v) => maskPii(v, 'email')));
    expect(s.values.get('ann@example.org')).toBe(9);
  });

  it('merges a range whose values it already holds without counting them twice', () => {
    const a = column();
    const b = column();
    for (let i = 0; i < 300; i++) feed(a, String(i % 30));
    for (let i = 0; i < 200; i++) feed(b, String(i % 40));
    const merged = new ColumnAccumulator('c', markers, 1000, 7, a.state());
    merged.merge(b.state());
    const s = merged.state();
    expect(s.count).toBe(500);
    expect(s.values.get('5')).toBe(10 + 5);
    expect(s.values.get('35')).toBe(5);
    expect(s.moments.n).toBe(500);
  });
});
