/**
 * Seeded train/validation/test split, stratified by class for classification so every split sees
 * every class in the same proportion. The test rows are set aside here and not looked at again
 * until the final evaluation.
 */
import { Rng } from './random.js';
import { appendAll } from '../extent.js';

/** Row indices of each split. */
export interface Split {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Splits `n` rows. With `strata` (one class index per row), each class is split separately, so a
 * class of 3+ rows lands in all three splits.
 */
export function splitRows(n: number, fractions: { validation: number; test: number }, seed: number, strata?: Int32Array): Split {
  const rng = new Rng(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = strata ? strata[i]! : 0;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const split: Split = { train: [], validation: [], test: [] };
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffle(groups.get(key)!) as number[];
    let nTest = Math.round(rows.length * fractions.test);
    let nValidation = Math.round(rows.length * fractions.validation);
    // Small classes: still one row in each split, so every class is evaluated and validated.
    if (strata && rows.length >= 3) {
      nTest = Math.max(1, nTest);
      nValidation = Math.max(1, nValidation);
    }
    appendAll(split.test, rows.slice(0, nTest));
    appendAll(split.validation, rows.slice(nTest, nTest + nValidation));
    appendAll(split.train, rows.slice(nTest + nValidation));
  }
  // Sorted, so the order of rows in each split does not depend on how classes were grouped.
  for (const part of [split.train, split.validation, split.test]) part.sort((a, b) => a - b);
  return split;
}
