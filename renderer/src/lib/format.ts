/** How numbers, sizes, times and durations read in the UI. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 32561 → "32,561". */
export function count(value: number): string {
  return integer.format(value);
}

/** Bytes in binary units: 3974305 → "3.8 MiB". */
export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${size} B` : `${size.toFixed(size < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds as a short duration: 75 → "1 min 15 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

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

/** How a delimiter reads in a table cell. */
export function delimiterName(delimiter: string): string {
  const names: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', ' ': 'space' };
  return names[delimiter] ?? JSON.stringify(delimiter);
}

/** How a detected text encoding reads: `utf-8-bom` → "UTF-8 (BOM)". */
export function encodingName(encoding: string): string {
  const names: Record<string, string> = {
    'utf-8': 'UTF-8',
    'utf-8-bom': 'UTF-8 (BOM)',
    'utf-16le': 'UTF-16 LE',
    'utf-16be': 'UTF-16 BE',
    latin1: 'Latin-1',
  };
  return names[encoding] ?? encoding;
}

/** A long path cut at the front, where it says least: "…/test/fixtures/adult.csv". */
export function shortPath(path: string, max = 36): string {
  return path.length <= max ? path : `…${path.slice(path.length - max + 1)}`;
}
