/**
 * The two pieces of embedding drift (embedding.ts) that are plain numerics: principal components
 * of the training side's embeddings, and the kernel two-sample test on the projected points.
 *
 * PCA: the sample covariance (n − 1) of the rows, eigenvectors by cyclic Jacobi rotations (the
 * matrix is at most a few hundred wide: the network's last hidden layer), largest eigenvalues
 * first, each vector's sign fixed so its largest entry is positive (as scikit-learn's `svd_flip`
 * fixes signs, up to the convention).
 *
 * MMD: the unbiased estimate of the squared maximum mean discrepancy (Gretton et al., JMLR 2012,
 * eq. 3) with a Gaussian kernel exp(−‖x − y‖² / (2σ²)), σ the median distance between all pooled
 * points (the median heuristic), and its p-value from `permutations` seeded relabellings of the
 * pooled points: (1 + #{permuted ≥ observed}) / (1 + permutations). σ depends on the pooled points
 * only, so it is the same under every relabelling and the permutation test stays exact.
 * Cost: one N × N kernel matrix (N = n + m ≤ 2,000: 16 MB in float32) and N² additions per
 * permutation.
 */
import { Rng } from '../trainer/random.js';

/** Principal components of n × d rows. */
export interface Pca {
  mean: number[];
  /** `k` unit vectors of length d, largest variance first. */
  components: number[][];
  /** Variance along each component, and its share of the total variance. */
  variance: number[];
  explainedRatio: number[];
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major d × d) of the symmetric d × d `a` (overwritten). */
export function symmetricEigen(a: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const x = a[i * d + j]! * a[i * d + j]!;
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-30 * Math.max(total, 1e-300)) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q]! - a[p * d + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i]!;
  return { values, vectors: v };
}

/** The first `k` principal components of `rows` (n × d). */
export function fitPca(rows: ArrayLike<number>[], k: number): Pca {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) centred[j] = r[j]! - mean[j]!;
    for (let i = 0; i < d; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      cov[i * d + j] = cov[i * d + j]! / Math.max(n - 1, 1);
      cov[j * d + i] = cov[i * d + j]!;
    }
  }
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const total = values.reduce((s, x) => s + Math.max(x, 0), 0);
  const kept = order.slice(0, Math.min(k, d));
  const components = kept.map((c) => {
    const vec = Array.from({ length: d }, (_, i) => vectors[i * d + c]!);
    const largest = vec.reduce((best, x, i) => (Math.abs(x) > Math.abs(vec[best]!) ? i : best), 0);
    return vec[largest]! < 0 ? vec.map((x) => -x) : vec;
  });
  const variance = kept.map((c) => Math.max(values[c]!, 0));
  return { mean, components, variance, explainedRatio: variance.map((v) => (total > 0 ? v / total : 0)) };
}

/** `row` in the components' coordinates. */
export function project(pca: Pick<Pca, 'mean' | 'components'>, row: ArrayLike<number>): number[] {
  return pca.components.map((c) => {
    let s = 0;
    for (let j = 0; j < c.length; j++) s += (row[j]! - pca.mean[j]!) * c[j]!;
    return s;
  });
}

/** The MMD test's outcome. */
export interface MmdResult {
  /** Unbiased MMD² estimate (can be slightly negative when the samples agree). */
  statistic: number;
  pValue: number;
  /** The kernel's σ (median pooled distance). */
  bandwidth: number;
  permutations: number;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const h = sorted.length >> 1;
  return sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

/** Sum of the kernel over the pairs of distinct points of `idx`. */
function within(kernel: Float32Array, size: number, idx: Int32Array): number {
  let s = 0;
  for (let a = 0; a < idx.length; a++) {
    const row = idx[a]! * size;
    for (let b = 0; b < idx.length; b++) s += kernel[row + idx[b]!]!;
  }
  // Diagonal entries are 1.
  return s - idx.length;
}

/** Unbiased MMD² of the points at `order[0..n)` against those at `order[n..)`; `total` is the sum of all off-diagonal entries. */
function mmd2(kernel: Float32Array, size: number, order: Int32Array, n: number, total: number): number {
  const m = size - n;
  const sxx = within(kernel, size, order.subarray(0, n));
  const syy = within(kernel, size, order.subarray(n));
  const sxy = (total - sxx - syy) / 2;
  return sxx / (n * (n - 1)) + syy / (m * (m - 1)) - (2 * sxy) / (n * m);
}

/** MMD two-sample test of `a` (reference) against `b` (current), points of equal length. */
export function mmdTest(a: ArrayLike<number>[], b: ArrayLike<number>[], permutations: number, seed: number): MmdResult {
  const n = a.length;
  const m = b.length;
  const size = n + m;
  const points = [...a, ...b];
  const dims = points[0]?.length ?? 0;
  const distances = new Float64Array((size * (size - 1)) / 2);
  const squared = new Float64Array(size * size);
  let p = 0;
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      let s = 0;
      for (let k = 0; k < dims; k++) {
        const diff = points[i]![k]! - points[j]![k]!;
        s += diff * diff;
      }
      squared[i * size + j] = s;
      distances[p++] = Math.sqrt(s);
    }
  }
  const bandwidth = median(distances) || 1;
  const kernel = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    kernel[i * size + i] = 1;
    for (let j = i + 1; j < size; j++) {
      const k = Math.exp(-squared[i * size + j]! / (2 * bandwidth * bandwidth));
      kernel[i * size + j] = k;
      kernel[j * size + i] = k;
    }
  }
  let total = 0;
  for (let i = 0; i < kernel.length; i++) total += kernel[i]!;
  total -= size;
  const order = Int32Array.from({ length: size }, (_, i) => i);
  const statistic = mmd2(kernel, size, order, n, total);
  const rng = new Rng(seed);
  let atLeast = 0;
  for (let r = 0; r < permutations; r++) {
    rng.shuffle(order);
    if (mmd2(kernel, size, order, n, total) >= statistic) atLeast++;
  }
  return { statistic, pValue: (1 + atLeast) / (1 + permutations), bandwidth, permutations };
}
