/**
 * Crafted bundles a tester sent: `info` fields of the wrong type (before: "Too few parameter
 * values were provided" and an unregistered models/imported-* folder), `testMetrics` as a string
 * (before: imported, then `evaluate` failed with a raw zod array), an extra file
 * `deep/nested/dir/evil.sh` (before: unpacked), and a project name that climbs out of the export
 * folder (before: accepted, and `models export` wrote outside it). Each is refused before
 * anything is unpacked, and nothing is left behind.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_MAGIC, bundleFileName, nameProblem, readBundle, readManifest, writeBundle, type BundleVersionInfo } from '../../../workers/evaluate/bundle.js';
import { binaryArtifact, tempDir } from './helpers.js';

const INFO: BundleVersionInfo = {
  project: 'churn',
  question: 'Who leaves?',
  version: 3,
  task: 'binary',
  target: 'y',
  backend: 'cpu',
  datasetSha256: 'a'.repeat(64),
  hyperparameters: {},
  testMetrics: { accuracy: 0.8 },
  baselines: {},
  description: '',
  stage: 'production',
  createdAt: 1,
  run: {},
};

type Manifest = { info: Record<string, unknown>; files: Array<{ path: string; type: string; size: number; sha256: string }> };

/** A real bundle whose manifest `edit` changes; `extra` appends a file to the payload and the manifest. */
async function crafted(edit: (m: Manifest) => void, extra?: { path: string; bytes: Buffer }): Promise<{ dir: string; bundle: string }> {
  const dir = tempDir();
  const bundle = join(dir, 'crafted.pilotmodel');
  await writeBundle(await binaryArtifact(dir), INFO, bundle);
  const { manifest, dataOffset } = await readManifest(bundle);
  let payload = readFileSync(bundle).subarray(dataOffset);
  const m = manifest as unknown as Manifest;
  if (extra) {
    m.files.push({ path: extra.path, type: 'file', size: extra.bytes.length, sha256: createHash('sha256').update(extra.bytes).digest('hex') });
    payload = Buffer.concat([payload, extra.bytes]);
  }
  edit(m);
  writeFileSync(bundle, Buffer.concat([Buffer.from(`${BUNDLE_MAGIC}${JSON.stringify(m)}\n`), payload]));
  return { dir, bundle };
}

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('imported'));

describe('hostile bundles', () => {
  const cases: Array<[string, (m: Manifest) => void, RegExp]> = [
    ['an object where the question belongs', (m) => void (m.info.question = { $gt: '' }), /info\.question/],
    ['a string as testMetrics', (m) => void (m.info.testMetrics = 'accuracy=0.99'), /info\.testMetrics/],
    ['a string as the headline accuracy', (m) => void (m.info.testMetrics = { accuracy: '0.99' }), /info\.testMetrics\.accuracy/],
    ['a project name that climbs out of the export folder', (m) => void (m.info.project = '../../../../elsewhere/ESCAPED-PROJECT'), /info\.project: the name contains a slash/],
    ['a project name with control characters', (m) => void (m.info.project = 'ok\u001b[2Jname'), /control characters/],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses ${what}, leaving nothing behind`, async () => {
      const { dir, bundle } = await crafted(edit);
      await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(message);
      expect(leftovers(dir)).toEqual([]);
    });
  }

  it('refuses a file that is not one of the model files, before unpacking anything', async () => {
    const { dir, bundle } = await crafted(() => {}, { path: 'deep/nested/dir/evil.sh', bytes: Buffer.from('#!/bin/sh\necho pwned\n') });
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/carries "deep\/nested\/dir\/evil\.sh", which is not one of a model's files/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('names export files from a slug of the project name', () => {
    expect(bundleFileName('../../../../elsewhere/ESCAPED-PROJECT', 2)).toBe('elsewhere-ESCAPED-PROJECT-v2.pilotmodel');
    expect(bundleFileName('Churn 2025 / Q1', 1)).toBe('Churn-2025-Q1-v1.pilotmodel');
    expect(bundleFileName('...', 1)).toBe('model-v1.pilotmodel');
    expect(nameProblem('claims-fraud')).toBeNull();
    expect(nameProblem('..')).toMatch(/\.\./);
  });
});
