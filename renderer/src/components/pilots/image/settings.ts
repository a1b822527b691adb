/** The picture pilot's own settings, saved with the project's wizard state. */
import { readSettings, saveSettings } from '../branch.svelte.js';

export const IMAGE_STEPS = ['Pictures', 'Train', 'Results'] as const;

/** What the user chose in the picture branch. */
export interface ImageSettings {
  /** The folder (one subfolder per class, optionally under train/ and test/) on the machine running the workbench. */
  source: string;
  /** The scan of that folder (an `image.scan` job), once run. */
  scanJobId: number | null;
  /** Epoch limit (null: the trainer's default). */
  epochs: number | null;
  /** Side of the network's input in pixels (null: chosen from the pictures). */
  imageSize: number | null;
  /** Mirror pictures left–right while training. */
  flips: boolean;
  backend: 'auto' | 'wasm' | 'cpu';
  /** Transfer learning: a TensorFlow.js layers model folder whose features the network builds on ('' for none). */
  backbone: string;
  /** With a backbone: also train its last block. */
  fineTune: boolean;
  [key: string]: string | number | boolean | null;
}

const DEFAULTS: ImageSettings = { source: '', scanJobId: null, epochs: null, imageSize: null, flips: true, backend: 'auto', backbone: '', fineTune: false };

export function imageSettings(): ImageSettings {
  const s = readSettings('image', DEFAULTS);
  return { ...s, backend: s.backend === 'wasm' || s.backend === 'cpu' ? s.backend : 'auto' };
}

export function saveImageSettings(settings: ImageSettings): Promise<void> {
  return saveSettings('image', settings);
}
