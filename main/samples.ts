/**
 * The example datasets shipped in samples/ (with their licences, see samples/README.md), for the
 * "Start here" path: a newcomer can import one and try every step offline. In a packaged app the
 * folder is unpacked next to the asar, so the import worker reads a real file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from './locate.js';

const sampleSchema = z.object({
  file: z.string().regex(/^[a-z0-9-]+\.csv$/),
  title: z.string(),
  question: z.string(),
  target: z.string(),
  task: z.string(),
  rows: z.number().int(),
  licence: z.string(),
  source: z.string(),
});

/** One shipped example: what it is, the question it answers, its outcome column, licence and source. */
export type SampleInfo = z.infer<typeof sampleSchema>;

/** The samples folder (inside app.asar.unpacked when packaged). */
export const samplesDir = (): string => join(packageRoot(), 'samples').replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');

/** The shipped examples with their absolute paths; empty when the build has none. */
export function listSamples(): Array<SampleInfo & { path: string }> {
  const index = join(samplesDir(), 'samples.json');
  if (!existsSync(index)) return [];
  const parsed = z.object({ samples: z.array(sampleSchema) }).parse(JSON.parse(readFileSync(index, 'utf8')));
  return parsed.samples.map((s) => ({ ...s, path: join(samplesDir(), s.file) })).filter((s) => existsSync(s.path));
}
