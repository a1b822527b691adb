/**
 * The depthwise-convolution gradients TensorFlow.js's wasm backend does not register
 * (`DepthwiseConv2dNativeBackpropInput`, `DepthwiseConv2dNativeBackpropFilter`). A MobileNet
 * backbone is built from depthwise convolutions, so without them its saliency maps (gradient ×
 * input through the whole network) and fine-tuning its last block fail on wasm with "kernel … not
 * registered". Both are plain loops over channels-last data with the channel innermost, so every
 * read and write runs along memory; they compute what the cpu backend's kernels compute
 * (test/workers/image/wasm-depthwise.test.ts compares them on random shapes, strides, paddings and
 * channel multipliers).
 */
import * as tf from '@tensorflow/tfjs';
import type { Info, Pad, WasmBackend } from './wasm-conv.js';

interface DepthwiseAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

type Args = { inputs: Record<string, unknown>; backend: unknown; attrs?: Record<string, unknown> };

/** A copy of a wasm-held float32 tensor (a copy, because making the output may grow the heap). */
function copyOf(backend: WasmBackend, info: Info): Float32Array {
  const entry = backend.dataIdMap.get(info.dataId);
  if (!entry) throw new Error('wasm depthwise kernel: a tensor is not held by the wasm backend');
  const size = info.shape.reduce((a, b) => a * b, 1);
  const heap = backend.wasm.HEAPU8;
  return new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, size).slice();
}

function output(backend: WasmBackend, shape: number[], values: Float32Array): Info {
  const out = backend.makeOutput(shape, 'float32');
  const entry = backend.dataIdMap.get(out.dataId);
  if (!entry) throw new Error('wasm depthwise kernel: no output buffer');
  const heap = backend.wasm.HEAPU8;
  new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, values.length).set(values);
  return out;
}

function convInfo(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: DepthwiseAttrs, kernel: string) {
  const d = attrs.dilations ?? 1;
  if ((typeof d === 'number' ? d : Math.max(d[0], d[1])) !== 1) throw new Error(`${kernel} on wasm: dilations other than 1 are not supported`);
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true);
}

/** dx[b, iy, ix, c] = Σ over the outputs (oy, ox) whose window covers (iy, ix) and m: dy[b, oy, ox, c·M + m] · W[fy, fx, c, m]. */
export function depthwiseBackpropInput(args: Args): Info {
  const backend = args.backend as WasmBackend;
  const dyInfo = args.inputs['dy'] as Info;
  const filterInfo = args.inputs['filter'] as Info;
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  if (!attrs.inputShape) throw new Error('DepthwiseConv2dNativeBackpropInput on wasm: no input shape');
  const info = convInfo(attrs.inputShape, filterInfo.shape as [number, number, number, number], attrs, 'DepthwiseConv2dNativeBackpropInput');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outChannels } = info;
  const mult = outChannels / c;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dy = copyOf(backend, dyInfo);
  const filter = copyOf(backend, filterInfo);
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const dyAt = ((b * oh + oy) * ow + ox) * outChannels;
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * sh - top + fy;
          if (iy < 0 || iy >= h) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * sw - left + fx;
            if (ix < 0 || ix >= w) continue;
            const dxAt = ((b * h + iy) * w + ix) * c;
            const fAt = (fy * fw + fx) * outChannels;
            if (mult === 1) {
              for (let ch = 0; ch < c; ch++) dx[dxAt + ch]! += dy[dyAt + ch]! * filter[fAt + ch]!;
            } else {
              for (let ch = 0; ch < c; ch++) {
                let sum = 0;
                for (let m = 0; m < mult; m++) sum += dy[dyAt + ch * mult + m]! * filter[fAt + ch * mult + m]!;
                dx[dxAt + ch]! += sum;
              }
            }
          }
        }
      }
    }
  }
  return output(backend, [n, h, w, c], dx);
}

/** dW[fy, fx, c, m] = Σ over b, (oy, ox): x[b, oy·s − pad + fy, ox·s − pad + fx, c] · dy[b, oy, ox, c·M + m]. */
export function depthwiseBackpropFilter(args: Args): Info {
  const backend = args.backend as WasmBackend;
  const xInfo = args.inputs['x'] as Info;
  const dyInfo = args.inputs['dy'] as Info;
  const attrs = args.attrs as unknown as DepthwiseAttrs;
  if (!attrs.filterShape) throw new Error('DepthwiseConv2dNativeBackpropFilter on wasm: no filter shape');
  const info = convInfo(xInfo.shape as [number, number, number, number], attrs.filterShape, attrs, 'DepthwiseConv2dNativeBackpropFilter');
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outChannels } = info;
  const mult = outChannels / c;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const x = copyOf(backend, xInfo);
  const dy = copyOf(backend, dyInfo);
  const dw = new Float64Array(fh * fw * outChannels);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const dyAt = ((b * oh + oy) * ow + ox) * outChannels;
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * sh - top + fy;
          if (iy < 0 || iy >= h) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * sw - left + fx;
            if (ix < 0 || ix >= w) continue;
            const xAt = ((b * h + iy) * w + ix) * c;
            const fAt = (fy * fw + fx) * outChannels;
            for (let ch = 0; ch < c; ch++) {
              const xv = x[xAt + ch]!;
              for (let m = 0; m < mult; m++) dw[fAt + ch * mult + m]! += xv * dy[dyAt + ch * mult + m]!;
            }
          }
        }
      }
    }
  }
  return output(backend, [fh, fw, c, mult], Float32Array.from(dw));
}

/** Registers both for 'wasm' where the package has none (idempotent). */
export function registerWasmDepthwiseKernels(): void {
  if (!tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')) {
    tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc });
  }
}
