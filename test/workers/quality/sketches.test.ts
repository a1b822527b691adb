import { describe, expect, it } from 'vitest';
import { HLL_STANDARD_ERROR, HyperLogLog } from '../../../workers/quality/hll.js';
import { Rng } from '../../../workers/quality/hash.js';
import { KllSketch } from '../../../workers/quality/kll.js';
import { sortDoubles } from '../../../workers/quality/sort.js';
import { extraCopies } from '../../../workers/quality/spill.js';
import { addMoment, emptyMoments, mergeMoments, skewOf, stdOf } from '../../../workers/quality/moments.js';
import { detectPii, ibanValid, luhnValid, maskPii, mayHoldPii } from '../../../workers/quality/pii.js';
import { hashString } from '../../../workers/quality/hash.js';
import { ValueTable } from '../../../workers/quality/value-table.js';
import { bootstrapInterval } from '../../../workers/quality/bias.js';

/** Exact quantile by the "nearest rank" definition, computed plainly. */
function exactRank(sorted: number[], x: number): number {
  let lo = 0;
  while (lo < sorted.length && sorted[lo]! <= x) lo++;
  return lo / sorted.length;
}

describe('HyperLogLog', () => {
  it('estimates distinct counts within 4 standard errors at several sizes, and merges like a union', () => {
    for (const n of [1000, 50_000, 300_000]) {
      const hll = new HyperLogLog();
      for (let i = 0; i < n; i++) hll.add(`value-${i}`);
      expect(Math.abs(hll.estimate() - n) / n).toBeLessThan(4 * HLL_STANDARD_ERROR);
    }
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 60_000; i++) a.add(`k${i}`);
    for (let i = 30_000; i < 90_000; i++) b.add(`k${i}`);
    a.merge(b);
    expect(Math.abs(a.estimate() - 90_000) / 90_000).toBeLessThan(4 * HLL_STANDARD_ERROR);
  });
});

describe('sortDoubles (the radix sort the KLL compactors use)', () => {
  const bits = (a: Float64Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, 2 * a.length));
  it('gives the bits Float64Array.prototype.sort gives: -0 before 0, infinities, subnormals, ties, negatives, and only the prefix', () => {
    const rng = new Rng(11);
    const specials = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MIN_VALUE * 3, 1, -1, 1e308, -1e308, 0.1, -0.1];
    for (let t = 0; t < 300; t++) {
      const n = t < 20 ? t : Math.floor(rng.next() * 3000);
      const a = new Float64Array(n + 3);
      for (let i = 0; i < a.length; i++) {
        const r = rng.next();
        // Values of one magnitude (shared high bytes: passes skipped), small integers (ties), wide ranges, specials.
        a[i] = r < 0.15 ? specials[i % specials.length]! : r < 0.35 ? Math.round(rng.next() * 10) - 5 : r < 0.7 ? 20000 + rng.next() * 150000 : (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 40 - 20);
      }
      const native = a.slice();
      native.subarray(0, n).sort();
      sortDoubles(a, n);
      expect(bits(a)).toEqual(bits(native));
    }
  });

  it('leaves a NaN to the native sort (NaN last), and the JavaScript path sorts the same', () => {
    const a = new Float64Array([3, Number.NaN, 1, -0, 0, -2]);
    sortDoubles(a, a.length);
    expect(Array.from(a)).toEqual([-2, -0, 0, 1, 3, Number.NaN]);
    expect(Object.is(a[1], -0)).toBe(true);
    const b = new Float64Array([5, -0, 2, 0, -7]);
    sortDoubles(b, 4, false);
    expect(Array.from(b)).toEqual([-0, 0, 2, 5, -7]);
  });

  it('grows its memory for long inputs', () => {
    const rng = new Rng(5);
    const a = Float64Array.from({ length: 100_000 }, () => rng.normal());
    const native = a.slice().sort();
    sortDoubles(a, a.length);
    expect(bits(a)).toEqual(bits(native));
  });
});

describe('KLL sketch', () => {
  it('answers quantiles within 1 % rank error on skewed data, also after merging', () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 200_000 }, () => Math.exp(rng.normal() * 1.5));
    const whole = new KllSketch(1);
    const left = new KllSketch(2);
    const right = new KllSketch(3);
    values.forEach((v, i) => {
      whole.update(v);
      (i % 2 === 0 ? left : right).update(v);
    });
    left.merge(right.toState());
    const sorted = values.slice().sort((a, b) => a - b);
    for (const q of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
      expect(Math.abs(exactRank(sorted, whole.quantile(q)) - q)).toBeLessThan(0.01);
      expect(Math.abs(exactRank(sorted, left.quantile(q)) - q)).toBeLessThan(0.01);
    }
    expect(left.n).toBe(values.length);
  });

  it('takes weighted values whose weight skips levels (a column overflowing its exact map with a value seen 4 times)', () => {
    const sketch = new KllSketch(1);
    sketch.addWeighted(5, 4);
    sketch.addWeighted(9, 1);
    sketch.addWeighted(7, 1000);
    expect(sketch.n).toBe(1005);
    expect(sketch.quantile(0.5)).toBe(7);
    expect(sketch.quantile(0)).toBe(5);
  });
});

describe('moments', () => {
  it('match a two-pass computation of mean, sample std and adjusted skewness, and merge exactly', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 10_001 }, () => rng.next() ** 3 * 100 + 5);
    const n = xs.length;
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const m2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
    const m3 = xs.reduce((s, x) => s + (x - mean) ** 3, 0);
    const std = Math.sqrt(m2 / (n - 1));
    const g1 = m3 / n / (m2 / n) ** 1.5;
    const skew = (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
    const a = emptyMoments();
    const b = emptyMoments();
    const all = emptyMoments();
    xs.forEach((x, i) => {
      addMoment(all, x);
      addMoment(i < 3000 ? a : b, x);
    });
    for (const s of [all, mergeMoments(a, b)]) {
      expect(s.mean).toBeCloseTo(mean, 9);
      expect(stdOf(s)!).toBeCloseTo(std, 9);
      expect(skewOf(s)!).toBeCloseTo(skew, 9);
    }
  });
});

describe('personal data', () => {
  it('checks card numbers with Luhn and IBANs with mod 97', () => {
    expect(luhnValid('4111 1111 1111 1111')).toBe(true);
    expect(luhnValid('4111 1111 1111 1112')).toBe(false);
    expect(luhnValid('5555-5555-5555-4444')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 33')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
  });

  it('recognises each kind and leaves ordinary values alone', () => {
    expect(detectPii('jane.doe@example.com')).toBe('email');
    expect(detectPii('+1 (555) 123-4567')).toBe('phone');
    expect(detectPii('4111111111111111')).toBe('card');
    expect(detectPii('4111111111111112')).toBe(null);
    expect(detectPii('DE89 3704 0044 0532 0130 00')).toBe('iban');
    expect(detectPii('192.168.10.42')).toBe('ip');
    expect(detectPii('2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe('ip');
    expect(detectPii('123-45-6789')).toBe('nationalId');
    for (const v of ['Married-civ-spouse', '2013-08-14', '12345678', '3.14159265', 'United-States', '2013-08-13 06:03:42']) expect(detectPii(v)).toBe(null);
  });

  it('the byte pre-check never rules out a value detectPii would flag', () => {
    const flagged = ['jane.doe@example.com', 'a@b.co.uk', '+1 (555) 123-4567', '(555) 123-4567', '4111111111111111', '4111 1111 1111 1111', 'DE89 3704 0044 0532 0130 00', '192.168.10.42', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'fe80::1ff:fe23:4567:890a', '123-45-6789'];
    const ordinary = ['married-civ-spouse', 'United-States', 'short', 'ABCDEFGHIJ', 'segment_12', 'x'.repeat(80)];
    const bytes = (v: string) => Buffer.from(` ${v} `, 'latin1');
    for (const v of flagged) {
      expect(detectPii(v), v).not.toBeNull();
      expect(mayHoldPii(bytes(v), 1, v.length + 1), v).toBe(true);
    }
    // The point of the pre-check: most ordinary text is ruled out without the regular expressions.
    for (const v of ordinary) expect(mayHoldPii(bytes(v), 1, v.length + 1), v).toBe(false);
  });

  it('masks samples so the original cannot be read back', () => {
    expect(maskPii('4111 1111 1111 1234', 'card')).toBe('**** **** **** 1234');
    expect(maskPii('123-45-6789', 'nationalId')).toBe('***-**-6789');
    const email = maskPii('jane.doe@example.com', 'email');
    expect(email).not.toContain('jane.doe');
    expect(email).not.toContain('example');
  });
});

describe('ValueTable', () => {
  it('finds every value from its string and from its bytes, across the table\'s growth', () => {
    const table = new ValueTable();
    const values = Array.from({ length: 1000 }, (_, i) => `v${i * 7919}`);
    values.forEach((v, i) => expect(table.add(v, hashString(v))).toBe(i));
    expect(table.size).toBe(1000);
    values.forEach((v, i) => {
      expect(table.find(v, hashString(v))).toBe(i);
      const bytes = Buffer.from(`,${v},`, 'latin1');
      expect(table.findBytes(bytes, 1, v.length + 1, hashString(v))).toBe(i);
    });
    expect(table.find('absent', hashString('absent'))).toBe(-1);
    // Same hash, other text: not confused (a forced collision).
    expect(table.find('v1x', hashString('v0'))).toBe(-1);
    expect(table.findBytes(Buffer.from('v1'), 0, 2, hashString('v0'))).toBe(-1);
  });
});

describe('bootstrap interval', () => {
  it('covers the normal-approximation interval of a proportion', () => {
    const [lo, hi] = bootstrapInterval(2000, 600, new Rng(1));
    const se = Math.sqrt((0.3 * 0.7) / 2000);
    expect(lo).toBeGreaterThan(0.3 - 2.3 * se);
    expect(lo).toBeLessThan(0.3 - 1.6 * se);
    expect(hi).toBeGreaterThan(0.3 + 1.6 * se);
    expect(hi).toBeLessThan(0.3 + 2.3 * se);
    const [slo, shi] = bootstrapInterval(40, 10, new Rng(2));
    expect(slo).toBeLessThan(0.25);
    expect(shi).toBeGreaterThan(0.25);
  });
});

describe('duplicate counting', () => {
  it('counts extra copies of 52-bit hashes exactly, in a set or (past its size limit) by sorting', () => {
    const rng = new Rng(5);
    for (const n of [0, 1, 1000, 300_000, (1 << 21) + 5]) {
      const hashes = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // About one in ten repeats an earlier hash; a few collide in their low 32 bits only.
        if (i > 0 && rng.next() < 0.1) hashes[i] = hashes[Math.floor(rng.next() * i)]!;
        else if (i > 0 && rng.next() < 0.01) hashes[i] = (hashes[i - 1]! + 2 ** 32 * (1 + Math.floor(rng.next() * 1000))) % 2 ** 52;
        else hashes[i] = Math.floor(rng.next() * 2 ** 20) * 2 ** 32 + rng.nextU32();
      }
      const expected = n - new Set(hashes).size;
      expect(extraCopies(hashes)).toBe(expected);
    }
  });
});
