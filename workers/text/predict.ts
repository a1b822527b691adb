/**
 * Predicting with a saved text model: every row of a CSV (its text column) or every .txt/.md/.eml
 * file under a folder gets the predicted class and one probability per class, written as CSV.
 * The tfjs layers model of the artifact does the computing, so what is scored is what was saved.
 */
import { createWriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UserInputError } from '../protocol.js';
import { readRange } from '../csv/reader.js';
import { sniffFile } from '../csv/sniff.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadTextArtifact, type TextPipeline } from './artifact.js';
import { parseEmail } from './eml.js';
import { maskText } from './pii-spans.js';
import { looksBinary, TEXT_EXTENSIONS } from './read.js';
import { bagOf, tokenize } from './tokenize.js';

/** What `predictTexts` wrote. */
export interface TextPredictResult {
  rows: number;
  outPath: string;
  /** `prediction` and `probability_<class>` per class. */
  addedColumns: string[];
  warnings: string[];
}

export async function predictTexts(artifactDir: string, inputPath: string, outPath: string, options: { textColumn?: string; tf?: typeof tfjs; threshold?: number } = {}): Promise<TextPredictResult> {
  const tf = options.tf ?? (await loadBestBackend()).tf;
  const { model, pipeline } = await loadTextArtifact(tf, artifactDir);
  const info = await stat(inputPath).catch(() => {
    throw new UserInputError(`${inputPath} was not found. Check the path, then retry.`);
  });
  const warnings: string[] = [];
  const { header, rows, texts } = await readDocuments(inputPath, info.isDirectory(), options.textColumn ?? pipeline.textColumn, warnings);
  const addedColumns = ['prediction', ...pipeline.classes.map((c) => `probability_${c}`)];
  const out = createWriteStream(outPath);
  const write = (fields: string[]) => out.write(`${fields.map(quote).join(',')}\n`);
  write([...header, ...addedColumns]);
  const batch = 32;
  for (let from = 0; from < texts.length; from += batch) {
    const slice = texts.slice(from, from + batch);
    const probs = await scoreTexts(tf, model, pipeline, slice);
    slice.forEach((_, r) => {
      const p = probs.subarray(r * pipeline.classes.length, (r + 1) * pipeline.classes.length);
      write([...rows[from + r]!, pipeline.classes[decide(p, pipeline.task, options.threshold)]!, ...Array.from(p, (v) => v.toFixed(6))]);
    });
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  model.dispose();
  return { rows: texts.length, outPath, addedColumns, warnings };
}

/**
 * The predicted class index of one document's probabilities: binary at the version's operating
 * threshold on P(classes[1]) (default 0.5, as evaluation decides), multiclass the most probable.
 */
export function decide(p: ArrayLike<number>, task: 'binary' | 'multiclass', threshold = 0.5): number {
  if (task === 'binary') return p[1]! >= threshold ? 1 : 0;
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return best;
}

/** Class probabilities (n × classes) from the saved model: each text's bag as a dense vector over the buckets. */
export async function scoreTexts(tf: typeof tfjs, model: tfjs.LayersModel, pipeline: TextPipeline, texts: string[]): Promise<Float32Array> {
  const b = pipeline.tokenizer.buckets;
  const dense = new Float32Array(texts.length * b);
  texts.forEach((raw, r) => {
    const text = (pipeline.maskPii ? maskText(raw) : raw).slice(0, pipeline.maxChars);
    const bag = bagOf(tokenize(text), pipeline.tokenizer);
    for (let q = 0; q < bag.ids.length; q++) dense[r * b + bag.ids[q]!] = bag.weights[q]!;
  });
  const input = tf.tensor2d(dense, [texts.length, b]);
  const output = model.predict(input) as tfjs.Tensor;
  const values = (await output.data()) as Float32Array;
  input.dispose();
  output.dispose();
  if (pipeline.task === 'multiclass') return Float32Array.from(values);
  const probs = new Float32Array(texts.length * 2);
  for (let r = 0; r < texts.length; r++) {
    probs[2 * r] = 1 - values[r]!;
    probs[2 * r + 1] = values[r]!;
  }
  return probs;
}

/** The documents to score: a CSV's rows (and its text column), or every .txt/.md/.eml file under a folder (`file` = its relative path). */
export async function readDocuments(path: string, folder: boolean, textColumn: string, warnings: string[]): Promise<{ header: string[]; rows: string[][]; texts: string[] }> {
  return folder ? readFolder(path, warnings) : readCsv(path, textColumn);
}

async function readCsv(path: string, textColumn: string): Promise<{ header: string[]; rows: string[][]; texts: string[] }> {
  const sniffed = await sniffFile(path);
  const t = sniffed.columns.indexOf(textColumn);
  if (t < 0) throw new UserInputError(`${path} has no column "${textColumn}", which the model reads. Its columns are: ${sniffed.columns.join(', ')}. Rename the column, or pass the right one.`);
  const rows: string[][] = [];
  const texts: string[] = [];
  const { size } = await stat(path);
  await readRange({
    path,
    encoding: sniffed.encoding,
    delimiter: sniffed.delimiter,
    start: sniffed.bomBytes,
    end: size,
    skipHeader: sniffed.hasHeader,
    onRecord(fields) {
      rows.push(fields.map((f) => (' ' + f).slice(1)));
      texts.push(rows[rows.length - 1]![t] ?? '');
    },
  });
  return { header: sniffed.columns, rows, texts };
}

async function readFolder(root: string, warnings: string[]): Promise<{ header: string[]; rows: string[][]; texts: string[] }> {
  const rows: string[][] = [];
  const texts: string[] = [];
  const binary: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && (TEXT_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase())) {
        const bytes = await readFile(path);
        const rel = relative(root, path).split(sep).join('/');
        if (looksBinary(bytes)) {
          binary.push(rel);
          continue;
        }
        rows.push([rel]);
        texts.push(documentText(path, bytes));
      }
    }
  };
  await visit(root);
  if (binary.length > 0) warnings.push(`${binary.length} binary file(s) were skipped: ${binary.slice(0, 5).join(', ')}.`);
  if (texts.length === 0) throw new UserInputError(`${root} holds no .txt, .md or .eml documents to predict. Pick the folder with the documents.`);
  return { header: ['file'], rows, texts };
}

/** A document file's text: an e-mail's subject and body (MIME decoded), else the file as UTF-8. */
export function documentText(path: string, bytes: Buffer): string {
  return extname(path).toLowerCase() === '.eml' ? parseEmail(bytes).text : bytes.toString('utf8');
}

/** One CSV field as prediction files write it. */
export function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
