/** Channels about the app itself, its jobs and its settings. */
import { z } from 'zod';
import type { AnyJob, JobOf } from './jobs.js';
import { channel } from './define.js';
import { driftWatchSettingSchema } from './drift.js';

/** Facts about the running workbench, for the UI's header and About box. */
export interface AppInfo {
  name: string;
  version: string;
  /** `desktop` in the Electron window, `serve` in a browser. */
  mode: 'desktop' | 'serve';
  dataDir: string;
  databasePath: string;
  platform: NodeJS.Platform;
  arch: string;
  nodeVersion: string;
  electronVersion: string | null;
}

/** Settings a user may change, each with its schema. Unknown keys are refused. */
export const settingSchemas = {
  /** How many CPU jobs run at once. */
  'jobs.cpuSlots': z.number().int().min(1).max(64),
  /** The UI's colour scheme. */
  'ui.theme': z.enum(['system', 'light', 'dark']),
  /** The drift watch folder and the version new files are checked against (followed while the app runs). */
  'drift.watch': driftWatchSettingSchema,
  /** Folders with the CUDA 11 libraries tfjs-node-gpu needs (set by `gpu:libraries`): every worker starts with them on the library path. */
  'gpu.libraryDirs': z.array(z.string().min(1).max(4096)).max(16),
} as const;
export type SettingKey = keyof typeof settingSchemas;

const jobId = z.number({ error: 'Give a job id (a number).' }).int().positive();

export const appChannels = {
  'app:info': channel<AppInfo>()(z.object({}).strict(), 'Version, data directory and mode of the running workbench.'),
  'jobs:list': channel<AnyJob[]>()(
    z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    'Recent jobs, newest first.',
  ),
  'jobs:get': channel<AnyJob>()(z.object({ id: jobId }).strict(), 'One job with its progress, result or error.'),
  'jobs:cancel': channel<AnyJob>()(z.object({ id: jobId }).strict(), 'Asks a queued or running job to stop.'),
  'jobs:selftest': channel<JobOf<'test.sleep'>>()(
    z
      .object({
        steps: z.number().int().min(1).max(1000).default(10),
        stepMs: z.number().int().min(0).max(10_000).default(200),
        /** Run it as a GPU job: it waits for and takes the machine-wide GPU lock. */
        gpu: z.boolean().default(false),
      })
      .strict(),
    'Runs a short diagnostic job in a worker process: shows that jobs, progress and cancel work on this machine.',
  ),
  'settings:get': channel<Record<string, unknown>>()(z.object({}).strict(), 'All settings with their current values.'),
  'settings:set': channel<Record<string, unknown>>()(
    z.object({ key: z.enum(Object.keys(settingSchemas) as [SettingKey, ...SettingKey[]]), value: z.unknown() }).strict(),
    'Changes one setting; returns all settings.',
  ),
};
