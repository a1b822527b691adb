/**
 * The text pilot's stages that do not need the network, as plain functions of plain data, so the
 * engine can run them in-process (one core) or on a second thread (`thread.ts`, `parallel.ts`)
 * with the same result to the last bit:
 *   - tokenising a range of the documents into its own token table (`tokeniseRange`), and merging
 *     such a part into the table of the documents before it (`mergePart`): the ids come out as
 *     if one table had read every document in order (a token's id is its order of first
 *     appearance, and the part's table lists its tokens in that order);
 *   - the analysis: the quality report, the TF-IDF + logistic-regression baseline with its
 *     test probabilities, and the drift reference but for the test predictions (`analyse`).
 */
import { textQuality, type TextQuality } from './quality.js';
import { BASELINE_TOL, fitLogistic, fitTfidfIds, predictLogistic, transformTfidfIds, type Logistic, type Tfidf } from './linear.js';
import { TokenTable } from './table.js';
import { tokenIds } from './tokenize.js';
import type { Corpus } from './corpus.js';
import { buildTextReference, type TextDriftReference } from './drift-reference.js';

/** Documents [from, to) tokenised into their own table, laid out flat for a thread boundary. */
export interface TokenisedPart {
  terms: string[];
  hashes: Uint32Array;
  /** All the part's token ids, document after document. */
  ids: Int32Array;
  /** Document r's ids are ids[offsets[r], offsets[r + 1]). */
  offsets: Int32Array;
}

/** Tokenises texts[from, to) into `table` (a new one by default); one id array per document. */
export function tokeniseRange(texts: readonly string[], from: number, to: number, table = new TokenTable()): { table: TokenTable; docs: Int32Array[] } {
  const docs = new Array<Int32Array>(Math.max(0, to - from));
  for (let i = from; i < to; i++) docs[i - from] = tokenIds(texts[i]!, table);
  return { table, docs };
}

/** `tokeniseRange` into a fresh table, flattened (what a thread sends back). */
export function tokenisePart(texts: readonly string[], from: number, to: number): TokenisedPart {
  const { table, docs } = tokeniseRange(texts, from, to);
  const offsets = new Int32Array(docs.length + 1);
  for (let r = 0; r < docs.length; r++) offsets[r + 1] = offsets[r]! + docs[r]!.length;
  const ids = new Int32Array(offsets[docs.length]!);
  docs.forEach((doc, r) => ids.set(doc, offsets[r]!));
  return { terms: table.terms, hashes: table.hashes.slice(0, table.terms.length), ids, offsets };
}

/**
 * Appends a part (the documents right after those already in `table`) to `docs`, its ids
 * renumbered into `table`: each of the part's tokens in the part's id order (its order of first
 * appearance) is looked up, and added when new — exactly what reading its documents into
 * `table` would have done.
 */
export function mergePart(table: TokenTable, docs: Int32Array[], part: TokenisedPart): void {
  const global = new Int32Array(part.terms.length);
  for (let id = 0; id < part.terms.length; id++) {
    const term = part.terms[id]!;
    global[id] = table.idOf(term, 0, term.length, part.hashes[id]!);
  }
  const { ids, offsets } = part;
  for (let r = 0; r + 1 < offsets.length; r++) {
    const doc = new Int32Array(offsets[r + 1]! - offsets[r]!);
    for (let i = 0, q = offsets[r]!; i < doc.length; i++, q++) doc[i] = global[ids[q]!]!;
    docs.push(doc);
  }
}

/** The corpus of a finished table and its documents (as `encodeTexts` returns). */
export function corpusOf(table: TokenTable, docs: Int32Array[]): Corpus {
  return { terms: table.terms, hashes: table.hashes.slice(0, table.terms.length), docs };
}

/**
 * A corpus's documents laid out in one array (on a SharedArrayBuffer where there is one, so a
 * thread reads them without a copy), and the corpus rewritten to views of it.
 */
export function flatten(corpus: Corpus): { ids: Int32Array; offsets: Int32Array; corpus: Corpus } {
  const offsets = new Int32Array(corpus.docs.length + 1);
  corpus.docs.forEach((doc, r) => (offsets[r + 1] = offsets[r]! + doc.length));
  const total = offsets[corpus.docs.length]!;
  const ids = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4 * Math.max(total, 1)), 0, total) : new Int32Array(total);
  corpus.docs.forEach((doc, r) => ids.set(doc, offsets[r]!));
  return { ids, offsets, corpus: unflatten(corpus.terms, corpus.hashes, ids, offsets) };
}

/** A corpus over flat ids (views, no copy). */
export function unflatten(terms: string[], hashes: Uint32Array, ids: Int32Array, offsets: Int32Array): Corpus {
  const docs = new Array<Int32Array>(offsets.length - 1);
  for (let r = 0; r < docs.length; r++) docs[r] = ids.subarray(offsets[r]!, offsets[r + 1]!);
  return { terms, hashes, docs };
}

/** What the analysis needs besides the texts and the corpus. */
export interface AnalysisInput {
  labels: string[];
  /** 0 train, 1 validation, 2 test, per document. */
  splitOf: Uint8Array;
  train: number[];
  test: number[];
  /** Class index per document. */
  y: Int32Array;
  classes: number;
  /** Per training document (class weights), or null. */
  sampleWeights: number[] | null;
}

/** The quality report and the linear baseline (with its probabilities on the test documents). */
export interface Analysis {
  quality: TextQuality;
  tfidf: Tfidf & { columnOf: Int32Array };
  logistic: Logistic;
  /** Test documents × classes (binary: [1 − p, p]). */
  linearProbs: Float32Array;
  /** What drift checks compare with, its test predictions not yet counted (`withPredictions`). */
  driftReference: TextDriftReference;
}

export function analyse(texts: string[], corpus: Corpus, input: AnalysisInput): Analysis {
  return { quality: textQuality(texts, corpus, input.labels, input.splitOf), ...linearBaseline(corpus, input), driftReference: driftReferenceOf(corpus, input) };
}

/** The drift reference of the training and test documents, without the model's predictions. */
export function driftReferenceOf(corpus: Corpus, input: AnalysisInput): TextDriftReference {
  return buildTextReference(corpus, input.train, input.test, [], input.classes);
}

/** The reference with the model's predicted class (index) of each test document counted in. */
export function withPredictions(reference: TextDriftReference, testPredicted: ArrayLike<number>, classes: number): TextDriftReference {
  const predictions = new Array<number>(classes).fill(0);
  for (let r = 0; r < testPredicted.length; r++) predictions[testPredicted[r]!]!++;
  return { ...reference, test: { ...reference.test, predictions } };
}

/**
 * Linear baseline: TF-IDF over the training vocabulary + logistic regression (C = 1), 100 L-BFGS
 * iterations at most, as scikit-learn's default (max_iter=100).
 */
export function linearBaseline(corpus: Corpus, input: AnalysisInput): Omit<Analysis, 'quality' | 'driftReference'> {
  const tfidf = fitTfidfIds(corpus, input.train);
  const logistic = fitLogistic(transformTfidfIds(tfidf, corpus, input.train), Array.from(input.train, (i) => input.y[i]!), input.classes, {
    maxIter: 100,
    tol: BASELINE_TOL,
    ...(input.sampleWeights ? { sampleWeights: input.sampleWeights } : {}),
  });
  const linearProbs = predictLogistic(logistic, transformTfidfIds(tfidf, corpus, input.test));
  return { tfidf, logistic, linearProbs };
}
