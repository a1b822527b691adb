/** Whether new models are encrypted at rest (`pilot models encryption on|off`): every trainer's job input carries it. */
import { getSetting } from '../../db/settings.js';
import type { App } from '../app-types.js';

export function encryptArtifacts(app: App): boolean {
  return getSetting<boolean>(app.store.read, 'models.encryptAtRest') === true;
}
