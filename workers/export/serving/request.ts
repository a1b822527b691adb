/**
 * One prediction request over HTTP, as the hand-off server answers it (and serve mode's endpoint
 * will): JSON rows (`{"rows": [{column: value}]}`, or KServe's `{"instances": …}`) or a CSV body
 * with a header line, checked (zod schemas), then predicted by the verified model kept in memory
 * (`model-cache.ts`) with `predictLoaded` — the same preprocessing,
 * unseen-category handling and warnings as `pilot predict`. Every refusal is an HTTP status with a
 * JSON `{ error: { code, message } }`.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { predictLoaded } from '../../predict/rows.js';
import { UserInputError } from '../../protocol.js';
import type { SavedPipeline } from '../../trainer/artifact.js';
import { isMissing, parseNumber } from '../../trainer/values.js';
import { servedModel } from './model-cache.js';

/** Largest request body accepted (bytes); larger ones get 413. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Most rows in one request. */
export const MAX_ROWS = 100_000;

/** An HTTP answer: status and JSON body, with what the request log records. */
export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Rows predicted (0 when refused) and how many had a category the model never learned. */
  rows: number;
  unseenRows: number;
  /** On success: the request's cells of the model's feature columns, for the version's sample of served rows (drift). */
  input?: { columns: string[]; rows: string[][] };
}

/** A refusal the client can fix (4xx), with its message. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** One cell of a JSON row. */
const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
type Cell = z.infer<typeof cellSchema>;
/** The JSON body: rows under `rows`, or KServe's `instances`. */
const jsonBodySchema = z.object({ rows: z.unknown().optional(), instances: z.unknown().optional() });
const rowListSchema = z.array(z.unknown()).min(1);
/** One JSON row: an object of column → value (arrays are objects to JavaScript, so refused apart). */
const rowSchema = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
const csvRecordsSchema = z.array(z.array(z.string()));

/** Turns the body into a header and raw cells; throws `RequestError` for malformed input. */
export function parseBody(contentType: string, body: Buffer): { header: string[]; rows: string[][] } {
  if (body.byteLength === 0) throw new RequestError(400, 'empty-body', 'The request has no body. Send {"rows": [{"column": value, …}]} as JSON, or a CSV with a header line.');
  if (/^text\/csv\b/i.test(contentType)) {
    let records: string[][];
    try {
      records = csvRecordsSchema.parse(parse(body.toString('utf8'), { relax_column_count: true, skip_empty_lines: true, bom: true }));
    } catch (error) {
      throw new RequestError(400, 'bad-csv', `The CSV body could not be parsed (${error instanceof Error ? error.message : String(error)}).`);
    }
    const [header, ...rows] = records;
    if (!header || rows.length === 0) throw new RequestError(400, 'no-rows', 'The CSV body needs a header line and at least one row.');
    if (rows.length > MAX_ROWS) throw new RequestError(413, 'too-many-rows', `The request has ${rows.length} rows; send at most ${MAX_ROWS} per request.`);
    return { header, rows };
  }
  if (contentType && !/^application\/json\b/i.test(contentType)) {
    throw new RequestError(415, 'unsupported-type', `Content-Type ${contentType.slice(0, 60)} is not accepted: send application/json or text/csv.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RequestError(400, 'bad-json', `The body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const shape = jsonBodySchema.safeParse(json);
  const listed = rowListSchema.safeParse(shape.success ? (shape.data.rows ?? shape.data.instances) : undefined);
  if (!listed.success) throw new RequestError(400, 'no-rows', 'Send {"rows": [{"column": value, …}, …]} with at least one row.');
  const list = listed.data;
  if (list.length > MAX_ROWS) throw new RequestError(413, 'too-many-rows', `The request has ${list.length} rows; send at most ${MAX_ROWS} per request.`);
  const header: string[] = [];
  const seen = new Set<string>();
  const objects = list.map((raw, r): Record<string, Cell> => {
    const row = rowSchema.safeParse(raw);
    if (!row.success) throw new RequestError(400, 'bad-row', `Row ${r + 1} is not an object of column → value.`);
    const cells: Record<string, Cell> = {};
    for (const [column, value] of Object.entries(row.data)) {
      const cell = cellSchema.safeParse(value);
      if (!cell.success) {
        throw new RequestError(400, 'wrong-type', `Row ${r + 1}, column "${column}": a value must be a string, number, boolean or null, not ${Array.isArray(value) ? 'an array' : 'an object'}.`);
      }
      cells[column] = cell.data;
      if (!seen.has(column)) {
        seen.add(column);
        header.push(column);
      }
    }
    return cells;
  });
  const rows = objects.map((row) => header.map((column) => cellText(row[column])));
  return { header, rows };
}

function cellText(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return String(value);
}

/** What the service knows of its model: the artifact and how to name it in answers. */
export interface ServedModel {
  artifactDir: string;
  project: string;
  version: number;
  /** Binary: the version's operating threshold on P(positive) (null or absent: 0.5). */
  threshold?: number | null;
}

/**
 * Checks columns and types against the model's pipeline: a number column with text that is not a
 * number is refused (422) rather than silently imputed, so a client with swapped columns notices.
 */
function checkColumns(pipeline: SavedPipeline, header: string[], rows: string[][]): { warnings: string[]; unseenRows: number; features: string[] } {
  const features = pipeline.preprocessing.features;
  const known = new Set(features.map((f) => f.column));
  const warnings: string[] = [];
  const extra = header.filter((c) => !known.has(c));
  if (extra.length) warnings.push(`Column(s) ${extra.map((c) => `"${c}"`).join(', ')} are not used by the model and were ignored.`);
  for (const feature of features) {
    if (feature.kind !== 'numeric') continue;
    const index = header.indexOf(feature.column);
    if (index < 0) continue;
    const bad = rows.findIndex((row) => !isMissing(row[index]) && parseNumber(row[index]!) === null);
    if (bad >= 0) {
      throw new RequestError(422, 'wrong-type', `Row ${bad + 1}, column "${feature.column}": "${rows[bad]![index]!.slice(0, 40)}" is not a number, and the model reads this column as numbers. Send a number, or null for a missing value.`);
    }
  }
  const unseen = new Set<number>();
  for (const feature of features) {
    if (feature.kind !== 'categorical') continue;
    const index = header.indexOf(feature.column);
    if (index < 0) continue;
    const levels = new Set(feature.levels);
    rows.forEach((row, r) => {
      if (!isMissing(row[index]) && !levels.has(row[index]!.trim())) unseen.add(r);
    });
  }
  return { warnings, unseenRows: unseen.size, features: features.map((f) => f.column) };
}

/** The cells of the model's feature columns the request has, for the sample of served rows. */
function featureCells(features: string[], header: string[], rows: string[][]): { columns: string[]; rows: string[][] } {
  const columns = features.filter((c) => header.includes(c));
  const index = columns.map((c) => header.indexOf(c));
  return { columns, rows: rows.map((row) => index.map((i) => row[i] ?? '')) };
}

/** Answers one prediction request for `model`. `tf` is the TensorFlow.js instance to predict with. */
export async function answerPredict(model: ServedModel, contentType: string, body: Buffer, tf: typeof tfjs): Promise<HttpAnswer> {
  try {
    const { header, rows } = parseBody(contentType, body);
    // Verified when first used and whenever its files change, then kept (model-cache.ts).
    const loaded = await servedModel(tf, model.artifactDir);
    const { warnings, unseenRows, features } = checkColumns(loaded.pipeline, header, rows);
    const { predictions, warnings: predictWarnings } = predictLoaded(tf, loaded.model, loaded.pipeline, header, rows, model.threshold ?? undefined);
    return {
      status: 200,
      body: { model: { project: model.project, version: model.version }, rows: rows.length, predictions, warnings: [...warnings, ...predictWarnings] },
      rows: rows.length,
      unseenRows,
      input: featureCells(features, header, rows),
    };
  } catch (error) {
    if (error instanceof RequestError) return { status: error.status, body: errorBody(error.code, error.message), rows: 0, unseenRows: 0 };
    // predictRows's own refusals (no known column, damaged model files) keep their words.
    if (error instanceof UserInputError) {
      const damaged = /checksum|missing .*\.(json|bin)|not a complete model/.test(error.message);
      return { status: damaged ? 503 : 422, body: errorBody(damaged ? 'model-unavailable' : 'unusable-rows', error.message), rows: 0, unseenRows: 0 };
    }
    return { status: 500, body: errorBody('failed', `The prediction failed: ${error instanceof Error ? error.message : String(error)}`), rows: 0, unseenRows: 0 };
  }
}
