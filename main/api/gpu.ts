/**
 * Handlers of the GPU library folders. The check loads libraries (a loader runs a library's
 * constructors), so folders under the data directory's uploads, the one place serve mode lets a
 * browser write files, are refused: an upload can never become code the server runs.
 */
import type { gpuChannels } from '../contract/gpu.js';
import { relative, resolve } from 'node:path';
import { setSetting } from '../../db/settings.js';
import { checkGpuLibraries } from '../../workers/tfjs/gpu-libraries.js';
import { AppError } from '../errors.js';
import type { HandlersOf } from './types.js';

export const gpuHandlers: HandlersOf<typeof gpuChannels> = {
  'gpu:libraries': async (input, app) => {
    const uploads = resolve(app.options.dataDir, 'uploads');
    for (const dir of input.dirs) {
      const inside = relative(uploads, resolve(dir));
      if (inside === '' || (!inside.startsWith('..') && !inside.startsWith('/'))) {
        throw new AppError('invalid-input', `${dir} is inside the upload folder; the workbench never loads libraries from uploads. Install the libraries on the server (e.g. with pip --target) and give that folder.`);
      }
    }
    const check = await checkGpuLibraries(input.dirs);
    const save = input.save && (check.complete || input.force) && check.missingRoots.length === 0;
    if (input.save && !save) {
      throw new AppError('invalid-input', `Not saved: ${check.summary} Fix it and check again, or save anyway with force.`);
    }
    if (save) setSetting(app.store.write, 'gpu.libraryDirs', check.roots.map((dir) => resolve(dir)), Date.now());
    return { ...check, saved: save };
  },
  'gpu:clear': (_input, app) => {
    setSetting(app.store.write, 'gpu.libraryDirs', [], Date.now());
    return { cleared: true };
  },
};
