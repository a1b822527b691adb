/** The README of each hand-off package: what is in it, the commands to run on the target, and what was checked here. */
import type { OnnxExport } from '../onnx/tabular.js';
import type { PackageVersion } from './targets.js';

const header = (v: PackageVersion, what: string) => `# ${v.project} version ${v.version} — ${what}

Written by Pilot Workbench ${v.producerVersion} (${v.task} of "${v.target}", stage ${v.stage} when packaged).
`;

const inputNote = (onnx: OnnxExport) =>
  `The input \`${onnx.preprocessing.input.name}\` is float64 [rows, ${onnx.preprocessing.input.width}], built from each row's cells as \`preprocessing.onnx.json\` says (numbers as they are, NaN when missing; categories one-hot).`;

export function tritonReadme(v: PackageVersion, name: string, onnx: OnnxExport): string {
  return `${header(v, 'Triton Inference Server model repository')}
\`model_repository/${name}/\` holds \`config.pbtxt\` (ONNX Runtime backend, CPU) and \`1/model.onnx\`. ${inputNote(onnx)}

\`\`\`sh
docker run --rm -p 8000:8000 -v "$PWD/model_repository:/models" nvcr.io/nvidia/tritonserver:24.08-py3 tritonserver --model-repository=/models
curl localhost:8000/v2/models/${name}/ready
\`\`\`

For a GPU, change \`kind: KIND_CPU\` to \`KIND_GPU\` in \`config.pbtxt\`.

Checked by the workbench: \`model.onnx\` loads and answers in ONNX Runtime, and \`config.pbtxt\` parses as protobuf text with names and types matching the model. Triton itself was not run.
`;
}

export function kserveReadme(v: PackageVersion, name: string, onnx: OnnxExport): string {
  return `${header(v, 'KServe InferenceService')}
\`inferenceservice.yaml\` serves \`model/model.onnx\` with KServe's ONNX runtime (Open Inference Protocol, v2). ${inputNote(onnx)}

1. Copy the folder \`model/\` to storage your cluster reads, and set \`storageUri\` in the YAML to it
   (it says \`pvc://pilot-models/${name}\`; \`s3://…\` and \`gs://…\` work the same way).
2. \`kubectl apply -f inferenceservice.yaml\`, then \`kubectl get inferenceservice ${name}\` until READY.

Checked by the workbench: the YAML parses and \`model.onnx\` loads and answers in ONNX Runtime. KServe itself was not run.
`;
}

export function kubernetesReadme(v: PackageVersion, name: string): string {
  return `${header(v, 'Kubernetes Deployment + Service')}
A small Node prediction server (\`predict-server.mjs\`, the workbench's own prediction code) with the model files in \`model/\`.

\`\`\`sh
docker build -t REGISTRY/${name}:${v.version} . && docker push REGISTRY/${name}:${v.version}
sed -i 's#REGISTRY/#your.registry/#' kubernetes.yaml && kubectl apply -f kubernetes.yaml
kubectl port-forward service/${name} 8080:80
curl -s localhost:8080/v1/models/${v.project}:predict -H 'content-type: application/json' -d '{"rows": [{"column": "value"}]}'
\`\`\`

Requests: \`POST /v1/models/${v.project}:predict\` with \`{"rows": [{column: value, …}]}\` or a CSV body
(\`content-type: text/csv\`) → \`{ model, rows, predictions: [{ label, probabilities } | { value }], warnings }\`;
errors are a status with \`{ error: { code, message } }\` (400 malformed, 413 over 10 MB, 422 unusable values).
To require an API key: \`kubectl create secret generic ${name}-key --from-literal=sha256=$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)\`,
then send \`Authorization: Bearer $KEY\`.

Without Docker: \`npm install && node predict-server.mjs --model model --port 8080\` (listens on 127.0.0.1).

Checked by the workbench: the YAML parses, every file the Dockerfile copies is in this folder, and the server
starts and answers on 127.0.0.1 with the workbench's own predictions. Docker and Kubernetes were not run.
`;
}

export function mlflowReadme(v: PackageVersion): string {
  return `${header(v, 'MLflow model and run')}
- \`model/\`: an MLflow model directory (\`MLmodel\` with the \`onnx\` and \`python_function\` flavours, \`model.onnx\`, environment files).
- \`run.json\`: the training run as MLflow sees one: parameters (hyperparameters), metrics (\`test_*\`), tags (project, stage, dataset SHA-256).
- \`register.py\`: logs the run and the model to your MLflow server and registers it under the project's name.

\`\`\`sh
pip install -r model/requirements.txt
MLFLOW_TRACKING_URI=http://your-mlflow:5000 python register.py
\`\`\`

Then \`mlflow.pyfunc.load_model("models:/${v.project}/1")\` predicts from a DataFrame or array shaped as \`preprocessing.onnx.json\` says.

Checked by the workbench: \`MLmodel\` parses as YAML with the onnx flavour pointing at a file that exists, \`run.json\` parses,
and \`model.onnx\` loads and answers in ONNX Runtime. MLflow itself was not run.
`;
}
