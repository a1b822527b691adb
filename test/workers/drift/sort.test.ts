import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../../workers/drift/sort.js';
import { normal, seeded } from './helpers.js';

describe('sortFloat64 (radix)', () => {
  it('orders like a comparison sort: negatives, zeros, ties, tiny and huge magnitudes', () => {
    const random = seeded(42);
    const gauss = normal(random);
    const n = 50_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const kind = i % 5;
      values[i] = kind === 0 ? gauss() : kind === 1 ? Math.round(gauss() * 3) : kind === 2 ? gauss() * 1e300 : kind === 3 ? gauss() * 1e-300 : -i;
    }
    // −0 and +0 compare equal, and the radix order puts −0 first; compare them as equal.
    const expected = Array.from(values).sort((a, b) => a - b).map((x) => x + 0);
    expect(Array.from(sortFloat64(values)).map((x) => x + 0)).toEqual(expected);
  });

  it('sorts a subarray in place without touching the rest of the buffer', () => {
    const buffer = new Float64Array(10_000).map((_, i) => (i * 7919) % 10_000);
    const sub = buffer.subarray(0, 5_000);
    const tail = Array.from(buffer.subarray(5_000));
    const expected = Array.from(sub).sort((a, b) => a - b);
    sortFloat64(sub);
    expect(Array.from(buffer.subarray(0, 5_000))).toEqual(expected);
    expect(Array.from(buffer.subarray(5_000))).toEqual(tail);
  });
});
