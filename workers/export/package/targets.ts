/**
 * Hand-off packages: a model version in the formats of engines organisations already run, each a
 * folder with a README of the commands to run there.
 *
 * - `triton`: a Triton Inference Server model repository (`<name>/config.pbtxt`, `<name>/1/model.onnx`).
 * - `kserve`: an `InferenceService` (Open Inference Protocol, ONNX format) pointing at `model/model.onnx`.
 * - `kubernetes`: Deployment + Service running the workbench's own prediction server (the code of
 *   `workers/export/serving/`) from a Dockerfile that copies only files in the package.
 * - `mlflow`: an MLmodel directory with the `onnx` flavour, the run's parameters and metrics as a
 *   run export, and a script that logs and registers both on an MLflow server.
 */
import { plainArtifactFiles } from '../../trainer/artifact.js';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { OnnxExport } from '../onnx/tabular.js';
import { kserveReadme, kubernetesReadme, mlflowReadme, tritonReadme } from './readmes.js';

export type PackageTarget = 'triton' | 'kserve' | 'kubernetes' | 'mlflow';
export const PACKAGE_TARGETS: readonly PackageTarget[] = ['triton', 'kserve', 'kubernetes', 'mlflow'];

/** What a package needs to know about the version, read from the registry by the caller. */
export interface PackageVersion {
  project: string;
  version: number;
  stage: string;
  task: string;
  target: string;
  createdAt: number;
  datasetSha256: string;
  backend: string;
  hyperparameters: Record<string, unknown>;
  testMetrics: Record<string, unknown>;
  producerVersion: string;
}

/** A file of the package: path relative to its folder, and content. */
export interface PackageFile {
  path: string;
  content: Uint8Array | string;
}

/** Lower-case letters, digits and dashes, starting with a letter (a Kubernetes / Triton name). */
export function slug(text: string, max = 50): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return /^[a-z]/.test(s) ? s : `m-${s}`.slice(0, max);
}

const TRITON_TYPES: Record<string, string> = { float64: 'TYPE_FP64', float32: 'TYPE_FP32', int64: 'TYPE_INT64', string: 'TYPE_STRING' };

/** The graph's outputs with their element types and shapes (batch = -1). */
function outputSpecs(onnx: OnnxExport): Array<{ name: string; dtype: string; dims: number[] }> {
  const o = onnx.preprocessing.outputs;
  if (o.task === 'regression') return [{ name: 'value', dtype: 'float64', dims: [-1] }];
  return [
    { name: 'label', dtype: 'string', dims: [-1] },
    { name: 'probabilities', dtype: 'float32', dims: [-1, o.classes!.length] },
    { name: 'label_index', dtype: 'int64', dims: [-1] },
  ];
}

/** Triton's `config.pbtxt` (protobuf text format of ModelConfig) for the ONNX model. */
export function tritonConfig(name: string, onnx: OnnxExport): string {
  const tensor = (t: { name: string; dtype: string; dims: number[] }) => `  {\n    name: "${t.name}"\n    data_type: ${TRITON_TYPES[t.dtype]}\n    dims: [ ${t.dims.join(', ')} ]\n  }`;
  const input = { name: onnx.preprocessing.input.name, dtype: 'float64', dims: [-1, onnx.preprocessing.input.width] };
  return [
    `name: "${name}"`,
    'platform: "onnxruntime_onnx"',
    '# The batch is the first dimension of each tensor (rows), so Triton does not add its own.',
    'max_batch_size: 0',
    `input [\n${tensor(input)}\n]`,
    `output [\n${outputSpecs(onnx).map(tensor).join(',\n')}\n]`,
    'instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]',
    '',
  ].join('\n');
}

function instructions(onnx: OnnxExport): string {
  return `${JSON.stringify(onnx.preprocessing, null, 1)}\n`;
}

export function tritonPackage(v: PackageVersion, onnx: OnnxExport): PackageFile[] {
  const name = slug(`${v.project}-v${v.version}`).replace(/-/g, '_');
  return [
    { path: `model_repository/${name}/config.pbtxt`, content: tritonConfig(name, onnx) },
    { path: `model_repository/${name}/1/model.onnx`, content: onnx.model },
    { path: 'preprocessing.onnx.json', content: instructions(onnx) },
    { path: 'README.md', content: tritonReadme(v, name, onnx) },
  ];
}

export function kservePackage(v: PackageVersion, onnx: OnnxExport): PackageFile[] {
  const name = slug(`${v.project}-v${v.version}`);
  const service = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'pilot-workbench', 'pilot.workbench/project': slug(v.project), 'pilot.workbench/version': String(v.version) } },
    spec: {
      predictor: {
        model: {
          protocolVersion: 'v2',
          modelFormat: { name: 'onnx' },
          // Copy the folder `model/` (model.onnx inside) there, then apply this file.
          storageUri: `pvc://pilot-models/${name}`,
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        },
      },
    },
  };
  return [
    { path: 'inferenceservice.yaml', content: stringify(service) },
    { path: 'model/model.onnx', content: onnx.model },
    { path: 'preprocessing.onnx.json', content: instructions(onnx) },
    { path: 'README.md', content: kserveReadme(v, name, onnx) },
  ];
}

/** npm packages the prediction server imports, at the versions the workbench ships. */
const SERVER_DEPENDENCIES = { '@tensorflow/tfjs': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0', 'csv-parse': '^6.1.0', 'iconv-lite': '^0.7.0' };

export async function kubernetesPackage(v: PackageVersion, artifactDir: string, serverFile: string, artifactFiles: readonly string[]): Promise<PackageFile[]> {
  const name = slug(`${v.project}-v${v.version}`);
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'pilot-workbench' };
  const env = [
    { name: 'PILOT_MODEL_NAME', value: v.project },
    { name: 'PILOT_MODEL_VERSION', value: String(v.version) },
    // Optional: create the secret to require "Authorization: Bearer KEY" (README).
    { name: 'PILOT_API_KEY_SHA256', valueFrom: { secretKeyRef: { name: `${name}-key`, key: 'sha256', optional: true } } },
  ];
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'predict',
              image: `REGISTRY/${name}:${v.version}`,
              ports: [{ containerPort: 8080, name: 'http' }],
              env,
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 30 },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
              securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
  const dockerfile = [
    'FROM node:20-slim',
    'WORKDIR /app',
    'COPY package.json ./',
    'RUN npm install --omit=dev --no-audit --no-fund',
    'COPY predict-server.mjs ./',
    'COPY model/ ./model/',
    'USER node',
    'EXPOSE 8080',
    'CMD ["node", "predict-server.mjs", "--model", "model", "--host", "0.0.0.0", "--port", "8080"]',
    '',
  ].join('\n');
  const pkg = { name: `pilot-${name}`, version: `${v.version}.0.0`, private: true, type: 'module', description: `Prediction server for ${v.project} version ${v.version}`, dependencies: SERVER_DEPENDENCIES };
  // Decrypted when encrypted at rest: the package is the hand-off (the same files otherwise).
  const plain = new Map((await plainArtifactFiles(artifactDir)).map((f) => [f.path, f.content]));
  const model = await Promise.all(artifactFiles.map(async (file) => ({ path: `model/${file}`, content: plain.get(file) ?? new Uint8Array(await readFile(join(artifactDir, file))) })));
  return [
    { path: 'kubernetes.yaml', content: `${stringify(deployment)}---\n${stringify(service)}` },
    { path: 'Dockerfile', content: dockerfile },
    { path: '.dockerignore', content: 'node_modules\n' },
    { path: 'package.json', content: `${JSON.stringify(pkg, null, 2)}\n` },
    { path: 'predict-server.mjs', content: new Uint8Array(await readFile(serverFile)) },
    ...model,
    { path: 'README.md', content: kubernetesReadme(v, name) },
  ];
}

/** MLflow params are strings of at most 500 characters. */
function params(h: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, x]) => [k, (typeof x === 'string' ? x : JSON.stringify(x)).slice(0, 500)]));
}

export function mlflowPackage(v: PackageVersion, onnx: OnnxExport): PackageFile[] {
  const created = new Date(v.createdAt).toISOString();
  const spec = (name: string, dtype: string, dims: number[]) => ({ type: 'tensor', 'tensor-spec': { dtype, shape: dims }, name });
  const mlmodel = {
    artifact_path: 'model',
    flavors: {
      onnx: { code: null, data: 'model.onnx', onnx_version: '1.10.2', providers: ['CPUExecutionProvider'] },
      python_function: { data: 'model.onnx', env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' }, loader_module: 'mlflow.onnx', python_version: '3.10' },
    },
    model_uuid: randomUUID().replace(/-/g, ''),
    utc_time_created: created.replace('T', ' ').replace('Z', ''),
    signature: {
      inputs: JSON.stringify([spec(onnx.preprocessing.input.name, 'float64', [-1, onnx.preprocessing.input.width])]),
      outputs: JSON.stringify(outputSpecs(onnx).map((o) => spec(o.name, o.dtype === 'string' ? 'str' : o.dtype, o.dims))),
    },
  };
  const metrics = Object.fromEntries(Object.entries(v.testMetrics).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])).map(([k, x]) => [`test_${k}`, x]));
  const run = {
    info: { run_name: `${v.project}-v${v.version}`, status: 'FINISHED', start_time: v.createdAt, end_time: v.createdAt, artifact_uri: 'model' },
    params: params(v.hyperparameters),
    metrics,
    tags: {
      'pilot.project': v.project,
      'pilot.version': String(v.version),
      'pilot.stage': v.stage,
      'pilot.task': v.task,
      'pilot.target': v.target,
      'pilot.backend': v.backend,
      'pilot.dataset_sha256': v.datasetSha256,
      'mlflow.source.name': `Pilot Workbench ${v.producerVersion}`,
    },
  };
  const requirements = 'mlflow>=2.9\nonnx>=1.14\nonnxruntime>=1.16\nnumpy\n';
  return [
    { path: 'model/MLmodel', content: stringify(mlmodel) },
    { path: 'model/model.onnx', content: onnx.model },
    { path: 'model/preprocessing.onnx.json', content: instructions(onnx) },
    { path: 'model/requirements.txt', content: requirements },
    { path: 'model/python_env.yaml', content: stringify({ python: '3.10', build_dependencies: ['pip'], dependencies: ['-r requirements.txt'] }) },
    { path: 'model/conda.yaml', content: stringify({ name: 'mlflow-env', channels: ['conda-forge'], dependencies: ['python=3.10', 'pip', { pip: requirements.trim().split('\n') }] }) },
    { path: 'run.json', content: `${JSON.stringify(run, null, 2)}\n` },
    { path: 'register.py', content: REGISTER_PY },
    { path: 'README.md', content: mlflowReadme(v) },
  ];
}

const REGISTER_PY = `"""Logs this run (parameters, metrics, tags) and the model to an MLflow server, and registers the model.

    MLFLOW_TRACKING_URI=http://mlflow:5000 python register.py [--experiment NAME]
"""
import argparse
import json

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--experiment", default="pilot-workbench")
args = parser.parse_args()

with open("run.json", encoding="utf-8") as f:
    run = json.load(f)
mlflow.set_experiment(args.experiment)
with mlflow.start_run(run_name=run["info"]["run_name"]) as active:
    mlflow.log_params(run["params"])
    mlflow.log_metrics(run["metrics"])
    mlflow.set_tags(run["tags"])
    mlflow.log_artifacts("model", artifact_path="model")
    registered = mlflow.register_model(f"runs:/{active.info.run_id}/model", run["tags"]["pilot.project"])
    print(f"registered {registered.name} version {registered.version} from run {active.info.run_id}")
`;
