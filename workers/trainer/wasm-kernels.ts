/**
 * TensorFlow.js's wasm kernels called directly, below the tensor API, for the training step.
 *
 * Why: a tensor op (`tf.matMul`, `tf.tensor2d`) goes through the engine — a Tensor object, scope
 * tracking, kernel lookup, shape checks, disposal at the end of the tidy — which costs about 3 µs
 * per op beside the kernel (5.1 against 2.2 µs for an upload and a 2 × 2 product measured here).
 * A batch of the reference MLP runs some 25 of them. The kernel functions and `backend.write` /
 * `disposeData` are the backend's own contract (what the engine calls), so the numbers are the
 * same XNNPACK products; only the bookkeeping is ours: every buffer made here is freed by
 * `release()`.
 *
 * Matrices are rank 3 ([1, rows, columns]) because that is what `_FusedMatMul` expects (the
 * tensor op reshapes to it); reshaping is free, shapes are metadata.
 */
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

/** A matrix held by the backend: rows × columns, float32. */
export interface Matrix {
  dataId: object;
  shape: [1, number, number];
  dtype: 'float32';
}

/** A tensor of any shape held by the backend. */
export interface Tensor {
  dataId: object;
  shape: number[];
  dtype: 'float32';
}

/** A vector held by the backend (biases). */
interface Vector {
  dataId: object;
  shape: [number];
  dtype: 'float32';
}

/** The parts of tfjs-backend-wasm's backend used here. */
interface WasmBackend {
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

type KernelFunc = (args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }) => unknown;

export class WasmKernels {
  private readonly backend: WasmBackend;
  private readonly fusedMatMul: KernelFunc;
  private readonly multiply: KernelFunc;
  private readonly stepKernel: KernelFunc;
  /** Buffers made since the last `release()`. */
  private readonly live: object[] = [];

  /** Throws when the active backend is not wasm or lacks what is used here (the caller then uses the tensor API). */
  constructor(private readonly tf: Tf) {
    const backend = tf.backend() as unknown as Partial<WasmBackend>;
    const fused = tf.getKernel('_FusedMatMul', 'wasm')?.kernelFunc;
    const multiply = tf.getKernel('Multiply', 'wasm')?.kernelFunc;
    const step = tf.getKernel('Step', 'wasm')?.kernelFunc;
    if (tf.getBackend() !== 'wasm' || !fused || !multiply || !step || typeof backend.write !== 'function' || !backend.wasm?.HEAPU8 || !backend.dataIdMap) {
      throw new Error('the wasm backend is not active, or its kernels are not the ones this code knows');
    }
    this.backend = backend as WasmBackend;
    this.fusedMatMul = fused as unknown as KernelFunc;
    this.multiply = multiply as unknown as KernelFunc;
    this.stepKernel = step as unknown as KernelFunc;
  }

  /** Whether these kernels belong to the backend now active (tfjs may have switched). */
  isFor(tf: Tf): boolean {
    return (tf.backend() as unknown) === this.backend;
  }

  /** Copies a rows × columns matrix (row-major) into the backend. */
  upload(values: Float32Array, rows: number, columns: number): Matrix {
    // Checked here: the backend's write registers the buffer before it copies, and leaks it when the copy throws.
    if (values.length < rows * columns) throw new RangeError(`${values.length} values cannot fill a ${rows} × ${columns} matrix`);
    const shape: [1, number, number] = [1, rows, columns];
    const dataId = this.backend.write(values.length === rows * columns ? values : values.subarray(0, rows * columns), shape, 'float32');
    this.live.push(dataId);
    return { dataId, shape, dtype: 'float32' };
  }

  /** Copies values of any shape into the backend (e.g. an NHWC batch for the convolution kernels). */
  uploadTensor(values: Float32Array, shape: number[]): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length < size) throw new RangeError(`${values.length} values cannot fill a tensor of shape [${shape.join(', ')}]`);
    const dataId = this.backend.write(values.length === size ? values : values.subarray(0, size), shape, 'float32');
    this.live.push(dataId);
    return { dataId, shape, dtype: 'float32' };
  }

  /**
   * Runs any of the backend's kernels on tensors held by it (the engine's own call, without its
   * bookkeeping); the output is freed by `release()`. Throws when the backend lacks the kernel.
   */
  run(kernelName: string, inputs: Record<string, Tensor | Matrix | null>, attrs: Record<string, unknown>): Tensor {
    const kernel = this.tf.getKernel(kernelName, 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
    if (!kernel) throw new Error(`the wasm backend has no ${kernelName} kernel`);
    const out = kernel({ inputs, backend: this.backend, attrs }) as Tensor;
    this.live.push(out.dataId);
    return out;
  }

  /** Copies a tensor's values into `out` (see `read`). */
  readTensor(t: Tensor | Matrix, out: Float32Array): Float32Array {
    const size = t.shape.reduce((a: number, b: number) => a * b, 1);
    const offset = this.backend.dataIdMap.get(t.dataId)!.memoryOffset;
    const heap = this.backend.wasm.HEAPU8;
    out.set(new Float32Array(heap.buffer, heap.byteOffset + offset, size));
    return out;
  }

  /** a · b (+ bias, then the activation), with XNNPACK's fast path: neither operand transposed. */
  matMul(a: Matrix, b: Matrix, bias: Float32Array | null = null, activation: 'linear' | 'relu' = 'linear'): Matrix {
    let biasInfo: Vector | null = null;
    if (bias) {
      const dataId = this.backend.write(bias, [bias.length], 'float32');
      this.live.push(dataId);
      biasInfo = { dataId, shape: [bias.length], dtype: 'float32' };
    }
    const out = this.fusedMatMul({
      inputs: { a, b, bias: biasInfo },
      backend: this.backend,
      attrs: { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
    }) as Matrix;
    this.live.push(out.dataId);
    return out;
  }

  /** Element-wise a ⊙ b of two matrices of one shape. */
  mul(a: Matrix, b: Matrix): Matrix {
    const out = this.multiply({ inputs: { a, b }, backend: this.backend }) as Matrix;
    this.live.push(out.dataId);
    return out;
  }

  /** 1 where a > 0, else 0. */
  step(a: Matrix): Matrix {
    const out = this.stepKernel({ inputs: { x: a }, backend: this.backend, attrs: { alpha: 0 } }) as Matrix;
    this.live.push(out.dataId);
    return out;
  }

  /**
   * Copies a matrix's values into `out` (one memcpy out of the wasm heap; `dataSync` would
   * allocate a new buffer every time). Loops then run on `out`: V8 optimises typed arrays over
   * the wasm heap poorly.
   */
  read(m: Matrix, out: Float32Array): Float32Array {
    const size = m.shape[1] * m.shape[2];
    const offset = this.backend.dataIdMap.get(m.dataId)!.memoryOffset;
    const heap = this.backend.wasm.HEAPU8;
    out.set(new Float32Array(heap.buffer, heap.byteOffset + offset, size));
    return out;
  }

  /** Frees every buffer made since the last call. */
  release(): void {
    for (const dataId of this.live) this.backend.disposeData(dataId, true);
    this.live.length = 0;
  }
}
