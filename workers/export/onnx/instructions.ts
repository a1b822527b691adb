/**
 * `preprocessing.onnx.json`: the exact instructions to turn one row of raw cells into the ONNX
 * model's input vector, for the encodings ONNX expresses awkwardly (category lookups, hashing,
 * date parsing). Numbers go in as they are (NaN when missing): the graph itself imputes the
 * training median and standardises. `encodeRows` is the reference implementation of these
 * instructions, written from the JSON alone (the tests check it against the trainer's pipeline).
 */
import type { FeatureSpec, Preprocessing, Scaler } from '../../trainer/preprocess.js';
import { ISO_DATE, MISSING_MARKERS, NUMBER } from '../../trainer/values.js';
import type { TargetSpec } from '../../trainer/task.js';

/** How one source column fills its slots of the input vector (`slot` = first index). */
export type ColumnInstruction =
  | { column: string; kind: 'number'; slot: number }
  | { column: string; kind: 'boolean'; slot: number; trueValue: string; falseValue: string }
  | { column: string; kind: 'date'; slot: number; parts: Array<'year' | 'month' | 'day' | 'weekday' | 'hour'> }
  | { column: string; kind: 'one-hot'; slot: number; levels: string[]; otherSlot: number | null }
  | { column: string; kind: 'hashed'; slot: number; buckets: number };

/** The whole file. Every field is documented in workers/export/README.md. */
export interface OnnxPreprocessing {
  format: 'pilot-onnx-preprocessing';
  formatVersion: 1;
  /** The graph input: float64, shape [rows, width]. */
  input: { name: string; dtype: 'float64'; width: number };
  /** Names of the slots, in order (`age`, `plan=basic`, `signup.year` …). */
  slots: string[];
  /** A trimmed, lower-cased cell equal to one of these is missing. */
  missingMarkers: string[];
  /** A trimmed cell matching this (JavaScript syntax) is a number; anything else is missing. */
  numberPattern: string;
  /** Dates: groups 1–4 are year, month, day, hour (optional); month 1–12 and day 1–31, else missing. */
  datePattern: string;
  /** The category a missing cell stands for in one-hot and hashed columns. */
  missingLevel: string;
  columns: ColumnInstruction[];
  /**
   * Per slot, what the ONNX graph does with the vector (and what a TensorFlow.js caller must do
   * before `model.predict`): a missing slot (NaN or ±Infinity) takes `medians[i]`, then
   * `(value − means[i]) / stds[i]`. One-hot and hashed slots have 0, 0, 1 (unchanged).
   */
  scaling: { medians: number[]; means: number[]; stds: number[] };
  /** What the graph returns. */
  outputs: { task: TargetSpec['task']; target: string; classes: string[] | null; names: string[] };
}

/** The instructions for a trainer pipeline. `outputs` lists the graph's output names. */
export function instructionsFor(pre: Preprocessing, target: TargetSpec, inputName: string, outputs: string[]): OnnxPreprocessing {
  let slot = 0;
  const columns = pre.features.map((f): ColumnInstruction => {
    const at = slot;
    slot += widthOf(f);
    switch (f.kind) {
      case 'numeric':
        return { column: f.column, kind: 'number', slot: at };
      case 'boolean':
        return { column: f.column, kind: 'boolean', slot: at, trueValue: f.trueValue, falseValue: f.falseValue };
      case 'date':
        return { column: f.column, kind: 'date', slot: at, parts: f.parts.map((p) => p.part) };
      case 'categorical':
        return { column: f.column, kind: 'one-hot', slot: at, levels: f.levels, otherSlot: f.other ? at + f.levels.length : null };
      case 'hashed':
        return { column: f.column, kind: 'hashed', slot: at, buckets: f.buckets };
    }
  });
  return {
    format: 'pilot-onnx-preprocessing',
    formatVersion: 1,
    input: { name: inputName, dtype: 'float64', width: pre.inputs.length },
    slots: pre.inputs,
    missingMarkers: [...MISSING_MARKERS],
    numberPattern: NUMBER.source,
    datePattern: ISO_DATE.source,
    missingLevel: '(missing)',
    columns,
    scaling: slotStatistics(pre.features),
    outputs: { task: target.task, target: target.column, classes: target.task === 'regression' ? null : target.classes, names: outputs },
  };
}

/** Per slot: median, mean and std for imputation and scaling (identity for one-hot and hashed slots). */
function slotStatistics(features: FeatureSpec[]): OnnxPreprocessing['scaling'] {
  const scaling: OnnxPreprocessing['scaling'] = { medians: [], means: [], stds: [] };
  const push = (s: Scaler) => (scaling.medians.push(s.median), scaling.means.push(s.mean), scaling.stds.push(s.std));
  for (const f of features) {
    if (f.kind === 'numeric') push(f.scaler);
    else if (f.kind === 'date') f.parts.forEach((p) => push(p.scaler));
    // An unknown or missing boolean takes the training mode, as the trainer's pipeline does.
    else if (f.kind === 'boolean') push({ median: f.mode, mean: 0, std: 1 });
    else for (let i = 0; i < widthOf(f); i++) push({ median: 0, mean: 0, std: 1 });
  }
  return scaling;
}

function widthOf(f: FeatureSpec): number {
  switch (f.kind) {
    case 'numeric':
    case 'boolean':
      return 1;
    case 'date':
      return f.parts.length;
    case 'categorical':
      return f.levels.length + (f.other ? 1 : 0);
    case 'hashed':
      return f.buckets;
  }
}

/** FNV-1a, 32 bits, over the string's UTF-16 code units. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Builds the input matrix (row-major, rows × width) from raw cells named by `header`, following
 * `spec` only. Columns absent from `header` read as missing cells.
 */
export function encodeRows(spec: OnnxPreprocessing, header: string[], rows: string[][]): Float64Array {
  const width = spec.input.width;
  const out = new Float64Array(rows.length * width);
  const markers = new Set(spec.missingMarkers);
  const number = new RegExp(spec.numberPattern);
  const date = new RegExp(spec.datePattern);
  const missing = (cell: string) => markers.has(cell.trim().toLowerCase());
  const toNumber = (cell: string) => (!missing(cell) && number.test(cell.trim()) ? Number(cell.trim()) : Number.NaN);
  const position = new Map(header.map((name, i) => [name, i]));
  rows.forEach((row, r) => {
    const base = r * width;
    for (const c of spec.columns) {
      const index = position.get(c.column);
      const cell = index === undefined ? '' : (row[index] ?? '');
      const level = missing(cell) ? spec.missingLevel : cell.trim();
      switch (c.kind) {
        case 'number':
          out[base + c.slot] = toNumber(cell);
          break;
        case 'boolean': {
          const value = cell.trim().toLowerCase();
          out[base + c.slot] = value === c.trueValue ? 1 : value === c.falseValue ? 0 : Number.NaN;
          break;
        }
        case 'date': {
          const m = missing(cell) ? null : date.exec(cell.trim());
          const month = m ? Number(m[2]) : 0;
          const day = m ? Number(m[3]) : 0;
          const valid = m !== null && month >= 1 && month <= 12 && day >= 1 && day <= 31;
          c.parts.forEach((part, i) => {
            let value = Number.NaN;
            if (valid) {
              const year = Number(m[1]);
              if (part === 'year') value = year;
              else if (part === 'month') value = month;
              else if (part === 'day') value = day;
              else if (part === 'weekday') value = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
              else value = m[4] === undefined ? Number.NaN : Number(m[4]);
            }
            out[base + c.slot + i] = value;
          });
          break;
        }
        case 'one-hot': {
          const k = c.levels.indexOf(level);
          if (k >= 0) out[base + c.slot + k] = 1;
          else if (c.otherSlot !== null) out[base + c.otherSlot] = 1;
          break;
        }
        case 'hashed':
          out[base + c.slot + (fnv1a32(level) % c.buckets)] = 1;
          break;
      }
    }
  });
  return out;
}

/** Columns with a category outside the learned levels (new or rare in training), per column: what `pilot predict` reports as unseen. */
export function unseenCategories(spec: OnnxPreprocessing, header: string[], rows: string[][]): Record<string, number> {
  const markers = new Set(spec.missingMarkers);
  const counts: Record<string, number> = {};
  for (const c of spec.columns) {
    if (c.kind !== 'one-hot') continue;
    const index = header.indexOf(c.column);
    if (index < 0) continue;
    const levels = new Set(c.levels);
    for (const row of rows) {
      const cell = row[index] ?? '';
      if (!markers.has(cell.trim().toLowerCase()) && !levels.has(cell.trim())) counts[c.column] = (counts[c.column] ?? 0) + 1;
    }
  }
  return counts;
}
