/**
 * The byte-level twin of `parser.ts`, for encodings in which every structural character (quote,
 * delimiter, CR, LF) is one byte that never occurs inside another character: UTF-8 and Latin-1
 * (`splittable()` in `reader.ts`). It scans the raw bytes and reports each field as a span of
 * the buffer plus two 32-bit hashes of its text, computed in the same pass.
 *
 * Why a second parser: profiling the quality engine on a 1 GB file, decoding each chunk to a
 * string, slicing every field into a new string, hashing those strings again (duplicate rows,
 * distinct values) and collecting the garbage cost more than all the statistics. With spans and
 * hashes, a value seen before is counted without ever becoming a string. The string parser stays
 * for UTF-16 and for callers that want strings, and is the reference: for the same bytes this
 * one yields the same records, line numbers and counters (the tests compare the two).
 *
 * A field's text is simply its bytes when it is `FieldKind.Ascii`; otherwise `ByteRecord.text`
 * decodes it (non-ASCII bytes, or a quoted field with `""` escapes or text after the closing quote).
 */
import type { ParserStats } from './parser.js';
import { BYTE_PARSER_WASM } from './byte-parser-wasm.js';

/** How a field's text relates to its span. */
export const enum FieldKind {
  /** Only bytes below 0x80: each byte is one UTF-16 code unit of the text, and the hashes are the text's. */
  Ascii = 0,
  /** Unquoted, or quoted without escapes, but with bytes ≥ 0x80: decode the span. */
  Decode = 1,
  /** Quoted with `""` escapes or text after the closing quote: the span runs from the opening quote. */
  Unquote = 2,
}

/** Result slot for `hashText` (no allocation per call). */
export const textHash = { a: 0, b: 0 };

/**
 * The two hash lanes of a string's UTF-16 code units: the same values the byte parser computes
 * for an ASCII field, so fields hashed either way can be compared (a UTF-8 file against a UTF-16
 * one, a decoded field against one that never became a string).
 *
 * Lane A is 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193); lane B starts elsewhere
 * and adds 0x7f4a7c15 after each step, so the two are different functions of the text. The
 * numbers are written out here and in `parse` rather than named: a bundled module's constants
 * are variables to V8, and with their type unknown the lanes' int32 arithmetic is not
 * specialised, which doubled the time of the parser's loop.
 */
export function hashText(s: string): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b ^ c, 0x01000193) + 0x7f4a7c15) | 0;
  }
  textHash.a = a;
  textHash.b = b;
}

/** One record's fields as spans of `bytes`. Reused for every record: copy what you keep. */
export class ByteRecord {
  bytes: Buffer = Buffer.alloc(0);
  /** The record's span, line break excluded: parsing these bytes alone gives this record again. */
  from = 0;
  to = 0;
  count = 0;
  start = new Int32Array(16);
  end = new Int32Array(16);
  hashA = new Int32Array(16);
  hashB = new Int32Array(16);
  kind = new Uint8Array(16);

  constructor(private readonly encoding: 'utf8' | 'latin1') {}

  /** The text of field `i`, decoded (and unquoted) as the string parser would give it. */
  text(i: number): string {
    const from = this.start[i]!;
    const to = this.end[i]!;
    if (this.kind[i] !== FieldKind.Unquote) return this.bytes.toString(this.encoding, from, to);
    // From the opening quote: "" is a quote until the closing quote; what follows it is kept as is.
    const b = this.bytes;
    const parts: Buffer[] = [];
    let segment = from + 1;
    let j = segment;
    while (j < to) {
      if (b[j] !== QUOTE) {
        j++;
      } else if (j + 1 < to && b[j + 1] === QUOTE) {
        parts.push(b.subarray(segment, j + 1));
        j += 2;
        segment = j;
      } else {
        parts.push(b.subarray(segment, j));
        segment = j + 1;
        break;
      }
    }
    parts.push(b.subarray(segment, to));
    return Buffer.concat(parts).toString(this.encoding);
  }

  grow(): void {
    const size = this.start.length * 2;
    const widen = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(a);
      return next;
    };
    this.start = widen(this.start, (n) => new Int32Array(n));
    this.end = widen(this.end, (n) => new Int32Array(n));
    this.hashA = widen(this.hashA, (n) => new Int32Array(n));
    this.hashB = widen(this.hashB, (n) => new Int32Array(n));
    this.kind = widen(this.kind, (n) => new Uint8Array(n));
  }
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

interface ParserKernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  record(input: number, i: number, n: number, final: number, fields: number, cap: number, delimiter: number): number;
}

/** The part of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let compiled: object | null | undefined;

/** A fresh instance of `byte-parser.wat` (each parser has its own memory), or null where WebAssembly does not run. */
function newKernel(): ParserKernel | null {
  try {
    const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    if (compiled === undefined) compiled = new Module(Uint8Array.from(atob(BYTE_PARSER_WASM), (c) => c.charCodeAt(0)));
    return compiled ? (new Instance(compiled).exports as ParserKernel) : null;
  } catch {
    compiled = null;
    return null;
  }
}

/** Where the kernel's memory keeps the fields (after the byte classes and the report words). */
const FIELDS_AT = 1024;

/**
 * The parser. `parse` runs the record loop of `byte-parser.wat` where WebAssembly runs (the same
 * records, spans, hashes and counters as the JavaScript loop below, about twice as fast), the
 * JavaScript loop otherwise or when asked (`useKernel: false`; the tests compare the two). With
 * the kernel, a record's `bytes` and field arrays are views of the kernel's memory.
 */
export class ByteRecordParser {
  private readonly delimiter: number;
  /** 1 for the bytes that end an unquoted field or need a look (delimiter, CR, LF, quote); 2 for bytes above 0x7f. */
  private readonly special = new Uint8Array(256);
  private readonly record: ByteRecord;
  private line = 1;
  private readonly counts: ParserStats = { records: 0, lines: 0, quotes: 0, blankLines: 0, unterminatedQuote: false };

  private readonly kernel: ParserKernel | null;
  /** With the kernel: fields room, where the input starts in its memory, and views of it (remade when the memory grows). */
  private cap = 1024;
  private inputAt = 0;
  private memory: ArrayBuffer | null = null;
  private input: Buffer = Buffer.alloc(0);
  private report = new Int32Array(6);

  constructor(
    delimiter: string,
    encoding: 'utf8' | 'latin1',
    private readonly onRecord: (record: ByteRecord, line: number) => void,
    useKernel = true,
  ) {
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) >= 0x80) throw new Error(`The byte parser needs a one-byte ASCII delimiter, got ${JSON.stringify(delimiter)}.`);
    this.delimiter = delimiter.charCodeAt(0);
    for (const c of [this.delimiter, QUOTE, LF, CR]) this.special[c] = 1;
    // Bytes above 0x7f are marked too (2), so the loops note a non-ASCII field without OR-ing in every byte.
    for (let c = 0x80; c < 0x100; c++) this.special[c] = 2;
    this.record = new ByteRecord(encoding);
    this.kernel = useKernel ? newKernel() : null;
    if (this.kernel) new Uint8Array(this.kernel.memory.buffer, 0, 256).set(this.special);
  }

  /** Makes the kernel's memory hold `cap` fields and `length` bytes of input, and the record's arrays views of it. */
  private place(length: number): void {
    const k = this.kernel!;
    const inputAt = FIELDS_AT + 32 * Math.ceil((17 * this.cap) / 32);
    const need = inputAt + length;
    const have = k.memory.buffer.byteLength;
    if (need > have) k.memory.grow(Math.ceil((Math.max(need, 2 * have) - have) / 65536));
    const buffer = k.memory.buffer;
    if (buffer === this.memory && inputAt === this.inputAt && this.input.length >= length) return;
    this.memory = buffer;
    this.inputAt = inputAt;
    const cap = this.cap;
    const r = this.record;
    r.start = new Int32Array(buffer, FIELDS_AT, cap);
    r.end = new Int32Array(buffer, FIELDS_AT + 4 * cap, cap);
    r.hashA = new Int32Array(buffer, FIELDS_AT + 8 * cap, cap);
    r.hashB = new Int32Array(buffer, FIELDS_AT + 12 * cap, cap);
    r.kind = new Uint8Array(buffer, FIELDS_AT + 16 * cap, cap);
    this.input = Buffer.from(buffer, inputAt, buffer.byteLength - inputAt);
    this.report = new Int32Array(buffer, 256, 6);
  }

  stats(): ParserStats {
    return { ...this.counts };
  }

  /** Whether `parse` runs the WebAssembly record loop. */
  get usesWebAssembly(): boolean {
    return this.kernel !== null;
  }

  /**
   * Parses whole records from `bytes[0, length)`; returns how many bytes were consumed. Unless
   * `final`, a record cut off at the end is left for the next call, which must start with it.
   */
  parse(bytes: Buffer, length: number, final: boolean): number {
    return this.kernel ? this.parseWithKernel(bytes, length, final) : this.parseLoop(bytes, length, final);
  }

  /** `parseLoop`'s records, each parsed by the kernel's `record`; the record loop's bookkeeping stays here. */
  private parseWithKernel(bytes: Buffer, length: number, final: boolean): number {
    const k = this.kernel!;
    this.place(length);
    bytes.copy(this.input, 0, 0, length);
    const r = this.record;
    r.bytes = this.input;
    const report = this.report;
    report[5] = 0;
    const n = length;
    const last = final ? 1 : 0;
    let i = 0;
    let quotes = 0;
    let lines = 0;
    while (i < n) {
      const next = k.record(this.inputAt, i, n, last, FIELDS_AT, this.cap, this.delimiter);
      if (next === -2) {
        // More fields than room: make room, copy the input again (it moved), parse the record again.
        this.cap *= 2;
        this.place(length);
        bytes.copy(this.input, 0, 0, length);
        r.bytes = this.input;
        continue;
      }
      if (next < 0) break; // cut off at the end: parsed again with more bytes
      const report = this.report;
      const count = report[0]!;
      const recordLines = report[4]!;
      quotes += report[3]!;
      lines += recordLines;
      if (count === 1 && r.start[0] === r.end[0] && report[2] === 0) {
        this.counts.blankLines++;
        this.line += recordLines;
        i = next;
        continue;
      }
      r.count = count;
      r.from = i;
      r.to = report[1]!;
      this.counts.records++;
      const line = this.line;
      this.line += recordLines;
      i = next;
      this.onRecord(r, line);
    }
    if (this.report[5] === 1) this.counts.unterminatedQuote = true;
    this.counts.quotes += quotes;
    this.counts.lines += lines;
    return i;
  }

  private parseLoop(bytes: Buffer, length: number, final: boolean): number {
    const n = length;
    const delim = this.delimiter;
    const special = this.special;
    const r = this.record;
    r.bytes = bytes;
    // Field hashes: the lanes of `hashText`, its numbers written out (see there why).

    let i = 0;
    let quotes = 0;
    let lines = 0;
    let recordStart = 0;
    let recordQuotes = 0;
    let recordLines = 0;
    let recordEnd = 0;
    let incomplete = false;
    records: while (i < n) {
      recordStart = i;
      recordQuotes = quotes;
      recordLines = lines;
      let count = 0;
      let sawQuote = false;
      for (;;) {
        if (count === r.start.length) r.grow();
        let a = 0x811c9dc5 | 0;
        let b = 0x01000193 ^ 0x5bd1e995;
        let high = 0;
        let from: number;
        let to: number;
        let kind: FieldKind;
        let c = i < n ? bytes[i]! : -1;
        if (c === QUOTE) {
          sawQuote = true;
          quotes++;
          const open = i;
          let escaped = false;
          let j = i + 1;
          for (;;) {
            if (j === n) {
              if (!final) {
                incomplete = true;
                break records;
              }
              this.counts.unterminatedQuote = true;
              to = n;
              i = n;
              break;
            }
            const d = bytes[j]!;
            if (d === QUOTE) {
              if (j + 1 === n && !final) {
                incomplete = true;
                break records;
              } // the quote may start an escape: wait for the byte after it
              quotes++;
              if (j + 1 < n && bytes[j + 1] === QUOTE) {
                quotes++;
                escaped = true;
                a = Math.imul(a ^ QUOTE, 0x01000193);
                b = (Math.imul(b ^ QUOTE, 0x01000193) + 0x7f4a7c15) | 0;
                j += 2;
                continue;
              }
              to = j;
              i = j + 1;
              break;
            }
            if (d === LF) lines++;
            high |= d;
            a = Math.imul(a ^ d, 0x01000193);
            b = (Math.imul(b ^ d, 0x01000193) + 0x7f4a7c15) | 0;
            j++;
          }
          // Lenient: text after the closing quote (`"a"b`) belongs to the field.
          let j2 = i;
          while (j2 < n) {
            const d = bytes[j2]!;
            const sp = special[d]!;
            if (sp !== 0) {
              if (sp === 2) high = 0x80;
              else if (d !== QUOTE) break;
              else quotes++;
            }
            a = Math.imul(a ^ d, 0x01000193);
            b = (Math.imul(b ^ d, 0x01000193) + 0x7f4a7c15) | 0;
            j2++;
          }
          if (j2 === n && !final) {
            incomplete = true;
            break records;
          }
          if (escaped || j2 > i) {
            kind = FieldKind.Unquote;
            from = open;
            to = j2;
          } else {
            kind = high < 0x80 ? FieldKind.Ascii : FieldKind.Decode;
            from = open + 1;
          }
          i = j2;
        } else {
          let j = i;
          while (j < n) {
            const d = bytes[j]!;
            const sp = special[d]!;
            if (sp !== 0) {
              if (sp === 2) high = 0x80;
              else if (d !== QUOTE) break;
              else quotes++;
            }
            a = Math.imul(a ^ d, 0x01000193);
            b = (Math.imul(b ^ d, 0x01000193) + 0x7f4a7c15) | 0;
            j++;
          }
          if (j === n && !final) {
            incomplete = true;
            break records;
          }
          kind = high < 0x80 ? FieldKind.Ascii : FieldKind.Decode;
          from = i;
          to = j;
          i = j;
        }
        r.start[count] = from;
        r.end[count] = to;
        r.hashA[count] = a;
        r.hashB[count] = b;
        r.kind[count] = kind;
        count++;
        recordEnd = i;
        // Now at a delimiter, a line break, or the end.
        c = i < n ? bytes[i]! : -1;
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 === n && !final) {
            incomplete = true;
            break records;
          } // a CRLF may be split across reads
          i += i + 1 < n && bytes[i + 1] === LF ? 2 : 1;
          lines++;
        } else if (c === LF) {
          i++;
          lines++;
        }
        break;
      }
      if (count === 1 && r.start[0] === r.end[0] && !sawQuote) {
        this.counts.blankLines++;
        this.line += lines - recordLines;
        continue;
      }
      r.count = count;
      r.from = recordStart;
      r.to = recordEnd;
      this.counts.records++;
      const line = this.line;
      this.line += lines - recordLines;
      this.onRecord(r, line);
    }
    if (incomplete) {
      // The record at the end is cut off: forget what it counted; it is parsed again with more bytes.
      i = recordStart;
      quotes = recordQuotes;
      lines = recordLines;
    }
    this.counts.quotes += quotes;
    this.counts.lines += lines;
    return i;
  }
}
