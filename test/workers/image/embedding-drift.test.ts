/**
 * Embedding drift on real pictures: a version trained on five Fashion-MNIST classes (t-shirt,
 * trouser, pullover, dress, coat: fashion-mnist-small's 60 train and 30 test pictures of each)
 * is checked against
 * - new pictures of the same classes (fashion-mnist-backbone's, which are other images of the same
 *   IDX file: those already in fashion-mnist-small/train are left out) → no embedding drift;
 * - pictures of the five other classes, and the new pictures inverted or turned 90° → drift.
 * The MMD statistic, its kernel width and its p-value are recomputed by
 * embedding_reference.py (numpy/scipy, 5,000 permutations) from the stored summary and the new
 * pictures' raw embeddings; the PCA against scikit-learn's on the same embeddings. A version saved
 * before embedding drift (its summary without `embedding`) still gets its statistics report, with
 * a note.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift } from '../../../workers/drift/check.js';
import type { DriftReport } from '../../../workers/drift/index.js';
import { driftInputSchema } from '../../../workers/drift/schema.js';
import { loadImageArtifact } from '../../../workers/image/artifact.js';
import { embedFiles, embeddingModel, type EmbeddingReference } from '../../../workers/image/embedding.js';
import { trainImages } from '../../../workers/image/engine.js';
import { fitPca } from '../../../workers/image/mmd.js';
import { picturesOf } from '../../../workers/image/predict.js';
import { imageInputSchema } from '../../../workers/image/schema.js';
import { makeContext } from '../../../workers/protocol.js';
import { loadBestBackend } from '../../../workers/tfjs/backend.js';
import { sha256File } from '../../../workers/trainer/artifact.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const small = join(fixtures, 'fashion-mnist-small');
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat'];
const OTHER = ['sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

let artifactDir = '';
let accuracy = 0;
const folders: Record<'same' | 'other' | 'inverted' | 'rotated', string> = { same: '', other: '', inverted: '', rotated: '' };

/** New pictures of the trained classes: 30 a class from fashion-mnist-backbone that are not in fashion-mnist-small. */
function samePictures(): string {
  const dir = temp('emb-same-');
  for (const cls of CLASSES) {
    const known = new Set(readdirSync(join(small, 'train', cls)));
    const fresh = readdirSync(join(fixtures, 'fashion-mnist-backbone', cls)).sort().filter((f) => !known.has(f)).slice(0, 30);
    mkdirSync(join(dir, cls));
    for (const f of fresh) copyFileSync(join(fixtures, 'fashion-mnist-backbone', cls, f), join(dir, cls, f));
  }
  return dir;
}

async function transformed(source: string, f: (s: Sharp) => Sharp, prefix: string): Promise<string> {
  const dir = temp(prefix);
  for (const cls of readdirSync(source)) {
    mkdirSync(join(dir, cls));
    for (const file of readdirSync(join(source, cls))) await f(sharp(join(source, cls, file))).png().toFile(join(dir, cls, file));
  }
  return dir;
}

async function drift(currentPath: string, dir = artifactDir): Promise<DriftReport> {
  const input = driftInputSchema.parse({ currentPath, model: { artifactDir: dir, task: 'multiclass', target: 'label', testMetrics: { accuracy }, kind: 'image' } });
  return checkDrift(input, makeContext({ dataDir: temp('emb-drift-data-') }));
}

/** The new pictures' raw embeddings, as the check computes them (same files, same order). */
async function rawEmbeddings(folder: string): Promise<number[][]> {
  const { tf } = await loadBestBackend();
  const { model, preprocessing } = await loadImageArtifact(tf, artifactDir);
  const embedder = embeddingModel(tf, model)!;
  const { paths } = await picturesOf(folder);
  const rows = await embedFiles(tf, embedder.model, embedder.dims, preprocessing, paths);
  model.dispose();
  return rows;
}

function reference(): EmbeddingReference {
  return JSON.parse(readFileSync(join(artifactDir, 'metadata.json'), 'utf8')).driftReference.embedding;
}

interface PythonFigures {
  pca: { explainedRatio: number[]; components: number[][]; mean: number[] };
  mmd: { statistic: number; bandwidth: number; pValue: number; projected: number[][] };
}

function python(current: number[][], fit: number[][], k: number): PythonFigures {
  const file = join(temp('emb-py-'), 'input.json');
  writeFileSync(file, JSON.stringify({ reference: reference(), current, fit, k }));
  return JSON.parse(execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'embedding_reference.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

describe('image embedding drift', () => {
  beforeAll(async () => {
    const data = temp('emb-train-');
    for (const part of ['train', 'test']) for (const cls of CLASSES) cpSync(join(small, part, cls), join(data, part, cls), { recursive: true });
    const trained = await trainImages(imageInputSchema.parse({ source: data, epochs: 4, augment: false, seed: 7, backend: 'wasm', runId: 'emb' }), makeContext({ dataDir: temp('emb-data-') }));
    artifactDir = trained.artifactDir;
    accuracy = trained.metrics.accuracy;
    folders.same = samePictures();
    folders.other = temp('emb-other-');
    for (const cls of OTHER) cpSync(join(small, 'test', cls), join(folders.other, cls), { recursive: true });
    folders.inverted = await transformed(folders.same, (s) => s.negate(), 'emb-inverted-');
    folders.rotated = await transformed(folders.same, (s) => s.rotate(90), 'emb-rotated-');
  }, 600_000);

  it('stores a bounded summary of held-out pictures’ embeddings with the version', () => {
    const ref = reference();
    // 45 validation (15 % of 300, stratified) + 150 test pictures; the network's dense layer is 64 wide.
    expect(ref).toMatchObject({ method: 'pca-mmd', layer: 'dense', dims: 64 });
    expect(ref.points).toHaveLength(45 + 150);
    expect(ref.components).toHaveLength(16);
    expect(ref.points.every((p) => p.length === 16)).toBe(true);
    expect(ref.explainedRatio.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('new pictures of the same classes do not drift; other classes, inverted and turned pictures do', async () => {
    const same = await drift(folders.same);
    expect(same.image!.embedding!.drifted).toBe(false);
    expect(same.image!.embedding!.pValue).toBeGreaterThan(0.05);
    expect(same.image!.embedding).toMatchObject({ reference: 195, current: 150, permutations: 500 });
    expect(same.summary).toMatch(/^To the model, the new pictures look like its training pictures/);
    expect(same.performance!.rows).toBe(150);

    for (const name of ['other', 'inverted', 'rotated'] as const) {
      const report = await drift(folders[name]);
      const e = report.image!.embedding!;
      expect(e.drifted, name).toBe(true);
      expect(e.pValue, name).toBeLessThan(0.01);
      expect(e.statistic, name).toBeGreaterThan(5 * same.image!.embedding!.statistic);
      expect(report.summary.startsWith('The new pictures look different to the model'), name).toBe(true);
      expect(report.recommendation, name).not.toBe('none');
      // Turned pictures keep their brightness, contrast and size: only the model sees the change.
      if (name === 'rotated') expect(report.columns.every((c) => !c.drifted)).toBe(true);
    }
  }, 600_000);

  it('the MMD figures and the PCA agree with numpy / scipy / scikit-learn', async () => {
    for (const name of ['same', 'other'] as const) {
      const report = await drift(folders[name]);
      const e = report.image!.embedding!;
      const current = await rawEmbeddings(folders[name]);
      const py = python(current, current, 16);
      expect(e.bandwidth / py.mmd.bandwidth, name).toBeCloseTo(1, 4);
      expect(Math.abs(e.statistic - py.mmd.statistic), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(py.mmd.statistic)) + 1e-6);
      // Different permutations: the two p-values agree within their Monte Carlo error.
      if (py.mmd.pValue < 0.01) expect(e.pValue).toBeLessThan(0.01);
      else expect(Math.abs(e.pValue - py.mmd.pValue), name).toBeLessThan(0.07);
      if (name === 'same') {
        const ours = fitPca(current, 16);
        ours.explainedRatio.forEach((r, i) => expect(r, `ratio ${i}`).toBeCloseTo(py.pca.explainedRatio[i]!, 6));
        // Leading components are unit vectors equal up to sign (those with well-separated variances).
        for (let c = 0; c < 5; c++) {
          const dot = ours.components[c]!.reduce((s, x, j) => s + x * py.pca.components[c]![j]!, 0);
          expect(Math.abs(dot), `component ${c}`).toBeCloseTo(1, 4);
        }
      }
    }
  }, 600_000);

  it('a version saved before embedding drift still gets its statistics report, with a note', async () => {
    const old = temp('emb-old-');
    cpSync(artifactDir, old, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(old, 'metadata.json'), 'utf8'));
    delete metadata.driftReference.embedding;
    writeFileSync(join(old, 'metadata.json'), JSON.stringify(metadata));
    const checksums = JSON.parse(readFileSync(join(old, 'checksums.json'), 'utf8'));
    checksums.files['metadata.json'] = await sha256File(join(old, 'metadata.json'));
    writeFileSync(join(old, 'checksums.json'), JSON.stringify(checksums));
    const report = await drift(folders.inverted, old);
    expect(report.image).toEqual({ embedding: null, note: expect.stringMatching(/saved before embedding drift existed/) });
    expect(report.columns.find((c) => c.name === 'brightness')!.drifted).toBe(true);
    expect(report.summary).not.toMatch(/to the model/i);
  }, 600_000);
});
