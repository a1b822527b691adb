/**
 * The `tryit.text` engine: a few documents (typed or pasted, a small CSV, or .txt/.md/.eml files)
 * scored with a registered text version through `pilot predict`'s own path (`scoreTexts`: the
 * version's masking of personal data, tokenizer, hashing and saved network; the class decided by
 * `decide` at the version's threshold), and each of the first documents shown with the words that
 * drove its prediction: the text engine's occlusion highlights (`text/explain.ts` `highlight`, the
 * mistakes gallery's), on the text exactly as the model read it (masked where the version masks).
 * The documents with their predictions are written as a CSV whose prediction columns are what
 * `pilot predict` writes for the same documents.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadTextArtifact, savedBag } from '../text/artifact.js';
import { highlight } from '../text/explain.js';
import { findPiiSpans, maskText, type TextPiiKind } from '../text/pii-spans.js';
import { decide, documentText, quote, readDocuments, scoreTexts } from '../text/predict.js';
import { looksBinary, TEXT_EXTENSIONS } from '../text/read.js';
import { tokenize } from '../text/tokenize.js';

/** Most documents one try scores (as many as a try-it file of rows); more is for `pilot predict`. */
export const MAX_TRY_DOCUMENTS = 10_000;
/** Largest CSV of documents read here, and largest single document file. */
export const MAX_TRY_CSV_BYTES = 64 * 1024 * 1024;
export const MAX_TRY_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Documents sent back for display (the CSV has them all), and characters of each shown. */
const SHOWN_DOCUMENTS = 200;
const SHOWN_CHARS = 20_000;
/** Words listed per explained document. */
const WORDS = 15;

const file = z.object({ path: z.string().min(1), name: z.string().min(1) });

export const tryitTextInputSchema = z.object({
  artifactDir: z.string().min(1),
  /** Binary: the version's operating threshold on P(classes[1]) (default 0.5). */
  threshold: z.number().gt(0).lt(1).optional(),
  /** Documents typed or pasted in the panel. */
  texts: z.array(z.string()).min(1).max(MAX_TRY_DOCUMENTS).optional(),
  /** Or files: one CSV/TSV with the model's text column, or .txt/.md/.eml documents. */
  files: z.array(file).min(1).max(100).optional(),
  /** Where the results CSV goes (a new file). */
  outPath: z.string().min(1),
  /** Documents explained (the first ones). */
  explainDocuments: z.number().int().min(0).max(200).default(20),
});
export type TryitTextInput = z.infer<typeof tryitTextInputSchema>;

/** One scored document. */
export interface TriedDocument {
  /** Where it came from: "typed text 1", a file's name, or "row 3 of new.csv". */
  source: string;
  /** The text the model read (personal data masked when the version was trained on masked text), its first SHOWN_CHARS characters. */
  text: string;
  /** True when the document is longer than what is shown. */
  cut: boolean;
  predicted: string;
  /** Probability of each class. */
  probabilities: Record<string, number>;
  /** Words whose removal lowers (effect > 0) or raises (< 0) the predicted class's probability most; null beyond the explained documents. */
  words: Array<{ word: string; effect: number }> | null;
  /** Personal data found in the document, per kind: masked before scoring when `maskPii`, else read as written. */
  personalData: Partial<Record<TextPiiKind, number>>;
}

export interface TryitTextResult {
  kind: 'text';
  task: 'binary' | 'multiclass';
  classes: string[];
  /** Binary: P(classes[1]) at or above which a document is called classes[1]. */
  threshold: number;
  /** Whether the version was trained, and so scores, on masked text. */
  maskPii: boolean;
  documents: TriedDocument[];
  totalDocuments: number;
  outPath: string;
  /** Columns added to the CSV after the input columns: `pilot predict`'s, then `top_words`. */
  addedColumns: string[];
  /** How the highlights are found, in words. */
  method: string;
  warnings: string[];
  seconds: number;
}

/** The documents to score, with the CSV columns they keep (as `pilot predict` writes them). */
interface Documents {
  header: string[];
  rows: string[][];
  texts: string[];
  sources: string[];
  warnings: string[];
}

export const tryitTextEngine: Engine<TryitTextInput, TryitTextResult> = async (input, ctx) => {
  const started = performance.now();
  if (!input.texts === !input.files) throw new UserInputError('Give either typed text or files, not both.');
  ctx.progress({ fraction: 0.02, stage: 'Loading the model' });
  const { tf } = await loadBestBackend();
  const { model, pipeline } = await loadTextArtifact(tf, input.artifactDir);
  try {
    const docs = input.texts ? typed(input.texts, pipeline.textColumn) : await fromFiles(input.files!, pipeline.textColumn);
    if (docs.texts.length > MAX_TRY_DOCUMENTS) {
      throw new UserInputError(`That is ${docs.texts.length.toLocaleString('en')} documents; trying a model takes at most ${MAX_TRY_DOCUMENTS.toLocaleString('en')}. Score the whole file with Predict (pilot predict VERSION FILE), or try a smaller sample.`);
    }
    const empty = docs.texts.filter((t) => t.trim() === '').length;
    if (empty === docs.texts.length) throw new UserInputError(docs.texts.length === 1 ? 'The text is empty: paste or type a document (a ticket, an e-mail) to score.' : `All ${docs.texts.length} documents are empty: there is nothing to score.`);
    if (empty > 0) docs.warnings.push(`${empty} of ${docs.texts.length} documents are empty: they were scored from no words at all.`);
    throwIfCancelled(ctx.signal);

    ctx.progress({ fraction: 0.1, stage: 'Predicting' });
    const k = pipeline.classes.length;
    const probs = new Float32Array(docs.texts.length * k);
    for (let from = 0; from < docs.texts.length; from += 32) {
      throwIfCancelled(ctx.signal);
      probs.set(await scoreTexts(tf, model, pipeline, docs.texts.slice(from, from + 32)), from * k);
    }
    const predicted = docs.texts.map((_, i) => decide(probs.subarray(i * k, (i + 1) * k), pipeline.task, input.threshold));

    const net = savedBag(model, pipeline);
    const explain = Math.min(input.explainDocuments, docs.texts.length);
    const documents: TriedDocument[] = [];
    const words: string[] = [];
    for (let i = 0; i < docs.texts.length; i++) {
      const explained = i < explain;
      if (explained) {
        throwIfCancelled(ctx.signal);
        ctx.progress({ fraction: 0.3 + 0.6 * (i / Math.max(1, explain)), stage: `Highlighting document ${i + 1} of ${explain}` });
      }
      if (!explained && i >= SHOWN_DOCUMENTS) {
        words.push('');
        continue;
      }
      // What scoreTexts reads: the masked copy where the version masks, cut at its length.
      const raw = docs.texts[i]!;
      const spans = findPiiSpans(raw);
      const read = (pipeline.maskPii ? maskText(raw, spans) : raw).slice(0, pipeline.maxChars);
      const drove = explained ? highlight(net, pipeline.tokenizer, tokenize(read), predicted[i]!, WORDS) : null;
      words.push(drove ? drove.filter((w) => w.effect > 0).slice(0, 5).map((w) => w.word).join(' ') : '');
      if (i >= SHOWN_DOCUMENTS) continue;
      const personalData: Partial<Record<TextPiiKind, number>> = {};
      for (const s of spans) personalData[s.kind] = (personalData[s.kind] ?? 0) + 1;
      documents.push({
        source: docs.sources[i]!,
        text: read.slice(0, SHOWN_CHARS),
        cut: read.length > SHOWN_CHARS || raw.length > pipeline.maxChars,
        predicted: pipeline.classes[predicted[i]!]!,
        probabilities: Object.fromEntries(pipeline.classes.map((c, j) => [c, probs[i * k + j]!])),
        words: drove,
        personalData,
      });
    }
    if (explain < docs.texts.length) docs.warnings.push(`Words are highlighted for the first ${explain} of ${docs.texts.length.toLocaleString('en')} documents; every document is predicted.`);
    if (docs.texts.some((t) => t.length > pipeline.maxChars)) docs.warnings.push(`Documents longer than ${pipeline.maxChars.toLocaleString('en')} characters were cut there, as in training.`);

    ctx.progress({ fraction: 0.95, stage: 'Writing the results' });
    const addedColumns = ['prediction', ...pipeline.classes.map((c) => `probability_${c}`), 'top_words'];
    const lines = [[...docs.header, ...addedColumns].map(quote).join(',')];
    docs.rows.forEach((row, i) => {
      lines.push([...row, pipeline.classes[predicted[i]!]!, ...Array.from(probs.subarray(i * k, (i + 1) * k), (v) => v.toFixed(6)), words[i] ?? ''].map(quote).join(','));
    });
    await writeFile(input.outPath, `${lines.join('\n')}\n`, { flag: 'wx' });
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      kind: 'text',
      task: pipeline.task,
      classes: pipeline.classes,
      threshold: input.threshold ?? 0.5,
      maskPii: pipeline.maskPii,
      documents,
      totalDocuments: docs.texts.length,
      outPath: input.outPath,
      addedColumns,
      method:
        'Occlusion, as in the pilot’s mistakes gallery: each distinct word of the first 400 is taken out of the document (with the word pairs it forms) and the network run again; the change in the predicted class’s probability is the word’s effect.',
      warnings: docs.warnings,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
  }
};

/** Typed documents: one CSV column named as the model's text column. */
function typed(texts: string[], textColumn: string): Documents {
  return { header: [textColumn], rows: texts.map((t) => [t]), texts, sources: texts.map((_, i) => (texts.length === 1 ? 'the typed text' : `typed text ${i + 1}`)), warnings: [] };
}

/** A CSV (read as `pilot predict` reads one), or document files (read as `pilot predict` reads a folder's). */
async function fromFiles(files: Array<{ path: string; name: string }>, textColumn: string): Promise<Documents> {
  const table = files.filter((f) => ['.csv', '.tsv'].includes(extname(f.name).toLowerCase()));
  if (table.length > 0) {
    if (files.length > 1) throw new UserInputError(`Give one CSV of documents, or document files (.txt, .md, .eml), not both: ${files.map((f) => f.name).join(', ')}.`);
    const { path, name } = table[0]!;
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new UserInputError(`${name} is not there any more. Choose the file again.`);
    if (size > MAX_TRY_CSV_BYTES) throw new UserInputError(`${name} is ${Math.round(size / 1e6)} MB; trying a model reads at most ${MAX_TRY_CSV_BYTES / 1024 / 1024} MB. Score it with Predict (pilot predict VERSION FILE).`);
    const named = (text: string) => text.split(path).join(name);
    let read;
    try {
      read = await readDocuments(path, false, textColumn, []);
    } catch (error) {
      if (error instanceof UserInputError) throw new UserInputError(named(error.message));
      throw error;
    }
    if (read.texts.length === 0) throw new UserInputError(`${name} has a header but no documents to score.`);
    return { ...read, sources: read.texts.map((_, i) => `row ${i + 1} of ${name}`), warnings: [] };
  }
  const docs: Documents = { header: ['file'], rows: [], texts: [], sources: [], warnings: [] };
  for (const { path, name } of files) {
    const extension = extname(name).toLowerCase();
    if (!(TEXT_EXTENSIONS as readonly string[]).includes(extension)) {
      throw new UserInputError(`${name} is not a document this model reads: give .txt, .md or .eml files, or one CSV with a "${textColumn}" column.`);
    }
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new UserInputError(`${name} is not there any more. Choose the file again.`);
    if (size > MAX_TRY_DOCUMENT_BYTES) throw new UserInputError(`${name} is ${Math.round(size / 1e6)} MB; one document may be at most ${MAX_TRY_DOCUMENT_BYTES / 1024 / 1024} MB here. Score it with Predict.`);
    const bytes = await readFile(path);
    if (looksBinary(bytes)) throw new UserInputError(`${name} looks like a binary file, not text: give a plain-text (.txt, .md) or e-mail (.eml) file.`);
    docs.rows.push([name]);
    docs.texts.push(documentText(name, bytes));
    docs.sources.push(name);
  }
  return docs;
}
