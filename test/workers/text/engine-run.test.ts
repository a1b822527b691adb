import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError, makeContext } from '../../../workers/protocol.js';
import { textInputSchema, trainText, type TextTrainResult } from '../../../workers/text/index.js';

// The class-per-folder .eml fixture: 80 messages, small enough to train three times here.
const EML = 'test/fixtures/text/spamassassin-eml';
const settings = { path: EML, backend: 'wasm' as const, seed: 7, epochs: 4, patience: 10 };
const comparable = (r: TextTrainResult) => ({ epochs: r.epochs.map(({ loss, valLoss, valAccuracy }) => ({ loss, valLoss, valAccuracy })), metrics: r.metrics, checksums: r.checksums.files['weights.bin'] });

describe('train.text runs: reproducible, cancellable, resumable', () => {
  it('gives identical epochs, metrics and weights for the same seed on the same backend; resumes a cancelled run to the same result', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-run-'));
    const first = await trainText(textInputSchema.parse({ ...settings, runId: 'a' }), makeContext({ dataDir }));
    const second = await trainText(textInputSchema.parse({ ...settings, runId: 'b' }), makeContext({ dataDir }));
    expect(first.task).toBe('binary');
    expect(first.rows.train + first.rows.validation + first.rows.test).toBe(80);
    expect(comparable(second)).toEqual(comparable(first));

    // Cancel during epoch 3 (after epoch 2's checkpoint), then resume: same result as never stopping.
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    const progress = ctx.progress.bind(ctx);
    ctx.progress = (report) => {
      progress(report);
      if (report.stage === 'Epoch 2/4') controller.abort();
    };
    await expect(trainText(textInputSchema.parse({ ...settings, runId: 'c' }), ctx)).rejects.toBeInstanceOf(CancelledError);
    const resumed = await trainText(textInputSchema.parse({ ...settings, resumeFrom: 'c' }), makeContext({ dataDir }));
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(comparable(resumed)).toEqual(comparable(first));
  }, 120_000);

  it('refuses to resume with other settings', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'text-run-'));
    const controller = new AbortController();
    const ctx = makeContext({ dataDir, signal: controller.signal });
    ctx.progress = (report) => {
      if (report.stage === 'Epoch 1/4') controller.abort();
    };
    await expect(trainText(textInputSchema.parse({ ...settings, runId: 'd' }), ctx)).rejects.toBeInstanceOf(CancelledError);
    await expect(trainText(textInputSchema.parse({ ...settings, seed: 8, resumeFrom: 'd' }), makeContext({ dataDir }))).rejects.toThrow(/different data or settings/);
  }, 60_000);
});
