/**
 * The record splitter behind `reader.ts`: RFC 4180 with the leniency real exports need (CR, LF
 * and CRLF mixed in one file, stray quotes inside unquoted fields, blank lines skipped).
 *
 * Why hand-written instead of csv-parse: the quality engine must profile a 1 GB file several
 * times faster than pandas' C parser on two cores, and csv-parse's streaming API costs more per
 * byte than all the statistics together (bench/quality.mjs prints the throughputs). This parser
 * scans decoded strings with `charCodeAt` and `indexOf`, which V8 runs at close to memory speed.
 * The quality engine reads UTF-8 and Latin-1 files with its byte-level twin, `byte-parser.ts`,
 * which skips the strings altogether; this one reads UTF-16, serves previews and header
 * detection, and is the reference the twin is tested against.
 *
 * It also counts every quote character it passes. Whether a line break ends a record depends
 * only on the parity of the quotes before it, so these counts let `ranges.ts` prove that the
 * byte ranges read in parallel were split at record boundaries.
 */

/** Counters a parse keeps besides the records. */
export interface ParserStats {
  /** Records emitted (blank lines are skipped and not counted). */
  records: number;
  /** Physical line breaks passed, including those inside quoted fields. */
  lines: number;
  /** Quote characters passed (for the seam check). */
  quotes: number;
  /** Blank lines skipped. */
  blankLines: number;
  /** Whether the input ended inside a quoted field (an unterminated quote). */
  unterminatedQuote: boolean;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvRecordParser {
  private pending = '';
  private readonly delimiter: number;
  private readonly fields: string[] = [];
  private line = 1;
  private readonly counts: ParserStats = { records: 0, lines: 0, quotes: 0, blankLines: 0, unterminatedQuote: false };
  /** Quotes counted in `pending` by a parse that was then rolled back; recounted next time. */
  private recountFrom = 0;

  constructor(
    delimiter: string,
    private readonly onRecord: (fields: string[], line: number) => void,
  ) {
    if (delimiter.length !== 1) throw new Error(`The delimiter must be one character, got ${JSON.stringify(delimiter)}.`);
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds decoded text; complete records are emitted, an incomplete tail waits for more. */
  push(chunk: string): void {
    if (chunk.length === 0) return;
    // A record ends only at a line break: while a long one (a document in one cell) is pending and
    // the chunk has none, it cannot complete, so it waits without being parsed again (re-parsing
    // it at every chunk made a 50 MB cell cost 50 × 25 MB of scanning).
    if (this.pending.length > 0 && chunk.indexOf('\n') < 0 && chunk.indexOf('\r') < 0) {
      this.pending += chunk;
      return;
    }
    const text = this.pending.length > 0 ? this.pending + chunk : chunk;
    const consumed = this.parse(text, false);
    this.pending = consumed < text.length ? text.slice(consumed) : '';
  }

  /** Ends the input: the tail, if any, is the last record. */
  end(): void {
    if (this.pending.length > 0) this.parse(this.pending, true);
    this.pending = '';
  }

  stats(): ParserStats {
    return { ...this.counts };
  }

  /** Parses whole records from `text`; returns how many characters were consumed. */
  private parse(text: string, final: boolean): number {
    const n = text.length;
    const delim = this.delimiter;
    const fields = this.fields;
    let i = 0;
    let quotes = 0;
    let lines = 0;
    let recordStart = 0;
    let recordQuotes = 0;
    let recordLines = 0;
    let incomplete = false;
    records: while (i < n) {
      recordStart = i;
      recordQuotes = quotes;
      recordLines = lines;
      fields.length = 0;
      let sawQuote = false;
      for (;;) {
        let c = i < n ? text.charCodeAt(i) : -1;
        if (c === QUOTE) {
          sawQuote = true;
          // Quoted field: jump from quote to quote; "" is an escaped quote.
          let value = '';
          let segment = i + 1;
          let j = i + 1;
          const contentStart = i + 1;
          quotes++;
          for (;;) {
            const k = text.indexOf('"', j);
            if (k < 0 || (k === n - 1 && !final)) {
              if (!final) {
                incomplete = true;
                break records;
              } // wait for the closing quote (or for the char after it)
              value += text.slice(segment);
              lines += countLineBreaks(text, contentStart, n);
              this.counts.unterminatedQuote = true;
              i = n;
              break;
            }
            quotes++;
            if (text.charCodeAt(k + 1) === QUOTE) {
              quotes++;
              value += text.slice(segment, k + 1);
              j = k + 2;
              segment = j;
              continue;
            }
            lines += countLineBreaks(text, contentStart, k);
            value += text.slice(segment, k);
            i = k + 1;
            break;
          }
          // Lenient: text after the closing quote (`"a"b`) belongs to the field.
          let j2 = i;
          while (j2 < n) {
            const d = text.charCodeAt(j2);
            if (d === delim || d === LF || d === CR) break;
            if (d === QUOTE) quotes++;
            j2++;
          }
          if (j2 === n && !final) {
            incomplete = true;
            break records;
          }
          if (j2 > i) value += text.slice(i, j2);
          i = j2;
          fields.push(value);
        } else {
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === delim || d === LF || d === CR) break;
            if (d === QUOTE) quotes++;
            j++;
          }
          if (j === n && !final) {
            incomplete = true;
            break records;
          }
          fields.push(text.slice(i, j));
          i = j;
        }
        // Now at a delimiter, a line break, or the end.
        c = i < n ? text.charCodeAt(i) : -1;
        if (c === delim) {
          i++;
          continue;
        }
        if (c === CR) {
          if (i + 1 === n && !final) {
            incomplete = true;
            break records;
          } // a CRLF may be split across chunks
          i += text.charCodeAt(i + 1) === LF ? 2 : 1;
          lines++;
        } else if (c === LF) {
          i++;
          lines++;
        }
        break;
      }
      if (fields.length === 1 && fields[0] === '' && !sawQuote) {
        this.counts.blankLines++;
        this.line += lines - recordLines;
        continue;
      }
      this.counts.records++;
      const line = this.line;
      this.line += lines - recordLines;
      this.onRecord(fields, line);
    }
    if (incomplete) {
      // The record at the end is cut off: forget what it counted; it is parsed again with more text.
      i = recordStart;
      quotes = recordQuotes;
      lines = recordLines;
    }
    this.counts.quotes += quotes;
    this.counts.lines += lines;
    return i;
  }
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  let k = text.indexOf('\n', from);
  while (k >= 0 && k < to) {
    count++;
    k = text.indexOf('\n', k + 1);
  }
  return count;
}
