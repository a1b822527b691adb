import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeContext } from '../../../workers/protocol.js';
import { trainImages } from '../../../workers/image/engine.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');

describe('train.image on the Fashion-MNIST fixture (400 train / 100 test pictures, seed 7)', () => {
  it('the CNN beats the linear baseline clearly, and the same seed on the same backend gives the same run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'image-'));
    const input = { source: fixture, epochs: 6, seed: 7, backend: 'wasm' as const, runId: 'a' };
    const ctx = makeContext({ dataDir });
    const t0 = Date.now();
    const result = await trainImages(input, ctx);
    (await import('node:fs')).writeFileSync('/tmp/img/run.json', JSON.stringify({ s: (Date.now() - t0) / 1000, summary: result.summary, h: result.hyperparameters, e: result.epochs }));
    expect(result.kind).toBe('image');
    expect(result.rows).toEqual({ train: 340, validation: 60, test: 100 });
    expect(result.summary.network).toBeGreaterThan(result.summary.linear + 0.03);
    await verifyArtifact(result.artifactDir);
  });
});
