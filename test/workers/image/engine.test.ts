import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, makeContext } from '../../../workers/protocol.js';
import { trainImages as engine } from '../../../workers/image/engine.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import type { JobContext } from '../../../workers/protocol.js';

const trainImages = (raw: ImageInputRaw, ctx: JobContext) => engine(imageInputSchema.parse(raw), ctx);
import { predictImages } from '../../../workers/image/predict.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Three classes, 20 train + 10 test pictures each: small enough to train several times. */
function smallSet(): string {
  const dir = temp('image-small-');
  for (const part of ['train', 'test']) {
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      const files = readdirSync(join(fixture, part, cls)).sort().slice(0, part === 'train' ? 20 : 10);
      for (const f of files) cpSync(join(fixture, part, cls, f), join(dir, part, cls, f));
    }
  }
  return dir;
}

describe('train.image', () => {
  it('on the Fashion-MNIST fixture the CNN beats the linear baseline, which agrees with scikit-learn', async () => {
    const dataDir = temp('image-');
    const result = await trainImages({ source: fixture, epochs: 8, augment: false, seed: 7, backend: 'wasm', runId: 'quality' }, makeContext({ dataDir }));
    expect(result.kind).toBe('image');
    expect(result.classes).toHaveLength(10);
    // 60 train pictures per class: 51 train + 9 validation; the test/ folder is the test split.
    expect(result.rows).toEqual({ train: 510, validation: 90, test: 300 });
    expect(result.hyperparameters.channels).toBe(1);
    expect(result.summary.majority).toBeCloseTo(0.1, 5);
    // test/fixtures/fashion-mnist-small/reference.py: scikit-learn's logistic regression on the
    // same downscaled pixels scores 0.7967 on test/.
    expect(Math.abs(result.summary.linear - 0.7967)).toBeLessThan(0.05);
    expect(result.summary.network).toBeGreaterThan(result.summary.linear);
    expect(result.metrics.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(result.metrics.topK.find((t) => t.k === 3)!.accuracy).toBeGreaterThan(result.metrics.accuracy);
    expect(result.evaluation.mostConfidentlyWrong.length).toBeGreaterThan(0);
    expect(result.evaluation.mostConfidentlyWrong[0]!.saliency).toMatch(/^data:image\/png;base64,/);
    await verifyArtifact(result.artifactDir);
    expect(JSON.parse(readFileSync(join(result.artifactDir, 'metadata.json'), 'utf8')).kind).toBe('image');

    // Prediction on the test folder (plus one unreadable file) reproduces the test accuracy.
    const folder = temp('image-predict-');
    cpSync(join(fixture, 'test'), folder, { recursive: true });
    writeFileSync(join(folder, 'broken.png'), 'not a png');
    const out = join(folder, 'predictions.csv');
    const predicted = await predictImages(result.artifactDir, folder, out);
    expect(predicted.rows).toBe(301);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(['path', 'prediction', 'probability', ...result.classes.map((c) => `probability_${c}`), 'error'].join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    const broken = rows.find((r) => r[0] === 'broken.png')!;
    expect(broken[1]).toBe('');
    expect(broken.at(-1)).toMatch(/not a readable image/);
    const scored = rows.filter((r) => r[0] !== 'broken.png');
    const correct = scored.filter((r) => r[0]!.split('/')[0] === r[1]).length;
    expect(correct / scored.length).toBeCloseTo(result.metrics.accuracy, 5);

    // The file is there now: a second run refuses it (and leaves it as it was) unless --force.
    const before = readFileSync(out, 'utf8');
    await expect(predictImages(result.artifactDir, folder, out)).rejects.toThrow(/already exists\. Choose another output file, or pass --force/);
    expect(readFileSync(out, 'utf8')).toBe(before);
    // A picture whose name is a spreadsheet formula is written as text, not as a formula.
    cpSync(join(fixture, 'test', 'bag', readdirSync(join(fixture, 'test', 'bag')).sort()[0]!), join(folder, '=SUM(1+1).png'));
    const again = await predictImages(result.artifactDir, folder, out, { force: true });
    expect(again.rows).toBe(302);
    const paths = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(',')[0]);
    expect(paths).toContain("'=SUM(1+1).png");
    expect(paths).not.toContain('=SUM(1+1).png');
    await predictImages(result.artifactDir, folder, out, { force: true, escapeFormulas: false });
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(',')[0])).toContain('=SUM(1+1).png');
  }, 180_000);

  it('same seed and backend give the same run; a cancelled run resumes to the same result', async () => {
    const source = smallSet();
    const input = { source, epochs: 3, patience: 10, seed: 3, backend: 'wasm' as const };
    const a = await trainImages({ ...input, runId: 'a' }, makeContext({ dataDir: temp('image-a-') }));
    const b = await trainImages({ ...input, runId: 'b' }, makeContext({ dataDir: temp('image-b-') }));
    const strip = (r: typeof a) => r.epochs.map(({ seconds: _s, samplesPerSec: _p, etaSeconds: _e, ...rest }) => rest);
    expect(strip(b)).toEqual(strip(a));
    expect(readFileSync(join(b.artifactDir, 'weights.bin')).equals(readFileSync(join(a.artifactDir, 'weights.bin')))).toBe(true);

    const dataDir = temp('image-c-');
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    const progress = ctx.progress;
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 1/3') controller.abort();
    };
    await expect(trainImages({ ...input, runId: 'c' }, ctx)).rejects.toBeInstanceOf(CancelledError);
    const resumed = await trainImages({ ...input, resumeFrom: 'c' }, makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(strip(resumed)).toEqual(strip(a));
    expect(readFileSync(join(resumed.artifactDir, 'weights.bin')).equals(readFileSync(join(a.artifactDir, 'weights.bin')))).toBe(true);
  }, 180_000);

  it('refuses one class only, with what to do', async () => {
    const dir = temp('image-one-');
    for (const f of readdirSync(join(fixture, 'train', 'bag')).slice(0, 5)) cpSync(join(fixture, 'train', 'bag', f), join(dir, 'bag', f));
    await expect(trainImages({ source: dir, backend: 'wasm' }, makeContext({ dataDir: temp('image-d-') }))).rejects.toThrow(/at least two/);
  });
});
