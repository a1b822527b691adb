/** Padding attributes shared by the layer converters (layers.ts) and the TensorFlow graph converter (tf-graph.ts). */

/**
 * The padding attributes of a convolution. ONNX Runtime refuses SAME_UPPER with dilations, so a
 * dilated `same` convolution gets explicit pads: with stride 1 (TensorFlow allows no other with
 * dilations) SAME pads (k − 1) · d cells in all, the odd one at the end, whatever the input size.
 */
export function convPadding(same: boolean, kernel: number[], strides: number[], dilations: number[]): { auto_pad: string } | { pads: number[] } {
  if (!same) return { auto_pad: 'VALID' };
  if (dilations.every((d) => d === 1)) return { auto_pad: 'SAME_UPPER' };
  if (strides.some((s) => s !== 1)) throw new Error('a dilated convolution with strides above 1 is not converted');
  const total = kernel.map((k, i) => (k - 1) * dilations[i]!);
  return { pads: [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))] };
}
