/**
 * Where the workbench keeps its data. The desktop app uses Electron's `userData` folder; the CLI
 * and serve mode compute the same folder so that all three see the same database.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'Pilot Workbench';

/** Electron's `userData` for an app named "Pilot Workbench", on each OS. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
}

/** `--data-dir` wins, then `PILOT_HOME`, then the per-OS default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.PILOT_HOME) return resolve(env.PILOT_HOME);
  return defaultDataDir();
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'workbench.db');
}
