/**
 * The image pilot as one ONNX graph: float32 pixels [N, side, side, channels] (0–255, decoded and
 * resized as preprocessing.onnx.json says) → normalised as at training time ((p / 255 − mean[c]) /
 * std[c], computed in float64 as the workbench does, then float32) → the network, converted layer
 * by layer from its TensorFlow.js model — a transfer version's backbone included, whether a layers
 * model nested in the version or a graph model inside its `GraphBackbone` layer (tf-graph.ts) —
 * → answers: the class probabilities, the label and its index.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImagePreprocessing } from '../../image/artifact.js';
import { convertLayersModel } from './convert.js';
import { GraphBuilder } from './graph.js';
import { readLayersModel } from './tfjs-model.js';

/** The graph's input name. */
export const PIXELS = 'pixels';

/** `preprocessing.onnx.json` of an image model: how a picture file becomes the `pixels` input. Documented in workers/export/README.md. */
export interface ImageOnnxPreprocessing {
  format: 'pilot-onnx-preprocessing';
  formatVersion: 1;
  kind: 'image';
  input: { name: string; dtype: 'float32'; shape: [string, number, number, number]; layout: 'NHWC'; range: [0, 255] };
  picture: {
    side: number;
    channels: 1 | 3;
    colour: 'grey' | 'rgb';
    /** EXIF orientation applied, alpha flattened onto `background`, then the whole picture squeezed to side × side (no crop). */
    exifRotation: true;
    background: string;
    resize: 'fill';
    kernel: 'lanczos3';
  };
  /** What the graph does with the pixels (a TensorFlow.js caller does it before `model.predict`). */
  normalisation: { mean: number[]; std: number[] };
  outputs: { task: 'binary' | 'multiclass'; target: 'label'; classes: string[]; names: string[] };
}

/** An exported image model: the ONNX bytes and the instructions that go beside them. */
export interface ImageOnnxExport {
  kind: 'image';
  model: Uint8Array;
  preprocessing: ImageOnnxPreprocessing;
  /** Layer classes the network used, in order. */
  layers: string[];
}

/** Converts the image artifact in `dir` (already verified by the caller). */
export async function exportImageOnnx(dir: string, producerVersion: string): Promise<ImageOnnxExport> {
  const pre = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')) as ImagePreprocessing;
  const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as { task?: string; backbone?: { name?: string; format?: string } | null };
  const network = await readLayersModel(dir);
  const { side, channels, classes, normalisation } = pre;
  const g = new GraphBuilder('pilot_image');
  const x = g.input(PIXELS, 'float', ['N', side, side, channels]);

  // (p / 255 − mean[c]) / std[c] in float64, as networkInput (workers/image/score.ts) computes it.
  const p = g.op('Cast', [x], { to: 11 /* DOUBLE */ });
  const unit = g.op('Div', [p, g.doubles('max_pixel', [255], [])]);
  const normalised = g.op('Div', [g.op('Sub', [unit, g.doubles('means', normalisation.mean, [channels])]), g.doubles('stds', normalisation.std, [channels])]);
  const inputs = g.op('Cast', [normalised], { to: 1 /* FLOAT */ });

  const converted = convertLayersModel(g, network, { [network.inputs[0]!]: inputs });
  const out = converted.outputs[0]!.name;
  g.op('Identity', [out], {}, 'probabilities');
  const index = g.op('ArgMax', [out], { axis: 1, keepdims: 0 });
  g.op('Identity', [index], {}, 'label_index');
  g.op('Gather', [g.strings('classes', classes), index], { axis: 0 }, 'label');
  g.output('label', 'string', ['N']);
  g.output('probabilities', 'float', ['N', classes.length]);
  g.output('label_index', 'int64', ['N']);

  const task = metadata.task === 'binary' ? 'binary' : 'multiclass';
  const model = g.encode({
    producerVersion,
    docString: `Pilot Workbench image model: ${classes.length} classes, ${side} × ${side} ${channels === 1 ? 'grey' : 'RGB'} pictures. Build the "${PIXELS}" input as preprocessing.onnx.json says.`,
    metadata: {
      task,
      target: 'label',
      classes: JSON.stringify(classes),
      side: String(side),
      channels: String(channels),
      layers: converted.layerClasses.join(','),
      ...(metadata.backbone ? { backbone: `${metadata.backbone.name ?? ''} (${metadata.backbone.format ?? 'layers-model'})` } : {}),
    },
  });
  const preprocessing: ImageOnnxPreprocessing = {
    format: 'pilot-onnx-preprocessing',
    formatVersion: 1,
    kind: 'image',
    input: { name: PIXELS, dtype: 'float32', shape: ['N', side, side, channels], layout: 'NHWC', range: [0, 255] },
    picture: { side, channels, colour: channels === 1 ? 'grey' : 'rgb', exifRotation: true, background: pre.background, resize: 'fill', kernel: 'lanczos3' },
    normalisation: { mean: normalisation.mean, std: normalisation.std },
    outputs: { task, target: 'label', classes, names: ['label', 'probabilities', 'label_index'] },
  };
  return { kind: 'image', model, preprocessing, layers: converted.layerClasses };
}
