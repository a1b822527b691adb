/** How numbers, sizes, times and durations read in the UI (the helpers the CLI shares live in common/). */
export { bytes, count, delimiterName, duration, encodingName } from '../../../common/format.js';

/** Epoch ms as local date and time, to the minute; the year only when it is not this one. */
export function dateTime(epochMs: number): string {
  const date = new Date(epochMs);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleString(undefined, { ...(sameYear ? {} : { year: 'numeric' }), month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A fraction 0..1 as a whole percentage. */
export function percent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** A long path cut at the front, where it says least: "…/test/fixtures/adult.csv". */
export function shortPath(path: string, max = 36): string {
  return path.length <= max ? path : `…${path.slice(path.length - max + 1)}`;
}
