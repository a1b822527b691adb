/**
 * The convolution kernels a CNN's backward pass needs on TensorFlow.js's wasm backend, which does
 * not register `Conv2DBackpropFilter` (tfjs#8474): without it a conv net cannot train there at all.
 *
 * Both kernels here turn the convolution into one matrix product on XNNPACK (the backend's own
 * `_FusedMatMul`, called below the tensor API as workers/trainer/wasm-kernels.ts does), with the
 * patch gathering (im2col) or scattering (col2im) done in JavaScript:
 * - filter gradient: dW[k, co] = Σ_m colᵀ[k, m] · dy[m, co], k = (fy, fx, ci), m = (n, oy, ox);
 *   colᵀ is built already transposed so the product takes XNNPACK's fast path (no transposes).
 * - input gradient: dcol[m, k] = dy[m, co] · Wᵀ[co, k], then every dcol entry is added back to the
 *   input pixel it came from. The package's own `Conv2DBackpropInput` is a scalar C++ loop; this
 *   one replaces it by default: 4–5× less CPU time on the reference CNN's second layer, measured
 *   (`registerWasmConvKernels({ backpropInput: false })` restores the package's, for comparison).
 *
 * Only channels-last (NHWC, what tf.layers uses) and dilation 1 are handled; anything else throws
 * a clear error rather than computing something wrong.
 */
import * as tf from '@tensorflow/tfjs';
import { col2im, im2colT } from './im2col.js';
import { registerWasmDepthwiseKernels } from './wasm-depthwise.js';

/** What the kernels get from the engine: a tensor's handle, shape and type. */
export interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The parts of tfjs-backend-wasm's backend used here. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

type KernelFunc = (args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }) => unknown;

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** The float32 values of a tensor held by the wasm backend, as a view over its heap (no copy). */
function heapView(backend: WasmBackend, info: Info, size: number): Float32Array {
  const entry = backend.dataIdMap.get(info.dataId);
  if (!entry) throw new Error('wasm conv kernel: a tensor is not held by the wasm backend');
  const heap = backend.wasm.HEAPU8;
  return new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, size);
}

function checkAttrs(attrs: ConvAttrs, kernel: string): void {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernel} on wasm: only channels-last (NHWC) data is supported`);
  const d = attrs.dilations ?? 1;
  if ((typeof d === 'number' ? d : Math.max(d[0], d[1])) !== 1) throw new Error(`${kernel} on wasm: dilations other than 1 are not supported`);
}

function fusedMatMul(): KernelFunc {
  const kernel = tf.getKernel('_FusedMatMul', 'wasm')?.kernelFunc;
  if (!kernel) throw new Error('the wasm backend has no _FusedMatMul kernel');
  return kernel as unknown as KernelFunc;
}

/** a [1, r, k] · b [1, k, c] on XNNPACK. */
function product(backend: WasmBackend, a: Info, b: Info): Info {
  return fusedMatMul()({
    inputs: { a, b, bias: null },
    backend,
    attrs: { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
  }) as Info;
}

/** Reusable JavaScript buffers (two), grown as needed: a batch's columns are megabytes. */
const scratchBuffers: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
function scratch(slot: 0 | 1, size: number): Float32Array {
  if (scratchBuffers[slot]!.length < size) scratchBuffers[slot] = new Float32Array(size);
  return scratchBuffers[slot]!.subarray(0, size);
}

/** dW = im2colᵀ(x) · dy. */
function backpropFilter(args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }): Info {
  const backend = args.backend as WasmBackend;
  const x = args.inputs['x'] as Info;
  const dy = args.inputs['dy'] as Info;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  checkAttrs(attrs, 'Conv2DBackpropFilter');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = fh * fw * ci;
  const m = n * oh * ow;
  // Built in JavaScript arrays, then copied in once: V8 optimises loops over views of the wasm heap poorly.
  const xs = scratch(0, n * h * w * ci);
  xs.set(heapView(backend, x, n * h * w * ci));
  const cols = scratch(1, k * m);
  im2colT(xs, { n, h, w, ci, oh, ow, fh, fw, sh, sw, top, left }, cols);
  const col = backend.makeOutput([1, k, m], 'float32');
  heapView(backend, col, k * m).set(cols);
  const out = product(backend, col, { dataId: dy.dataId, shape: [1, m, co], dtype: 'float32' });
  backend.disposeData(col.dataId, true);
  out.shape = [fh, fw, ci, co];
  return out;
}

/** dx = col2im(dy · Wᵀ). */
function backpropInput(args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }): Info {
  const backend = args.backend as WasmBackend;
  const dy = args.inputs['dy'] as Info;
  const filter = args.inputs['filter'] as Info;
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  checkAttrs(attrs, 'Conv2DBackpropInput');
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = fh * fw * ci;
  const m = n * oh * ow;
  // The filter [fh, fw, ci, co] is a [k, co] matrix. Its transpose is made here (k · co values,
  // small) because XNNPACK's product with transposeB set was 3× slower than without, measured.
  const wt = backend.makeOutput([1, co, k], 'float32');
  const wsrc = heapView(backend, filter, k * co);
  const wdst = heapView(backend, wt, k * co);
  for (let r = 0; r < k; r++) for (let c = 0; c < co; c++) wdst[c * k + r] = wsrc[r * co + c]!;
  const dcol = product(backend, { dataId: dy.dataId, shape: [1, m, co], dtype: 'float32' }, wt);
  backend.disposeData(wt.dataId, true);
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  // Summed in JavaScript arrays, then copied in once: V8 optimises loops over views of the wasm heap poorly.
  const d = scratch(0, m * k);
  d.set(heapView(backend, dcol, m * k));
  const dx = scratch(1, n * h * w * ci);
  col2im(d, { n, h, w, ci, oh, ow, fh, fw, sh, sw, top, left }, dx);
  heapView(backend, out, n * h * w * ci).set(dx);
  backend.disposeData(dcol.dataId, true);
  return out;
}

/**
 * BatchMatMul with a transposed operand, as every dense layer's backward pass asks: the package
 * runs those through a scalar loop, 5–7× slower than transposing explicitly (the Transpose kernel)
 * and taking XNNPACK's path, measured on the reference network's 3136 × 128 layer (46 → 7 ms for
 * the weight gradient, 35 → 10 ms for the input gradient).
 */
function batchMatMulVia(original: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original(args);
    const backend = args.backend as WasmBackend;
    const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc as unknown as KernelFunc | undefined;
    if (!transpose) return original(args);
    const flip = (x: Info): Info => {
      const r = x.shape.length;
      const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
      return transpose({ inputs: { x }, backend, attrs: { perm } }) as Info;
    };
    const a = args.inputs['a'] as Info;
    const b = args.inputs['b'] as Info;
    const ta = attrs.transposeA ? flip(a) : a;
    const tb = attrs.transposeB ? flip(b) : b;
    const out = original({ ...args, inputs: { ...args.inputs, a: ta, b: tb }, attrs: { ...attrs, transposeA: false, transposeB: false } });
    if (ta !== a) backend.disposeData(ta.dataId, true);
    if (tb !== b) backend.disposeData(tb.dataId, true);
    return out;
  };
}

/**
 * Max-pool gradient: each output's gradient goes to the first largest input of its window (the
 * cpu backend's rule, ties included, which ReLU zeros make common). The package's kernel took 30 %
 * of the reference network's step (bench/train-image.mjs); this loop over JavaScript copies of
 * the inputs is what replaces it.
 */
function maxPoolGrad(args: { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> }): Info {
  const backend = args.backend as WasmBackend;
  const dy = args.inputs['dy'] as Info;
  const x = args.inputs['input'] as Info;
  const attrs = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xs = scratch(0, n * h * w * c);
  xs.set(heapView(backend, x, n * h * w * c));
  const dys = heapView(backend, dy, n * oh * ow * c);
  const dx = scratch(1, n * h * w * c);
  dx.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = Math.max(0, y * sh - top);
      const y1 = Math.min(h, y * sh - top + fh);
      for (let xx = 0; xx < ow; xx++) {
        const x0 = Math.max(0, xx * sw - left);
        const x1 = Math.min(w, xx * sw - left + fw);
        const o = ((b * oh + y) * ow + xx) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          let max = Number.NEGATIVE_INFINITY;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const at = ((b * h + iy) * w + ix) * c + ch;
              if (xs[at]! > max) {
                max = xs[at]!;
                best = at;
              }
            }
          }
          if (best >= 0) dx[best]! += dys[o + ch]!;
        }
      }
    }
  }
  const out = backend.makeOutput(x.shape, 'float32');
  heapView(backend, out, n * h * w * c).set(dx);
  return out;
}

let registered: { backpropInput: boolean } | null = null;
let originalBackpropInput: tf.KernelConfig | undefined;

/**
 * Registers the kernels for 'wasm' (idempotent), and routes transposed matrix products through
 * XNNPACK (see batchMatMulVia). `backpropInput` (default true) also replaces the
 * package's input-gradient kernel with the im2col one; false restores the package's.
 */
export function registerWasmConvKernels(options: { backpropInput?: boolean } = {}): void {
  const wantInput = options.backpropInput ?? true;
  if (!registered) {
    if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
      tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: backpropFilter as unknown as tf.KernelFunc });
    }
    originalBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const pool = tf.getKernel('MaxPoolGrad', 'wasm');
    if (pool) tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
    const matMul = tf.getKernel('BatchMatMul', 'wasm');
    if (matMul) {
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel({ ...matMul, kernelFunc: batchMatMulVia(matMul.kernelFunc as unknown as KernelFunc) as unknown as tf.KernelFunc });
    }
    registerWasmDepthwiseKernels();
    registered = { backpropInput: false };
  }
  if (registered.backpropInput === wantInput) return;
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  if (wantInput) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: backpropInput as unknown as tf.KernelFunc });
  } else if (originalBackpropInput) {
    tf.registerKernel(originalBackpropInput);
  }
  registered.backpropInput = wantInput;
}
