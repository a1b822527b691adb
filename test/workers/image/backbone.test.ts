/** Importing a backbone: what is refused, with which message, and how a misfitting input size is handled. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../../workers/image/backbone.js';
import { trainImages as engine } from '../../../workers/image/engine.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import { makeContext, type JobContext } from '../../../workers/protocol.js';

const trainImages = (raw: ImageInputRaw, ctx: JobContext) => engine(imageInputSchema.parse(raw), ctx);
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');

/** Saves a small conv model with input `shape` as a TensorFlow.js layers model folder. */
async function saveModel(shape: [number | null, number | null, number]): Promise<string> {
  const dir = temp('backbone-');
  const input = tf.input({ shape: shape as number[] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'classifier' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  await model.save({
    save: async (a) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return dir;
}

describe('loadBackbone', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('cuts a layers model at its last feature maps, freezes it, and records its name, hash and input', async () => {
    const dir = await saveModel([null, null, 3]);
    const loaded = await loadBackbone(tf, dir, false);
    expect(loaded.info).toMatchObject({ format: 'layers-model', inputShape: [null, null, 3], featureLayer: 'conv_a', featureShape: [null, null, 4], fineTuned: [] });
    expect(loaded.model.trainableWeights).toHaveLength(0);
    // sha256 over model.json then the weight file, as a user can check with sha256sum of the two concatenated.
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256').update(readFileSync(join(dir, 'model.json'))).update(readFileSync(join(dir, 'group1-shard1of1.bin'))).digest('hex');
    expect(loaded.info.sha256).toBe(expected);
    const tuned = await loadBackbone(tf, dir, true);
    expect(tuned.info.fineTuned).toEqual(['conv_a']);
    expect(tuned.model.trainableWeights.map((w) => w.name)).toEqual(['conv_a/kernel', 'conv_a/bias'].map((n) => expect.stringContaining(n.split('/')[1]!)));
  });

  it('refuses what is not a usable backbone, saying what it expects', async () => {
    const empty = temp('not-a-model-');
    await expect(loadBackbone(tf, empty, false)).rejects.toThrow(/is not a model folder: it has no model\.json.*tensorflowjs_converter/);
    await expect(loadBackbone(tf, join(empty, 'nowhere'), false)).rejects.toThrow(/does not exist/);
    writeFileSync(join(empty, 'model.json'), '{"format": "layers-model", "modelTop');
    await expect(loadBackbone(tf, empty, false)).rejects.toThrow(/is not valid JSON/);
    writeFileSync(join(empty, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    // A graph model is accepted as a format (backbone-graph.test.ts); an empty GraphDef is refused as damaged.
    await expect(loadBackbone(tf, empty, false)).rejects.toThrow(/model.json could not be loaded as a TensorFlow.js graph model \(.*\): it may be damaged/);

    const corrupt = await saveModel([32, 32, 3]);
    const weights = readFileSync(join(corrupt, 'group1-shard1of1.bin'));
    writeFileSync(join(corrupt, 'group1-shard1of1.bin'), weights.subarray(0, weights.length - 10));
    await expect(loadBackbone(tf, corrupt, false)).rejects.toThrow(new RegExp(`hold ${weights.length - 10} bytes but model.json describes ${weights.length}: a weight file is truncated or damaged`));
    const missing = await saveModel([32, 32, 3]);
    writeFileSync(join(missing, 'model.json'), readFileSync(join(missing, 'model.json'), 'utf8').replace('group1-shard1of1.bin', 'other.bin'));
    await expect(loadBackbone(tf, missing, false)).rejects.toThrow(/weight file other\.bin is missing/);

    await expect(loadBackbone(tf, await saveModel([32, 24, 3]), false)).rejects.toThrow(/expects 24 × 32 pictures; pictures are resized to a square here/);
    await expect(loadBackbone(tf, await saveModel([32, 32, 4]), false)).rejects.toThrow(/expects pictures with 4 channels; only 1 \(grey\) or 3 \(colour\)/);
  });

  it('a backbone with a fixed input size gets the pictures resized to it, grey fed as three channels, with warnings', async () => {
    const source = temp('misfit-');
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const f of readdirSync(join(fixture, 'train', cls)).sort().slice(0, 12)) cpSync(join(fixture, 'train', cls, f), join(source, cls, f));
    }
    mkdirSync(join(source, 'notes'), { recursive: true });
    const backbone = await saveModel([32, 32, 3]);
    const result = await trainImages({ source, backbone, imageSize: 28, epochs: 1, backend: 'cpu', runId: 'misfit' }, makeContext({ dataDir: temp('misfit-data-') }));
    expect(result.hyperparameters).toMatchObject({ imageSize: 32, channels: 3 });
    expect(result.network).toMatchObject({ side: 32, channels: 3, pooling: 'flatten' });
    expect(result.warnings.join('\n')).toMatch(/takes 32 × 32 pictures, so the pictures were resized to 32 px instead of the 28 px asked for/);
    expect(result.warnings.join('\n')).toMatch(/grey and the backbone expects colour/);
  }, 120_000);
});
