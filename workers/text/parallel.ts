/**
 * The text pilot's second thread: while the engine's own thread tokenises the first 60 % of the
 * documents and then trains the network, a worker thread (`thread.ts`) tokenises the rest
 * and then scores the quality, fits the TF-IDF + logistic-regression baseline and builds the drift
 * reference — stages that
 * are independent once the corpus is encoded. The documents' ids reach the thread on a
 * SharedArrayBuffer (no copy); the stages are the same functions the in-process path calls
 * (`stages.ts`), so both give the same result to the last bit. Cancelling terminates the thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../protocol.js';
import type { Corpus } from './corpus.js';
import { corpusOf, mergePart, tokeniseRange, type Analysis, type AnalysisInput, type TokenisedPart } from './stages.js';

export type ToTextThread =
  | { type: 'tokenise'; texts: string[]; from: number }
  | { type: 'analyse'; terms: string[]; hashes: Uint32Array; ids: Int32Array; offsets: Int32Array; input: AnalysisInput };

export type FromTextThread = { type: 'tokenised'; part: TokenisedPart } | { type: 'analysed'; analysis: Analysis } | { type: 'error'; message: string; stack?: string };

/** The thread entry file, if this build has one: `PILOT_TEXT_THREAD`, or `text-thread.(m)js` beside this module (or its parent folder). */
export function findTextThread(): string | null {
  const fromEnv = process.env.PILOT_TEXT_THREAD;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  let here: string;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  // Beside this module, or one level up when a bundler put this module in a chunks/ folder.
  for (const folder of [here, join(here, '..')]) {
    for (const name of ['text-thread.js', 'text-thread.mjs']) {
      const candidate = join(folder, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

/** Threads a run uses: `requested`, else two where the machine has two cores or more; one when there is no thread entry. */
export function textThreads(requested: number | undefined, entry: string | null): number {
  if (!entry) return 1;
  return Math.max(1, Math.min(2, requested ?? availableParallelism()));
}

/** One worker thread, one request at a time. */
export class TextThread {
  private readonly worker: Worker;
  private pending: { resolve: (m: FromTextThread) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly onAbort = () => this.fail(new CancelledError());

  constructor(
    entry: string,
    private readonly signal: AbortSignal,
  ) {
    this.worker = new Worker(entry);
    this.worker.on('message', (m: FromTextThread) => {
      const pending = this.pending;
      this.pending = null;
      if (!pending) return;
      if (m.type === 'error') pending.reject(Object.assign(new Error(m.message), m.stack ? { stack: m.stack } : {}));
      else pending.resolve(m);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`The text pilot's second thread stopped unexpectedly (exit code ${code}).`)));
    signal.addEventListener('abort', this.onAbort);
  }

  /** Tokenises texts[from, end) on the thread (which keeps `texts` for the analysis). */
  async tokenise(texts: string[], from: number): Promise<TokenisedPart> {
    const m = await this.request({ type: 'tokenise', texts, from });
    if (m.type !== 'tokenised') throw new Error(`The text thread answered ${m.type} to tokenise.`);
    return m.part;
  }

  /** Starts the analysis of the encoded corpus (flat ids, shared) on the thread. */
  async analyse(corpus: { terms: string[]; hashes: Uint32Array; ids: Int32Array; offsets: Int32Array }, input: AnalysisInput): Promise<Analysis> {
    const m = await this.request({ type: 'analyse', ...corpus, input });
    if (m.type !== 'analysed') throw new Error(`The text thread answered ${m.type} to analyse.`);
    return m.analysis;
  }

  /** Stops the thread (idempotent). */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.failure ??= new Error('The text thread was closed.');
    this.pending = null;
    void this.worker.terminate();
  }

  private request(message: ToTextThread): Promise<FromTextThread> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('The text thread is busy.'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
    void this.worker.terminate();
  }
}

/**
 * The share of the characters tokenised here: more than half, because what the thread does next
 * (quality, baseline, drift reference) costs more than what this thread does (bags, network):
 * about 1.3 against 1.0 CPU seconds on the whole SpamAssassin corpus (bench/train-text.mjs,
 * per-thread CPU), and the thread first has to receive the texts.
 */
const HERE_SHARE = 0.6;

/** Tokenises the first documents (`HERE_SHARE` of the characters) here and the rest on the thread, and merges the two. */
export async function tokeniseOnTwo(thread: TextThread, texts: string[]): Promise<Corpus> {
  let total = 0;
  for (const t of texts) total += t.length;
  let cut = 0;
  for (let chars = 0; cut < texts.length && chars < total * HERE_SHARE; cut++) chars += texts[cut]!.length;
  const remote = thread.tokenise(texts, cut);
  remote.catch(() => undefined);
  const { table, docs } = tokeniseRange(texts, 0, cut);
  mergePart(table, docs, await remote);
  return corpusOf(table, docs);
}
