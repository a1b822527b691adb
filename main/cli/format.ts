/** Plain-text output helpers for the CLI: aligned tables and times (counts, sizes and durations are shared with the UI). */
export { bytes, count, delimiterName, duration } from '../../common/format.js';

export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) => row.map((cell, column) => (cell ?? '').padEnd(widths[column] ?? 0)).join('  ').trimEnd())
    .join('\n');
}

export function time(epochMs: number | null): string {
  return epochMs === null ? '' : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19);
}

