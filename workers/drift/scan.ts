/**
 * A field-level streaming CSV scanner for the drift engine. The shared reader in `workers/csv`
 * hands out each record as an array of strings; drift needs only numbers and category counts,
 * so this scanner passes each field as a range of the decoded chunk and lets the column
 * collector parse a number from it without allocating a string (the difference is about 2× on
 * a 1,000,000-row × 20-column file). Quoting follows RFC 4180 ("" inside quotes is a quote;
 * quoted fields may span lines). `sniffFile` decides encoding, delimiter and header.
 */
import { createHash } from 'node:crypto';
import { open as openFile, stat } from 'node:fs/promises';
import { makeDecoder } from '../csv/decode.js';
import { sniffFile, type Sniffed } from '../csv/sniff.js';

/** Receives fields record by record. `text.slice(start, end)` is the field without its quotes. */
export interface FieldSink {
  field(column: number, text: string, start: number, end: number): void;
  /** After the fields of one record; `fields` is how many the record had. */
  endRecord(fields: number): void;
  /** A hint, after the first chunk: about how many records the file holds (to size buffers once). */
  expectRecords?(records: number): void;
}

/** What a scan saw besides the fields. */
export interface ScanResult {
  sniffed: Sniffed;
  /** Data records (header excluded). */
  records: number;
  /** Records with a different number of fields than the header (missing ones read as empty, extra ones ignored). */
  raggedRecords: number;
  bytes: number;
  /** SHA-256 of the bytes read (the whole file), hex: identifies exactly what was compared. */
  sha256: string;
}

const CHUNK_BYTES = 1 << 20;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Streams `path`: `open(columns)` receives the (unique) column names and returns the sink for the
 * fields; `onChunk(fraction)` runs after every chunk and may throw to stop (cancellation).
 */
export async function scanCsv(
  path: string,
  open: (columns: string[]) => FieldSink,
  onChunk: (fraction: number) => void,
): Promise<ScanResult> {
  const sniffed = await sniffFile(path);
  const sink = open(sniffed.columns);
  const size = (await stat(path)).size;
  const delimiter = sniffed.delimiter.charCodeAt(0);
  const width = sniffed.columns.length;
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  const unescaped: (string | null)[] = new Array<string | null>(width).fill(null);
  let skipHeader = sniffed.hasHeader;
  let records = 0;
  let ragged = 0;

  /**
   * The fast path for text without any quote character (most machine-written files): records end
   * at every line feed, so fields go to the sink as they are found.
   */
  const scanUnquoted = (text: string, final: boolean): number => {
    const limit = final ? text.length : text.lastIndexOf('\n') + 1;
    let pos = 0;
    while (pos < limit) {
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd === -1 || lineEnd >= limit) lineEnd = limit;
      const next = lineEnd + 1;
      const end = lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
      if (end === pos) {
        pos = next; // blank line
        continue;
      }
      if (skipHeader) {
        skipHeader = false;
        pos = next;
        continue;
      }
      let column = 0;
      let fieldStart = pos;
      for (let i = pos; i < end; i++) {
        if (text.charCodeAt(i) === delimiter) {
          if (column < width) sink.field(column, text, fieldStart, i);
          column++;
          fieldStart = i + 1;
        }
      }
      if (column < width) sink.field(column, text, fieldStart, end);
      column++;
      for (let c = column; c < width; c++) sink.field(c, '', 0, 0);
      records++;
      if (column !== width) ragged++;
      sink.endRecord(column);
      pos = next;
    }
    return limit;
  };

  /** Scans complete records of `text`; returns where the unfinished last record starts. */
  const scan = (text: string, final: boolean): number => {
    if (text.indexOf('"') === -1) return scanUnquoted(text, final);
    const length = text.length;
    let recordStart = 0;
    let pos = 0;
    while (pos < length) {
      let fields = 0;
      let endOfRecord = false;
      let incomplete = false;
      while (!endOfRecord) {
        let fieldStart = pos;
        let fieldEnd: number;
        let escaped: string | null = null;
        if (pos < length && text.charCodeAt(pos) === QUOTE) {
          fieldStart = pos + 1;
          let q = text.indexOf('"', fieldStart);
          let pieces: string[] | null = null;
          let pieceStart = fieldStart;
          while (q !== -1 && q + 1 < length && text.charCodeAt(q + 1) === QUOTE) {
            (pieces ??= []).push(text.slice(pieceStart, q + 1));
            pieceStart = q + 2;
            q = text.indexOf('"', pieceStart);
          }
          if (!final && (q === -1 || q + 1 >= length)) {
            incomplete = true;
            break;
          }
          if (q === -1) q = length; // an unterminated quote at the end of the file runs to the end
          fieldEnd = q;
          if (pieces) {
            pieces.push(text.slice(pieceStart, q));
            escaped = pieces.join('');
          }
          pos = q + 1;
          // Anything between the closing quote and the delimiter is kept out (lenient, like csv-parse's relax_quotes).
          while (pos < length) {
            const c = text.charCodeAt(pos);
            if (c === delimiter || c === LF) break;
            pos++;
          }
        } else {
          while (pos < length) {
            const c = text.charCodeAt(pos);
            if (c === delimiter || c === LF) break;
            pos++;
          }
          fieldEnd = pos > fieldStart && text.charCodeAt(pos - 1) === CR ? pos - 1 : pos;
        }
        if (pos >= length && !final) {
          incomplete = true;
          break;
        }
        if (fields < width) {
          starts[fields] = fieldStart;
          ends[fields] = fieldEnd;
          unescaped[fields] = escaped;
        }
        fields++;
        if (pos >= length || text.charCodeAt(pos) === LF) endOfRecord = true;
        pos++;
      }
      if (incomplete) return recordStart;
      recordStart = pos;
      if (fields === 1 && ends[0] === starts[0] && unescaped[0] === null) continue; // blank line
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      records++;
      if (fields !== width) ragged++;
      const n = fields < width ? fields : width;
      for (let c = 0; c < n; c++) {
        const u = unescaped[c];
        if (u != null) sink.field(c, u, 0, u.length);
        else sink.field(c, text, starts[c] as number, ends[c] as number);
      }
      for (let c = n; c < width; c++) sink.field(c, '', 0, 0);
      sink.endRecord(fields);
    }
    return length;
  };

  const decoder = makeDecoder(sniffed.encoding);
  const hash = createHash('sha256');
  let position = 0;
  const handle = await openFile(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = '';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      const first = position === 0;
      position += bytesRead;
      hash.update(buffer.subarray(0, bytesRead));
      const text = carry + decoder.write(buffer.subarray(first ? sniffed.bomBytes : 0, bytesRead));
      const consumed = scan(text, false);
      if (first && records > 0 && sink.expectRecords) sink.expectRecords(Math.ceil((records * size * 1.05) / bytesRead));
      carry = text.slice(consumed);
      onChunk(size === 0 ? 1 : position / size);
    }
    const rest = carry + decoder.end();
    if (rest.length > 0) scan(rest, true);
  } finally {
    await handle.close();
  }
  return { sniffed, records, raggedRecords: ragged, bytes: position, sha256: hash.digest('hex') };
}

