/**
 * What tfjs-node-gpu 4.22 needs from CUDA, and which NVIDIA drivers can run it — shared by the
 * workers (the library check, the stack diagnosis) and the Hardware page.
 *
 * tfjs-node-gpu 4.x bundles libtensorflow 2.9, built against CUDA 11.2 and cuDNN 8.1 (tfjs-node's
 * README; tensorflow/tfjs#8362). It loads the CUDA 11 sonames (libcudart.so.11.0, libcublas.so.11,
 * …, libcudnn.so.8), so any 11.x runtime and any cuDNN 8.x at least 8.1 do; CUDA 12 or 13 and
 * cuDNN 9 libraries do not. The pins below are the last CUDA 11 builds of NVIDIA's pip wheels (all
 * CUDA 11.8) and the newest cuDNN 8 wheel (cuDNN 8.9's support matrix lists Hopper and Ada for its
 * CUDA 11 build, on drivers from 450.80.02): without the `<9` the `nvidia-cudnn-cu11` wheel resolves
 * to cuDNN 9 (9.10.2.21 today), which ships libcudnn.so.9.
 */

/** The pip wheels of the CUDA 11 libraries, with the versions to install. */
export const CUDA11_WHEELS: readonly { wheel: string; spec: string }[] = [
  { wheel: 'nvidia-cuda-runtime-cu11', spec: 'nvidia-cuda-runtime-cu11==11.8.89' },
  { wheel: 'nvidia-cublas-cu11', spec: 'nvidia-cublas-cu11==11.11.3.6' },
  { wheel: 'nvidia-cufft-cu11', spec: 'nvidia-cufft-cu11==10.9.0.58' },
  { wheel: 'nvidia-curand-cu11', spec: 'nvidia-curand-cu11==10.3.0.86' },
  { wheel: 'nvidia-cusolver-cu11', spec: 'nvidia-cusolver-cu11==11.4.1.48' },
  { wheel: 'nvidia-cusparse-cu11', spec: 'nvidia-cusparse-cu11==11.7.5.86' },
  { wheel: 'nvidia-cudnn-cu11', spec: "'nvidia-cudnn-cu11>=8.6,<9'" },
];

/** The pip command that installs every library into a folder of its own (no root needed). */
export function pipInstallCommand(target = '~/cuda11'): string {
  return `pip install --target ${target} ${CUDA11_WHEELS.map((entry) => entry.spec).join(' ')}`;
}

/**
 * The oldest driver of each CUDA major release that runs every toolkit of that release (minor
 * version compatibility), Linux and Windows. Source: NVIDIA, "CUDA Compatibility", table "CUDA
 * Toolkit 11.x, 12.x, and 13.x Driver Version Ranges" (11.x ≥ 450.80.02 / 452.39; 12.x ≥ 525;
 * 13.x ≥ 580) and the CUDA 12.0 release notes (525.60.13 / 527.41). Newer drivers always run
 * older runtimes (binary backward compatibility), so a CUDA 12 or 13 driver runs CUDA 11.
 */
export const CUDA_DRIVER_MINIMUMS: readonly { cuda: string; linux: string; windows: string }[] = [
  { cuda: '11.x', linux: '450.80.02', windows: '452.39' },
  { cuda: '12.x', linux: '525.60.13', windows: '527.41' },
  { cuda: '13.x', linux: '580', windows: '580' },
];

export const CUDA_COMPATIBILITY_SOURCE = 'https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html';

/** Compares dotted version numbers ("525.60.13" < "580.95.05"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const pb = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
