/**
 * The embedding bag's hot loops — the forward sum of table rows per document and the row-wise
 * Adagrad update — as WebAssembly SIMD (`bag.wat`), for training. The table, its accumulators and
 * the training and validation bags are copied once into the module's memory (compressed sparse
 * rows: no object per document to chase), a batch is a list of document indices into them, and
 * the table is copied back into the network's state after each epoch (for the checkpoint, the
 * validation loss and the best weights). The dense head stays on the TensorFlow.js backend
 * (`EmbeddingBag.headStep`). Measured on the SpamAssassin corpus: the JavaScript loops cost about
 * 120 ns per (document, row) pair with the table out of cache, these about a fifth of that.
 * Should WebAssembly SIMD be missing, `BagKernel.create` returns null and the JavaScript loops of
 * network.ts run (same arithmetic, in double precision, so the last digits differ).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { BAG_WASM } from './bag-wasm.js';
import { EPS_ROW, TABLE_RATE, type EmbeddingBag } from './network.js';
import type { Bag } from './tokenize.js';

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  forward(docs: number, count: number, offsets: number, ids: number, weights: number, e: number, h: number, dim: number): void;
  adagrad(docs: number, count: number, offsets: number, ids: number, weights: number, e: number, v: number, dh: number, dim: number, rate: number, eps: number): void;
}

/** The part of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try {
      const { Module } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
      compiled = new Module(Uint8Array.from(atob(BAG_WASM), (c) => c.charCodeAt(0)));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** One split's bags in the module's memory (byte offsets). */
interface Placed {
  documents: number;
  nnz: number;
  offsets: number;
  ids: number;
  weights: number;
}

export class BagKernel {
  private constructor(
    private readonly net: EmbeddingBag,
    private readonly x: Exports,
    private readonly e: number,
    private readonly v: number,
    private readonly splits: Placed[],
    private readonly docs: number,
    private readonly h: number,
    private readonly dh: number,
  ) {}

  /**
   * A kernel for `net` over these splits (each a list of bags), with room for batches of up to
   * `maxBatch` documents; null when WebAssembly SIMD does not run here or the width is not a
   * multiple of 4. The network's table is copied in.
   */
  static create(net: EmbeddingBag, splits: Bag[][], maxBatch: number, force?: 'javascript'): BagKernel | null {
    const { buckets, dim } = net.spec;
    const compiledModule = force === 'javascript' || dim % 4 !== 0 ? null : module();
    if (!compiledModule) return null;
    let top = 0;
    const take = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    const e = take(buckets * dim * 4);
    const v = take(buckets * 4);
    const placed = splits.map((bags) => {
      const nnz = bags.reduce((sum, b) => sum + b.ids.length, 0);
      return { documents: bags.length, nnz, offsets: take((bags.length + 1) * 4), ids: take(nnz * 4), weights: take(nnz * 4) };
    });
    const most = Math.max(maxBatch, ...splits.map((b) => b.length));
    const docs = take(most * 4);
    const h = take(most * dim * 4);
    const dh = take(maxBatch * dim * 4);
    const { Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    const x = new Instance(compiledModule).exports as Exports;
    const have = x.memory.buffer.byteLength;
    if (top > have) x.memory.grow(Math.ceil((top - have) / 65536));
    const buffer = x.memory.buffer;
    splits.forEach((bags, s) => {
      const p = placed[s]!;
      const offsets = new Int32Array(buffer, p.offsets, bags.length + 1);
      const ids = new Int32Array(buffer, p.ids, p.nnz);
      const weights = new Float32Array(buffer, p.weights, p.nnz);
      let q = 0;
      bags.forEach((bag, r) => {
        ids.set(bag.ids, q);
        weights.set(bag.weights, q);
        q += bag.ids.length;
        offsets[r + 1] = q;
      });
    });
    const kernel = new BagKernel(net, x, e, v, placed, docs, h, dh);
    kernel.load();
    return kernel;
  }

  /** Copies the network's table and accumulators in (after its state was replaced). */
  load(): void {
    const { buckets, dim } = this.net.spec;
    new Float32Array(this.x.memory.buffer, this.e, buckets * dim).set(this.net.state.e);
    new Float32Array(this.x.memory.buffer, this.v, buckets).set(this.net.state.vE);
  }

  /** Copies the table and accumulators back into the network's state. */
  store(): void {
    const { buckets, dim } = this.net.spec;
    this.net.state.e.set(new Float32Array(this.x.memory.buffer, this.e, buckets * dim));
    this.net.state.vE.set(new Float32Array(this.x.memory.buffer, this.v, buckets));
  }

  /** Hidden sums (count × dim) of documents `docs` of split `s`. */
  hidden(s: number, docs: ArrayLike<number>): Float32Array {
    const p = this.splits[s]!;
    const dim = this.net.spec.dim;
    new Int32Array(this.x.memory.buffer, this.docs, docs.length).set(docs);
    this.x.forward(this.docs, docs.length, p.offsets, p.ids, p.weights, this.e, this.h, dim);
    return new Float32Array(this.x.memory.buffer, this.h, docs.length * dim).slice();
  }

  /** Logits of every document of split `s`, through the head. */
  logits(s: number): Float32Array {
    const n = this.splits[s]!.documents;
    return this.net.head(this.hidden(s, Int32Array.from({ length: n }, (_, i) => i)), n);
  }

  /** One step on documents `docs` of split `s` (as `EmbeddingBag.trainBatch`); returns the batch's loss. */
  async trainBatch(tf: typeof tfjs, s: number, docs: Int32Array, y: ArrayLike<number>, sw: ArrayLike<number> | null, learningRate: number): Promise<number> {
    const { loss, dh } = await this.net.headStep(tf, this.hidden(s, docs), docs.length, y, sw, learningRate);
    const p = this.splits[s]!;
    const buffer = this.x.memory.buffer;
    new Int32Array(buffer, this.docs, docs.length).set(docs);
    new Float32Array(buffer, this.dh, dh.length).set(dh);
    this.x.adagrad(this.docs, docs.length, p.offsets, p.ids, p.weights, this.e, this.v, this.dh, this.net.spec.dim, learningRate * TABLE_RATE, EPS_ROW);
    return loss;
  }
}
