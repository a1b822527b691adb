/**
 * The tabular pilot as one ONNX graph: float64 input vector (see instructions.ts) → missing values
 * (NaN or ±Infinity) replaced by the training medians (IsNaN, IsInf, Where) → standardised
 * (Sub, Div) → float32 → the network, converted layer by layer from its TensorFlow.js model,
 * output activation included → answers: class probabilities and the label (classification), or
 * the value in the target's own unit (regression, de-standardised in float64).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SavedPipeline } from '../../trainer/artifact.js';
import { convertLayersModel } from './convert.js';
import { GraphBuilder } from './graph.js';
import { instructionsFor, type OnnxPreprocessing } from './instructions.js';
import { readLayersModel } from './tfjs-model.js';

/** The graph's input name. */
export const INPUT = 'features';

/** An exported model: the ONNX bytes and the instructions that go beside them. */
export interface OnnxExport {
  kind: 'tabular';
  model: Uint8Array;
  preprocessing: OnnxPreprocessing;
  /** Layer classes the network used, in order. */
  layers: string[];
}

/** Converts the tabular artifact in `dir` (already verified by the caller). */
export async function exportTabularOnnx(dir: string, producerVersion: string): Promise<OnnxExport> {
  const pipeline = JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8')) as SavedPipeline;
  const { preprocessing, target } = pipeline;
  const network = await readLayersModel(dir);
  const d = preprocessing.inputs.length;
  const g = new GraphBuilder('pilot_tabular');
  const x = g.input(INPUT, 'double', ['N', d]);

  const instructions = instructionsFor(preprocessing, target, INPUT, target.task === 'regression' ? ['value'] : ['label', 'probabilities', 'label_index']);
  const { medians, means, stds } = instructions.scaling;
  const absent = g.op('Or', [g.op('IsNaN', [x]), g.op('IsInf', [x])]);
  const imputed = g.op('Where', [absent, g.doubles('medians', medians, [d]), x]);
  const scaled = g.op('Div', [g.op('Sub', [imputed, g.doubles('means', means, [d])]), g.doubles('stds', stds, [d])]);
  const inputs = g.op('Cast', [scaled], { to: 1 /* FLOAT */ });

  const converted = convertLayersModel(g, network, { [network.inputs[0]!]: inputs });
  const out = converted.outputs[0]!.name;
  if (target.task === 'regression') {
    // (y · std + mean) in float64, as `pilot predict` computes it.
    const y = g.op('Cast', [out], { to: 11 /* DOUBLE */ });
    const value = g.op('Add', [g.op('Mul', [y, g.doubles('target_std', [target.std], [])]), g.doubles('target_mean', [target.mean], [])]);
    g.op('Squeeze', [value, g.int64s('axis', [1])], {}, 'value');
    g.output('value', 'double', ['N']);
  } else {
    const k = target.classes.length;
    let index: string;
    if (target.task === 'binary') {
      // The network gives P(positive) = P(classes[1]); the label is positive from 0.5 up.
      g.op('Concat', [g.op('Sub', [g.floats('one', [1], []), out]), out], { axis: 1 }, 'probabilities');
      const positive = g.op('GreaterOrEqual', [out, g.floats('threshold', [0.5], [])]);
      index = g.op('Squeeze', [g.op('Cast', [positive], { to: 7 /* INT64 */ }), g.int64s('axis', [1])]);
    } else {
      g.op('Identity', [out], {}, 'probabilities');
      index = g.op('ArgMax', [out], { axis: 1, keepdims: 0 });
    }
    g.op('Identity', [index], {}, 'label_index');
    g.op('Gather', [g.strings('classes', target.classes), index], { axis: 0 }, 'label');
    g.output('label', 'string', ['N']);
    g.output('probabilities', 'float', ['N', k]);
    g.output('label_index', 'int64', ['N']);
  }
  const model = g.encode({
    producerVersion,
    docString: `Pilot Workbench tabular model: ${target.task} of "${target.column}". Build the "${INPUT}" input as preprocessing.onnx.json says.`,
    metadata: {
      task: target.task,
      target: target.column,
      ...(target.task === 'regression' ? {} : { classes: JSON.stringify(target.classes) }),
      inputs: JSON.stringify(preprocessing.inputs),
      layers: converted.layerClasses.join(','),
    },
  });
  return { kind: 'tabular', model, preprocessing: instructions, layers: converted.layerClasses };
}
