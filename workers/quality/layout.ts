/**
 * How a file is laid out before scanning: the sniffed encoding and delimiter, and the header.
 * Sniffing refuses a header whose names repeat (COMPAS repeats `decile_score`); here a first
 * record of distinct-or-not, non-empty, non-numeric names over numeric data still counts as a
 * header, and repeated names get a suffix and a warning.
 */
import { stat } from 'node:fs/promises';
import { readFirstRecords } from '../csv/reader.js';
import { sniffFile, type Sniffed } from '../csv/sniff.js';

export interface Layout extends Sniffed {
  bytes: number;
  mtimeMs: number;
  /**
   * Where in `warnings` a Latin-1 fallback found by the scan goes (after the sniffing's own, as
   * the sniffing would have put it). A UTF-8 file's bytes past the sniffing window are validated
   * by the scan itself, in the same pass (`ScanPlan.checkUtf8`), not by a pass of their own.
   */
  encodingWarningAt: number;
}

const NUMBER = /^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$/;

export async function layoutOf(path: string, header: boolean | undefined): Promise<Layout> {
  let sniffed = await sniffFile(path, { confirmEncoding: false });
  // Working out the header reads records, which needs the encoding settled first, as every other reader has it.
  if (header !== undefined ? header !== sniffed.hasHeader : !sniffed.hasHeader) sniffed = await sniffFile(path);
  const info = await stat(path);
  const layout: Layout = { ...sniffed, warnings: [...sniffed.warnings], bytes: info.size, mtimeMs: info.mtimeMs, encodingWarningAt: sniffed.warnings.length };
  const wantHeader = header ?? (sniffed.hasHeader || (await looksLikeHeader(path, layout)));
  if (wantHeader === sniffed.hasHeader) return layout;
  const [first] = await readFirstRecords({ path, encoding: layout.encoding, delimiter: layout.delimiter, start: layout.bomBytes, end: layout.bytes }, 1);
  const names = first ?? [];
  layout.hasHeader = wantHeader;
  layout.columns = wantHeader ? uniqueNames(names.map((n) => n.trim()), layout.warnings) : names.map((_, i) => `column_${i + 1}`);
  return layout;
}

async function looksLikeHeader(path: string, layout: Layout): Promise<boolean> {
  const records = await readFirstRecords({ path, encoding: layout.encoding, delimiter: layout.delimiter, start: layout.bomBytes, end: layout.bytes }, 50);
  const [first, ...rest] = records;
  if (!first || rest.length === 0) return false;
  if (first.some((cell) => cell.trim() === '' || NUMBER.test(cell))) return false;
  return first.some((_, column) => {
    const values = rest.map((r) => r[column] ?? '').filter((v) => v.trim() !== '');
    return values.length > 0 && values.every((v) => NUMBER.test(v));
  });
}

export function uniqueNames(names: string[], warnings: string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((raw, index) => {
    const name = raw === '' ? `column_${index + 1}` : raw;
    let count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count === 1) return name;
    let renamed = `${name}_${count}`;
    while (taken.has(renamed)) renamed = `${name}_${++count}`;
    taken.add(renamed);
    warnings.push(`Column name "${name}" appears more than once; column ${index + 1} was renamed to "${renamed}".`);
    return renamed;
  });
}
