import { describe, expect, it } from 'vitest';
import { encodeTokens } from '../../../workers/text/corpus.js';
import { minhash } from '../../../workers/text/quality.js';
import { Rng } from '../../../workers/trainer/random.js';

/** Exact Jaccard similarity of two documents' word 5-shingle sets (first 1,000 words), by sets of strings. */
function jaccard(a: string[], b: string[]): number {
  const shingles = (d: string[]) => {
    const w = d.slice(0, 1000);
    const out = new Set<string>();
    for (let i = 0; i < Math.max(1, w.length - 4); i++) out.add(w.slice(i, i + 5).join(' '));
    return out;
  };
  const sa = shingles(a);
  const sb = shingles(b);
  let both = 0;
  for (const s of sa) if (sb.has(s)) both++;
  return both / (sa.size + sb.size - both);
}

describe('MinHash (one-permutation hashing, densified)', () => {
  it('estimates the word 5-shingle Jaccard similarity of document pairs', () => {
    const rng = new Rng(21);
    const vocabulary = Array.from({ length: 3000 }, (_, i) => `w${i}`);
    const errors: number[] = [];
    for (let pair = 0; pair < 200; pair++) {
      const length = 10 + Math.floor(rng.next() * 600);
      const a = Array.from({ length }, () => vocabulary[Math.floor(rng.next() * vocabulary.length)]!);
      // A copy with a share of its words replaced (0 to 30 %): similarities across the whole range.
      const share = rng.next() * 0.3;
      const b = a.map((w) => (rng.next() < share ? vocabulary[Math.floor(rng.next() * vocabulary.length)]! : w));
      const corpus = encodeTokens([a, b]);
      const [sa, sb] = corpus.docs.map((d) => minhash(d, corpus.hashes));
      let same = 0;
      for (let h = 0; h < 64; h++) if (sa![h] === sb![h]) same++;
      errors.push(same / 64 - jaccard(a, b));
    }
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    // Unbiased, with about the spread of 64 independent hashes (√(J(1−J)/64) ≤ 0.0625).
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(rms).toBeLessThan(0.075);
    // Identical documents agree on every bin; unrelated ones on almost none.
    const corpus = encodeTokens([vocabulary.slice(0, 50), vocabulary.slice(0, 50), vocabulary.slice(100, 150)]);
    const [x, y, z] = corpus.docs.map((d) => minhash(d, corpus.hashes));
    expect(Array.from(x!)).toEqual(Array.from(y!));
    expect(Array.from(x!).filter((v, h) => v === z![h]).length).toBeLessThan(4);
  });
});
