/**
 * Perceptual hashing for near-duplicate pictures: dHash (difference hash) over a 9 × 8 greyscale
 * thumbnail, 64 bits, one per pixel pair "is the left one brighter". Re-encoded, resized, lightly
 * recompressed or brightness-shifted copies land within a few bits; different pictures differ in
 * about half. Near pairs are found without comparing all pairs: two hashes within 3 bits share at
 * least one of their four 16-bit quarters exactly (pigeonhole), so only hashes in the same bucket
 * of some quarter are compared.
 */

/** dHash of 9 × 8 greyscale pixels (row-major, 72 values) as 16 hex digits. */
export function dHash(grey9x8: Uint8Array): string {
  let hex = '';
  for (let y = 0; y < 8; y++) {
    let byte = 0;
    for (let x = 0; x < 8; x++) byte = (byte << 1) | (grey9x8[y * 9 + x]! > grey9x8[y * 9 + x + 1]! ? 1 : 0);
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

const POPCOUNT = new Uint8Array(256).map((_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Number of differing bits between two hex hashes of equal length. */
export function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 2) d += POPCOUNT[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)]!;
  return d;
}

/** Index pairs (i < j) whose hashes differ by at most `maxDistance` (≤ 3) bits, with the distance. */
export function nearPairs(hashes: string[], maxDistance = 3, limit = 100_000): { a: number; b: number; distance: number }[] {
  if (maxDistance > 3) throw new RangeError('the bucket search finds pairs within 3 bits only');
  const seen = new Set<string>();
  const out: { a: number; b: number; distance: number }[] = [];
  for (let q = 0; q < 4; q++) {
    const buckets = new Map<string, number[]>();
    hashes.forEach((h, i) => {
      const key = h.slice(q * 4, q * 4 + 4);
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    });
    for (const list of buckets.values()) {
      // A huge bucket means many blank-ish pictures; they are reported as blank, not pairwise.
      if (list.length > 2000) continue;
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const a = list[x]!;
          const b = list[y]!;
          const key = `${a},${b}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const distance = hamming(hashes[a]!, hashes[b]!);
          if (distance <= maxDistance) {
            out.push({ a, b, distance });
            if (out.length >= limit) return out;
          }
        }
      }
    }
  }
  return out.sort((p, q) => p.a - q.a || p.b - q.b);
}
