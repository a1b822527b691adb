/**
 * The top reasons of one prediction in plain words, shared by the try-it panel and the CSV it
 * downloads. A contribution is in the model's link space: log-odds for a class (a push of +1 takes
 * even odds to about 73 %), the target's units for a number.
 */

export interface ReasonInput {
  column: string;
  /** The row's value as given ('' when missing). */
  value: string;
  contribution: number;
}

export interface Reason extends ReasonInput {
  /** 'towards' the explained class (or up, for a number), 'away' from it (or down). */
  direction: 'towards' | 'away';
  strength: 'strongly' | 'moderately' | 'slightly';
  /** One sentence. */
  words: string;
}

/**
 * The `count` largest contributions, strongest first, each as a sentence. `explained` is the class
 * explained (its log-odds), or null for a number; `scale` is what counts as a large push: 1 log-odd
 * for a class, the target's standard deviation for a number.
 */
export function topReasons(items: ReasonInput[], explained: string | null, scale: number, count = 5, others: string | null = null): Reason[] {
  return [...items]
    .filter((item) => item.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, count)
    .map((item) => {
      const size = Math.abs(item.contribution) / (scale > 0 ? scale : 1);
      const strength = size >= 1 ? 'strongly' : size >= 0.3 ? 'moderately' : 'slightly';
      const direction = item.contribution > 0 ? 'towards' : 'away';
      const what = `${item.column} ${item.value.trim() === '' ? 'missing' : `= ${item.value}`}`;
      const words =
        explained === null
          ? `${what} ${strength} ${direction === 'towards' ? 'raises' : 'lowers'} the prediction (${signed(item.contribution)})`
          : `${what} pushes ${strength} ${direction === 'towards' ? `towards “${explained}”` : `away from “${explained}”${others ? ` (towards ${others})` : ''}`}`;
      return { ...item, direction, strength, words };
    });
}

function signed(value: number): string {
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(2);
  return value > 0 ? `+${text}` : text;
}
