/**
 * Per-group outcome and confusion counts for the bias report, accumulated while streaming.
 * One table per protected attribute, plus one for their intersection (sex × race) when there
 * are several. Counts are exact and merge by addition.
 */
import { detach } from './hash.js';

/** Counter slots per group. */
export const enum Slot {
  /** Rows with a known target. */
  N = 0,
  /** Rows whose target is the positive value. */
  Positive = 1,
  /** Rows with a usable prediction (counted below). */
  Predicted = 2,
  TP = 3,
  FP = 4,
  TN = 5,
  FN = 6,
}
const SLOTS = 7;

/** attribute name → group value → counters. */
export type GroupCountsState = Record<string, Map<string, number[]>>;

export interface GroupSpec {
  /** Protected column indices and names, in the order given. */
  protectedColumns: { index: number; name: string }[];
  target: number;
  positive: string;
  prediction: number | null;
  threshold: number | null;
  missingMarkers: Set<string>;
}

/** The label used for a group whose attribute value is missing. */
export const MISSING_GROUP = '(missing)';

export class GroupCounts {
  readonly tables: GroupCountsState = {};
  private readonly intersection: string | null;
  /** Rows skipped because the target was missing. */
  missingTarget = 0;
  /** Rows whose prediction was missing or not a number (with a threshold). */
  unusablePredictions = 0;

  constructor(private readonly spec: GroupSpec) {
    for (const column of spec.protectedColumns) this.tables[column.name] = new Map();
    this.intersection = spec.protectedColumns.length > 1 ? spec.protectedColumns.map((c) => c.name).join(' × ') : null;
    if (this.intersection) this.tables[this.intersection] = new Map();
  }

  /** Counts a row; `field(i)` is its i-th field's text. */
  add(field: (column: number) => string): void {
    const spec = this.spec;
    const t = field(spec.target).trim();
    if (t === '' || spec.missingMarkers.has(t)) {
      this.missingTarget++;
      return;
    }
    const y = t === spec.positive;
    let yhat: boolean | null = null;
    if (spec.prediction !== null) yhat = this.predicted(field(spec.prediction).trim());
    let key = '';
    for (let i = 0; i < spec.protectedColumns.length; i++) {
      const column = spec.protectedColumns[i]!;
      let g = field(column.index).trim();
      if (g === '' || spec.missingMarkers.has(g)) g = MISSING_GROUP;
      bump(this.tables[column.name]!, g, y, yhat);
      key = i === 0 ? g : `${key} × ${g}`;
    }
    if (this.intersection) bump(this.tables[this.intersection]!, key, y, yhat);
  }

  /** Predicted positive: score ≥ threshold when one is given; else the positive label, 1, or true. */
  private predicted(p: string): boolean | null {
    const spec = this.spec;
    if (p === '' || spec.missingMarkers.has(p)) {
      this.unusablePredictions++;
      return null;
    }
    if (spec.threshold !== null) {
      const x = Number(p);
      if (Number.isNaN(x)) {
        this.unusablePredictions++;
        return null;
      }
      return x >= spec.threshold;
    }
    return p === spec.positive || p === '1' || p.toLowerCase() === 'true';
  }

  merge(other: GroupCountsState): void {
    for (const [attribute, groups] of Object.entries(other)) {
      const mine = (this.tables[attribute] ??= new Map());
      for (const [g, counts] of groups) {
        const m = mine.get(g);
        if (!m) mine.set(g, counts.slice());
        else for (let i = 0; i < SLOTS; i++) m[i]! += counts[i]!;
      }
    }
  }
}

function bump(table: Map<string, number[]>, g: string, y: boolean, yhat: boolean | null): void {
  let c = table.get(g);
  if (!c) table.set(detach(g), (c = new Array<number>(SLOTS).fill(0)));
  c[Slot.N]!++;
  if (y) c[Slot.Positive]!++;
  if (yhat === null) return;
  c[Slot.Predicted]!++;
  if (yhat && y) c[Slot.TP]!++;
  else if (yhat) c[Slot.FP]!++;
  else if (y) c[Slot.FN]!++;
  else c[Slot.TN]!++;
}
