/**
 * Importing a profile exported on another machine (`pilot hardware --json > host.json` there).
 * The required core of the shape is checked; extra fields (from a newer minor change) are kept.
 * A file that is not a profile, or one from a newer schema version, is refused with a message
 * that says what to do.
 */
import { z } from 'zod';
import { UserInputError } from '../protocol.js';
import { HARDWARE_SCHEMA_VERSION, type HardwareReport } from './types.js';

const nullableNumber = z.number().nullable();

/** The fields every consumer relies on (README's documented shape); the rest passes through. */
export const hardwareReportSchema = z.looseObject({
  schemaVersion: z.number().int().positive(),
  machineId: z.string().min(1),
  hostname: z.string(),
  createdAt: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date'),
  os: z.looseObject({ platform: z.string(), arch: z.string(), node: z.string() }),
  cpu: z.looseObject({ model: z.string(), physicalCores: z.number(), logicalCores: z.number(), flags: z.array(z.string()) }),
  memory: z.looseObject({ totalBytes: z.number(), availableBytes: z.number() }),
  gpus: z.array(
    z.looseObject({
      vendor: z.string(),
      model: z.string(),
      vramBytes: nullableNumber,
      driver: z.string().nullable(),
      cudaVersion: z.string().nullable(),
      computeCapability: z.string().nullable(),
    }),
  ),
  disk: z.looseObject({ path: z.string(), type: z.string(), freeBytes: nullableNumber }),
  backends: z.array(z.looseObject({ name: z.string(), available: z.boolean(), reason: z.string() })),
  benchmarks: z.looseObject({
    matmulGflops: z.record(z.string(), z.number()),
    memoryGBps: nullableNumber,
    diskReadMBps: nullableNumber,
    diskWriteMBps: nullableNumber,
    trainSamplesPerSec: z.record(z.string(), z.number()),
  }),
  verdicts: z.array(
    z.looseObject({
      template: z.string(),
      level: z.enum(['green', 'amber', 'red']),
      reasons: z.array(z.string()),
      estimatedMinutes: nullableNumber,
      recommendations: z.array(z.looseObject({ text: z.string() })),
    }),
  ),
});

/** Parses and validates an exported profile; throws `UserInputError` saying what is wrong. */
export function parseProfileJson(text: string, source = 'the file'): HardwareReport {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/u, ''));
  } catch (error) {
    // V8's message quotes the start of the text ("root:*:…" is not valid JSON): only the position
    // is kept, so an error never shows a file's contents.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw new UserInputError(
      `${source} is not JSON${position === undefined ? '' : ` (the syntax breaks at character ${position})`}; export a profile with \`pilot hardware --json > host.json\` and import that file.`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('schemaVersion' in data) || !('machineId' in data)) {
    throw new UserInputError(`${source} is not a hardware profile (no schemaVersion/machineId); export one with \`pilot hardware --json > host.json\`.`);
  }
  const version = (data as { schemaVersion: unknown }).schemaVersion;
  if (typeof version === 'number' && version > HARDWARE_SCHEMA_VERSION) {
    throw new UserInputError(
      `${source} is a profile of schema version ${version}, newer than this app understands (${HARDWARE_SCHEMA_VERSION}); update Pilot Workbench to import it.`,
    );
  }
  const parsed = hardwareReportSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UserInputError(`${source} is not a valid hardware profile (${issues.join('; ')}); export it again with \`pilot hardware --json\`.`);
  }
  return parsed.data as unknown as HardwareReport;
}
