/**
 * The linear baseline: TF-IDF over the training split's vocabulary and L2-regularised logistic
 * regression, written to match scikit-learn's `TfidfVectorizer()` (raw counts, smooth idf
 * ln((1 + n) / (1 + df)) + 1, rows L2-normalised) and `LogisticRegression(C=1)` (binary: one
 * logit; multiclass: multinomial softmax; intercepts not penalised), solved to convergence with
 * L-BFGS. Being convex, the optimum is unique, so the same probabilities as scikit-learn's follow
 * (test/workers/text/linear.test.ts checks against values it computed).
 */
import type { Corpus } from './corpus.js';
import { rowLoss, wasmObjective } from './linear-kernel.js';

/** Sparse rows (CSR). */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** The fitted vectorizer: vocabulary (term → column) and idf per column. */
export interface Tfidf {
  vocabulary: Map<string, number>;
  idf: Float64Array;
}

export function fitTfidf(docs: string[][]): Tfidf {
  const df = new Map<string, number>();
  for (const tokens of docs) for (const t of new Set(tokens)) df.set(t, (df.get(t) ?? 0) + 1);
  // Columns in sorted term order, as scikit-learn's vocabulary_.
  const terms = [...df.keys()].sort();
  const vocabulary = new Map<string, number>(terms.map((t, i) => [t, i]));
  const n = docs.length;
  const idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
  return { vocabulary, idf };
}

/** TF-IDF rows, L2-normalised; terms outside the vocabulary are ignored. */
export function transformTfidf(model: Tfidf, docs: string[][]): Csr {
  const indptr = new Int32Array(docs.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  docs.forEach((tokens, r) => {
    const counts = new Map<number, number>();
    for (const t of tokens) {
      const c = model.vocabulary.get(t);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    const row = cols.map((c) => {
      const v = counts.get(c)! * model.idf[c]!;
      norm += v * v;
      return v;
    });
    norm = Math.sqrt(norm) || 1;
    cols.forEach((c, i) => {
      indices.push(c);
      values.push(row[i]! / norm);
    });
    indptr[r + 1] = indices.length;
  });
  return { rows: docs.length, cols: model.idf.length, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

/** `fitTfidf` over encoded documents (the rows of `corpus` given): the same vocabulary and idf, without re-reading strings. */
export function fitTfidfIds(corpus: Corpus, rows: ArrayLike<number>): Tfidf & { columnOf: Int32Array } {
  const df = new Int32Array(corpus.terms.length);
  const last = new Int32Array(corpus.terms.length).fill(-1);
  for (let r = 0; r < rows.length; r++) {
    const doc = corpus.docs[rows[r]!]!;
    for (let i = 0; i < doc.length; i++) {
      const id = doc[i]!;
      if (last[id] !== r) {
        last[id] = r;
        df[id]!++;
      }
    }
  }
  const present: number[] = [];
  for (let id = 0; id < df.length; id++) if (df[id]! > 0) present.push(id);
  // Columns in sorted term order, as scikit-learn's vocabulary_.
  present.sort((a, b) => (corpus.terms[a]! < corpus.terms[b]! ? -1 : 1));
  const columnOf = new Int32Array(corpus.terms.length).fill(-1);
  const vocabulary = new Map<string, number>();
  const n = rows.length;
  const idf = new Float64Array(present.length);
  present.forEach((id, c) => {
    columnOf[id] = c;
    vocabulary.set(corpus.terms[id]!, c);
    idf[c] = Math.log((1 + n) / (1 + df[id]!)) + 1;
  });
  return { vocabulary, idf, columnOf };
}

/** `transformTfidf` over encoded documents: TF-IDF rows, L2-normalised; ids outside the vocabulary are ignored. */
export function transformTfidfIds(model: Tfidf & { columnOf: Int32Array }, corpus: Corpus, rows: ArrayLike<number>): Csr {
  const cols = model.idf.length;
  const counts = new Float64Array(cols);
  const indptr = new Int32Array(rows.length + 1);
  let nnz = 0;
  let indices = new Int32Array(1 << 16);
  let values = new Float64Array(1 << 16);
  let scratch = new Int32Array(1024);
  for (let r = 0; r < rows.length; r++) {
    const doc = corpus.docs[rows[r]!]!;
    if (doc.length > scratch.length) scratch = new Int32Array(doc.length);
    let distinct = 0;
    for (let i = 0; i < doc.length; i++) {
      const c = model.columnOf[doc[i]!]!;
      if (c < 0) continue;
      if (counts[c] === 0) scratch[distinct++] = c;
      counts[c]!++;
    }
    // A typed array sorts numerically, natively (no comparator call per comparison).
    const seen = scratch.subarray(0, distinct).sort();
    if (nnz + seen.length > indices.length) {
      const size = Math.max(2 * indices.length, nnz + seen.length);
      const i2 = new Int32Array(size);
      i2.set(indices);
      indices = i2;
      const v2 = new Float64Array(size);
      v2.set(values);
      values = v2;
    }
    let norm = 0;
    for (let k = 0; k < seen.length; k++) {
      const c = seen[k]!;
      const v = counts[c]! * model.idf[c]!;
      counts[c] = 0;
      norm += v * v;
      indices[nnz + k] = c;
      values[nnz + k] = v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < seen.length; k++) values[nnz + k]! /= norm;
    nnz += seen.length;
    indptr[r + 1] = nnz;
  }
  return { rows: rows.length, cols, indptr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

/**
 * The engine's stopping tolerance (largest gradient component relative to the start's): looser
 * than the default, it takes about 30 L-BFGS iterations instead of 41 on the SpamAssassin corpus
 * and still gives scikit-learn's converged probabilities within 2·10⁻⁴ on the fixture
 * (test/workers/text/linear.test.ts checks both). scikit-learn's own default stops earlier still
 * (gtol 10⁻⁴ on the mean loss's gradient: about 5·10⁻⁴ in this measure there).
 */
export const BASELINE_TOL = 1e-4;

/** Logistic regression weights: `w[c * cols + j]`, one row per output (1 for binary, k for multiclass), and intercepts. */
export interface Logistic {
  outputs: number;
  cols: number;
  w: Float64Array;
  b: Float64Array;
  iterations: number;
  /** Objective and gradient evaluations (the cost: each is two passes over the matrix). */
  evaluations: number;
}

/**
 * Fits C·Σᵢ sᵢ·lossᵢ + ½‖W‖² (sᵢ: sample weights, 1 by default). `classes` = number of classes;
 * y = class index per row.
 */
export function fitLogistic(x: Csr, y: ArrayLike<number>, classes: number, options: { c?: number; sampleWeights?: ArrayLike<number>; maxIter?: number; tol?: number; loops?: 'javascript' } = {}): Logistic {
  const outputs = classes === 2 ? 1 : classes;
  const cols = x.cols;
  const c = options.c ?? 1;
  const dim = outputs * cols + outputs;
  const sw = options.sampleWeights;
  const z = new Float64Array(outputs);
  const p = new Float64Array(outputs);
  const { indptr, indices, values } = x;
  // One pass over the matrix per evaluation: each row's logits, then its gradient terms while the
  // row is still in cache (instead of all logits, then all gradients).
  const javascript = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < x.rows; r++) {
      const from = indptr[r]!;
      const to = indptr[r + 1]!;
      for (let k = 0; k < outputs; k++) {
        let sum = theta[outputs * cols + k]!;
        const base = k * cols;
        for (let q = from; q < to; q++) sum += theta[base + indices[q]!]! * values[q]!;
        z[k] = sum;
      }
      loss += rowLoss(z, 0, p, 0, outputs, y[r]!, c * (sw ? sw[r]! : 1));
      for (let k = 0; k < outputs; k++) {
        const d = p[k]!;
        if (d === 0) continue;
        const base = k * cols;
        for (let q = from; q < to; q++) grad[base + indices[q]!]! += d * values[q]!;
        grad[outputs * cols + k]! += d;
      }
    }
    let reg = 0;
    for (let j = 0; j < outputs * cols; j++) {
      reg += theta[j]! * theta[j]!;
      grad[j]! += theta[j]!;
    }
    return loss + 0.5 * reg;
  };
  // The matrix passes in WebAssembly where it runs (same arithmetic, same order: same result).
  const objective = (options.loops === 'javascript' ? null : wasmObjective(x, y, outputs, c, sw)) ?? javascript;
  const { theta, iterations, evaluations } = lbfgs(objective, new Float64Array(dim), options.maxIter ?? 500, options.tol ?? 1e-6);
  return { outputs, cols, w: theta.subarray(0, outputs * cols), b: theta.subarray(outputs * cols), iterations, evaluations };
}

function logits(x: Csr, theta: Float64Array, outputs: number, z: Float64Array): void {
  const cols = x.cols;
  for (let r = 0; r < x.rows; r++) {
    for (let k = 0; k < outputs; k++) {
      let s = theta[outputs * cols + k]!;
      const base = k * cols;
      for (let q = x.indptr[r]!; q < x.indptr[r + 1]!; q++) s += theta[base + x.indices[q]!]! * x.values[q]!;
      z[r * outputs + k] = s;
    }
  }
}

/** Class probabilities, n × classes (binary: [1 − p, p]). */
export function predictLogistic(model: Logistic, x: Csr): Float32Array {
  const theta = new Float64Array(model.w.length + model.b.length);
  theta.set(model.w);
  theta.set(model.b, model.w.length);
  const z = new Float64Array(x.rows * model.outputs);
  logits(x, theta, model.outputs, z);
  const k = model.outputs === 1 ? 2 : model.outputs;
  const probs = new Float32Array(x.rows * k);
  for (let r = 0; r < x.rows; r++) {
    if (model.outputs === 1) {
      const p = 1 / (1 + Math.exp(-z[r]!));
      probs[2 * r] = 1 - p;
      probs[2 * r + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(z[r * k + c]! - max);
    for (let c = 0; c < k; c++) probs[r * k + c] = Math.exp(z[r * k + c]! - max) / sum;
  }
  return probs;
}

/**
 * Limited-memory BFGS (Nocedal & Wright, algorithm 7.4: two-loop recursion, 10 pairs) with a
 * backtracking Armijo line search. Stops when the largest gradient component is below `tol`
 * (relative to the start) or after `maxIter` iterations.
 */
export function lbfgs(f: (x: Float64Array, g: Float64Array) => number, x0: Float64Array, maxIter: number, tol: number): { theta: Float64Array; iterations: number; evaluations: number } {
  const m = 10;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let evaluations = 1;
  let fx = f(x, g);
  const g0 = maxAbs(g) || 1;
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  let spare: { s: Float64Array; y: Float64Array } = { s: new Float64Array(n), y: new Float64Array(n) };
  let iterations = 0;
  for (; iterations < maxIter; iterations++) {
    if (maxAbs(g) <= tol * g0) break;
    // Two-loop recursion: d = −H g. Each update of d is fused with the next pair's dot product
    // (one pass over the vectors per pair instead of two).
    d.set(g);
    const k = s.length;
    const alpha = new Array<number>(k);
    if (k > 0) {
      let sd = dot(s[k - 1]!, d);
      for (let i = k - 1; i >= 0; i--) {
        alpha[i] = rho[i]! * sd;
        if (i > 0) sd = axpyDot(-alpha[i]!, yv[i]!, d, s[i - 1]!);
        else axpy(-alpha[i]!, yv[i]!, d);
      }
    }
    const gamma = k > 0 ? dot(s[k - 1]!, yv[k - 1]!) / dot(yv[k - 1]!, yv[k - 1]!) : 1 / Math.max(Math.sqrt(dot(g, g)), 1e-12);
    scale(gamma, d);
    if (k > 0) {
      let yd = dot(yv[0]!, d);
      for (let i = 0; i < k; i++) {
        const beta = rho[i]! * yd;
        if (i + 1 < k) yd = axpyDot(alpha[i]! - beta, s[i]!, d, yv[i + 1]!);
        else axpy(alpha[i]! - beta, s[i]!, d);
      }
    }
    scale(-1, d);
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      s.length = yv.length = rho.length = 0;
      d.set(g);
      scale(-1, d);
      slope = dot(g, d);
    }
    let step = 1;
    let fNew = 0;
    for (let tries = 0; tries < 40; tries++) {
      stepTo(xNew, x, step, d);
      fNew = f(xNew, gNew);
      evaluations++;
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    const sk = spare.s;
    const yk = spare.y;
    difference(sk, xNew, x);
    difference(yk, gNew, g);
    const sy = dot(sk, yk);
    x.set(xNew);
    g.set(gNew);
    const improvement = fx - fNew;
    fx = fNew;
    if (sy > 1e-12) {
      s.push(sk);
      yv.push(yk);
      rho.push(1 / sy);
      // The dropped pair's arrays hold the next one (no allocation per iteration once the memory is full).
      if (s.length > m) {
        spare = { s: s.shift()!, y: yv.shift()! };
        rho.shift();
      } else spare = { s: new Float64Array(n), y: new Float64Array(n) };
    }
    if (improvement >= 0 && improvement < 1e-12 * Math.max(1, Math.abs(fx))) break;
  }
  return { theta: x, iterations, evaluations };
}

// The vector steps as small functions (not loops inside lbfgs): each is called every iteration,
// so it is optimised early, while the loops of a function called once wait for on-stack replacement.

/** x *= a */
function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

/** out = x + step · d */
function stepTo(out: Float64Array, x: Float64Array, step: number, d: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + step * d[i]!;
}

/** out = a − b */
function difference(out: Float64Array, a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

/** y += a·x, returning z·y (the updated y) from the same pass. */
function axpyDot(a: number, x: Float64Array, y: Float64Array, z: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = (y[i] = y[i]! + a * x[i]!);
    sum += z[i]! * v;
  }
  return sum;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
