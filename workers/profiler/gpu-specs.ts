/**
 * Peak FP32 throughput of common NVIDIA GPUs (TFLOP/s, vendor specification sheets), used only to
 * estimate how much faster training would be if the GPU were usable. Matched by the longest name
 * fragment found in the model string, so "NVIDIA GeForce RTX 3060 Ti" matches "RTX 3060 Ti" before "RTX 3060".
 */
export const GPU_FP32_TFLOPS: Record<string, number> = {
  'RTX 5090': 104.8,
  'RTX 5080': 56.3,
  'RTX 4090': 82.6,
  'RTX 4080': 48.7,
  'RTX 4070 Ti': 40.1,
  'RTX 4070': 29.1,
  'RTX 4060 Ti': 22.1,
  'RTX 4060': 15.1,
  'RTX 3090': 35.6,
  'RTX 3080 Ti': 34.1,
  'RTX 3080': 29.8,
  'RTX 3070': 20.3,
  'RTX 3060 Ti': 16.2,
  'RTX 3060': 12.7,
  'RTX 3050': 9.1,
  'RTX 2080 Ti': 13.4,
  'RTX 2080': 10.1,
  'RTX 2070': 7.5,
  'RTX 2060': 6.5,
  'GTX 1660': 5.0,
  'GTX 1080 Ti': 11.3,
  'GTX 1080': 8.9,
  'GTX 1070': 6.5,
  'GTX 1060': 4.4,
  'TITAN V': 14.9,
  'TITAN Xp': 12.1,
  'RTX 5880': 69.3,
  'RTX 6000 Ada': 91.1,
  'RTX A6000': 38.7,
  'RTX A5000': 27.8,
  'RTX A4000': 19.2,
  'RTX A2000': 8.0,
  'Quadro P2200': 3.8,
  B200: 80.0,
  H200: 67.0,
  'H100 PCIe': 51.2,
  H100: 67.0,
  A100: 19.5,
  A800: 19.5,
  A40: 37.4,
  A30: 10.3,
  A10: 31.2,
  L40S: 91.6,
  L40: 90.5,
  L4: 30.3,
  T4: 8.1,
  V100: 15.7,
  P100: 9.3,
};

/** Peak FP32 TFLOP/s for a model name, or null when it is not in the table. */
export function gpuTflops(model: string): number | null {
  const name = model.toUpperCase();
  let best: { key: string; value: number } | null = null;
  for (const [key, value] of Object.entries(GPU_FP32_TFLOPS)) {
    const pattern = new RegExp(`(^|[^A-Z0-9])${key.toUpperCase().replace(/ /gu, '\\s*')}($|[^A-Z0-9])`, 'u');
    if (pattern.test(name) && (!best || key.length > best.key.length)) best = { key, value };
  }
  return best?.value ?? null;
}

/**
 * Share of peak a small TensorFlow training job reaches on a GPU. Small pilots keep a GPU far from
 * its peak (kernel launches, host-device copies); a quarter is a deliberately modest assumption.
 */
export const GPU_TRAINING_EFFICIENCY = 0.25;
