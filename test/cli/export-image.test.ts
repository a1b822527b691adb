/**
 * `pilot models export VERSION FOLDER --format onnx` on image versions, as real processes: a
 * network trained from scratch and one on a graph-model backbone (the graph converted op by op).
 * The folder's model runs in ONNX Runtime on the pictures decoded as the workbench decodes them and
 * gives `pilot predict`'s probabilities (max abs difference ≤ 1e-4, the CSV having 6 decimals).
 */
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage, pixels } from '../../workers/image/decode.js';
import { writeGraphModel } from '../workers/export/graph-backbone.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir: dataDir, cleanup } = tempDir('pilot-export-image-');
afterAll(cleanup);

function folders() {
  const source = join(dataDir, 'pictures');
  const test = join(dataDir, 'test');
  for (const cls of ['bag', 'trouser']) {
    for (const f of readdirSync(fixture(`fashion-mnist-small/train/${cls}`)).sort().slice(0, 12)) cpSync(fixture(`fashion-mnist-small/train/${cls}/${f}`), join(source, cls, f));
    for (const f of readdirSync(fixture(`fashion-mnist-small/test/${cls}`)).sort().slice(0, 3)) cpSync(fixture(`fashion-mnist-small/test/${cls}/${f}`), join(test, cls, f));
  }
  return { source, test };
}

async function exportAndCompare(ref: string, test: string, name: string): Promise<number> {
  const out = join(dataDir, `${name}-onnx`);
  const exported = pilot(['models', 'export', ref, out, '--format', 'onnx', '--json'], { dataDir });
  expect(exported.code, exported.stderr).toBe(0);
  expect((JSON.parse(exported.stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(['model.onnx', 'preprocessing.onnx.json', 'README.md']);
  const csv = join(dataDir, `${name}.csv`);
  const predicted = pilot(['predict', ref, test, '--out', csv, '--json'], { dataDir });
  expect(predicted.code, predicted.stderr).toBe(0);
  const spec = JSON.parse(readFileSync(join(out, 'preprocessing.onnx.json'), 'utf8')) as { picture: { side: number; channels: 1 | 3 }; outputs: { classes: string[] } };
  const { side, channels } = spec.picture;
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const x = new Float32Array(rows.length * side * side * channels);
  for (const [i, row] of rows.entries()) x.set(await pixels(await loadImage(join(test, row[0]!)), side, side, channels), i * side * side * channels);
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  const outputs = await session.run({ pixels: new ort.Tensor('float32', x, [rows.length, side, side, channels]) });
  const probabilities = outputs.probabilities!.data as Float32Array;
  const k = spec.outputs.classes.length;
  let diff = 0;
  rows.forEach((row, i) => row.slice(3, 3 + k).forEach((p, c) => (diff = Math.max(diff, Math.abs(Number(p) - probabilities[i * k + c]!)))));
  expect(rows).toHaveLength(6);
  return diff;
}

describe('pilot models export --format onnx (image versions)', () => {
  it('exports a network trained from scratch and one on a graph-model backbone; both give pilot predict’s probabilities', async () => {
    const { source, test } = folders();
    const scratch = pilot(['train', source, '--kind', 'image', '--epochs', '1', '--project', 'garments', '--json'], { dataDir });
    expect(scratch.code, scratch.stderr).toBe(0);
    expect(await exportAndCompare('garments@1', test, 'scratch')).toBeLessThanOrEqual(1e-4);

    const graph = pilot(['train', source, '--kind', 'image', '--epochs', '1', '--project', 'garments', '--backbone', writeGraphModel(), '--json'], { dataDir });
    expect(graph.code, graph.stderr).toBe(0);
    expect((JSON.parse(graph.stdout) as { backbone: { format: string } }).backbone.format).toBe('graph-model');
    expect(await exportAndCompare('garments@2', test, 'graph')).toBeLessThanOrEqual(1e-4);
  }, 240_000);
});
