/**
 * A streaming CSV record reader. It never holds the file: bytes are read in chunks, decoded, and
 * split into records by a small hand-written state machine (see `parser.ts` for why not csv-parse).
 * A file can be read as one stream or as byte ranges that start at a line break, which is how the
 * quality engine spreads one file over several threads (`ranges.ts` checks the seams).
 * `readByteRange` reads the same records without decoding them (`byte-parser.ts`).
 */
import { open } from 'node:fs/promises';
import type { TextEncoding } from './sniff.js';
import { makeDecoder } from './decode.js';
import { CsvRecordParser, type ParserStats } from './parser.js';
import { ByteRecordParser, type ByteRecord } from './byte-parser.js';

export { CsvRecordParser, type ParserStats } from './parser.js';

/** Where and how to read. */
export interface ReadRangeOptions {
  path: string;
  encoding: TextEncoding;
  delimiter: string;
  /** First byte to read (after any BOM for range 0). For later ranges: the first byte after a line break. */
  start: number;
  /** One past the last byte to read (a record boundary, or the file size). */
  end: number;
  /** Skip the first record (the header) — only for the range that starts the file. */
  skipHeader: boolean;
  /** Bytes per read; records longer than this are handled by growing the read. */
  chunkBytes?: number;
  /** Called with each record's fields (the array is reused: copy what you keep) and its 1-based physical line within the range. */
  onRecord(fields: string[], line: number): void;
  /** Called after each chunk with the bytes read so far in this range; may throw to stop (cancellation). */
  onChunk?(bytesRead: number): void;
  /** Called with each chunk's raw bytes, in file order, before they are parsed (hashing, validation). Valid only during the call. */
  onBytes?(bytes: Buffer): void;
}

/** What a range read saw, beyond its records. */
export interface RangeReadResult extends ParserStats {
  /** Bytes read (end - start). */
  bytes: number;
}

const DEFAULT_CHUNK = 1 << 20;

/** Reads the records of `[start, end)` of a file, streaming. Resolves when the range is done. */
export async function readRange(options: ReadRangeOptions): Promise<RangeReadResult> {
  const { path, start, end } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  const decode = makeDecoder(options.encoding);
  let skip = options.skipHeader;
  const parser = new CsvRecordParser(options.delimiter, (fields, line) => {
    if (skip) {
      skip = false;
      return;
    }
    options.onRecord(fields, line);
  });
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let position = start;
    while (position < end) {
      const want = Math.min(chunkBytes, end - position);
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) break; // the file shrank while being read; the caller compares sizes
      position += bytesRead;
      options.onBytes?.(buffer.subarray(0, bytesRead));
      parser.push(decode.write(buffer.subarray(0, bytesRead)));
      options.onChunk?.(position - start);
    }
    parser.push(decode.end());
    parser.end();
  } finally {
    await handle.close();
  }
  return { ...parser.stats(), bytes: end - start };
}

/** Options of `readByteRange`: records come as byte spans. */
export interface ReadByteRangeOptions extends Omit<ReadRangeOptions, 'onRecord'> {
  /** Called with each record (reused: copy what you keep) and its 1-based physical line within the range. */
  onRecord(record: ByteRecord, line: number): void;
}

/**
 * Reads the records of `[start, end)` as byte spans (`byte-parser.ts`), for a splittable encoding
 * and a one-byte delimiter (`byteReadable`). Same records, counters and progress as `readRange`.
 */
export async function readByteRange(options: ReadByteRangeOptions): Promise<RangeReadResult> {
  const { path, start, end } = options;
  if (!byteReadable(options.encoding, options.delimiter)) throw new Error(`A ${options.encoding} file delimited by ${JSON.stringify(options.delimiter)} cannot be read as bytes.`);
  let skip = options.skipHeader;
  const parser = new ByteRecordParser(options.delimiter, options.encoding === 'latin1' ? 'latin1' : 'utf8', (record, line) => {
    if (skip) {
      skip = false;
      return;
    }
    options.onRecord(record, line);
  });
  const handle = await open(path, 'r');
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  // Two read buffers: the next chunk is read while this one is parsed, so the thread never waits on the disk.
  const reads = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  const readAt = (k: number, at: number) => handle.read(reads[k]!, 0, Math.min(chunkBytes, end - at), at);
  let pending = start < end ? readAt(0, start) : null;
  try {
    // The parse buffer: a cut-off record's bytes kept at the front, then the chunk just read.
    let buffer: Buffer = Buffer.allocUnsafe(2 * chunkBytes);
    let kept = 0;
    let position = start;
    for (let k = 0; pending; k = 1 - k) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) break; // the file shrank while being read; the caller compares sizes
      if (kept + bytesRead > buffer.length) buffer = grow(buffer, kept, 2 * (kept + bytesRead));
      reads[k]!.copy(buffer, kept, 0, bytesRead);
      let length = kept + bytesRead;
      position += bytesRead;
      if (kept > chunkBytes && position < end) {
        // A record longer than a chunk is pending: fill a doubled buffer in one read, so the
        // record is parsed again a logarithmic number of times, not once per chunk.
        if (kept > buffer.length / 2) buffer = grow(buffer, length, 2 * buffer.length);
        const { bytesRead: more } = await handle.read(buffer, length, Math.min(buffer.length - length, end - position), position);
        length += more;
        position += more;
      }
      if (position < end) pending = readAt(1 - k, position);
      options.onBytes?.(buffer.subarray(kept, length));
      const consumed = parser.parse(buffer, length, false);
      buffer.copyWithin(0, consumed, length);
      kept = length - consumed;
      options.onChunk?.(position - start);
    }
    if (kept > 0) parser.parse(buffer, kept, true);
  } finally {
    // A read still in flight (cancelled mid-range) must finish before the file is closed.
    if (pending) await pending.catch(() => undefined);
    await handle.close();
  }
  return { ...parser.stats(), bytes: end - start };
}

/** A bigger buffer holding the first `used` bytes of `buffer`. */
function grow(buffer: Buffer, used: number, size: number): Buffer {
  const grown = Buffer.allocUnsafe(size);
  buffer.copy(grown, 0, 0, used);
  return grown;
}

/** Whether a file in this encoding can be split at any line-break byte (0x0A is never part of another character). */
export function splittable(encoding: TextEncoding): boolean {
  return encoding === 'utf-8' || encoding === 'utf-8-bom' || encoding === 'latin1';
}

/** Whether `readByteRange` can read a file: a splittable encoding and a one-byte (ASCII) delimiter. */
export function byteReadable(encoding: TextEncoding, delimiter: string): boolean {
  return splittable(encoding) && delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80;
}

/** How much of a file a preview reads. */
export const PREVIEW_BYTES = 256 * 1024;

/** Reads the first `limit` records (header included) of a file, within its first `PREVIEW_BYTES`: for header detection and previews. */
export async function readFirstRecords(
  options: Pick<ReadRangeOptions, 'path' | 'encoding' | 'delimiter' | 'start' | 'end'>,
  limit: number,
): Promise<string[][]> {
  const records: string[][] = [];
  const end = Math.min(options.end, options.start + PREVIEW_BYTES);
  let parsed = 0;
  await readRange({
    ...options,
    end,
    skipHeader: false,
    onRecord: (fields) => {
      parsed++;
      if (records.length < limit) records.push(fields.slice());
    },
  });
  // A preview cut before the end of the file ends inside a line (or a quoted field): its last
  // record is a fragment ("Mal" for "Male", a number cut short), so it is dropped.
  if (end < options.end && parsed <= limit && records.length > 1) records.pop();
  return records;
}
