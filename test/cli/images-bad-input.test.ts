/**
 * Image pilots' bad input through `pilot` as real processes (worker, SQLite file): a CSV of path +
 * label (relative and absolute paths, a missing file, a label column given), and the refusals
 * (one class, empty folders, unreadable pictures, 20,000 × 20,000 pictures, a backbone that is not
 * a model or does not fit) each with its message while an earlier version, dataset and its
 * predictions stay as they were.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/paths.js';
import { verifyArtifact } from '../../workers/trainer/artifact.js';
import { fixture, pilot, tempDir } from '../helpers.js';
import { hugePng } from '../workers/image/images.js';

const { dir, cleanup } = tempDir('pilot-image-bad-');
afterAll(cleanup);
// The test's own backbones are saved with tfjs on the CPU (the runs under test use the CLI's workers).
beforeAll(async () => {
  await tf.setBackend('cpu');
});
const dataDir = join(dir, 'home');
const fashion = fixture('fashion-mnist-small');

/** `count` training pictures of each class copied from the fixture into `to/<class>/`. */
function copyClasses(to: string, classes: string[], count: number, part = 'train'): void {
  for (const cls of classes) {
    for (const f of readdirSync(join(fashion, part, cls))
      .sort()
      .slice(0, count))
      cpSync(join(fashion, part, cls, f), join(to, cls, f));
  }
}

/** Saves a small conv model with input `shape` as a TensorFlow.js layers model folder. */
async function saveModel(to: string, shape: [number, number, number]): Promise<string> {
  mkdirSync(to, { recursive: true });
  const input = tf.input({ shape });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'classifier' }).apply(pooled) as tf.SymbolicTensor;
  await tf.model({ inputs: input, outputs: out }).save({
    save: async (a) => {
      writeFileSync(
        join(to, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
        }),
      );
      writeFileSync(join(to, 'group1-shard1of1.bin'), Buffer.from(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return to;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface ImageOutcome {
  kind: string;
  version: number;
  modelVersionId: number;
  artifactDir: string;
  classes: string[];
  warnings: string[];
  rows: { train: number; validation: number; test: number };
  dataset: { layout: string; images: number; unreadable: { path: string; reason: string }[]; skipped: number };
}

describe('pilot train CSV --kind image: a CSV of path + label', () => {
  it('paths relative to the CSV and absolute, a missing file listed and not fatal, the label column given when it cannot be guessed', () => {
    const pictures = join(dir, 'csv', 'pictures');
    copyClasses(pictures, ['bag', 'trouser'], 12);
    const rows: string[] = ['file,kind,notes'];
    for (const cls of ['bag', 'trouser']) {
      for (const [i, f] of readdirSync(join(pictures, cls)).sort().entries()) {
        // Alternately relative to the CSV's folder and absolute; the class folder's name is not the label used.
        rows.push(`${i % 2 ? join(pictures, cls, f) : `pictures/${cls}/${f}`},${cls === 'bag' ? 'carry' : 'wear'},row ${i}`);
      }
    }
    rows.push('pictures/bag/gone.png,carry,never existed');
    const list = join(dir, 'csv', 'list.csv');
    writeFileSync(list, `${rows.join('\n')}\n`);
    // From another working folder: relative paths are the CSV's, not the process's.
    const cwd = join(dir, 'elsewhere');
    mkdirSync(cwd);

    const guessed = pilot(['train', list, '--kind', 'image', '--epochs', '1', '--project', 'listed'], { dataDir, cwd });
    expect(guessed.code).toBe(1);
    expect(guessed.stderr).toMatch(/Cannot tell which column of list\.csv holds the label \(columns: file, kind, notes\)\. Name it, e\.g\. --label-column\./);
    const wrong = pilot(['train', list, '--kind', 'image', '--label-column', 'klass', '--project', 'listed'], { dataDir, cwd });
    expect(wrong.stderr).toMatch(/list\.csv has no column "klass" \(columns: file, kind, notes\)/);
    expect(JSON.parse(pilot(['models', 'list', '--json'], { dataDir }).stdout)).toEqual([]);

    const run = pilot(['train', list, '--kind', 'image', '--label-column', 'kind', '--epochs', '1', '--image-size', '28', '--project', 'listed', '--json'], {
      dataDir,
      cwd,
    });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as ImageOutcome;
    expect(result.classes).toEqual(['carry', 'wear']);
    expect(result.dataset.layout).toBe('csv');
    expect(result.dataset.images).toBe(24);
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(24);
    expect(result.dataset.unreadable).toEqual([
      { path: 'pictures/bag/gone.png', reason: expect.stringMatching(/^listed in the CSV but cannot be read \(ENOENT/) },
    ]);
    expect(
      result.warnings.some((w) =>
        w.startsWith('1 files could not be read and were left out (e.g. pictures/bag/gone.png: listed in the CSV but cannot be read'),
      ),
    ).toBe(true);
    expect(result.version).toBe(1);

    // The scan reads the same CSV with the same flag.
    const scan = pilot(['images', 'scan', list, '--label-column', 'kind', '--json'], { dataDir, cwd });
    expect(scan.code, scan.stderr).toBe(0);
    const report = JSON.parse(scan.stdout) as { layout: string; images: number; skipped: { path: string }[]; classes: { label: string; count: number }[] };
    expect(report).toMatchObject({ layout: 'csv', images: 24 });
    expect(report.classes.map((c) => [c.label, c.count])).toEqual([
      ['carry', 12],
      ['wear', 12],
    ]);
    expect(report.skipped.map((s) => s.path)).toEqual(['pictures/bag/gone.png']);
  }, 180_000);
});

describe('refused image runs lose nothing earlier', () => {
  it('after each refusal the earlier version, dataset and predictions are intact and the database passes its integrity check', async () => {
    const home = join(dir, 'lost');
    const garments = join(dir, 'garments');
    copyClasses(garments, ['bag', 'trouser'], 15);
    const trained = pilot(['train', garments, '--kind', 'image', '--epochs', '1', '--image-size', '28', '--project', 'garments', '--json'], { dataDir: home });
    expect(trained.code, trained.stderr).toBe(0);
    const version = JSON.parse(trained.stdout) as ImageOutcome;
    const imported = pilot(['datasets', 'import', fixture('iris.csv'), '--json'], { dataDir: home });
    expect(imported.code, imported.stderr).toBe(0);
    const testFolder = join(dir, 'test-pictures');
    copyClasses(testFolder, ['bag', 'trouser'], 10, 'test');
    const predict = (out: string) => pilot(['predict', version.artifactDir, testFolder, '--out', join(dir, out), '--json'], { dataDir: home });
    expect(predict('before.csv').code).toBe(0);

    const lists = () => ({
      models: JSON.parse(pilot(['models', 'list', '--json'], { dataDir: home }).stdout) as unknown,
      datasets: JSON.parse(pilot(['datasets', 'list', '--json'], { dataDir: home }).stdout) as unknown,
    });
    // What is stored, read directly after each refusal (the CLI's lists are compared once at the end).
    const state = () => {
      const db = new Database(databasePath(home), { readonly: true });
      try {
        return {
          versions: db.prepare('SELECT * FROM model_versions ORDER BY id').all(),
          datasets: db.prepare('SELECT * FROM datasets ORDER BY id').all(),
          artifact: readdirSync(version.artifactDir)
            .sort()
            .map((f) => `${f} ${sha(join(version.artifactDir, f))}`),
        };
      } finally {
        db.close();
      }
    };
    const before = state();
    const listedBefore = lists();
    expect(JSON.stringify(listedBefore.models)).toContain('garments');
    expect((listedBefore.datasets as unknown[]).length).toBe(1);
    expect(before.versions).toHaveLength(1);

    // The bad inputs.
    const one = join(dir, 'one-class');
    copyClasses(one, ['bag'], 10);
    mkdirSync(join(one, 'trouser'));
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'bag'), { recursive: true });
    mkdirSync(join(empty, 'trouser'));
    writeFileSync(join(empty, 'bag', 'readme.txt'), 'no pictures here');
    const huge = join(dir, 'huge');
    const hugeBytes = await hugePng();
    for (const cls of ['bag', 'trouser']) {
      mkdirSync(join(huge, cls), { recursive: true });
      for (let i = 0; i < 4; i++) writeFileSync(join(huge, cls, `${i}.png`), hugeBytes);
    }
    const broken = join(dir, 'broken');
    copyClasses(broken, ['bag', 'trouser'], 4);
    for (const cls of ['bag', 'trouser']) {
      for (const f of readdirSync(join(broken, cls))) {
        const bytes = readFileSync(join(broken, cls, f));
        writeFileSync(join(broken, cls, f), bytes.subarray(0, Math.floor(bytes.length / 2)));
      }
    }
    const notModel = join(dir, 'not-a-model');
    copyClasses(notModel, ['bag'], 2);
    const misfit = await saveModel(join(dir, 'misfit-backbone'), [32, 24, 3]);
    const fourChannels = await saveModel(join(dir, 'rgba-backbone'), [32, 32, 4]);
    copyFileSync(join(garments, 'bag', readdirSync(join(garments, 'bag'))[0]!), join(dir, 'loose.png'));
    copyFileSync(join(dir, 'loose.png'), join(dir, 'loose.bin'));

    const cases: [string, string[], RegExp][] = [
      ['one class only', [one], /Only one class \("bag"\) has readable pictures; a classifier needs at least two\. Add a subfolder of readable pictures/],
      [
        'class folders without pictures',
        [empty],
        /No images found in .*empty \(1 files or folders skipped, e\.g\. bag\/readme\.txt: not an image \(\.txt\)\)\. Put the pictures in one subfolder per class/,
      ],
      [
        '20,000 × 20,000 pictures',
        [huge],
        /No class has readable pictures; a classifier needs at least two\. 8 files could not be read, e\.g\. bag\/0\.png \(20000 × 20000 pixels is more than the 50 megapixels read per image: scale it down/,
      ],
      [
        'truncated pictures',
        [broken],
        /No class has readable pictures; a classifier needs at least two\. 8 files could not be read, e\.g\. bag\/\S+ \((cannot be decoded|not a readable image)/,
      ],
      ['a backbone folder that is not a model', [garments, '--backbone', notModel], /is not a model folder: it has no model\.json/],
      ['a backbone whose input is not square', [garments, '--backbone', misfit], /expects 24 × 32 pictures; pictures are resized to a square here/],
      ['a backbone with 4 input channels', [garments, '--backbone', fourChannels], /expects pictures with 4 channels; only 1 \(grey\) or 3 \(colour\)/],
      ['a picture, not a folder or CSV', [join(dir, 'loose.png')], /loose\.png is one picture\. Give the folder that holds one subfolder per class/],
      ['a binary file as the CSV', [join(dir, 'loose.bin')], /loose\.bin is not a readable CSV \([^\n]{1,170}\)\. Give a folder of class subfolders/],
    ];
    for (const [what, args, message] of cases) {
      const run = pilot(['train', ...args, '--kind', 'image', '--epochs', '1', '--project', 'garments'], { dataDir: home });
      expect(run.code, what).toBe(1);
      expect(run.stderr, what).toMatch(message);
      expect(state(), what).toEqual(before);
    }

    // The database file is sound, the version is still 1 (no version 2 from a refused run), the refused runs are recorded as failed.
    const db = new Database(databasePath(home), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) AS n FROM model_versions').get()).toEqual({ n: 1 });
      expect(db.prepare('SELECT status, COUNT(*) AS n FROM runs GROUP BY status ORDER BY status').all()).toEqual([
        { status: 'failed', n: cases.length },
        { status: 'succeeded', n: 1 },
      ]);
    } finally {
      db.close();
    }
    expect(lists()).toEqual(listedBefore);
    await verifyArtifact(version.artifactDir);
    // The version still predicts, exactly as before.
    expect(predict('after.csv').code).toBe(0);
    expect(readFileSync(join(dir, 'after.csv'), 'utf8')).toBe(readFileSync(join(dir, 'before.csv'), 'utf8'));
  }, 420_000);
});
