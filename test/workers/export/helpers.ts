/** Trains small real models on the fixtures for the export tests, and reads their test split back. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContext } from '../../../workers/protocol.js';
import { trainInputSchema, trainModel, type TrainInputRaw, type TrainResult } from '../../../workers/trainer/index.js';
import { prepare } from '../../../workers/trainer/prepare.js';

export const fixture = (name: string) => join(import.meta.dirname, '../../fixtures', name);

export function tempDir(prefix = 'export-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A trained model and the raw rows of its untouched test split. */
export interface Trained {
  result: TrainResult;
  header: string[];
  testRows: string[][];
}

/** Trains with the tabular trainer (seeded, few epochs) and returns the test split the trainer held out. */
export async function trainSmall(input: TrainInputRaw): Promise<Trained> {
  const raw: TrainInputRaw = { seed: 7, epochs: 4, ...input };
  const result = await trainModel(trainInputSchema.parse(raw), makeContext({ dataDir: tempDir('export-train-') }));
  // The split is seeded: preparing the same input again yields the same test rows.
  const data = await prepare(trainInputSchema.parse(raw));
  return { result, header: data.header, testRows: data.test.rows };
}
