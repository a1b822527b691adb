/** The single-file bundle: round trip, and every way a bad bundle is refused with nothing left behind. */
import { existsSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_MAGIC, readBundle, readManifest, safeEntryPath, writeBundle, type BundleVersionInfo } from '../../../workers/evaluate/bundle.js';
import { inverseNormal } from '../../../workers/evaluate/intervals.js';
import { binaryArtifact, tempDir } from './helpers.js';

const INFO: BundleVersionInfo = {
  project: 'churn',
  question: 'Who leaves?',
  version: 3,
  task: 'binary',
  target: 'y',
  backend: 'cpu',
  datasetSha256: 'a'.repeat(64),
  hyperparameters: { hiddenLayers: [] },
  testMetrics: { accuracy: 0.8 },
  baselines: {},
  description: '',
  stage: 'production',
  createdAt: 1,
  run: { fairness: [] },
};

async function exported() {
  const dir = tempDir();
  const artifactDir = await binaryArtifact(dir);
  const bundle = join(dir, 'churn-v3.pilotmodel');
  const written = await writeBundle(artifactDir, INFO, bundle);
  return { dir, artifactDir, bundle, written };
}

/** Rewrites a bundle with its manifest changed by `edit` (payload bytes kept). */
async function withManifest(bundle: string, edit: (m: { files: Array<{ path: string; type: string; size: number; sha256: string }> }) => void): Promise<void> {
  const { manifest, dataOffset } = await readManifest(bundle);
  const payload = readFileSync(bundle).subarray(dataOffset);
  edit(manifest as never);
  writeFileSync(bundle, Buffer.concat([Buffer.from(`${BUNDLE_MAGIC}${JSON.stringify(manifest)}\n`), payload]));
}

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('imported'));

describe('model bundles', () => {
  it('round-trips: every file byte-identical, metadata intact, checksums verified', async () => {
    const { dir, artifactDir, bundle, written } = await exported();
    expect(readFileSync(bundle).subarray(0, BUNDLE_MAGIC.length).toString()).toBe(BUNDLE_MAGIC);
    expect(written.files.map((f) => f.path)).toEqual(['model.json', 'weights.bin', 'preprocessing.json', 'metadata.json', 'checksums.json']);
    const { manifest, artifactDir: out } = await readBundle(bundle, join(dir, 'imported'));
    expect(manifest.info).toEqual({ kind: 'tabular', ...INFO });
    for (const f of written.files) expect(readFileSync(join(out, f.path)).equals(readFileSync(join(artifactDir, f.path)))).toBe(true);
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/already exists; importing never overwrites/);
    await expect(writeBundle(artifactDir, INFO, bundle)).rejects.toThrow(/already exists; exporting never overwrites/);
  });

  it('refuses a tampered file (one byte changed) and leaves nothing behind', async () => {
    const { dir, bundle } = await exported();
    const bytes = readFileSync(bundle);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff; // inside checksums.json, the last file
    writeFileSync(bundle, bytes);
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/checksums.json in .* does not match its SHA-256: the bundle was damaged or tampered with/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a tampered model whose manifest was recomputed to match (the artifact checksums catch it)', async () => {
    const { dir, bundle } = await exported();
    const { manifest, dataOffset } = await readManifest(bundle);
    const payload = Buffer.from(readFileSync(bundle).subarray(dataOffset));
    const weights = manifest.files[0]!.size; // weights.bin starts after model.json
    payload[weights] = payload[weights]! ^ 0x01;
    const { createHash } = await import('node:crypto');
    manifest.files[1]!.sha256 = createHash('sha256').update(payload.subarray(weights, weights + manifest.files[1]!.size)).digest('hex');
    writeFileSync(bundle, Buffer.concat([Buffer.from(`${BUNDLE_MAGIC}${JSON.stringify(manifest)}\n`), payload]));
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/weights.bin .* does not match its checksum/);
    expect(leftovers(dir)).toEqual([]);
  });

  it.each([
    ['../evil', /leaves the target folder/],
    ['models/../../evil', /leaves the target folder/],
    ['/etc/passwd', /absolute path/],
    ['C:/evil', /absolute path/],
    ['..\\evil', /backslash/],
  ])('refuses the path %s before writing anything', async (path, message) => {
    const { dir, bundle } = await exported();
    await withManifest(bundle, (m) => {
      m.files[0]!.path = path;
    });
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(message);
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses links, duplicates, truncation, extra bytes and files that are not bundles', async () => {
    const { dir, bundle } = await exported();
    const original = readFileSync(bundle);
    await withManifest(bundle, (m) => {
      m.files[0]!.type = 'symlink';
    });
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/is a symlink, not a plain file: links are refused/);
    writeFileSync(bundle, original);
    await withManifest(bundle, (m) => {
      m.files[1]!.path = m.files[0]!.path;
    });
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/lists "model.json" twice/);
    writeFileSync(bundle, original.subarray(0, original.length - 10));
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/is truncated/);
    writeFileSync(bundle, Buffer.concat([original, Buffer.from('extra')]));
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/5 bytes more than its manifest lists/);
    writeFileSync(bundle, 'x,y\n1,2\n');
    await expect(readBundle(bundle, join(dir, 'imported'))).rejects.toThrow(/is not a Pilot Workbench model bundle/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses to export a model folder holding a symbolic link', async () => {
    const dir = tempDir();
    const artifactDir = await binaryArtifact(dir);
    renameSync(join(artifactDir, 'weights.bin'), join(dir, 'weights-elsewhere.bin'));
    symlinkSync(join(dir, 'weights-elsewhere.bin'), join(artifactDir, 'weights.bin'));
    await expect(writeBundle(artifactDir, INFO, join(dir, 'out.pilotmodel'))).rejects.toThrow(/weights.bin is not a plain file \(a link or a folder\)/);
    expect(existsSync(join(dir, 'out.pilotmodel'))).toBe(false);
  });

  it('checks entry paths on their own', () => {
    expect(safeEntryPath('/tmp/t', 'a/b.json')).toBe('/tmp/t/a/b.json');
    expect(() => safeEntryPath('/tmp/t', 'a/./b')).toThrow(/leaves the target/);
    expect(() => safeEntryPath('/tmp/t', '')).toThrow(/empty or invalid/);
  });

  it('uses an exact normal quantile for intervals', () => {
    expect(inverseNormal(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(inverseNormal(0.995)).toBeCloseTo(2.5758293035489, 8);
    expect(inverseNormal(0.01)).toBeCloseTo(-2.326347874040841, 8);
  });
});
