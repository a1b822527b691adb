/**
 * Prediction with a saved image model: a folder (every picture under it, any depth) or a list of
 * paths (a .txt with one path a line, or a CSV with a path column) → a CSV with one row per
 * picture: path, prediction, probability (of the prediction) and probability_<class> for every
 * class. Pictures that cannot be read keep their row, with the reason in `error`.
 */
import { createWriteStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { UserInputError } from '../protocol.js';
import { defuse } from '../trainer/predict.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadImageArtifact } from './artifact.js';
import { IMAGE_EXTENSIONS } from './files.js';
import { registerWasmConvKernels } from './wasm-conv.js';
import { argmaxRow, scorePictures } from './score.js';
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** What `predictImages` returns. */
export interface ImagePredictResult {
  rows: number;
  outPath: string;
  addedColumns: string[];
  warnings: string[];
}

export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function collect(dir: string, out: string[], seen: Set<string>): Promise<void> {
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = (await stat(path)).isDirectory();
      } catch {
        continue;
      }
    }
    if (isDir) {
      // The real path: a link back to a parent folder (a loop) is read once, not until the path is too long.
      let key: string;
      try {
        key = await realpath(path);
      } catch {
        continue;
      }
      if (!seen.has(key)) {
        seen.add(key);
        await collect(path, out, seen);
      }
    } else if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())) out.push(path);
  }
}

/** The pictures named by `input`: a folder, a .txt list, a CSV with a path column, or one picture. */
export async function picturesOf(input: string): Promise<{ base: string; paths: string[] }> {
  let info;
  try {
    info = await stat(input);
  } catch {
    throw new UserInputError(`Cannot read ${input}: give a folder of pictures, a .txt list of paths, or a CSV with a path column.`);
  }
  if (info.isDirectory()) {
    const paths: string[] = [];
    await collect(input, paths, new Set([await realpath(input)]));
    return { base: input, paths: paths.sort() };
  }
  const base = dirname(input);
  // One picture is a list of itself.
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(input).toLowerCase())) return { base, paths: [input] };
  const text = await readFile(input, 'utf8');
  let listed: string[];
  if (extname(input).toLowerCase() === '.csv') {
    const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
    const column = Object.keys(rows[0] ?? {}).find((c) => /^(path|file|filename|file_?path|image|image_?path)$/i.test(c));
    if (!column) throw new UserInputError(`${input} has no path column (name one "path", "file" or "image").`);
    listed = rows.map((r) => r[column] ?? '').filter(Boolean);
  } else listed = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return { base, paths: listed.map((p) => (isAbsolute(p) ? p : resolve(base, p))) };
}

/** Predicts every picture of `input` with the model in `artifactDir`, writing `outPath`. */
export async function predictImages(artifactDir: string, input: string, outPath: string, options: { force?: boolean; escapeFormulas?: boolean } = {}): Promise<ImagePredictResult> {
  if (!options.force && (await stat(outPath).catch(() => null))) {
    throw new UserInputError(`${outPath} already exists. Choose another output file, or pass --force to overwrite it.`);
  }
  // File names are cells too: one named "=HYPERLINK(…).png" must not become a formula in a spreadsheet.
  const escape = options.escapeFormulas ?? true;
  const field = (value: string): string => csvField(escape ? defuse(value) : value);
  const { tf } = await loadBestBackend();
  if (tf.getBackend() === 'wasm') registerWasmConvKernels();
  const { model, preprocessing: pre } = await loadImageArtifact(tf, artifactDir);
  const { base, paths } = await picturesOf(input);
  if (paths.length === 0) throw new UserInputError(`No pictures found in ${input}.`);
  const probColumns = pre.classes.map((c) => `probability_${c}`);
  // 'wx' refuses a file that appeared since the check above; --force replaces it.
  const out = createWriteStream(outPath, { flags: options.force ? 'w' : 'wx' });
  const opened = new Promise<void>((resolveOpen, reject) => {
    out.once('open', () => resolveOpen());
    out.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EEXIST' ? new UserInputError(`${outPath} already exists. Choose another output file, or pass --force to overwrite it.`) : error),
    );
  });
  await opened;
  out.write(['path', 'prediction', 'probability', ...probColumns, 'error'].map(field).join(',') + '\n');
  const warnings: string[] = [];
  const k = pre.classes.length;
  const { probs, errors, failed } = await scorePictures(tf, model, pre, paths);
  paths.forEach((path, i) => {
    const rel = relative(base, path) || path;
    if (errors[i]) {
      out.write([rel, '', '', ...pre.classes.map(() => ''), errors[i]!].map(field).join(',') + '\n');
      return;
    }
    const best = argmaxRow(probs, i, k);
    const row = [rel, pre.classes[best]!, probs[i * k + best]!.toFixed(6), ...Array.from({ length: k }, (_, c) => probs[i * k + c]!.toFixed(6)), ''];
    out.write(row.map(field).join(',') + '\n');
  });
  out.end();
  await finished(out);
  model.dispose();
  if (failed > 0) warnings.push(`${failed} of ${paths.length} pictures could not be read; their rows have the reason in "error".`);
  return { rows: paths.length, outPath, addedColumns: ['prediction', 'probability', ...probColumns, 'error'], warnings };
}
