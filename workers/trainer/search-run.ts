/**
 * The search as a step of a resumable run: its report is saved next to the checkpoint, so a run
 * interrupted after the search resumes with the same chosen settings instead of searching again
 * (a second search could end at another trial when time runs differently).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Dataset } from './fit.js';
import { searchNetwork, type SearchOptions, type SearchOutcome } from './search.js';

export type { SearchReport, SearchTrial, SearchConfig } from './search.js';

const file = (runDir: string) => join(runDir, 'search.json');

/** Runs the search, or (resuming a run whose search had finished) reads its saved outcome. */
export async function searchOnce(
  tf: typeof tfjs,
  runDir: string,
  resume: { fingerprint: string; resuming: boolean },
  train: Dataset,
  validation: Dataset,
  options: SearchOptions,
): Promise<SearchOutcome> {
  if (resume.resuming) {
    const saved = await readFile(file(runDir), 'utf8').then((text) => JSON.parse(text) as SearchOutcome & { fingerprint: string }, () => null);
    if (saved?.fingerprint === resume.fingerprint) return { report: saved.report, seeds: saved.seeds };
  }
  const outcome = await searchNetwork(tf, train, validation, options);
  await mkdir(runDir, { recursive: true });
  await writeFile(`${file(runDir)}.tmp`, JSON.stringify({ ...outcome, fingerprint: resume.fingerprint }));
  await rename(`${file(runDir)}.tmp`, file(runDir));
  return outcome;
}

export async function removeSearch(runDir: string): Promise<void> {
  await rm(file(runDir), { force: true });
}
