import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAM_WASM } from '../../../workers/trainer/adam-wasm.js';
import { adamKernelAvailable, adamStep, type AdamState } from '../../../workers/trainer/adam.js';
import { Rng } from '../../../workers/trainer/random.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { WAT_SOURCES, assemble, render } from '../../../build/compile-wat.mjs';

const root = join(import.meta.dirname, '..', '..', '..');

/** Adam written out from the paper (Kingma & Ba, Algorithm 1), in double precision, per element. */
function reference(p: number[], m: number[], v: number[], gradients: number[][], lr: number): number[] {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-7;
  gradients.forEach((g, t0) => {
    const t = t0 + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      p[i]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return p;
}

describe('Adam', () => {
  it('the committed WebAssembly module is what adam.wat assembles to', async () => {
    for (const { source, output, name } of WAT_SOURCES as { source: string; output: string; name: string }[]) {
      const bytes: Buffer = await assemble(join(root, source));
      const expected: string = render(name, source, bytes);
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(join(root, output), 'utf8'), `${output} is stale: run node build/compile-wat.mjs`).toBe(expected);
    }
    expect(ADAM_WASM.length).toBeGreaterThan(100);
  });

  it('runs as WebAssembly SIMD under Node', () => {
    expect(adamKernelAvailable()).toBe(true);
  });

  for (const useKernel of [true, false]) {
    it(`matches the algorithm written out by hand over 5 steps, odd array lengths (${useKernel ? 'WebAssembly' : 'JavaScript'})`, () => {
      const rng = new Rng(3);
      const lengths = [7, 1, 64, 13];
      const params = lengths.map((n) => Float32Array.from({ length: n }, () => rng.next() - 0.5));
      const state: AdamState = { params: params.map((p) => p.slice()), m: lengths.map((n) => new Float32Array(n)), v: lengths.map((n) => new Float32Array(n)), step: 0 };
      const steps = Array.from({ length: 5 }, () => lengths.map((n) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 0.2)));
      for (const grads of steps) adamStep(state, grads, 0.01, useKernel);
      expect(state.step).toBe(5);
      lengths.forEach((n, k) => {
        const expected = reference(Array.from(params[k]!), new Array<number>(n).fill(0), new Array<number>(n).fill(0), steps.map((g) => Array.from(g[k]!)), 0.01);
        for (let i = 0; i < n; i++) {
          expect(state.params[k]![i]).toBeCloseTo(expected[i]!, 5);
          // Each step moves a parameter by about the learning rate at most.
          expect(Math.abs(state.params[k]![i]! - params[k]![i]!)).toBeLessThanOrEqual(5 * 0.01 * 1.001);
        }
      });
    });
  }

  it('the WebAssembly and JavaScript steps agree closely over many steps on a large model', () => {
    const rng = new Rng(5);
    const lengths = [6400, 64, 4096, 64, 64, 1, 100_003];
    const init = lengths.map((n) => Float32Array.from({ length: n }, () => rng.next() - 0.5));
    const a: AdamState = { params: init.map((p) => p.slice()), m: lengths.map((n) => new Float32Array(n)), v: lengths.map((n) => new Float32Array(n)), step: 0 };
    const b: AdamState = { params: init.map((p) => p.slice()), m: lengths.map((n) => new Float32Array(n)), v: lengths.map((n) => new Float32Array(n)), step: 0 };
    for (let s = 0; s < 20; s++) {
      const grads = lengths.map((n) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 0.1));
      adamStep(a, grads, 1e-3, true);
      adamStep(b, grads, 1e-3, false);
    }
    let worst = 0;
    a.params.forEach((p, k) => p.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b.params[k]![i]!)))));
    // Float32 arithmetic against double: differences of a few ulps of the step, never a drift.
    expect(worst).toBeLessThan(1e-6);
    expect(a.m[6]![100_002]).toBeCloseTo(b.m[6]![100_002]!, 6);
  });
});
