/**
 * Transfer learning: the imported backbone (frozen, but its last block with fine-tuning) followed
 * by a new head — global average pooling (or a flatten, for small maps) over its feature maps,
 * dense ReLU, dropout, dense, softmax. Built as a plain tf.layers Sequential whose first layer is the backbone model, so the
 * saved version is one self-contained layers model (the backbone's weights travel inside it):
 * prediction, evaluation, bundles and serving load it like any image model, on a machine that
 * never saw the backbone's folder. The backbone is also recorded by name, SHA-256 and input shape
 * in metadata.json, so where the weights came from stays known.
 *
 * The head's layers are named head_* so they never clash with the backbone's own names (tf.layers
 * refuses a model with two layers of one name); the training loop finds the dropout and softmax
 * layers by class (model.ts), so the same loop trains both networks.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { BackboneInfo, LoadedBackbone } from './backbone.js';
import type { CnnSpec } from './model.js';

type Tf = typeof tfjs;

/** A transfer network's description: no conv blocks of its own, the head's sizes, and the backbone. */
export interface TransferSpec extends CnnSpec {
  backbone: BackboneInfo;
  /**
   * How the head reads feature maps: `average` (global average pooling) when flattening them
   * would give more than FLATTEN_MAX features (MobileNet's 7 × 7 × 1,024), else `flatten`: a
   * small backbone's few maps keep where things are in the picture, which pooling throws away
   * (on the Fashion-MNIST transfer test flattening scored about 25 points higher). `none` for a
   * feature vector.
   */
  pooling: 'average' | 'flatten' | 'none';
}

/** Most features a flattened head input may have. */
export const FLATTEN_MAX = 4096;

/** The head's sizes for `classes` classes on top of `backbone`. */
export function transferSpec(backbone: BackboneInfo, side: number, channels: 1 | 3, classes: number, trainImages: number): TransferSpec {
  const shape = backbone.featureShape;
  // Maps of a backbone that takes any size have no fixed size to flatten: they are pooled.
  const known = shape.every((d) => typeof d === 'number' && d > 0);
  const pooling = shape.length !== 3 ? 'none' : !known || (shape as number[]).reduce((a, b) => a * b, 1) > FLATTEN_MAX ? 'average' : 'flatten';
  return { side, channels, classes, filters: [], batchNorm: false, dense: trainImages < 2000 ? 64 : 128, dropout: 0.3, backbone, pooling };
}

/** Backbone + head, with seeded head weights. */
export function buildTransfer(tf: Tf, loaded: LoadedBackbone, spec: TransferSpec, seed: number): tfjs.Sequential {
  const model = tf.sequential({ name: 'image_classifier' });
  model.add(loaded.model);
  if (spec.pooling === 'average') model.add(tf.layers.globalAveragePooling2d({ name: 'head_pool' }));
  else if (spec.pooling === 'flatten') model.add(tf.layers.flatten({ name: 'head_pool' }));
  model.add(tf.layers.dense({ units: spec.dense, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), name: 'head_dense' }));
  model.add(tf.layers.dropout({ rate: spec.dropout, name: 'head_dropout' }));
  model.add(tf.layers.dense({ units: spec.classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'head_logits' }));
  model.add(tf.layers.softmax({ name: 'head_probabilities' }));
  return model;
}
