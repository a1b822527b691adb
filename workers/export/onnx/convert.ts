/**
 * A TensorFlow.js layers model as ONNX nodes, layer by layer (converters in layers.ts). The caller
 * gives the ONNX tensors that feed the model's inputs (after its own preprocessing nodes) and gets
 * the tensors of the model's outputs, to post-process or expose as graph outputs. Every pilot
 * kind's network goes through here; only what comes before and after differs.
 */
import { UserInputError } from '../../protocol.js';
import type { GraphBuilder } from './graph.js';
import { CONVERTERS, type ConvertContext } from './layers.js';
import type { LayersGraph, LayerNode } from './tfjs-model.js';

/** The converter's answer: per model output, the ONNX tensor name and its rank. */
export interface Converted {
  outputs: Array<{ name: string; rank: number }>;
  /** Layer classes met, in order of first use (reported in the export's metadata). */
  layerClasses: string[];
}

/** Layer classes this build can convert. */
export const SUPPORTED_LAYERS = Object.keys(CONVERTERS);

/**
 * Converts `model`. `feeds` maps each model input name (`model.inputs`) to an ONNX tensor; ranks
 * include the batch dimension.
 */
export function convertLayersModel(g: GraphBuilder, model: LayersGraph, feeds: Record<string, string>): Converted {
  const unsupported = [...new Set(model.layers.map((l) => l.className).filter((c) => !CONVERTERS[c]))];
  if (unsupported.length) {
    throw new UserInputError(
      `The model uses layer type(s) ${unsupported.join(', ')}, which the ONNX exporter does not convert yet (it converts ${SUPPORTED_LAYERS.join(', ')}). Export it in the TensorFlow.js format instead (--format tfjs).`,
    );
  }
  const tensors = new Map<string, { name: string; rank: number }>();
  for (const input of model.inputs) {
    const feed = feeds[input];
    if (!feed) throw new Error(`no ONNX tensor feeds the model input "${input}"`);
    tensors.set(input, { name: feed, rank: (model.inputShapes[input]?.shape.length ?? model.inputShapes[input.split(':')[0]!]?.shape.length ?? 1) + 1 });
  }
  const weightOf = (layer: LayerNode, short: string) => model.weights.get(`${layer.name}/${short}`);
  const ctx: ConvertContext = {
    g,
    weight(layer, short) {
      const weight = weightOf(layer, short);
      if (!weight) throw new UserInputError(`Layer "${layer.name}" has no weight "${short}" in weights.bin: the model files do not belong together. Train the model again.`);
      return weight;
    },
    hasWeight: (layer, short) => weightOf(layer, short) !== undefined,
    rank(tensor) {
      const known = [...tensors.values()].find((t) => t.name === tensor);
      if (!known) throw new Error(`unknown tensor ${tensor}`);
      return known.rank;
    },
  };
  // Keras lists layers in creation order, which is topological for models built layer by layer;
  // the loop still waits for a layer's inputs, so any valid order converts.
  const pending = [...model.layers];
  const layerClasses: string[] = [];
  while (pending.length) {
    const index = pending.findIndex((layer) => layer.inputs.every((input) => tensors.has(input)));
    if (index < 0) throw new UserInputError(`The model's layers ${pending.map((l) => l.id).join(', ')} depend on tensors no layer produces: model.json is damaged.`);
    const [layer] = pending.splice(index, 1) as [LayerNode];
    if (!layerClasses.includes(layer.className)) layerClasses.push(layer.className);
    const inputs = layer.inputs.map((input) => tensors.get(input)!.name);
    let produced;
    try {
      produced = CONVERTERS[layer.className]!(layer, inputs, ctx);
    } catch (error) {
      if (error instanceof UserInputError) throw error;
      throw new UserInputError(`Layer "${layer.name}" (${layer.className}) cannot be exported to ONNX: ${(error as Error).message}. Export it in the TensorFlow.js format instead (--format tfjs).`);
    }
    produced.forEach((tensor, k) => tensors.set(k === 0 ? layer.id : `${layer.id}:${k}`, tensor));
  }
  return { outputs: model.outputs.map((name) => tensors.get(name)!), layerClasses };
}
