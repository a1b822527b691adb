/** `pilot models encryption on`, then `pilot train` and `pilot predict` as real processes: the setting reaches the trainer. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');

describe('pilot models encryption', () => {
  it('creates an owner-only key, and models trained afterwards are encrypted on disk and still predict', () => {
    const on = pilot(['models', 'encryption', 'on', '--json'], { dataDir });
    expect(on.code).toBe(0);
    const state = JSON.parse(on.stdout);
    expect(state).toMatchObject({ on: true, created: true, keyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(statSync(state.keyFile).mode & 0o777).toBe(0o600);

    const trained = pilot(['train', fixture('iris.csv'), '--target', 'species', '--epochs', '5', '--seed', '1', '--json'], { dataDir });
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(readFileSync(join(result.artifactDir, 'weights.bin')).subarray(0, 5).toString()).toBe('PWENC');
    const out = join(dir, 'predictions.csv');
    const predicted = pilot(['predict', String(result.modelVersionId), fixture('iris.csv'), '--out', out], { dataDir });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(151);

    expect(JSON.parse(pilot(['models', 'encryption', 'off', '--json'], { dataDir }).stdout).on).toBe(false);
  }, 120_000);
});
