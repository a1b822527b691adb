/**
 * Isolation forest (Liu, Ting & Zhou, 2008), the unsupervised baseline a sceptic would run first:
 * random axis-aligned splits isolate unusual rows in fewer steps than ordinary ones. No npm package
 * for it is well kept (the few there are unmaintained and untyped), so it is written here and
 * checked against scikit-learn's `IsolationForest` on the same data (test/workers/anomaly/).
 */
import { Rng } from '../trainer/random.js';

/** One tree as flat arrays; node 0 is the root. A leaf has `feature` −1 and the training rows it holds in `size`. */
interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  size: Int32Array;
}

/** Settings, with scikit-learn's defaults. */
export interface ForestOptions {
  trees: number;
  /** Rows drawn (without replacement) to grow each tree. */
  sampleSize: number;
  seed: number;
}

export const DEFAULT_FOREST: Omit<ForestOptions, 'seed'> = { trees: 100, sampleSize: 256 };

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful search in a binary search tree of n nodes (the paper's c(n)). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export class IsolationForest {
  private readonly trees: Tree[] = [];
  private readonly psi: number;

  /** Grows the forest on `n` rows of `x` (n × d, row-major). */
  constructor(x: Float32Array, n: number, readonly d: number, options: ForestOptions) {
    const rng = new Rng(options.seed);
    this.psi = Math.min(options.sampleSize, n);
    const heightLimit = Math.ceil(Math.log2(Math.max(this.psi, 2)));
    const all = new Uint32Array(n);
    for (let t = 0; t < options.trees; t++) {
      for (let i = 0; i < n; i++) all[i] = i;
      // A partial Fisher–Yates shuffle draws the sample without replacement.
      for (let i = 0; i < this.psi; i++) {
        const j = i + rng.int(n - i);
        const tmp = all[i]!;
        all[i] = all[j]!;
        all[j] = tmp;
      }
      this.trees.push(grow(x, d, all.slice(0, this.psi), heightLimit, rng));
    }
  }

  /** Anomaly scores in (0, 1]: 2^(−mean path length / c(ψ)); about 0.5 for ordinary rows, near 1 for isolated ones. */
  score(x: Float32Array, n: number): Float64Array {
    const out = new Float64Array(n);
    const norm = averagePathLength(this.psi) || 1;
    for (let i = 0; i < n; i++) {
      let total = 0;
      for (const tree of this.trees) total += pathLength(tree, x, i * this.d);
      out[i] = 2 ** (-(total / this.trees.length) / norm);
    }
    return out;
  }
}

function pathLength(tree: Tree, x: Float32Array, at: number): number {
  let node = 0;
  let depth = 0;
  while (tree.feature[node]! >= 0) {
    node = x[at + tree.feature[node]!]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
    depth++;
  }
  return depth + averagePathLength(tree.size[node]!);
}

function grow(x: Float32Array, d: number, rows: Uint32Array, heightLimit: number, rng: Rng): Tree {
  // A tree of ψ rows has at most 2ψ − 1 nodes.
  const capacity = 2 * rows.length;
  const tree: Tree = {
    feature: new Int32Array(capacity).fill(-1),
    threshold: new Float64Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    size: new Int32Array(capacity),
  };
  let count = 1;
  const low = new Float64Array(d);
  const high = new Float64Array(d);
  const candidates = new Int32Array(d);
  const stack: Array<{ node: number; start: number; end: number; depth: number }> = [{ node: 0, start: 0, end: rows.length, depth: 0 }];
  while (stack.length) {
    const { node, start, end, depth } = stack.pop()!;
    tree.size[node] = end - start;
    if (depth >= heightLimit || end - start <= 1) continue;
    // Only features that vary among the node's rows can split it (as scikit-learn skips constant ones).
    low.fill(Infinity);
    high.fill(-Infinity);
    for (let r = start; r < end; r++) {
      const at = rows[r]! * d;
      for (let j = 0; j < d; j++) {
        const v = x[at + j]!;
        if (v < low[j]!) low[j] = v;
        if (v > high[j]!) high[j] = v;
      }
    }
    let varying = 0;
    for (let j = 0; j < d; j++) if (high[j]! > low[j]!) candidates[varying++] = j;
    if (varying === 0) continue;
    const feature = candidates[rng.int(varying)]!;
    const threshold = low[feature]! + rng.next() * (high[feature]! - low[feature]!);
    // Partition rows[start, end) in place: below the threshold first.
    let mid = start;
    for (let r = start; r < end; r++) {
      if (x[rows[r]! * d + feature]! < threshold) {
        const tmp = rows[r]!;
        rows[r] = rows[mid]!;
        rows[mid++] = tmp;
      }
    }
    if (mid === start) continue; // a draw of exactly the minimum (probability ~2⁻⁵³) separates nothing: a leaf
    const left = count++;
    const right = count++;
    tree.feature[node] = feature;
    tree.threshold[node] = threshold;
    tree.left[node] = left;
    tree.right[node] = right;
    stack.push({ node: left, start, end: mid, depth: depth + 1 }, { node: right, start: mid, end, depth: depth + 1 });
  }
  return tree;
}
