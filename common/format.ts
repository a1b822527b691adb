/**
 * How counts, sizes, durations and file formats read, the same in the UI, the CLI and the reports.
 * Pure and dependency-free, like everything in common/.
 */

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

/** Seconds as a short duration: 75 → "1 min 15 s"; "" when not a finite, non-negative number. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** How a delimiter reads: ";" → "semicolon". */
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
