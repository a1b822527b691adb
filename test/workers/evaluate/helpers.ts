/** A model artifact made by hand (known weights), so every prediction can be computed in the test. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeArtifact } from '../../../workers/trainer/artifact.js';
import type { Preprocessing } from '../../../workers/trainer/preprocess.js';
import type { TargetSpec } from '../../../workers/trainer/task.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'evaluate-'));
}

export function writeCsv(dir: string, name: string, header: string[], rows: Array<Array<string | number>>): string {
  const path = join(dir, name);
  writeFileSync(path, `${[header.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`);
  return path;
}

/**
 * Binary model: logit = 2·x + 1·[color=red] − 1·[color=blue] + 0·[other] − 0.5, P(yes) = σ(logit).
 * `x` is scaled with mean 0, std 1 (median 0 for blanks).
 */
export const BINARY = { w: [2, 1, -1, 0], b: -0.5 };

export async function binaryArtifact(dir: string): Promise<string> {
  await tf.setBackend('cpu');
  const preprocessing: Preprocessing = {
    version: 1,
    features: [
      { column: 'x', kind: 'numeric', scaler: { median: 0, mean: 0, std: 1 } },
      { column: 'color', kind: 'categorical', levels: ['red', 'blue'], other: true },
    ],
    inputs: ['x', 'color=red', 'color=blue', 'color=(other)'],
  };
  const target: TargetSpec = { column: 'y', task: 'binary', classes: ['no', 'yes'] };
  const artifactDir = join(dir, 'model');
  await writeArtifact(tf, artifactDir, { inputs: 4, hidden: [], outputs: 1, dropout: 0 }, [Float32Array.from(BINARY.w), Float32Array.from([BINARY.b])], { preprocessing, target }, { runId: 'hand' });
  return artifactDir;
}

/** Regression model: prediction = (1.5·(x − 2)/2 + 0.5)·4 + 10. */
export async function regressionArtifact(dir: string): Promise<string> {
  await tf.setBackend('cpu');
  const preprocessing: Preprocessing = { version: 1, features: [{ column: 'x', kind: 'numeric', scaler: { median: 2, mean: 2, std: 2 } }], inputs: ['x'] };
  const target: TargetSpec = { column: 'y', task: 'regression', mean: 10, std: 4 };
  const artifactDir = join(dir, 'model');
  await writeArtifact(tf, artifactDir, { inputs: 1, hidden: [], outputs: 1, dropout: 0 }, [Float32Array.from([1.5]), Float32Array.from([0.5])], { preprocessing, target }, { runId: 'hand' });
  return artifactDir;
}

/** Multiclass model: logits = x·[−1, 0, 1] (+0), softmax over classes a, b, c: a for x < 0, c for x > 0. */
export async function multiclassArtifact(dir: string): Promise<string> {
  await tf.setBackend('cpu');
  const preprocessing: Preprocessing = { version: 1, features: [{ column: 'x', kind: 'numeric', scaler: { median: 0, mean: 0, std: 1 } }], inputs: ['x'] };
  const target: TargetSpec = { column: 'y', task: 'multiclass', classes: ['a', 'b', 'c'] };
  const artifactDir = join(dir, 'model');
  await writeArtifact(tf, artifactDir, { inputs: 1, hidden: [], outputs: 3, dropout: 0 }, [Float32Array.from([-1, 0, 1]), new Float32Array(3)], { preprocessing, target }, { runId: 'hand' });
  return artifactDir;
}
