/**
 * The evidence for each column's number format, gathered from every cell in one streaming pass
 * (the importer's), and the decision made from it. A format is chosen for a column when it reads
 * more of its cells as numbers than plain dot-decimal does and they are most of its values; a
 * column whose cells fit two readings (`1,234` is 1234 or 1.234) is decided by the file's other
 * columns, then by its delimiter, and the note says which rule decided.
 */
import {
  CANDIDATES,
  candidateIndex,
  describeFormat,
  formatFlags,
  shapeMask,
  shapeMaskOfText,
  toCanonical,
  type ColumnNumberFormat,
  type NumberFormat,
} from './number-format.js';

/** Per column: the cells with a value, and how many of them each candidate reads as a number. */
export class NumberEvidence {
  /** Non-blank cells per column. */
  readonly cells: Float64Array;
  /** `counts[column * 8 + k]`: cells that `CANDIDATES[k]` reads as numbers (call `settle` first). */
  readonly counts: Float64Array;
  /** Per column: cells every candidate reads (plain digits), added to `counts` by `settle`. */
  private readonly everywhere: Float64Array;
  /** Per column: the first cell with a mark in it (an example for the note). */
  readonly examples: (string | null)[];

  constructor(readonly columns: string[]) {
    this.cells = new Float64Array(columns.length);
    this.counts = new Float64Array(columns.length * CANDIDATES.length);
    this.everywhere = new Float64Array(columns.length);
    this.examples = columns.map(() => null);
  }

  /** One cell given as one-byte-per-character bytes `[from, to)`. */
  addBytes(column: number, b: Uint8Array, from: number, to: number): void {
    if (from === to) return;
    this.cells[column]!++;
    const mask = shapeMask(b, from, to);
    if (mask === 0) return;
    if (mask === 0xff) this.everywhere[column]!++;
    else this.count(column, mask, b, from, to);
  }

  /** One cell as a string (non-ASCII cells, UTF-16 files). */
  addText(column: number, text: string): void {
    if (text.trim() === '') return;
    this.cells[column]!++;
    const mask = shapeMaskOfText(text);
    if (mask === 0) return;
    if (mask === 0xff) return void this.everywhere[column]!++;
    if (this.examples[column] === null) this.examples[column] = text.trim();
    this.count(column, mask, null, 0, 0);
  }

  private count(column: number, mask: number, b: Uint8Array | null, from: number, to: number): void {
    const base = column * CANDIDATES.length;
    for (let k = 0; k < CANDIDATES.length; k++) if (mask & (1 << k)) this.counts[base + k]!++;
    if (b && this.examples[column] === null) this.examples[column] = Buffer.from(b.subarray(from, to)).toString('latin1').trim();
  }

  /** Folds the plain-digit cells into every candidate's count; once, after the last cell. */
  settle(): void {
    for (let c = 0; c < this.columns.length; c++) {
      for (let k = 0; k < CANDIDATES.length; k++) this.counts[c * CANDIDATES.length + k]! += this.everywhere[c]!;
      this.everywhere[c] = 0;
    }
  }
}

/** What `decideNumberFormats` needs besides the evidence. */
export interface DecideOptions {
  delimiter: string;
  /** A format the user named for the whole file (`--decimal , --thousands .`). */
  override?: NumberFormat | null;
}

/** A column's numbers must be most of its values for a format to be worth stating. */
const MAJORITY = 0.5;

/**
 * The format of every column that is not plain dot-decimal, with a sentence each. Columns of
 * plain numbers, text or blanks are left out: they read as before.
 */
export function decideNumberFormats(evidence: NumberEvidence, options: DecideOptions): ColumnNumberFormat[] {
  const n = CANDIDATES.length;
  evidence.settle();
  const { columns, cells, counts } = evidence;
  const best = (c: number) => {
    let max = 0;
    for (let k = 0; k < n; k++) max = Math.max(max, counts[c * n + k]!);
    return max;
  };
  const tied = (c: number) => {
    const max = best(c);
    return CANDIDATES.map((_, k) => k).filter((k) => counts[c * n + k] === max);
  };
  const hasMarks = (c: number) => evidence.examples[c] !== null;

  if (options.override) {
    const k = candidateIndex(options.override);
    if (k <= 0) return [];
    const flags = formatFlags(options.override);
    return columns.flatMap((column, c) => {
      const read = counts[c * n + k]!;
      if (!hasMarks(c) || read === 0 || read < cells[c]! * MAJORITY) return [];
      return [{ column, ...CANDIDATES[k]!, source: 'override' as const, ambiguous: false, note: `${column}: read with ${describeFormat(CANDIDATES[k]!)}, as asked (${flags}); ${count(read)} of ${count(cells[c]!)} values are numbers this way.` }];
    });
  }

  // The file's own evidence for ambiguous columns: which decimal mark its unambiguous columns use.
  const votes = { '.': 0, ',': 0 };
  for (let c = 0; c < columns.length; c++) {
    if (!hasMarks(c) || best(c) < cells[c]! * MAJORITY || best(c) === 0) continue;
    const decimals = new Set(tied(c).map((k) => CANDIDATES[k]!.decimal));
    if (decimals.size === 1) votes[[...decimals][0]!]++;
  }

  const out: ColumnNumberFormat[] = [];
  for (let c = 0; c < columns.length; c++) {
    const column = columns[c]!;
    const max = best(c);
    if (max === 0 || max < cells[c]! * MAJORITY || !hasMarks(c)) continue;
    const ties = tied(c);
    const decimals = new Set(ties.map((k) => CANDIDATES[k]!.decimal));
    // Plain dot-decimal reads every number, and no decimal-comma reading does as well: as before.
    if (counts[c * n] === max && decimals.size === 1) continue;
    const example = evidence.examples[c]!;
    let decimal: '.' | ',';
    let reason = '';
    const ambiguous = decimals.size > 1;
    if (!ambiguous) decimal = CANDIDATES[ties[0]!]!.decimal;
    else if (votes[','] !== votes['.']) {
      decimal = votes[','] > votes['.'] ? ',' : '.';
      reason = `other columns of this file use a ${decimal === ',' ? 'decimal comma' : 'decimal point'}`;
    } else {
      decimal = options.delimiter === ';' ? ',' : '.';
      reason = options.delimiter === ';' ? 'the file is separated by semicolons, as files with decimal commas usually are' : `the file is separated by ${options.delimiter === '\t' ? 'tabs' : `"${options.delimiter}"`}, as files with decimal points usually are`;
    }
    const k = ties.find((t) => CANDIDATES[t]!.decimal === decimal)!;
    if (k === 0) continue; // `1.065` among decimal points elsewhere: read as before
    const format = CANDIDATES[k]!;
    const value = toCanonical(example, format);
    const shown = `"${example}" = ${value === null ? '?' : Number(value)}`;
    let note: string;
    if (ambiguous) {
      const other = CANDIDATES[ties.find((t) => CANDIDATES[t]!.decimal !== decimal)!]!;
      const otherValue = toCanonical(example, other);
      note = `${column}: every value can be read two ways ("${example}" is ${value === null ? '?' : Number(value)} with ${describeFormat(format)}, or ${otherValue === null ? '?' : Number(otherValue)} with ${describeFormat(other)}); chose ${describeFormat(format)} because ${reason}. If that is wrong, import again with ${formatFlags(other)}.`;
    } else {
      note = `${column}: read with ${describeFormat(format)} (${shown}); ${count(max)} of ${count(cells[c]!)} values are numbers this way.`;
    }
    out.push({ column, ...format, source: 'detected', ambiguous, note });
  }
  return out;
}

function count(n: number): string {
  return n.toLocaleString('en');
}

/** Per column index: its format, or null for plain numbers. */
export function formatsByIndex(columns: string[], formats: readonly ColumnNumberFormat[] | undefined): (NumberFormat | null)[] {
  const byName = new Map((formats ?? []).map((f) => [f.column, { decimal: f.decimal, thousands: f.thousands }]));
  return columns.map((name) => byName.get(name) ?? null);
}
