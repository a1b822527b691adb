/**
 * The data movement around a convolution done as one matrix product, in tight loops over typed
 * arrays (channels-last, NHWC): patch gathering (im2col, both layouts), scattering patch
 * gradients back (col2im), and 2-D max pooling that remembers where each maximum came from.
 *
 * Used by the wasm conv-gradient kernels (wasm-conv.ts) and by the direct-kernel training step
 * (cnn-wasm.ts). The loops run on ordinary JavaScript arrays, never on views of the wasm heap:
 * the callers copy in and out with one `set` each (a memcpy), which measured cheaper than
 * letting V8 run these loops over heap views.
 */

/** A convolution's geometry: input n × h × w × ci, output n × oh × ow, filter fh × fw, strides, padding. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  /** Padding rows above and columns left of the input. */
  top: number;
  left: number;
}

/** 'same' padding at stride 1 (what the pilot's network uses). */
export function sameGeometry(n: number, h: number, w: number, ci: number, f: number): ConvGeometry {
  const pad = f - 1;
  return { n, h, w, ci, oh: h, ow: w, fh: f, fw: f, sh: 1, sw: 1, top: Math.floor(pad / 2), left: Math.floor(pad / 2) };
}

/**
 * cols[m, k] with m = (b, oy, ox) and k = (fy, fx, c): each output pixel's receptive field as one
 * row, zeros where it overhangs the border. With NHWC input a row is fh·fw runs of ci contiguous values.
 */
export function im2col(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const { n, h, w, ci, oh, ow, fh, fw, sh, sw, top, left } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let fy = 0; fy < fh; fy++) {
          const iy = y * sh - top + fy;
          if (iy < 0 || iy >= h) {
            cols.fill(0, o, o + fw * ci);
            o += fw * ci;
            continue;
          }
          const row = (b * h + iy) * w;
          for (let fx = 0; fx < fw; fx++) {
            const ix = xx * sw - left + fx;
            if (ix < 0 || ix >= w) {
              for (let c = 0; c < ci; c++) cols[o++] = 0;
            } else {
              let at = (row + ix) * ci;
              for (let c = 0; c < ci; c++) cols[o++] = x[at++]!;
            }
          }
        }
      }
    }
  }
}

let planes = new Float32Array(0);

/**
 * colsᵀ[k, m]: the same patches, transposed (a row per filter tap and channel). The input is
 * first transposed to one plane per channel, so that each row is built from contiguous runs
 * (the valid columns of a tap, zeros either side) instead of reads ci values apart.
 */
export function im2colT(x: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const { n, h, w, ci, oh, ow, fh, fw, sh, sw, top, left } = g;
  const m = n * oh * ow;
  const pixels = n * h * w;
  if (planes.length < pixels * ci) planes = new Float32Array(pixels * ci);
  if (ci === 1) planes.set(x.subarray(0, pixels));
  else transpose(x, pixels, ci, planes);
  for (let fy = 0; fy < fh; fy++) {
    for (let fx = 0; fx < fw; fx++) {
      // Output columns whose tap lands inside the input: xx in [x0, x1).
      const x0 = Math.min(ow, Math.max(0, Math.ceil((left - fx) / sw)));
      const x1 = Math.max(x0, Math.min(ow, Math.floor((w - 1 + left - fx) / sw) + 1));
      for (let c = 0; c < ci; c++) {
        let o = ((fy * fw + fx) * ci + c) * m;
        const plane = c * pixels;
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const iy = y * sh - top + fy;
            if (iy < 0 || iy >= h) {
              cols.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const row = plane + (b * h + iy) * w - left + fx;
            for (let xx = 0; xx < x0; xx++) cols[o++] = 0;
            if (sw === 1) {
              for (let xx = x0, at = row + x0; xx < x1; xx++) cols[o++] = planes[at++]!;
            } else {
              for (let xx = x0; xx < x1; xx++) cols[o++] = planes[row + xx * sw]!;
            }
            for (let xx = x1; xx < ow; xx++) cols[o++] = 0;
          }
        }
      }
    }
  }
}

/** dx = Σ over patches of dcols[m, k] added back to the input pixel each entry came from (dx is overwritten). */
export function col2im(dcols: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { n, h, w, ci, oh, ow, fh, fw, sh, sw, top, left } = g;
  dx.fill(0, 0, n * h * w * ci);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let fy = 0; fy < fh; fy++) {
          const iy = y * sh - top + fy;
          if (iy < 0 || iy >= h) {
            o += fw * ci;
            continue;
          }
          const row = (b * h + iy) * w;
          for (let fx = 0; fx < fw; fx++) {
            const ix = xx * sw - left + fx;
            if (ix < 0 || ix >= w) {
              o += ci;
            } else {
              let at = (row + ix) * ci;
              for (let c = 0; c < ci; c++) dx[at++]! += dcols[o++]!;
            }
          }
        }
      }
    }
  }
}

/** A pooling window's geometry (channels-last). */
export interface PoolGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

/** 2 × 2 windows at stride 2 without padding ('valid': a last odd row or column is dropped), as tf.layers' default. */
export function pool2Geometry(n: number, h: number, w: number, c: number): PoolGeometry {
  return { n, h, w, c, oh: Math.floor(h / 2), ow: Math.floor(w / 2), fh: 2, fw: 2, sh: 2, sw: 2, top: 0, left: 0 };
}

/**
 * Max pooling: out[b, y, x, c] = the window's maximum, argmax = its index in x (the first one in
 * scan order on ties, as TensorFlow's kernels; −1 for a window wholly in the padding).
 */
export function maxPool(x: Float32Array, g: PoolGeometry, out: Float32Array, argmax: Int32Array): void {
  const { n, h, w, c, oh, ow, fh, fw, sh, sw, top, left } = g;
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0) return maxPool2(x, g, out, argmax);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = Math.max(0, y * sh - top);
      const y1 = Math.min(h, y * sh - top + fh);
      for (let xx = 0; xx < ow; xx++) {
        const x0 = Math.max(0, xx * sw - left);
        const x1 = Math.min(w, xx * sw - left + fw);
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          let max = Number.NEGATIVE_INFINITY;
          for (let iy = y0; iy < y1; iy++) {
            let at = ((b * h + iy) * w + x0) * c + ch;
            for (let ix = x0; ix < x1; ix++, at += c) {
              const v = x[at]!;
              if (v > max) {
                max = v;
                best = at;
              }
            }
          }
          out[o] = best >= 0 ? max : 0;
          argmax[o++] = best;
        }
      }
    }
  }
}

/** The pilot's 2 × 2 stride-2 case: the four taps of a window at fixed offsets, channels innermost (3× faster, measured). */
function maxPool2(x: Float32Array, g: PoolGeometry, out: Float32Array, argmax: Int32Array): void {
  const { n, h, w, c, oh, ow } = g;
  const right = c;
  const down = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let at = ((b * h + 2 * y) * w + 2 * xx) * c;
        for (let ch = 0; ch < c; ch++, at++) {
          // Scan order (top-left, top-right, bottom-left, bottom-right), the first maximum kept.
          let best = at;
          let max = x[at]!;
          let v = x[at + right]!;
          if (v > max) {
            max = v;
            best = at + right;
          }
          v = x[at + down]!;
          if (v > max) {
            max = v;
            best = at + down;
          }
          v = x[at + down + right]!;
          if (v > max) {
            max = v;
            best = at + down + right;
          }
          out[o] = max;
          argmax[o++] = best;
        }
      }
    }
  }
}

/** dx (size `inputSize`, overwritten) = each dy added at its window's argmax. */
export function maxPoolGrad(dy: Float32Array, argmax: Int32Array, outputSize: number, dx: Float32Array, inputSize: number): void {
  dx.fill(0, 0, inputSize);
  for (let o = 0; o < outputSize; o++) {
    const at = argmax[o]!;
    if (at >= 0) dx[at]! += dy[o]!;
  }
}

/** out[c, r] = a[r, c] for an rows × columns matrix. */
export function transpose(a: Float32Array, rows: number, columns: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let at = r * columns;
    for (let c = 0; c < columns; c++) out[c * rows + r] = a[at++]!;
  }
}

/** out[c] = Σ_r a[r, c] (bias gradients), overwritten. */
export function columnSums(a: Float32Array, rows: number, columns: number, out: Float32Array): void {
  out.fill(0, 0, columns);
  let at = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c]! += a[at++]!;
}
