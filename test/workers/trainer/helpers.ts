import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fixture = (name: string) => join(import.meta.dirname, '../../fixtures', name);

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'trainer-'));
}

/** Writes a CSV from a header and rows into a fresh temp dir and returns its path. */
export function writeCsv(header: string[], rows: Array<Array<string | number>>, name = 'data.csv'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}
