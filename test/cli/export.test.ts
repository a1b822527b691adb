/**
 * `pilot models export --format onnx|tfjs` as a real process: the folder it writes loads in ONNX
 * Runtime; an existing or read-only target and a model whose files changed are refused with one
 * clear line, and nothing is written.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, pilot, root, tempDir } from '../helpers.js';

const { dir: dataDir, cleanup } = tempDir('pilot-export-');
let artifactDir = '';

beforeAll(() => {
  const trained = pilot(['train', fixture('iris.csv'), '--target', 'species', '--epochs', '3', '--json'], { dataDir });
  expect(trained.code, trained.stderr).toBe(0);
  artifactDir = (JSON.parse(trained.stdout) as { artifactDir: string }).artifactDir;
});
afterAll(cleanup);

describe('pilot models export --format', () => {
  it('onnx: writes model.onnx + preprocessing.onnx.json + README; the model runs in ONNX Runtime', async () => {
    const out = join(dataDir, 'iris-onnx');
    const r = pilot(['models', 'export', 'iris@1', out, '--format', 'onnx', '--json'], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    const written = JSON.parse(r.stdout) as { format: string; path: string; bytes: number; files: Array<{ path: string; size: number; sha256: string }> };
    expect(written.format).toBe('onnx');
    expect(written.path).toBe(out);
    expect(written.files.map((f) => f.path)).toEqual(['model.onnx', 'preprocessing.onnx.json', 'README.md']);
    expect(written.bytes).toBe(written.files.reduce((s, f) => s + f.size, 0));
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    const spec = JSON.parse(readFileSync(join(out, 'preprocessing.onnx.json'), 'utf8')) as { input: { name: string; width: number } };
    const x = new ort.Tensor('float64', Float64Array.from([5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]), [2, spec.input.width]);
    const result = await session.run({ [spec.input.name]: x });
    // The same rows through `pilot predict`: same labels, same probabilities (its CSV has 6 decimals).
    const rows = join(dataDir, 'two.csv');
    writeFileSync(rows, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n');
    const predicted = pilot(['predict', 'iris@1', rows, '--out', join(dataDir, 'two-out.csv')], { dataDir });
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(join(dataDir, 'two-out.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const probabilities = result.probabilities!.data as Float32Array;
    lines.forEach((cells, i) => {
      expect(result.label!.data[i]).toBe(cells[4]);
      for (let k = 0; k < 3; k++) expect(Math.abs(probabilities[3 * i + k]! - Number(cells[5 + k]))).toBeLessThanOrEqual(5e-7 + 1e-6);
    });
  });

  it('tfjs: the artifact files unchanged, plus the instructions and a README', () => {
    const out = join(dataDir, 'iris-tfjs');
    const r = pilot(['models', 'export', 'iris@1', out, '--format', 'tfjs'], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*iris-tfjs\/ \(tfjs/);
    expect(readdirSync(out).sort()).toEqual(['README.md', 'checksums.json', 'metadata.json', 'model.json', 'preprocessing.json', 'preprocessing.onnx.json', 'weights.bin']);
    expect(readFileSync(join(out, 'weights.bin'))).toEqual(readFileSync(join(artifactDir, 'weights.bin')));
  });

  it('refuses a folder that exists and leaves the folder as it was', () => {
    const out = join(dataDir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep me');
    const r = pilot(['models', 'export', 'iris@1', out, '--format', 'onnx'], { dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/taken already exists: the export never overwrites files\. Choose a new folder name/);
    expect(readdirSync(out)).toEqual(['mine.txt']);
  });

  it('refuses a read-only parent folder without writing anything', () => {
    const parent = join(dataDir, 'locked');
    mkdirSync(parent);
    // root ignores permissions: run the CLI as an unprivileged user then, so the folder is really read-only to it.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) spawnSync('chmod', ['-R', 'a+rwX', dataDir]);
    chmodSync(parent, 0o555);
    const r = spawnSync(process.execPath, [join(root, 'bin', 'pilot.js'), 'models', 'export', 'iris@1', join(parent, 'out'), '--format', 'onnx', '--data-dir', dataDir], {
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: dataDir } } : {}),
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/locked is read-only for this user, so the export cannot be written there/);
    expect(readdirSync(parent)).toEqual([]);
    chmodSync(parent, 0o755);
  });

  it('refuses a model whose files no longer match their checksums, in the ONNX and TensorFlow.js formats', () => {
    const weights = join(artifactDir, 'weights.bin');
    const original = readFileSync(weights);
    const damaged = Buffer.from(original);
    damaged[0] = damaged[0]! ^ 1;
    writeFileSync(weights, damaged);
    try {
      for (const format of ['onnx', 'tfjs']) {
        const out = join(dataDir, `damaged-${format}`);
        const r = pilot(['models', 'export', 'iris@1', out, '--format', format], { dataDir });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/weights\.bin in .* does not match its checksum: the model was changed after training/);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      writeFileSync(weights, original);
    }
  });
});

describe('pilot models card and package', () => {
  it('card: HTML and Markdown with every section, metrics with intervals; --json shape', () => {
    const html = join(dataDir, 'card.html');
    const r = pilot(['models', 'card', 'iris@1', '--html', html], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    for (const title of ['Intended use', 'Data', 'Metrics on the test split', 'Fairness per group', 'Limitations', 'Lineage', 'Stage history']) expect(page).toContain(`<h2>${title}</h2>`);
    expect(page).toMatch(/<td>register — → candidate<\/td>/);
    const md = pilot(['models', 'card', 'iris@1', '--md', join(dataDir, 'card.md'), '--json'], { dataDir });
    expect(md.code, md.stderr).toBe(0);
    const written = JSON.parse(md.stdout) as { format: string; bytes: number; intervals: Array<{ metric: string; low: number; high: number; method: string }> };
    expect(written.format).toBe('md');
    const accuracy = written.intervals.find((i) => i.metric === 'accuracy')!;
    expect(accuracy.method).toBe('wilson');
    expect(accuracy.low).toBeLessThanOrEqual(accuracy.high);
    expect(readFileSync(join(dataDir, 'card.md'), 'utf8')).toContain('## Metrics on the test split');
  });

  it('package: a kubernetes folder with the server and the model; an existing folder is refused', () => {
    const out = join(dataDir, 'k8s');
    const r = pilot(['models', 'package', 'iris@1', '--for', 'kubernetes', '--out', out, '--json'], { dataDir });
    expect(r.code, r.stderr).toBe(0);
    const written = JSON.parse(r.stdout) as { target: string; files: Array<{ path: string }> };
    expect(written.target).toBe('kubernetes');
    expect(written.files.map((f) => f.path)).toEqual(expect.arrayContaining(['Dockerfile', 'kubernetes.yaml', 'predict-server.mjs', 'model/model.json', 'model/weights.bin', 'README.md']));
    const again = pilot(['models', 'package', 'iris@1', '--for', 'triton', '--out', out], { dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/k8s already exists/);
  });
});
