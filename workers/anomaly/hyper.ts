/**
 * The autoencoder's shape and settings, sized from the data: inputs → h → bottleneck → h → inputs,
 * with h the next power of two ≥ inputs/2 (16…128) and the bottleneck about a quarter of the
 * inputs (2…32). The bottleneck is what makes it work: too wide and the network copies every row,
 * unusual ones included; too narrow and it cannot reproduce ordinary rows either.
 */

/** The settings of a run, recorded with the model version. */
export type AnomalyHyperparameters = {
  /** Hidden layer widths, the bottleneck in the middle. */
  hiddenLayers: number[];
  bottleneck: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  seed: number;
};

export function anomalyHyperparameters(
  nTrain: number,
  inputs: number,
  overrides: Partial<Pick<AnomalyHyperparameters, 'bottleneck' | 'learningRate' | 'batchSize' | 'maxEpochs' | 'patience'>>,
  seed: number,
): AnomalyHyperparameters {
  const bottleneck = overrides.bottleneck ?? Math.min(32, Math.max(2, Math.round(inputs / 4)));
  const width = Math.max(bottleneck, Math.min(128, Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(inputs / 2, 1))))));
  const batchSize = overrides.batchSize ?? (nTrain < 1000 ? 32 : nTrain < 10_000 ? 64 : nTrain < 100_000 ? 128 : 256);
  const batchesPerEpoch = Math.ceil(nTrain / batchSize);
  // About 6,000 optimizer steps at most, in 30–300 epochs; early stopping usually ends sooner.
  const maxEpochs = overrides.maxEpochs ?? Math.min(300, Math.max(30, Math.ceil(6000 / batchesPerEpoch)));
  return {
    hiddenLayers: [width, bottleneck, width],
    bottleneck,
    learningRate: overrides.learningRate ?? (nTrain < 1000 ? 3e-3 : 1e-3),
    batchSize,
    maxEpochs,
    patience: overrides.patience ?? Math.min(20, Math.max(8, Math.round(maxEpochs / 10))),
    seed,
  };
}
