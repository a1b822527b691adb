import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, makeContext } from '../../../workers/protocol.js';
import { encodeTexts } from '../../../workers/text/corpus.js';
import { textInputSchema, trainText, type TextTrainResult } from '../../../workers/text/index.js';
import { flatten, mergePart, tokenisePart, tokeniseRange, corpusOf, unflatten } from '../../../workers/text/stages.js';

// The thread entry must be JavaScript: bundle it as the app build does, inside the repo
// (git-ignored .tmp/) so its npm imports resolve, and point the engine at it.
const outDir = resolve('.tmp/text-thread-test');
const CSV = 'test/fixtures/text/spamassassin.csv';
const EML = 'test/fixtures/text/spamassassin-eml';

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { 'text-thread': 'workers/text/thread.ts' },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  process.env.PILOT_TEXT_THREAD = join(outDir, 'text-thread.mjs');
}, 60_000);
afterAll(() => {
  delete process.env.PILOT_TEXT_THREAD;
});

/** Everything but what names the run or depends on the clock. */
function comparable(r: TextTrainResult) {
  const { runId: _r, artifactDir: _a, trainSeconds: _t, samplesPerSec: _s, tokenizeDocsPerSec: _k, threads: _n, firstBatch, checksums, epochs, ...rest } = r;
  // The first batch's time (and whether it was slow) is a timing; where it ran is not.
  return { ...rest, firstBatch: firstBatch && { ...firstBatch, seconds: null, slow: null }, epochs: epochs.map(({ seconds: _x, samplesPerSec: _y, ...e }) => e), weights: checksums.files['weights.bin'] };
}

describe('the text pilot on two threads', () => {
  it('tokenises in two parts to exactly the corpus of one pass, wherever the documents are cut', () => {
    const texts = ['Hello world, hello again', 'Грüße aus Köln: straße STRASSE', '東京で会いましょう 2024', '', 'mail me at a.b@example.com or www.example.org', "it's John's [EMAIL] hello", 'world again and again'];
    const whole = encodeTexts(texts);
    for (let cut = 0; cut <= texts.length; cut++) {
      const { table, docs } = tokeniseRange(texts, 0, cut);
      mergePart(table, docs, tokenisePart(texts, cut, texts.length));
      const merged = corpusOf(table, docs);
      expect(merged.terms).toEqual(whole.terms);
      expect(Array.from(merged.hashes)).toEqual(Array.from(whole.hashes));
      expect(merged.docs.map((d) => Array.from(d))).toEqual(whole.docs.map((d) => Array.from(d)));
      const flat = flatten(merged);
      expect(unflatten(merged.terms, merged.hashes, flat.ids, flat.offsets).docs.map((d) => Array.from(d))).toEqual(whole.docs.map((d) => Array.from(d)));
    }
  });

  it('gives the sequential run’s result to the last bit: quality, baseline, epochs, metrics, explanations and weights', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-parallel-'));
    const settings = { path: CSV, textColumn: 'text', target: 'label', backend: 'cpu' as const, seed: 42 };
    const stages: string[] = [];
    const ctx = makeContext({ dataDir });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (report) => {
      stages.push(report.stage);
      progress(report);
    };
    const two = await trainText(textInputSchema.parse({ ...settings, threads: 2, runId: 'two' }), ctx);
    const one = await trainText(textInputSchema.parse({ ...settings, threads: 1, runId: 'one' }), makeContext({ dataDir }));
    expect(two.threads).toBe(2);
    expect(one.threads).toBe(1);
    expect(stages).toContain('Checking text quality and training the linear baseline (second thread)');
    expect(comparable(two)).toEqual(comparable(one));
    // The saved version's metadata too: the drift reference (built on the thread) and the metrics.
    const metadata = (r: TextTrainResult) => ({ ...JSON.parse(readFileSync(join(r.artifactDir, 'metadata.json'), 'utf8')), runId: null, createdAt: null });
    expect(metadata(two)).toEqual(metadata(one));
    expect(metadata(two).driftReference.test.predictions.reduce((a: number, b: number) => a + b, 0)).toBe(two.rows.test);
    // Not vacuous: the pilot learned, the report found the fixture's duplicates.
    expect(two.summary.network).toBeGreaterThan(two.summary.majority + 0.2);
    expect(two.quality.documents).toBe(500);
    expect(two.topTerms.linear[0]!.terms.length).toBeGreaterThan(0);
  }, 180_000);

  it('resumes a run cancelled on two threads on one thread, to the same result', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-parallel-'));
    const settings = { path: EML, backend: 'wasm' as const, seed: 7, epochs: 4, patience: 10 };
    const straight = await trainText(textInputSchema.parse({ ...settings, threads: 1, runId: 'a' }), makeContext({ dataDir }));
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    ctx.progress = (report) => {
      if (report.stage === 'Epoch 2/4') controller.abort();
    };
    await expect(trainText(textInputSchema.parse({ ...settings, threads: 2, runId: 'b' }), ctx)).rejects.toBeInstanceOf(CancelledError);
    const resumed = await trainText(textInputSchema.parse({ ...settings, threads: 1, resumeFrom: 'b' }), makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(comparable(resumed)).toEqual({ ...comparable(straight), resumedFromEpoch: 2 });
  }, 180_000);

  it('cancels while the second thread is working', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-parallel-'));
    for (const at of ['Tokenising', 'Checking text quality and training the linear baseline (second thread)']) {
      const controller = new AbortController();
      const ctx = makeContext({ dataDir, signal: controller.signal });
      ctx.progress = (report) => {
        if (report.stage === at) controller.abort();
      };
      await expect(trainText(textInputSchema.parse({ path: CSV, textColumn: 'text', target: 'label', backend: 'cpu', threads: 2 }), ctx)).rejects.toBeInstanceOf(CancelledError);
    }
  }, 120_000);
});
