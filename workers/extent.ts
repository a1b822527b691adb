/**
 * Extremes and appends without spreading an array into a call's arguments: `Math.max(...xs)` and
 * `push(...xs)` put every element on the stack and throw "Maximum call stack size exceeded" past
 * about 100,000 elements, which a 500,000-row table reaches.
 */

/** The largest value (-Infinity for none), as `Math.max` would give. */
export function maxOf(values: ArrayLike<number> | Iterable<number>): number {
  let max = -Infinity;
  for (const v of values as Iterable<number>) if (v > max || Number.isNaN(v)) max = Number.isNaN(max) ? max : v;
  return max;
}

/** The smallest value (Infinity for none), as `Math.min` would give. */
export function minOf(values: ArrayLike<number> | Iterable<number>): number {
  let min = Infinity;
  for (const v of values as Iterable<number>) if (v < min || Number.isNaN(v)) min = Number.isNaN(min) ? min : v;
  return min;
}

/** Appends `items` to `target` in place and returns it. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
