/**
 * The one encoding decision per file. The sniffing window sees only the start of a file, and a
 * Latin-1 export whose first accented letter sits past it looked like UTF-8 there: the importer
 * noticed later and switched, while the quality scorer and the trainer decoded the same bytes as
 * UTF-8 and saved `Zo\uFFFD` as a category. Here the start decides the candidate and the rest of
 * the file confirms it, so every reader — importer, scorer, trainer, drift, predict — gets the
 * same answer for the same bytes: UTF-8 only when every byte is valid UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

/** Where the bytes stop being valid UTF-8, or null. `offset` counts from the start of the file. */
export interface Utf8Break {
  /** Byte offset of the first byte that is not part of a valid UTF-8 character. */
  offset: number;
  /** 1-based line of that byte (line breaks before it, plus one). */
  line: number;
}

/**
 * Validates UTF-8 fed chunk by chunk (a character may straddle two chunks) and remembers the
 * first invalid byte. Validation is Node's `buffer.isUtf8` (simdutf), at memory speed; the exact
 * offset is searched only in the chunk that fails.
 */
export class Utf8Validator {
  private carry = Buffer.alloc(0);
  private offset: number;
  private lines: number;
  /** The first invalid byte, once found; later chunks are then ignored. */
  found: Utf8Break | null = null;

  /**
   * `offset` and `linesBefore` say where the first chunk starts in the file. Without
   * `countLines`, `found.line` is 0 (the caller works it out from the offset, see `lineAt`),
   * and valid chunks cost only their validation.
   */
  constructor(offset = 0, linesBefore = 0, private readonly countLines = true) {
    this.offset = offset;
    this.lines = linesBefore;
  }

  push(chunk: Buffer): void {
    if (this.found || chunk.length === 0) return;
    let start = 0;
    if (this.carry.length > 0) {
      // Complete the character cut off last time with the first bytes of this chunk (no copy of the chunk).
      const length = sequenceLength(this.carry[0]!);
      start = Math.min(length - this.carry.length, chunk.length);
      const piece = Buffer.concat([this.carry, chunk.subarray(0, start)]);
      if (piece.length < length) {
        this.carry = piece;
        return;
      }
      this.carry = Buffer.alloc(0);
      this.check(piece);
    }
    const rest = chunk.subarray(start);
    const cut = lastBoundary(rest, rest.length);
    this.check(rest.subarray(0, cut));
    this.carry = Buffer.from(rest.subarray(cut));
  }

  /** The end of the input: a character still cut off is invalid. */
  end(): Utf8Break | null {
    if (!this.found && this.carry.length > 0) this.check(this.carry);
    this.carry = Buffer.alloc(0);
    return this.found;
  }

  private check(view: Buffer): void {
    if (this.found) return;
    if (!isUtf8(view)) {
      const at = firstInvalid(view);
      this.found = { offset: this.offset + at, line: this.countLines ? this.lines + countLf(view, at) + 1 : 0 };
      return;
    }
    this.offset += view.length;
    if (this.countLines) this.lines += countLf(view, view.length);
  }
}

/** Streams the file from byte `from` and reports its first invalid UTF-8 byte, or null. */
export async function findUtf8Break(path: string, from: number, linesBefore: number, chunkBytes = 4 << 20): Promise<Utf8Break | null> {
  const handle = await open(path, 'r');
  try {
    const validator = new Utf8Validator(from, linesBefore);
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let position = from;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      if (bytesRead === 0) return validator.end();
      position += bytesRead;
      validator.push(buffer.subarray(0, bytesRead));
      if (validator.found) return validator.found;
    }
  } finally {
    await handle.close();
  }
}

/** The 1-based line of byte `offset` of a file: the LF bytes before it, plus one. */
export async function lineAt(path: string, offset: number, chunkBytes = 4 << 20): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let lines = 0;
    for (let position = 0; position < offset; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(chunkBytes, offset - position), position);
      if (bytesRead === 0) break;
      lines += countLf(buffer, bytesRead);
      position += bytesRead;
    }
    return lines + 1;
  } finally {
    await handle.close();
  }
}

/** Lines (LF bytes) in `bytes[0, end)`. */
export function countLf(bytes: Buffer, end: number): number {
  let count = 0;
  let k = bytes.indexOf(10, 0);
  while (k >= 0 && k < end) {
    count++;
    k = bytes.indexOf(10, k + 1);
  }
  return count;
}

/** Bytes in the UTF-8 sequence that `lead` starts (1 for a byte that cannot start one: validation rejects it). */
function sequenceLength(lead: number): number {
  return lead < 0xc0 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/** The start of the last (possibly incomplete) character in `bytes[0, length)`. */
function lastBoundary(bytes: Buffer, length: number): number {
  for (let back = 1; back <= 4 && back <= length; back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) !== 0x80) return sequenceLength(byte) > back ? length - back : length;
  }
  return length;
}

/** Index of the first byte of `bytes` that does not begin a valid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
export function firstInvalid(bytes: Buffer): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
