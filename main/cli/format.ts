/** Plain-text output helpers for the CLI: aligned tables, sizes, durations, progress lines. */

export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) => row.map((cell, column) => (cell ?? '').padEnd(widths[column] ?? 0)).join('  ').trimEnd())
    .join('\n');
}

export function bytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let size = value;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${unit === 0 ? size : size.toFixed(size >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const count = (n: number) => n.toLocaleString('en-US');

export function time(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19);
}

export function delimiterName(delimiter: string): string {
  return { ',': 'comma', '\t': 'tab', ';': 'semicolon', '|': 'pipe' }[delimiter] ?? JSON.stringify(delimiter);
}
