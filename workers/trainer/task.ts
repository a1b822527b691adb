/**
 * The prediction task and the target's encoding: inferred from the target's values (binary,
 * multiclass, regression) unless the user says otherwise, and refused with a reason when the target
 * cannot be learned (all missing, one class, text in a regression target).
 */
import { UserInputError } from '../protocol.js';
import { isInfinity, isMissing, parseNumber } from './values.js';

export type Task = 'binary' | 'multiclass' | 'regression';

/** How the target is encoded for the network (saved in `preprocessing.json`). */
export type TargetSpec =
  | {
      column: string;
      task: 'binary' | 'multiclass';
      /** Class labels; the network's output k is the probability of `classes[k]`. Binary: `classes[1]` is the positive class. */
      classes: string[];
    }
  | { column: string; task: 'regression'; /** The network predicts (y − mean) / std. */ mean: number; std: number };

/** Most classes a classification target may have. */
export const MAX_CLASSES = 50;
const POSITIVE_NAMES = ['1', 'true', 'yes', 'y', 't', 'positive', 'pos'];

/**
 * Works out the task and the target encoding from the target values of the rows kept (missing
 * targets already removed). `positiveClass` picks the positive class of a binary task.
 */
export function fitTarget(column: string, values: string[], requested: Task | 'auto', positiveClass?: string): TargetSpec {
  const counts = new Map<string, number>();
  let text: string | undefined;
  let textCount = 0;
  let integers = true;
  for (const raw of values) {
    const value = raw.trim();
    counts.set(value, (counts.get(value) ?? 0) + 1);
    if (isInfinity(value)) {
      throw new UserInputError(`The target "${column}" contains Infinity. Replace it with a real value or remove those rows, then retry.`);
    }
    const number = parseNumber(value);
    if (number === null) {
      text ??= value;
      textCount++;
    } else if (!Number.isInteger(number)) integers = false;
  }
  const numeric = textCount === 0;
  if (counts.size < 2) {
    const only = [...counts.keys()][0];
    throw new UserInputError(
      `The target "${column}" has a single value ("${only}") in every row, so there is nothing to learn. Pick another target column, or add rows of the other outcomes.`,
    );
  }
  let task: Task;
  if (requested === 'auto') task = numeric && !(integers && counts.size <= 10) ? 'regression' : counts.size === 2 ? 'binary' : 'multiclass';
  else task = requested;

  if (task === 'regression') {
    if (!numeric) {
      throw new UserInputError(
        `The target "${column}" has text in ${textCount} row(s) (for example "${text}"), so it cannot be predicted as a number. Clean those rows, or choose a classification task.`,
      );
    }
    const ys = values.map(Number);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
    return { column, task, mean, std: std > 1e-12 ? std : 1 };
  }
  if (task === 'binary' && counts.size !== 2) {
    throw new UserInputError(`A binary task needs exactly 2 classes, but "${column}" has ${counts.size}. Choose multiclass, or auto.`);
  }
  if (counts.size > MAX_CLASSES) {
    throw new UserInputError(
      `The target "${column}" has ${counts.size} different values, too many classes (limit ${MAX_CLASSES}). If it is a quantity, choose regression; otherwise group its values first.`,
    );
  }
  const classes = [...counts.keys()].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (task === 'binary') {
    const positive = positiveClass ?? defaultPositive(classes, counts);
    if (!classes.includes(positive)) {
      throw new UserInputError(`The positive class "${positive}" is not a value of "${column}" (its values are ${classes.join(', ')}).`);
    }
    return { column, task, classes: [classes.find((c) => c !== positive)!, positive] };
  }
  return { column, task, classes };
}

/** `1`, `true`, `yes` … when the labels say so; otherwise the rarer class, which is usually the one to find. */
function defaultPositive(classes: string[], counts: Map<string, number>): string {
  const named = classes.find((c) => POSITIVE_NAMES.includes(c.toLowerCase()));
  if (named) return named;
  const [a, b] = classes as [string, string];
  return (counts.get(b) ?? 0) <= (counts.get(a) ?? 0) ? b : a;
}

/** Target values as the network sees them: class index, or standardised number. Missing → NaN. */
export function encodeTarget(spec: TargetSpec, values: string[]): Float32Array {
  const y = new Float32Array(values.length);
  values.forEach((raw, i) => {
    if (isMissing(raw)) y[i] = Number.NaN;
    else if (spec.task === 'regression') y[i] = (Number(raw.trim()) - spec.mean) / spec.std;
    else y[i] = spec.classes.indexOf(raw.trim());
  });
  return y;
}
