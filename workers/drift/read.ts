/** Reading the reference (into a profile) and the current batch (into collectors). */
import { basename } from 'node:path';
import { throwIfCancelled } from '../protocol.js';
import { ColumnCollector, type CollectMode } from './collector.js';
import { columnProfile, DEFAULT_MAX_POINTS, PROFILE_VERSION, type ReferenceProfile } from './profile.js';
import { scanCsv, type FieldSink, type ScanResult } from './scan.js';

/** Sends each field to its column's collector; columns without one are skipped. */
class CollectSink implements FieldSink {
  constructor(private readonly collectors: (ColumnCollector | null)[]) {}
  field(column: number, text: string, start: number, end: number): void {
    const collector = this.collectors[column];
    if (collector) collector.add(text, start, end);
  }
  endRecord(): void {}
  expectRecords(records: number): void {
    for (const collector of this.collectors) collector?.reserve(records);
  }
}

export interface ReadOptions {
  signal: AbortSignal;
  /** Fraction of this file read, 0..1. */
  onProgress(fraction: number): void;
}

/** What a scan collected, by column name. */
export interface CollectedFile {
  columns: Map<string, ColumnCollector>;
  /** Column names in file order. */
  names: string[];
  scan: ScanResult;
}

/**
 * Scans a file; `modeOf(name)` says how to read each column (null: skip it), `keepRaw` names the
 * columns whose cells must stay row-aligned.
 */
export async function collectFile(
  path: string,
  modeOf: (name: string) => CollectMode | null,
  keepRaw: ReadonlySet<string>,
  options: ReadOptions,
): Promise<CollectedFile> {
  const columns = new Map<string, ColumnCollector>();
  let names: string[] = [];
  let collectors: (ColumnCollector | null)[] = [];
  const scan = await scanCsv(
    path,
    (header) => {
      names = header;
      collectors = header.map((name) => {
        const mode = modeOf(name);
        if (mode === null && !keepRaw.has(name)) return null;
        const collector = new ColumnCollector(mode ?? 'text', keepRaw.has(name));
        columns.set(name, collector);
        return collector;
      });
      return new CollectSink(collectors);
    },
    (fraction) => {
      throwIfCancelled(options.signal);
      options.onProgress(fraction);
    },
  );
  return { columns, names, scan };
}

/** Builds the reference profile of a CSV file in one streaming pass. */
export async function buildReferenceProfile(
  path: string,
  options: ReadOptions & { maxPoints?: number },
): Promise<ReferenceProfile> {
  const file = await collectFile(path, () => 'auto', new Set(), options);
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const columns = file.names.map((name) => {
    throwIfCancelled(options.signal);
    return columnProfile(name, file.columns.get(name) as ColumnCollector, maxPoints);
  });
  return {
    version: PROFILE_VERSION,
    rows: file.scan.records,
    source: { file: basename(path), bytes: file.scan.bytes, sha256: file.scan.sha256 },
    columns,
    warnings: scanWarnings(file.scan, 'reference'),
  };
}

export function scanWarnings(scan: ScanResult, which: string): string[] {
  const warnings = scan.sniffed.warnings.map((w) => `${capitalise(which)} file: ${w}`);
  if (scan.raggedRecords > 0) {
    warnings.push(
      `${capitalise(which)} file: ${scan.raggedRecords.toLocaleString('en-US')} row(s) have a different number of fields than the header; missing fields were read as empty and extra ones ignored.`,
    );
  }
  return warnings;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
