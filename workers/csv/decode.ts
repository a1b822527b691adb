/** Streaming text decoding for the encodings `sniff.ts` detects. */
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import type { TextEncoding } from './sniff.js';

export interface Decoder {
  write(bytes: Buffer): string;
  end(): string;
}

/** UTF-8 and Latin-1 decode natively; UTF-16 goes through iconv-lite, which keeps split code units between chunks. */
export function makeDecoder(encoding: TextEncoding): Decoder {
  if (encoding === 'utf-8' || encoding === 'utf-8-bom') {
    const decoder = new StringDecoder('utf8');
    return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() };
  }
  if (encoding === 'latin1') return { write: (bytes) => bytes.toString('latin1'), end: () => '' };
  const decoder = iconv.getDecoder(encoding, { stripBOM: false });
  return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
}
