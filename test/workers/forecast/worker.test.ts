/** `train.forecast` in a real worker process (dist/worker.js, built by the global setup): progress, cancel, resume. */
import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FromWorker, ToWorker } from '../../../workers/protocol.js';
import { z } from 'zod';
import { makeContext } from '../../../workers/protocol.js';
import { workerEntry } from '../../helpers.js';
import { hourlyCounts, tempDir, train, writeCsv } from './helpers.js';

/** Runs one job in a forked worker; `cancelAt` sends cancel when a progress stage matches it. */
function runWorker(input: unknown, dataDir: string, cancelAt?: RegExp): Promise<{ end: FromWorker; stages: string[] }> {
  return new Promise((resolve, reject) => {
    const child = fork(workerEntry, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stages: string[] = [];
    let cancelled = false;
    child.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        stages.push(message.stage);
        if (cancelAt && !cancelled && cancelAt.test(message.stage)) {
          cancelled = true;
          child.send({ type: 'cancel' } satisfies ToWorker);
        }
      } else resolve({ end: message, stages });
    });
    child.on('error', reject);
    child.send({ type: 'start', jobId: 1, kind: 'train.forecast', input, dataDir } satisfies ToWorker);
  });
}

/** The fields of a worker's result this test reads, checked rather than assumed. */
const resultShape = z.object({
  kind: z.literal('forecast'),
  epochs: z.array(z.object({ valLoss: z.number() })),
  summary: z.record(z.string(), z.unknown()),
  resumedFromEpoch: z.number().nullable(),
});

function resultOf(end: FromWorker): z.infer<typeof resultShape> {
  if (end.type !== 'result') throw new Error(`the worker ended with ${JSON.stringify(end)}`);
  return resultShape.parse(end.value);
}

describe('train.forecast in a worker process', () => {
  it('streams epochs, stops on cancel, and resumes from the checkpoint to the uninterrupted result', async () => {
    const dataDir = tempDir();
    const file = writeCsv(['time', 'calls'], hourlyCounts(24 * 7 * 6));
    const input = { file, time: 'time', target: 'calls', horizon: 6, lags: 48, epochs: 6, patience: 100, batchSize: 64 };

    // The uninterrupted run, in this process on the same backend.
    const result = await train({ ...input, runId: 'full' }, makeContext({ dataDir }));

    const cut = await runWorker({ ...input, runId: 'cut' }, dataDir, /^Epoch 2\//);
    expect(cut.end.type).toBe('cancelled');
    expect(cut.stages).toContain('Epoch 2/6');
    expect(cut.stages).not.toContain('Epoch 6/6');
    const resumed = resultOf((await runWorker({ ...input, resumeFrom: 'cut' }, dataDir)).end);
    expect(resumed.kind).toBe('forecast');
    // From the last checkpoint the cancelled worker wrote (the cancel lands within a batch of epoch 3 or so).
    expect(resumed.resumedFromEpoch).toBeGreaterThanOrEqual(2);
    expect(resumed.resumedFromEpoch).toBeLessThan(6);
    expect(resumed.epochs.map((e) => e.valLoss)).toEqual(result.epochs.map((e) => e.valLoss));
    expect(resumed.summary).toEqual(result.summary);

    const bad = await runWorker({ ...input, time: 'nope' }, dataDir);
    expect(bad.end).toMatchObject({ type: 'error', error: { kind: 'input', message: expect.stringMatching(/no time column 'nope'/) } });
  });
});
