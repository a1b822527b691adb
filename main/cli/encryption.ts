/**
 * `pilot models encryption [on|off] [--existing]`: encryption at rest of models' weights with this
 * installation's key. Without `--existing` only models written from now on follow the setting
 * (trained, resumed or imported); with it, every registered version is encrypted or decrypted too,
 * one at a time and atomically (main/api/at-rest.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listVersions } from '../../db/registry.js';
import { getSetting, setSetting } from '../../db/settings.js';
import { createKeyFile, isEncrypted, KEY_FILE, keychainOnlyMessage, loadKeyFile, WRAPPED_KEY_FILE } from '../../workers/trainer/encryption.js';
import { recryptExisting, type RecryptedVersion } from '../api/at-rest.js';
import type { App } from '../app-types.js';
import type { Command } from './command.js';
import { CliError, UsageError } from './command.js';

/** The setting the trainer's job input follows (`encryptArtifacts`). */
export const ENCRYPT_SETTING = 'models.encryptAtRest';

/** How many registered versions have their weights encrypted, in the clear, or unreadable (folder gone). */
function census(app: App): { encrypted: number; clear: number; missing: number } {
  const counts = { encrypted: 0, clear: 0, missing: 0 };
  for (const version of listVersions(app.store.read)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(version.artifactDir, 'weights.bin'));
    } catch {
      counts.missing++;
      continue;
    }
    counts[isEncrypted(bytes) ? 'encrypted' : 'clear']++;
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const encryptionCommands: Command[] = [
  {
    name: 'models encryption',
    usage: '[on|off] [--existing] [--json]',
    summary:
      "Encrypt the weights of models written from now on (AES-256-GCM) with this installation's key, kept in the data folder with owner-only permissions; --existing also encrypts (on) or decrypts (off) every registered version, each atomically and checked. Without an argument, say whether it is on and how many versions are encrypted.",
    args: { min: 0, max: 1 },
    options: { existing: { type: 'boolean' } },
    async run(ctx) {
      const arg = ctx.args[0];
      if (arg !== undefined && arg !== 'on' && arg !== 'off') throw new UsageError(`Say "on" or "off" (got "${arg}").`);
      const existing = ctx.flags.existing === true;
      if (existing && arg === undefined) throw new UsageError('--existing goes with "on" (encrypt every registered version) or "off" (decrypt them).');
      // The key is in the desktop's keychain only: a second key made here would split the models in two.
      if (existsSync(join(ctx.dataDir, WRAPPED_KEY_FILE)) && !existsSync(join(ctx.dataDir, KEY_FILE))) throw new CliError(keychainOnlyMessage(ctx.dataDir));
      const app = ctx.app();
      let created = false;
      if (arg === 'on') created = (await createKeyFile(ctx.dataDir)).created;
      if (arg !== undefined) setSetting(app.store.write, ENCRYPT_SETTING, arg === 'on', Date.now());
      const recrypted: RecryptedVersion[] | null = existing ? await recryptExisting(app, arg === 'on') : null;
      const on = getSetting<boolean>(app.store.read, ENCRYPT_SETTING) === true;
      const key = await loadKeyFile(ctx.dataDir);
      const keyFile = join(ctx.dataDir, KEY_FILE);
      const versions = census(app);
      const failed = recrypted?.filter((v) => v.status === 'failed') ?? [];
      const refuse = () => {
        if (failed.length) throw new CliError(`${plural(failed.length, 'version')} could not be ${arg === 'on' ? 'encrypted' : 'decrypted'} and ${failed.length === 1 ? 'was' : 'were'} left as ${failed.length === 1 ? 'it was' : 'they were'}; fix what is said above and run the command again (versions already done are skipped).`);
      };
      if (ctx.json) {
        ctx.out(JSON.stringify({ on, keyFile: key ? keyFile : null, keyFingerprint: key?.fingerprint ?? null, created, versions, recrypted }, null, 2));
        return refuse();
      }
      ctx.out(`Encryption of models at rest: ${on ? 'on' : 'off'}.`);
      if (key) ctx.out(`Key ${key.fingerprint} in ${keyFile}${created ? ' (created now: back it up; models encrypted with it cannot be read without it)' : ''}.`);
      if (recrypted) {
        const count = (status: RecryptedVersion['status']) => recrypted.filter((v) => v.status === status).length;
        ctx.out(`Registered versions: ${count(on ? 'encrypted' : 'decrypted')} ${on ? 'encrypted' : 'decrypted'} now, ${count('unchanged')} already ${on ? 'encrypted' : 'in the clear'}, ${failed.length} failed.`);
        for (const v of failed) ctx.err(`${v.project}@${v.version} (id ${v.id}) was left as it was: ${v.message}`);
      }
      ctx.out(`Registered versions: ${versions.encrypted} encrypted, ${versions.clear} in the clear${versions.missing ? `, ${versions.missing} whose model folder is missing` : ''}.`);
      if (arg === 'on' && !existing && versions.clear > 0) {
        ctx.out(`The ${plural(versions.clear, 'version')} in the clear stay as they are; run \`pilot models encryption on --existing\` to encrypt them. Encrypted models are readable only on an installation with this key.`);
      }
      if (arg === 'off' && !existing && versions.encrypted > 0) {
        ctx.out(`The ${plural(versions.encrypted, 'encrypted version')} stay encrypted and readable with this key (keep ${keyFile}); run \`pilot models encryption off --existing\` to decrypt them.`);
      }
      refuse();
    },
  },
];
