/** Channels of the Hardware capability: profile this machine (a job), import other machines' profiles, compare them. */
import { z } from 'zod';
import type { HardwareProfileRecord, HardwareProfileSummary } from '../../db/hardware.js';
import type { JobOf } from './jobs.js';
import type { ProfileChange } from '../../workers/profiler/diff.js';
import type { HardwareReport } from '../../workers/profiler/types.js';
import { channel } from './define.js';

/** What the `hardware.profile` job stores as its result: the report and the id of its stored profile. */
export type HardwareOutcome = HardwareReport & { profileId: number };

/** The result of an import: the stored row and whether it was new (the same export imported twice is kept once). */
export interface HardwareImported {
  profile: HardwareProfileSummary;
  created: boolean;
}

/** What changed between two profiles, oldest first. */
export interface HardwareDiff {
  from: HardwareProfileSummary;
  to: HardwareProfileSummary;
  changes: ProfileChange[];
}

const profileId = z.number({ error: 'Give a hardware profile id (a number).' }).int().positive();

export const hardwareChannels = {
  'hardware:profile': channel<JobOf<'hardware.profile'>>()(
    z.object({ mode: z.enum(['none', 'quick', 'full'], { error: 'mode is "none", "quick" or "full".' }).default('quick') }).strict(),
    'Queues a hardware profile of this machine: profile and stack diagnosis, plus the quick (≤ 20 s) or full benchmark. The job result is the stored profile.',
  ),
  'hardware:list': channel<HardwareProfileSummary[]>()(
    z.object({ machineId: z.string().min(1).optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    'Stored profiles (this machine and imported ones), newest first.',
  ),
  'hardware:fleet': channel<HardwareProfileRecord[]>()(z.object({}).strict(), 'The newest profile of every machine, with full reports: the fleet comparison.'),
  'hardware:get': channel<HardwareProfileRecord>()(z.object({ id: profileId }).strict(), 'One stored profile with its full report.'),
  'hardware:import': channel<HardwareImported>()(
    z
      .object({
        /** A profile file on this machine (CLI, desktop dialog). */
        path: z.string().trim().min(1).max(4096).optional(),
        /** Or the file's text (serve mode uploads, drag and drop). */
        text: z.string().min(2).max(20_000_000).optional(),
        /** Shown in messages and kept as `importedFrom` with `text`. */
        name: z.string().max(4096).optional(),
      })
      .strict()
      .refine((input) => (input.path === undefined) !== (input.text === undefined), 'Give either the path of a profile JSON file or its text.'),
    'Imports a profile exported on another machine (`pilot hardware --json > host.json` there).',
  ),
  'hardware:diff': channel<HardwareDiff>()(
    z.object({ fromId: profileId, toId: profileId }).strict(),
    'What changed between two stored profiles: driver, free disk, RAM, backends, measured speeds, verdicts.',
  ),
  'hardware:html': channel<{ html: string }>()(
    z.object({ ids: z.array(profileId).min(1, 'Give at least one profile id.').max(50) }).strict(),
    'A self-contained printable HTML report of one profile, or a fleet comparison of several.',
  ),
  'hardware:delete': channel<{ deleted: boolean }>()(z.object({ id: profileId }).strict(), 'Forgets a stored profile.'),
};
