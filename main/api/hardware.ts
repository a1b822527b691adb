/** Handlers of the Hardware capability: profiling is a job whose result is stored; imports, history, diffs and reports read the store. */
import type { hardwareChannels } from '../contract/hardware.js';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  deleteHardwareProfile,
  getHardwareProfile,
  insertHardwareProfile,
  latestProfilePerMachine,
  listHardwareProfiles,
  type HardwareProfileRecord,
} from '../../db/hardware.js';
import type { Store } from '../../db/store.js';
import { diffProfiles } from '../../workers/profiler/diff.js';
import { renderHardwareHtml } from '../../workers/profiler/html.js';
import { parseProfileJson } from '../../workers/profiler/profile-json.js';
import type { HardwareReport } from '../../workers/profiler/types.js';
import type { App } from '../app-types.js';
import { AppError, notFound } from '../errors.js';
import type { HardwareOutcome } from '../contract/hardware.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import type { HandlersOf } from './types.js';

/** The stored result of a `hardware.profile` job: the report and the id of its `hardware_profiles` row. */

export function defineHardwareJobs(jobs: JobSupervisor, store: Store): void {
  // 'gpu': the benchmarks would measure a GPU that a training job is using, and slow it down.
  jobs.define('hardware.profile', {
    resource: 'gpu',
    onResult(report, job): HardwareOutcome {
      const { record } = insertHardwareProfile(store.write, { report, source: 'local', jobId: job.id });
      return { ...report, profileId: record.id };
    },
  });
}

function requireProfile(app: App, id: number): HardwareProfileRecord {
  const record = getHardwareProfile(app.store.read, id);
  if (!record) throw notFound(`Hardware profile ${id}`, 'List profiles with `pilot hardware history` to see their ids.');
  return record;
}

/** Reads and validates a profile export; errors say what is wrong with the file and what to do. */
async function readProfile(input: { path?: string | undefined; text?: string | undefined; name?: string | undefined }): Promise<{ report: HardwareReport; from: string }> {
  if (input.path !== undefined) {
    const path = resolve(input.path);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new AppError('invalid-input', `Cannot read ${path} (${error.code ?? error.message}). Give the path of a profile exported with \`pilot hardware --json > host.json\`.`);
    });
    return { report: parseOrExplain(text, basename(path)), from: path };
  }
  const name = input.name ?? 'the uploaded file';
  return { report: parseOrExplain(input.text ?? '', name), from: name };
}

function parseOrExplain(text: string, name: string): HardwareReport {
  try {
    return parseProfileJson(text, name);
  } catch (error) {
    throw new AppError('invalid-input', error instanceof Error ? error.message : String(error));
  }
}

export const hardwareHandlers: HandlersOf<typeof hardwareChannels> = {
  'hardware:profile': (input, app) =>
    app.jobs.submit({
      kind: 'hardware.profile',
      title: input.mode === 'none' ? 'Hardware profile' : `Hardware profile and ${input.mode} benchmark`,
      input: { mode: input.mode },
    }),
  'hardware:list': (input, app) => listHardwareProfiles(app.store.read, { ...(input.machineId ? { machineId: input.machineId } : {}), limit: input.limit }),
  'hardware:fleet': (_input, app) => latestProfilePerMachine(app.store.read),
  'hardware:get': (input, app) => requireProfile(app, input.id),
  'hardware:import': async (input, app) => {
    const { report, from } = await readProfile(input);
    const { record, created } = insertHardwareProfile(app.store.write, { report, source: 'imported', importedFrom: from });
    const { report: _report, ...profile } = record;
    return { profile, created };
  },
  'hardware:diff': (input, app) => {
    const from = requireProfile(app, input.fromId);
    const to = requireProfile(app, input.toId);
    const { report: fromReport, ...fromSummary } = from;
    const { report: toReport, ...toSummary } = to;
    return { from: fromSummary, to: toSummary, changes: diffProfiles(fromReport, toReport) };
  },
  'hardware:html': (input, app) => ({ html: renderHardwareHtml(input.ids.map((id) => requireProfile(app, id).report)) }),
  'hardware:delete': (input, app) => {
    requireProfile(app, input.id);
    return { deleted: deleteHardwareProfile(app.store.write, input.id) };
  },
};
