/** Channels of the GPU library folders: where the CUDA 11 libraries tfjs-node-gpu needs are, checked by loading them. */
import { z } from 'zod';
import type { GpuLibraryCheck } from '../../workers/tfjs/gpu-libraries.js';
import { channel } from './define.js';

export type { GpuLibraryCheck, LibraryCheck } from '../../workers/tfjs/gpu-libraries.js';

const folder = z.string().trim().min(1, 'Give a folder path.').max(4096, 'That path is too long.');

/** `gpu:libraries`' answer: the check, and the folders GPU workers now start with. */
export interface GpuLibrariesOutcome extends GpuLibraryCheck {
  /** True when the folders were saved (setting `gpu.libraryDirs`): every later worker starts with them. */
  saved: boolean;
}

export const gpuChannels = {
  'gpu:libraries': channel<GpuLibrariesOutcome>()(
    z
      .object({
        /** Folders holding the CUDA 11 libraries (pip --target folders, site-packages/nvidia, a conda env, a toolkit's lib64). */
        dirs: z.array(folder).min(1, 'Give at least one folder.').max(16, 'Give at most 16 folders.'),
        /** Save them for GPU workers: only when every library loads, unless `force`. */
        save: z.boolean().default(false),
        force: z.boolean().default(false),
      })
      .strict(),
    'Checks that the CUDA 11 libraries tfjs-node-gpu needs load from the given folders, and saves the folders for GPU workers.',
  ),
  'gpu:clear': channel<{ cleared: boolean }>()(z.object({}).strict(), 'Forgets the saved GPU library folders.'),
};
