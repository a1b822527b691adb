/** The README.md written into each export folder: what the files are and how to run them elsewhere. */
import type { ImageOnnxPreprocessing } from './onnx/image.js';
import type { OnnxPreprocessing } from './onnx/instructions.js';

/** What the README names. */
export interface ReadmeLabel {
  project: string;
  version: number;
  producerVersion: string;
}

/**
 * The Node example of loading the TensorFlow.js files, as documented in the project README (a test
 * runs it as written, from an export folder).
 */
export const TFJS_NODE_EXAMPLE = `import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
const json = JSON.parse(readFileSync('model.json', 'utf8'));
const bin = readFileSync('weights.bin');
const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
const { scaling: s, slots } = JSON.parse(readFileSync('preprocessing.onnx.json', 'utf8'));
const raw = slots.map(() => NaN); // one row, built as preprocessing.onnx.json says (NaN = missing)
const x = raw.map((v, i) => ((Number.isFinite(v) ? v : s.medians[i]) - s.means[i]) / s.stds[i]);
console.log(Array.from(model.predict(tf.tensor2d([x])).dataSync())); // probabilities, or the standardised value`;

function outputsText(p: OnnxPreprocessing): string {
  const o = p.outputs;
  if (o.task === 'regression') return `- \`value\` (float64, [N]): the predicted ${o.target}, in its own unit.`;
  return [
    `- \`label\` (string, [N]): the predicted ${o.target}${o.task === 'binary' ? ` ("${o.classes![1]}" from probability 0.5 up)` : ''}.`,
    `- \`probabilities\` (float32, [N, ${o.classes!.length}]): one column per class, in this order: ${o.classes!.map((c) => `"${c}"`).join(', ')}.`,
    '- `label_index` (int64, [N]): the index of `label` in that list.',
  ].join('\n');
}

export function onnxReadme(label: ReadmeLabel, p: OnnxPreprocessing): string {
  return `# ${label.project} version ${label.version} — ONNX

Exported by Pilot Workbench ${label.producerVersion}. ONNX opset 17; checked with ONNX Runtime against the workbench's own predictions.

- \`model.onnx\`: the network with its numeric preprocessing (missing values → training medians, standardisation) and output activation.
- \`preprocessing.onnx.json\`: how to build the input \`${p.input.name}\` (float64, [N, ${p.input.width}]) from a row's cells:
  numbers as they are (NaN when missing), booleans 1/0, date parts, one-hot categories, hashed buckets.

Outputs:
${outputsText(p)}

## Run it

Python (\`pip install onnxruntime numpy\`):

\`\`\`python
import numpy as np, onnxruntime as ort
session = ort.InferenceSession("model.onnx")
x = np.full((1, ${p.input.width}), np.nan)          # fill one row as preprocessing.onnx.json says
print(session.run(None, {"${p.input.name}": x}))
\`\`\`

Node (\`npm install onnxruntime-node\`):

\`\`\`js
import * as ort from 'onnxruntime-node';
const session = await ort.InferenceSession.create('model.onnx');
const x = new ort.Tensor('float64', new Float64Array(${p.input.width}).fill(NaN), [1, ${p.input.width}]);
console.log(await session.run({ ${p.input.name}: x }));
\`\`\`
`;
}

export function tfjsReadme(label: ReadmeLabel): string {
  return `# ${label.project} version ${label.version} — TensorFlow.js layers model

Exported by Pilot Workbench ${label.producerVersion}: the model version's own files, unchanged.

- \`model.json\` + \`weights.bin\`: a standard TensorFlow.js layers model. Load it with \`tf.loadLayersModel\`:
  in a browser \`tf.loadLayersModel('https://your.host/model.json')\`, with tfjs-node \`tf.loadLayersModel('file://model.json')\`,
  or from memory as below.
- \`preprocessing.json\`: the workbench's pipeline (\`preprocessing\`: features and scalers; \`target\`: classes, or mean/std of the value).
- \`preprocessing.onnx.json\`: the same pipeline as plain instructions: how to build a row's raw vector and, in \`scaling\`, how to impute and standardise it.
- \`metadata.json\`, \`checksums.json\`: what the run was; SHA-256 of every file.

The model takes the standardised vector and returns class probabilities (binary: the probability of the
second class in \`target.classes\`), or for regression the standardised value: multiply by \`target.std\`, add \`target.mean\`.

\`\`\`js
${TFJS_NODE_EXAMPLE}
\`\`\`
`;
}

/** The README's Node example for an image model: a picture decoded with sharp exactly as the workbench does, then ONNX Runtime. */
export function imageNodeExample(side: number, channels: 1 | 3): string {
  return `import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
const session = await ort.InferenceSession.create('model.onnx');
const { data, info } = await sharp('picture.png').rotate().flatten({ background: '#ffffff' }).toColourspace('srgb')
  .resize(${side}, ${side}, { fit: 'fill', kernel: 'lanczos3' })${channels === 1 ? '.greyscale()' : ''}.removeAlpha().raw().toBuffer({ resolveWithObject: true });
// A grey picture stays one channel in sharp: each value is repeated for a colour model.
const x = Float32Array.from({ length: ${side * side * channels} }, (_, i) => data[info.channels === ${channels} ? i : Math.floor(i / ${channels})]);
const { label, probabilities } = await session.run({ pixels: new ort.Tensor('float32', x, [1, ${side}, ${side}, ${channels}]) });
console.log(label.data[0], JSON.stringify(Array.from(probabilities.data)));`;
}

export function imageOnnxReadme(label: ReadmeLabel, p: ImageOnnxPreprocessing): string {
  const { side, channels } = p.picture;
  const classes = p.outputs.classes;
  return `# ${label.project} version ${label.version} — ONNX

Exported by Pilot Workbench ${label.producerVersion}. ONNX opset 17; checked with ONNX Runtime against the workbench's own predictions.

- \`model.onnx\`: the network (backbone included) with its pixel normalisation and softmax.
- \`preprocessing.onnx.json\`: how to build the input \`${p.input.name}\` (float32, [N, ${side}, ${side}, ${channels}], channels last, values 0–255)
  from a picture: EXIF rotation applied, transparency flattened onto white, ${channels === 1 ? 'converted to grey' : 'as RGB'}, the whole picture
  resized to ${side} × ${side} (stretched, not cropped; Lanczos-3). The graph divides by 255 and standardises per channel itself.

Outputs:
- \`label\` (string, [N]): the predicted class.
- \`probabilities\` (float32, [N, ${classes.length}]): one column per class, in this order: ${classes.map((c) => `"${c}"`).join(', ')}.
- \`label_index\` (int64, [N]): the index of \`label\` in that list.

## Run it

Python (\`pip install onnxruntime numpy pillow\`):

\`\`\`python
import numpy as np, onnxruntime as ort
from PIL import Image, ImageOps
session = ort.InferenceSession("model.onnx")
picture = ImageOps.exif_transpose(Image.open("picture.png")).convert("${channels === 1 ? 'L' : 'RGB'}").resize((${side}, ${side}), Image.LANCZOS)
x = np.asarray(picture, dtype=np.float32).reshape(1, ${side}, ${side}, ${channels})
print(session.run(None, {"${p.input.name}": x}))
\`\`\`

Node (\`npm install onnxruntime-node sharp\`), decoding as the workbench does (a test runs this example as written):

\`\`\`js
${imageNodeExample(side, channels)}
\`\`\`

Other resizers (Pillow's included) give slightly different pixels, and so slightly different probabilities, than the workbench's sharp.
`;
}
