/**
 * Trying an image version (`tryit.image`): a small CNN trained for real on three Fashion-MNIST
 * classes; a few pictures (and one broken file) scored by the try-it engine get `pilot predict`'s
 * rows (the predict job's engine on the same files, one picture at a time as `pilot predict
 * VERSION picture.png` does), their top classes in order, and a saliency map equal to the
 * |gradient × input| computed here independently with tf.grad on the saved model's own predict.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type * as tfjs from '@tensorflow/tfjs';
import { makeContext } from '../../../workers/protocol.js';
import { imageInputSchema } from '../../../workers/image/schema.js';
import { trainImages } from '../../../workers/image/engine.js';
import { loadImageArtifact } from '../../../workers/image/artifact.js';
import { loadImage, pixels } from '../../../workers/image/decode.js';
import { networkInput } from '../../../workers/image/score.js';
import { predictEngine, predictInputSchema } from '../../../workers/predict/index.js';
import { loadBestBackend } from '../../../workers/tfjs/backend.js';
import { tryitImageEngine, tryitImageInputSchema, type TryitImageResult } from '../../../workers/tryit/image.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const dir = mkdtempSync(join(tmpdir(), 'tryit-image-'));
let artifactDir = '';
let outs = 0;

const tryPictures = (files: Array<{ path: string; name: string }>): Promise<TryitImageResult> =>
  tryitImageEngine(tryitImageInputSchema.parse({ artifactDir, files, outPath: join(dir, `out-${++outs}.csv`) }), makeContext({ dataDir: dir }));

beforeAll(async () => {
  const source = join(dir, 'set');
  for (const part of ['train', 'test']) {
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const f of readdirSync(join(fixture, part, cls)).sort().slice(0, part === 'train' ? 20 : 4)) cpSync(join(fixture, part, cls, f), join(source, part, cls, f));
    }
  }
  const { tf } = await loadBestBackend();
  const result = await trainImages(imageInputSchema.parse({ source, epochs: 3, seed: 4, augment: false, backend: tf.getBackend() === 'wasm' ? 'wasm' : 'cpu', runId: 'img' }), makeContext({ dataDir: dir }));
  artifactDir = result.artifactDir;
}, 240_000);

describe('tryit.image', () => {
  it('gives pilot predict’s row for each picture, its top classes, and the saliency of its predicted class', async () => {
    const names = ['bag', 'sneaker', 'trouser'].map((c) => [c, readdirSync(join(fixture, 'test', c)).sort()[0]!] as const);
    const files = names.map(([c, f]) => ({ path: join(fixture, 'test', c, f), name: `${c}-${f}` }));
    const broken = join(dir, 'upload-1234');
    writeFileSync(broken, 'not a picture');
    const result = await tryPictures([...files, { path: broken, name: 'holiday.jpg' }]);
    expect(result.kind).toBe('image');
    expect(result.pictures).toHaveLength(4);
    expect(result.pictures[3]!.error).toMatch(/not a readable image/);
    expect(result.warnings.join(' ')).toMatch(/1 of 4 pictures could not be read/);
    const rows = readFileSync(result.outPath, 'utf8').trim().split('\n');

    for (const [i, file] of files.entries()) {
      // pilot predict on that one picture (the predict.run engine, as `pilot predict VERSION picture.png` runs it).
      const copy = join(dir, file.name);
      cpSync(file.path, copy);
      const out = join(dir, `predict-${i}.csv`);
      await predictEngine(predictInputSchema.parse({ artifactDir, path: copy, outPath: out }), makeContext({ dataDir: dir }));
      const [head, line] = readFileSync(out, 'utf8').trim().split('\n');
      expect(rows[0]).toBe(head);
      expect(rows[i + 1]).toBe(line);
      const picture = result.pictures[i]!;
      expect(line!.split(',')[1]).toBe(picture.predicted);
      expect(picture.top[0]!.label).toBe(picture.predicted);
      expect(picture.top.map((t) => t.probability)).toEqual([...picture.top.map((t) => t.probability)].sort((a, b) => b - a));
      expect(picture.top.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 5);
      expect(picture.original).toMatch(/^data:image\/png;base64,/);
    }
    expect(rows[4]).toMatch(/^holiday\.jpg,,,/);

    // The saliency map, independently: tf.grad of the saved model's softmax input through its own layers API.
    const { tf } = await loadBestBackend();
    const { model, preprocessing: pre } = await loadImageArtifact(tf, artifactDir);
    const picture = result.pictures[0]!;
    const c = pre.classes.indexOf(picture.predicted!);
    const input = networkInput(await pixels(await loadImage(files[0]!.path), pre.side, pre.side, pre.channels), pre);
    const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(model.layers.at(-2)!.name).output as tfjs.SymbolicTensor });
    const grad = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, pre.side, pre.side, pre.channels]);
      const g = tf.grad((v: tfjs.Tensor) => (logitsModel.predict(v) as tfjs.Tensor).slice([0, c], [1, 1]).sum())(x);
      return Array.from(g.mul(x).abs().sum(-1).dataSync());
    });
    const max = Math.max(...grad);
    const expected = grad.map((v) => Math.round((v / max) * 255));
    const png = Buffer.from(picture.saliency!.split(',')[1]!, 'base64');
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const scale = info.width / pre.side;
    const seen = expected.map((_, p) => data[(Math.floor(p / pre.side) * scale * info.width + (p % pre.side) * scale)]!);
    const off = seen.filter((v, p) => Math.abs(v - expected[p]!) > 1).length;
    expect(off).toBe(0);
    expect(Math.max(...seen)).toBe(255);
    model.dispose();
  }, 120_000);

  it('says so when no picture can be read', async () => {
    const junk = join(dir, 'upload-5678');
    writeFileSync(junk, Buffer.alloc(0));
    await expect(tryPictures([{ path: junk, name: 'scan.png' }])).rejects.toThrow(/scan\.png could not be read as a picture: an empty file/);
  }, 60_000);
});
