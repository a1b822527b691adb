/** `pilot models encryption [on|off]`: encryption at rest of new models' weights with this installation's key. */
import { join } from 'node:path';
import { getSetting, setSetting } from '../../db/settings.js';
import { createKeyFile, KEY_FILE, loadKeyFile } from '../../workers/trainer/encryption.js';
import type { Command } from './command.js';
import { UsageError } from './command.js';

/** The setting the trainer's job input follows (`encryptArtifacts`). */
export const ENCRYPT_SETTING = 'models.encryptAtRest';

export const encryptionCommands: Command[] = [
  {
    name: 'models encryption',
    usage: '[on|off] [--json]',
    summary: "Encrypt the weights of models trained from now on (AES-256-GCM) with this installation's key, kept in the data folder with owner-only permissions; without an argument, say whether it is on.",
    args: { min: 0, max: 1 },
    async run(ctx) {
      const arg = ctx.args[0];
      if (arg !== undefined && arg !== 'on' && arg !== 'off') throw new UsageError(`Say "on" or "off" (got "${arg}").`);
      const app = ctx.app();
      let created = false;
      if (arg === 'on') created = (await createKeyFile(ctx.dataDir)).created;
      if (arg !== undefined) setSetting(app.store.write, ENCRYPT_SETTING, arg === 'on', Date.now());
      const on = getSetting<boolean>(app.store.read, ENCRYPT_SETTING) === true;
      const key = await loadKeyFile(ctx.dataDir);
      const keyFile = join(ctx.dataDir, KEY_FILE);
      if (ctx.json) return ctx.out(JSON.stringify({ on, keyFile: key ? keyFile : null, keyFingerprint: key?.fingerprint ?? null, created }, null, 2));
      ctx.out(`Encryption of new models at rest: ${on ? 'on' : 'off'}.`);
      if (key) ctx.out(`Key ${key.fingerprint} in ${keyFile}${created ? ' (created now: back it up; models encrypted with it cannot be read without it)' : ''}.`);
      if (arg === 'on') ctx.out('Models trained before stay as they are; models are readable only on an installation with this key.');
    },
  },
];
