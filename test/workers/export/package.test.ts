/**
 * Hand-off packages. None of the engines run here, so each package is checked as far as this
 * machine allows: the files parse (YAML, protobuf text, JSON), the ONNX inside loads and answers in
 * ONNX Runtime, every file the Dockerfile copies exists, and the Kubernetes package's server starts
 * and answers on 127.0.0.1 with the workbench's own predictions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { writePackage, type PackageVersion } from '../../../workers/export/index.js';
import { predictRows } from '../../../workers/trainer/index.js';
import { fixture, tempDir, trainSmall, type Trained } from './helpers.js';
import { parsePbtxt, type PbMessage } from './pbtxt.js';

const root = join(import.meta.dirname, '../../..');
const serverFile = join(root, 'dist', 'predict-server.mjs');
let trained: Trained;
let version: PackageVersion;

beforeAll(async () => {
  trained = await trainSmall({ file: fixture('iris.csv'), target: 'species', epochs: 20 });
  const r = trained.result;
  version = {
    project: 'iris',
    version: 3,
    stage: 'production',
    task: r.task,
    target: r.target,
    createdAt: Date.UTC(2026, 11, 1),
    datasetSha256: r.datasetSha256,
    backend: r.backend,
    hyperparameters: { ...r.hyperparameters },
    testMetrics: { accuracy: r.summary.network, note: 'text is left out of metrics' },
    producerVersion: 'test',
  };
});

async function answersInOnnxRuntime(path: string): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(path);
  const out = await session.run({ features: new ort.Tensor('float64', Float64Array.from([5.1, 3.5, 1.4, 0.2]), [1, 4]) });
  expect(['Iris-setosa', 'Iris-versicolor', 'Iris-virginica']).toContain(out.label!.data[0]);
  return session;
}

describe('hand-off packages', () => {
  it('triton: config.pbtxt parses and names the model\u2019s real inputs and outputs; the model loads', async () => {
    const out = join(tempDir(), 'triton');
    await writePackage(trained.result.artifactDir, out, 'triton', version, serverFile);
    const config = parsePbtxt(readFileSync(join(out, 'model_repository/iris_v3/config.pbtxt'), 'utf8'));
    expect(config).toMatchObject({ name: 'iris_v3', platform: 'onnxruntime_onnx', max_batch_size: 0 });
    const session = await answersInOnnxRuntime(join(out, 'model_repository/iris_v3/1/model.onnx'));
    const input = (config.input as PbMessage[])[0]!;
    expect(input).toEqual({ name: 'features', data_type: 'TYPE_FP64', dims: [-1, 4] });
    const outputs = config.output as PbMessage[];
    expect(outputs.map((o) => o.name)).toEqual(session.outputNames);
    expect(outputs.map((o) => o.data_type)).toEqual(['TYPE_STRING', 'TYPE_FP32', 'TYPE_INT64']);
    expect(session.inputNames).toEqual([input.name]);
    expect(() => parsePbtxt('name: "x"\ninput [ { name: "a" ')).toThrow(/unclosed|expected/);
  });

  it('kserve: an InferenceService for the ONNX format, and the model it points at loads', async () => {
    const out = join(tempDir(), 'kserve');
    await writePackage(trained.result.artifactDir, out, 'kserve', version, serverFile);
    const service = parse(readFileSync(join(out, 'inferenceservice.yaml'), 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { predictor: { model: { modelFormat: { name: string }; protocolVersion: string; storageUri: string } } } };
    expect(service).toMatchObject({ apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'iris-v3' } });
    expect(service.spec.predictor.model).toMatchObject({ modelFormat: { name: 'onnx' }, protocolVersion: 'v2' });
    expect(service.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    await answersInOnnxRuntime(join(out, 'model', 'model.onnx'));
  });

  it('mlflow: MLmodel with the onnx flavour on a file that exists; params as strings, numeric metrics only', async () => {
    const out = join(tempDir(), 'mlflow');
    await writePackage(trained.result.artifactDir, out, 'mlflow', version, serverFile);
    const mlmodel = parse(readFileSync(join(out, 'model', 'MLmodel'), 'utf8')) as { flavors: { onnx: { data: string }; python_function: { loader_module: string } }; signature: { inputs: string } };
    expect(mlmodel.flavors.python_function.loader_module).toBe('mlflow.onnx');
    await answersInOnnxRuntime(join(out, 'model', mlmodel.flavors.onnx.data));
    expect(JSON.parse(mlmodel.signature.inputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 4] }, name: 'features' }]);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { params: Record<string, unknown>; metrics: Record<string, unknown>; tags: Record<string, string> };
    expect(Object.values(run.params).every((p) => typeof p === 'string' && p.length <= 500)).toBe(true);
    expect(run.params.hiddenLayers).toBe(JSON.stringify(version.hyperparameters.hiddenLayers));
    expect(run.metrics).toEqual({ test_accuracy: version.testMetrics.accuracy });
    expect(run.tags['pilot.dataset_sha256']).toBe(trained.result.datasetSha256);
    for (const file of ['conda.yaml', 'python_env.yaml']) expect(() => parse(readFileSync(join(out, 'model', file), 'utf8'))).not.toThrow();
  });

  describe('kubernetes', () => {
    let out = '';
    let child: ChildProcess | null = null;
    let base = '';
    const key = 'pk_test_correct-horse-battery-staple';
    beforeAll(async () => {
      out = join(tempDir(), 'k8s');
      await writePackage(trained.result.artifactDir, out, 'kubernetes', version, serverFile);
      // The container installs the npm packages from package.json; here the checkout's stand in.
      symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
      child = spawn(process.execPath, ['predict-server.mjs', '--model', 'model', '--port', '0'], {
        cwd: out,
        env: { ...process.env, PILOT_MODEL_NAME: 'iris', PILOT_MODEL_VERSION: '3', PILOT_API_KEY_SHA256: createHash('sha256').update(key).digest('hex') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      base = await new Promise<string>((done, fail) => {
        let text = '';
        child!.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (match) done(match[1]!);
        });
        child!.on('exit', (code) => fail(new Error(`server exited ${code}`)));
      });
    });
    afterAll(() => {
      child?.kill();
    });

    it('YAML is a Deployment and a Service; the Dockerfile copies only files that exist', () => {
      const docs = parseAllDocuments(readFileSync(join(out, 'kubernetes.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
      expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service']);
      const dockerfile = readFileSync(join(out, 'Dockerfile'), 'utf8');
      const copies = dockerfile.split('\n').filter((line) => line.startsWith('COPY '));
      expect(copies.length).toBeGreaterThanOrEqual(3);
      for (const line of copies) {
        const sources = line.split(/\s+/).slice(1, -1);
        for (const source of sources) expect(existsSync(join(out, source)), `${source} in ${line}`).toBe(true);
      }
      expect(statSync(join(out, 'model', 'weights.bin')).size).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toMatchObject({ dependencies: { '@tensorflow/tfjs': '4.22.0' } });
    });

    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${base}/v1/models/iris:predict`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body });

    it('answers on 127.0.0.1 with the workbench\u2019s predictions (JSON and CSV)', async () => {
      const rows = trained.testRows.slice(0, 5);
      const json = rows.map((row) => Object.fromEntries(trained.header.map((c, i) => [c, Number(row[i])])));
      const response = await post(JSON.stringify({ rows: json }));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { model: unknown; predictions: Array<{ label: string; probabilities: Record<string, number> }> };
      const { predictions } = await predictRows(trained.result.artifactDir, trained.header, rows);
      expect(body.model).toEqual({ project: 'iris', version: 3 });
      body.predictions.forEach((p, i) => {
        expect(p.label).toBe(predictions[i]!.label);
        for (const [c, v] of Object.entries(p.probabilities)) expect(Math.abs(v - predictions[i]!.probabilities![c]!)).toBeLessThanOrEqual(1e-6);
      });
      const csv = await post(`${trained.header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`, { 'content-type': 'text/csv' });
      expect(((await csv.json()) as { predictions: Array<{ label: string }> }).predictions.map((p) => p.label)).toEqual(predictions.map((p) => p.label));
    });

    it('refuses bad requests with a status and a JSON error', async () => {
      const status = async (r: Promise<Response>) => {
        const response = await r;
        const body = (await response.json()) as { error: { code: string; message: string } };
        return [response.status, body.error.code, body.error.message] as const;
      };
      expect((await status(post('{"rows": [{"sepal_length": 5}]}', { authorization: '' })))[0]).toBe(401);
      expect((await status(post('{"rows": [{"sepal_length": 5}]}', { authorization: 'Bearer revoked-key' })))[0]).toBe(403);
      expect(await status(post('{"rows": ['))).toEqual([400, 'bad-json', expect.stringMatching(/not valid JSON/)]);
      expect(await status(post('{"rows": [{"sepal_length": {"x": 1}}]}'))).toEqual([400, 'wrong-type', expect.stringMatching(/Row 1, column "sepal_length": a value must be a string, number/)]);
      expect(await status(post('{"rows": [{"sepal_length": "tall"}]}'))).toEqual([422, 'wrong-type', expect.stringMatching(/"tall" is not a number/)]);
      expect(await status(post('{"rows": [{"colour": "red"}]}'))).toEqual([422, 'unusable-rows', expect.stringMatching(/None of the model's columns are in the file/)]);
      const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x20);
      expect((await status(post(big)))[0]).toBe(413);
      const partial = await post('{"rows": [{"sepal_length": 5.1, "petal_length": 1.4, "shoe_size": 44}]}');
      const warnings = ((await partial.json()) as { warnings: string[] }).warnings.join(' ');
      expect(partial.status).toBe(200);
      expect(warnings).toMatch(/"shoe_size" are not used by the model/);
      expect(warnings).toMatch(/"sepal_width", "petal_width" are missing from the file/);
    });
  });
});
