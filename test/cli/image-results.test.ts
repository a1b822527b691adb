/**
 * An image pilot's results through bin/pilot.js, checked against the model's own predictions:
 * one tiny run (5 look-alike garment classes of the Fashion-MNIST fixture, train/ + test/ folders,
 * 28 px so the pictures are not resampled, 3 epochs), then `pilot predict PROJECT@1` on the test
 * folder. The galleries, confusion matrix, calibration and top-k of the training result must equal
 * what those predictions give (recomputed here, and by sklearn and Pillow in
 * image_gallery_reference.py); the JSON must have the tabular result's shape.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PilotOutcome } from '../../main/contract/pilots.js';
import type { ImageTrainResult } from '../../workers/image/engine.js';
import { fixture, pilot, root, tempDir, type CliRun } from '../helpers.js';

const CLASSES = ['coat', 'dress', 'pullover', 'shirt', 't-shirt'];
const TRAIN_PER_CLASS = 24;
const TEST_PER_CLASS = 12;
const EPOCHS = 3;

const data = tempDir('image-results-');
const source = tempDir('image-results-src-');
afterAll(() => {
  data.cleanup();
  source.cleanup();
});

let trained: CliRun;
let result: PilotOutcome<ImageTrainResult> & { verdict?: unknown };
let wallSeconds: number;

/** One row of the predictions CSV. */
interface Row {
  path: string;
  actual: string;
  prediction: string;
  probability: number;
  probs: number[];
}
let rows: Row[];
let predictedByRef: CliRun;

function readCsv(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const get = (name: string) => cells[cols.indexOf(name)]!;
    return {
      path: get('path'),
      actual: get('path').split('/')[0]!,
      prediction: get('prediction'),
      probability: Number(get('probability')),
      probs: CLASSES.map((c) => Number(get(`probability_${c}`))),
    };
  });
}

beforeAll(() => {
  for (const cls of CLASSES) {
    for (const [part, n] of [['train', TRAIN_PER_CLASS], ['test', TEST_PER_CLASS]] as const) {
      for (const f of readdirSync(fixture(`fashion-mnist-small/${part}/${cls}`)).slice(0, n)) {
        cpSync(fixture(`fashion-mnist-small/${part}/${cls}/${f}`), join(source.dir, part, cls, f));
      }
    }
  }
  const started = performance.now();
  trained = pilot(['train', source.dir, '--kind', 'image', '--epochs', String(EPOCHS), '--image-size', '28', '--seed', '3', '--project', 'garments', '--json'], { dataDir: data.dir });
  wallSeconds = (performance.now() - started) / 1000;
  result = JSON.parse(trained.code === 0 ? trained.stdout : '{}') as typeof result;
  const out = join(data.dir, 'by-ref.csv');
  predictedByRef = pilot(['predict', 'garments@1', join(source.dir, 'test'), '--out', out, '--json'], { dataDir: data.dir });
  rows = predictedByRef.code === 0 ? readCsv(out) : [];
}, 180_000);

describe('pilot train FOLDER --kind image --json', () => {
  it('has the tabular result shape: summary.metric accuracy, metrics, baselines, one epoch record per epoch, samplesPerSec in images/s', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const tabular = pilot(['train', fixture('iris.csv'), '--target', 'species', '--epochs', '2', '--json'], { dataDir: data.dir });
    expect(tabular.code, tabular.stderr).toBe(0);
    const t = JSON.parse(tabular.stdout) as Record<string, unknown> & { summary: object; baselines: object; metrics: object; epochs: object[] };
    // The fields every kind shares are there, with the same names in summary, baselines, metrics and epochs.
    for (const key of ['runId', 'runKey', 'modelVersionId', 'version', 'projectId', 'kind', 'task', 'target', 'classes', 'rows', 'metrics', 'baselines', 'summary', 'epochs', 'bestEpoch', 'stoppedEarly', 'samplesPerSec', 'trainSeconds', 'hyperparameters', 'parameters', 'artifactDir', 'checksums', 'datasetSha256', 'resumedFromEpoch', 'warnings', 'verdict']) {
      expect(Object.keys(t), key).toContain(key);
      expect(Object.keys(result), key).toContain(key);
    }
    expect(Object.keys(result.summary).sort()).toEqual(Object.keys(t.summary).sort());
    expect(Object.keys(result.baselines).sort()).toEqual(Object.keys(t.baselines).sort());
    expect(Object.keys(result.metrics)).toEqual(expect.arrayContaining(Object.keys(t.metrics)));
    expect(Object.keys(result.epochs[0]!)).toEqual(expect.arrayContaining(Object.keys(t.epochs[0]!)));

    expect(result.kind).toBe('image');
    expect(result.summary.metric).toBe('accuracy');
    expect(result.summary.network).toBe(result.metrics[result.summary.metric]);
    expect(result.summary.linear).toBe(result.baselines.linear.accuracy);
    expect(result.summary.majority).toBe(result.baselines.majority.accuracy);
    // The test folder is balanced: always answering one class is right for 1 in 5.
    expect(result.rows.test).toBe(CLASSES.length * TEST_PER_CLASS);
    expect(result.summary.majority).toBeCloseTo(1 / CLASSES.length, 12);

    // One record per epoch run (3 asked for; patience 4 cannot stop it sooner).
    expect(result.hyperparameters.maxEpochs).toBe(EPOCHS);
    expect(result.stoppedEarly).toBe(false);
    expect(result.epochs).toHaveLength(EPOCHS);
    expect(result.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of result.epochs) {
      expect(Number.isFinite(e.loss) && e.loss > 0).toBe(true);
      expect(Number.isFinite(e.valLoss) && e.valLoss > 0).toBe(true);
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.accuracy).toBeLessThanOrEqual(1);
      // Counted over the training and validation pictures: whole numbers of them.
      expect(e.accuracy * result.rows.train).toBeCloseTo(Math.round(e.accuracy * result.rows.train), 6);
      expect(e.valAccuracy * result.rows.validation).toBeCloseTo(Math.round(e.valAccuracy * result.rows.validation), 6);
      // images/s of the epoch: its training pictures over its seconds.
      expect(e.samplesPerSec).toBeGreaterThan(0);
      expect(e.samplesPerSec * e.seconds).toBeCloseTo(result.rows.train, 6);
    }
    expect(result.rows.train + result.rows.validation).toBe(CLASSES.length * TRAIN_PER_CLASS);

    // The run's images/s: training pictures × epochs over the training seconds (the epochs' own seconds)…
    const images = result.rows.train * result.epochs.length;
    expect(result.samplesPerSec).toBeGreaterThan(0);
    expect(result.trainSeconds).toBeCloseTo(result.epochs.reduce((s, e) => s + e.seconds, 0), 6);
    expect(result.samplesPerSec / (images / result.trainSeconds)).toBeCloseTo(1, 6);
    // …which lie inside the training stage's wall time (it adds validation and checkpoints), itself inside the process's.
    const stage = result.timings.find((s) => s.stage === 'training')!;
    expect(result.trainSeconds).toBeLessThanOrEqual(stage.seconds + 0.001);
    expect(stage.seconds).toBeLessThan(wallSeconds);
    const perStage = images / stage.seconds;
    expect(result.samplesPerSec).toBeGreaterThanOrEqual(perStage * 0.999);
    expect(result.samplesPerSec).toBeLessThan(perStage * 20);
    expect(result.samplesPerSec).toBeGreaterThan(images / wallSeconds);
  });
});

describe('pilot predict PROJECT@N FOLDER --out FILE on an image version', () => {
  it('scores every test picture with version 1, as predicting with the model folder does', () => {
    expect(predictedByRef.code, predictedByRef.stderr).toBe(0);
    const json = JSON.parse(predictedByRef.stdout) as { rows: number; version: number; modelVersionId: number; kind: string; addedColumns: string[] };
    expect(json).toMatchObject({ rows: result.rows.test, version: 1, modelVersionId: result.modelVersionId, kind: 'image' });
    expect(json.addedColumns).toEqual(['prediction', 'probability', ...CLASSES.map((c) => `probability_${c}`), 'error']);
    expect(rows).toHaveLength(result.rows.test);
    for (const r of rows) {
      expect(r.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(r.probability).toBe(Math.max(...r.probs));
    }
    const byDir = join(data.dir, 'by-dir.csv');
    const direct = pilot(['predict', result.artifactDir, join(source.dir, 'test'), '--out', byDir], { dataDir: data.dir });
    expect(direct.code, direct.stderr).toBe(0);
    expect(readFileSync(byDir, 'utf8')).toBe(readFileSync(join(data.dir, 'by-ref.csv'), 'utf8'));
    // The version id and @latest name the same version; one picture is a folder of one.
    const picture = join(source.dir, 'test', 'coat', readdirSync(join(source.dir, 'test', 'coat'))[0]!);
    const one = pilot(['predict', 'garments@latest', picture, '--out', join(data.dir, 'one.csv'), '--json'], { dataDir: data.dir });
    expect(one.code, one.stderr).toBe(0);
    const line = readFileSync(join(data.dir, 'one.csv'), 'utf8').trim().split('\n')[1]!;
    const same = rows.find((r) => r.path === `coat/${picture.split('/').pop()}`)!;
    expect(line.split(',').slice(1, 3 + CLASSES.length)).toEqual([same.prediction, same.probability.toFixed(6), ...same.probs.map((p) => p.toFixed(6))]);
    // A version that does not exist, and an existing --out without --force: refused, saying what to do.
    const missing = pilot(['predict', 'garments@9', join(source.dir, 'test'), '--out', join(data.dir, 'x.csv')], { dataDir: data.dir });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/garments has no version "9". See its versions and aliases with pilot models list garments/);
    const again = pilot(['predict', 'garments@1', join(source.dir, 'test'), '--out', byDir], { dataDir: data.dir });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exists.*--force/);
  }, 120_000);
});

describe("the evaluation equals the version's own predictions of the test pictures", () => {
  const wrong = () => rows.filter((r) => r.prediction !== r.actual);
  const near = (a: number, b: number) => Math.abs(a - b) <= 2e-6;

  it('accuracy and the confusion matrix', () => {
    expect(rows).toHaveLength(result.rows.test);
    expect(result.metrics.accuracy).toBeCloseTo(rows.filter((r) => r.prediction === r.actual).length / rows.length, 12);
    const matrix = CLASSES.map((a) => CLASSES.map((p) => rows.filter((r) => r.actual === a && r.prediction === p).length));
    expect(result.metrics.confusionMatrix).toEqual({ labels: CLASSES, matrix });
    // Three epochs on 96 pictures of look-alike garments: plenty of mistakes to show.
    expect(wrong().length).toBeGreaterThanOrEqual(5);
  });

  it('each confusion cell shown has its count and its most confidently wrong pictures, surest first', () => {
    const cells = new Map<string, Row[]>();
    for (const r of wrong()) cells.set(`${r.actual}→${r.prediction}`, [...(cells.get(`${r.actual}→${r.prediction}`) ?? []), r]);
    const shown = result.evaluation.mistakes;
    expect(shown.length).toBe(Math.min(12, cells.size));
    // The largest cells, largest first.
    const counts = shown.map((m) => m.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const smallestShown = Math.min(...counts);
    for (const [key, list] of cells) if (list.length > smallestShown) expect(shown.map((m) => `${m.actual}→${m.predicted}`), key).toContain(key);
    for (const m of shown) {
      const members = cells.get(`${m.actual}→${m.predicted}`)!;
      expect(m.count).toBe(members.length);
      expect(m.examples).toHaveLength(Math.min(3, members.length));
      const byConfidence = [...members].sort((a, b) => b.probability - a.probability);
      m.examples.forEach((e, i) => {
        expect([e.actual, e.predicted]).toEqual([m.actual, m.predicted]);
        const row = members.find((r) => `test/${r.path}` === e.path);
        expect(row, `${e.path} is a ${m.actual} predicted ${m.predicted}`).toBeDefined();
        expect(near(e.confidence, row!.probability), `${e.path}: ${e.confidence} vs ${row!.probability}`).toBe(true);
        // The i-th surest of the cell (ties within the CSV's rounding allowed).
        expect(near(e.confidence, byConfidence[i]!.probability)).toBe(true);
      });
    }
    // Across all cells: the 8 surest mistakes, surest first.
    const surest = [...wrong()].sort((a, b) => b.probability - a.probability).slice(0, 8);
    const most = result.evaluation.mostConfidentlyWrong;
    expect(most).toHaveLength(surest.length);
    most.forEach((e, i) => {
      const row = rows.find((r) => `test/${r.path}` === e.path)!;
      expect([e.actual, e.predicted]).toEqual([row.actual, row.prediction]);
      expect(near(e.confidence, surest[i]!.probability)).toBe(true);
    });
  });

  it('the pictures shown are the test files (Pillow: 2× nearest), the calibration bins and ECE are sklearn\'s, top-3 is sklearn\'s', () => {
    const json = join(data.dir, 'result.json');
    writeFileSync(json, JSON.stringify(result));
    const ref = spawnSync('/usr/bin/python3', [join(root, 'test', 'cli', 'image_gallery_reference.py'), json, join(data.dir, 'by-ref.csv'), source.dir], { encoding: 'utf8', timeout: 60_000 });
    expect(ref.status, ref.stderr).toBe(0);
    const r = JSON.parse(ref.stdout) as {
      calibration: { from: number; count: number; meanPredicted: number; observedRate: number }[];
      ece: number;
      top3: number;
      images: { path: string; same: boolean; shape: number[]; saliencyShape: number[]; saliencyMax: number }[];
    };
    const shownCount = result.evaluation.mistakes.reduce((s, m) => s + m.examples.length, 0) + result.evaluation.mostConfidentlyWrong.length;
    expect(r.images).toHaveLength(shownCount);
    for (const img of r.images) {
      expect(img.same, `${img.path}: the gallery picture is not the file's pixels (${img.shape.join('×')})`).toBe(true);
      expect(img.saliencyShape.slice(0, 2)).toEqual([56, 56]);
      expect(img.saliencyMax).toBe(255);
    }
    const bins = result.metrics.calibration;
    expect(bins.map((b) => [b.from, b.count])).toEqual(r.calibration.map((b) => [b.from, b.count]));
    bins.forEach((b, i) => {
      expect(Math.abs(b.meanPredicted - r.calibration[i]!.meanPredicted)).toBeLessThan(2e-6);
      expect(b.observedRate).toBeCloseTo(r.calibration[i]!.observedRate, 12);
    });
    const n = bins.reduce((s, b) => s + b.count, 0);
    expect(n).toBe(result.rows.test);
    const ece = bins.reduce((s, b) => s + (b.count / n) * Math.abs(b.observedRate - b.meanPredicted), 0);
    expect(Math.abs(ece - r.ece)).toBeLessThan(2e-6);
    expect(result.metrics.topK.map((t) => t.k)).toEqual([3]);
    expect(result.evaluation.topK).toEqual(result.metrics.topK);
    expect(result.metrics.topK[0]!.accuracy).toBeCloseTo(r.top3, 12);
    expect(result.metrics.topK[0]!.accuracy).toBeGreaterThanOrEqual(result.metrics.accuracy);
  });
});

describe("the run's own check of its split reaches the version's verdict", () => {
  it('test pictures copied from train and a file under two classes: alerts, warnings, and concerns in the verdict; none on the clean run', () => {
    expect(result.quality.alerts).toEqual([]);
    const clean = result.verdict as { findings: { title: string }[] };
    expect(clean.findings.map((f) => f.title)).not.toContain('the test score is likely optimistic');

    const leaky = tempDir('image-results-leak-');
    cpSync(source.dir, leaky.dir, { recursive: true });
    const coats = readdirSync(join(leaky.dir, 'train', 'coat')).sort();
    for (const f of coats.slice(0, 3)) copyFileSync(join(leaky.dir, 'train', 'coat', f), join(leaky.dir, 'test', 'coat', `copy-${f}`));
    const shirt = readdirSync(join(leaky.dir, 'train', 'shirt')).sort()[0]!;
    copyFileSync(join(leaky.dir, 'train', 'shirt', shirt), join(leaky.dir, 'train', 't-shirt', `as-t-shirt-${shirt}`));
    const run = pilot(['train', leaky.dir, '--kind', 'image', '--epochs', '1', '--image-size', '28', '--project', 'leaky', '--json'], { dataDir: data.dir });
    leaky.cleanup();
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as typeof result & { verdict: { level: string; findings: { severity: string; title: string; detail: string }[] } };
    expect(r.quality.alerts.map((a) => a.code)).toEqual(['TRAIN_TEST_LEAKAGE', 'CONFLICTING_LABELS']);
    expect(r.quality.alerts[0]!.message).toMatch(/^3 test pictures have an identical copy among the training pictures \(e\.g\. test\/coat\/copy-/);
    expect(r.quality.alerts[1]!.message).toBe(`2 pictures appear under two different classes, e.g. train/shirt/${shirt} (shirt) = train/t-shirt/as-t-shirt-${shirt} (t-shirt).`);
    expect(r.warnings.some((w) => w.startsWith('3 test pictures have an identical copy'))).toBe(true);
    const titles = r.verdict.findings.map((f) => f.title);
    expect(titles).toContain('the test score is likely optimistic');
    expect(titles).toContain('the data has 1 error-level finding');
    expect(r.verdict.level).not.toBe('ready');
  }, 120_000);
});
