/**
 * The TensorFlow.js export is loadable by `tf.loadLayersModel`, as the README says: the README's
 * Node example is run as written in an export folder, and the whole test split goes through
 * `tf.loadLayersModel` + preprocessing.onnx.json's scaling, compared with the workbench's predictions.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exportTfjs } from '../../../workers/export/index.js';
import { encodeRows, type OnnxPreprocessing } from '../../../workers/export/onnx/instructions.js';
import { TFJS_NODE_EXAMPLE } from '../../../workers/export/readmes.js';
import { predictRows } from '../../../workers/trainer/index.js';
import { fixture, tempDir, trainSmall } from './helpers.js';

const root = join(import.meta.dirname, '../../..');

describe('TensorFlow.js export', () => {
  it('loads with tf.loadLayersModel; the README example runs as written; outputs match the workbench', async () => {
    const { result, header, testRows } = await trainSmall({ file: fixture('pima.csv'), target: 'Outcome' });
    const out = join(tempDir(), 'pima-tfjs');
    await exportTfjs(result.artifactDir, out, { project: 'pima', version: 1, producerVersion: 'test' });
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain(TFJS_NODE_EXAMPLE);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(TFJS_NODE_EXAMPLE);

    // The example, run by Node in the export folder (its node_modules linked to this checkout's).
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', TFJS_NODE_EXAMPLE], { cwd: out, encoding: 'utf8' });
    const example = JSON.parse(printed.trim().split('\n').at(-1)!) as number[];
    // Its row is all missing: the workbench imputes every column's training median the same way.
    const { predictions: blank } = await predictRows(result.artifactDir, header, [header.map(() => '')]);
    expect(example).toHaveLength(1);
    expect(Math.abs(example[0]! - blank[0]!.probabilities!['1']!)).toBeLessThanOrEqual(1e-5);

    // The whole test split, the same way in this process.
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const bin = readFileSync(join(out, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }),
    );
    const spec = JSON.parse(readFileSync(join(out, 'preprocessing.onnx.json'), 'utf8')) as OnnxPreprocessing;
    const raw = encodeRows(spec, header, testRows);
    const { medians, means, stds } = spec.scaling;
    const d = spec.input.width;
    const x = Float32Array.from(raw, (v, i) => ((Number.isFinite(v) ? v : medians[i % d]!) - means[i % d]!) / stds[i % d]!);
    const output = (model.predict(tf.tensor2d(x, [testRows.length, d])) as tf.Tensor).dataSync();
    const { predictions } = await predictRows(result.artifactDir, header, testRows);
    let diff = 0;
    predictions.forEach((p, i) => (diff = Math.max(diff, Math.abs(output[i]! - p.probabilities!['1']!))));
    expect(diff).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });
});
