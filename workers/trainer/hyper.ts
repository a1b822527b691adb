/**
 * Default network size and training settings, chosen from the data's size: small data gets a small
 * network without dropout and more epochs; larger data gets two layers, dropout and bigger batches.
 * Every value can be overridden from the wizard's "advanced" drawer.
 */

/** The settings of a run, recorded with the model version. */
export interface Hyperparameters {
  hiddenLayers: number[];
  dropout: number;
  learningRate: number;
  batchSize: number;
  /** Upper bound; early stopping usually ends sooner. */
  maxEpochs: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /** `balanced`: rows weighted by n / (classes × class count), so rare classes count as much. */
  classWeights: 'balanced' | 'none';
  /** A linear input → output path beside the hidden layers (wide & deep). */
  linearSkip: boolean;
  seed: number;
}

export type HyperOverrides = Partial<Omit<Hyperparameters, 'classWeights' | 'seed'>>;

export function defaultHyperparameters(nTrain: number, nInputs: number, overrides: HyperOverrides, classWeights: Hyperparameters['classWeights'], seed: number): Hyperparameters {
  const batchSize = overrides.batchSize ?? (nTrain < 1000 ? 32 : nTrain < 10_000 ? 64 : nTrain < 100_000 ? 128 : 256);
  // Wide enough for the inputs, and for the data: few inputs but many rows (hourly demand) still
  // need room for interactions.
  const width = Math.min(128, Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(nInputs, Math.sqrt(nTrain), 1)))));
  const hiddenLayers = overrides.hiddenLayers ?? (nTrain < 500 ? [width] : [width, Math.max(8, width / 2)]);
  const batchesPerEpoch = Math.ceil(nTrain / batchSize);
  // About 10,000 optimizer steps at most, in 30–300 epochs; early stopping usually ends sooner.
  const maxEpochs = overrides.maxEpochs ?? Math.min(300, Math.max(30, Math.ceil(10_000 / batchesPerEpoch)));
  return {
    hiddenLayers,
    dropout: overrides.dropout ?? (nTrain < 500 ? 0 : nTrain < 5000 ? 0.1 : 0.2),
    learningRate: overrides.learningRate ?? (nTrain < 1000 ? 3e-3 : 1e-3),
    batchSize,
    maxEpochs,
    // A sixth of the epoch budget, 10…50: on small tables (300 cheap epochs) the validation loss
    // still creeps down after a 20-epoch flat stretch (bike_day seed 5: best epoch 54 with patience
    // 20, 240 with 50, validation R² 0.922 → 0.936), so a short patience stopped on a plateau.
    patience: overrides.patience ?? Math.min(50, Math.max(10, Math.round(maxEpochs / 6))),
    classWeights,
    linearSkip: overrides.linearSkip ?? true,
    seed,
  };
}

/** Per-class weights n / (k · countₖ), or all ones. */
export function classWeightsFor(y: Float32Array, k: number, policy: Hyperparameters['classWeights']): number[] {
  if (policy === 'none') return new Array<number>(k).fill(1);
  const counts = new Array<number>(k).fill(0);
  for (const c of y) counts[c]!++;
  return counts.map((count) => (count ? y.length / (k * count) : 0));
}

/**
 * Rough cost of a run, for the wizard's time estimate: divide `flopsPerEpoch × epochs` by the
 * backend's measured matMul GFLOP/s from the hardware profile (expect 30–60 % of it in practice:
 * small matrices and per-batch overhead).
 */
export function trainingCost(nTrain: number, nInputs: number, hyper: Pick<Hyperparameters, 'hiddenLayers' | 'maxEpochs' | 'linearSkip'>, outputs = 1): {
  parameters: number;
  /** Multiply-adds × 2 for forward and backward passes over one epoch (backward ≈ 2 × forward). */
  flopsPerEpoch: number;
  maxEpochs: number;
} {
  const sizes = [nInputs, ...hyper.hiddenLayers, outputs];
  let weights = 0;
  let parameters = 0;
  for (let l = 1; l < sizes.length; l++) {
    weights += sizes[l - 1]! * sizes[l]!;
    parameters += sizes[l - 1]! * sizes[l]! + sizes[l]!;
  }
  if (hyper.linearSkip) {
    weights += nInputs * outputs;
    parameters += nInputs * outputs;
  }
  return { parameters, flopsPerEpoch: 6 * weights * nTrain, maxEpochs: hyper.maxEpochs };
}
