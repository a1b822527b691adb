/** A job card's words, percentage and bar come from one computation: "Done" only for a job that succeeded. */
import { describe, expect, it } from 'vitest';
import { jobLine, timeLeft } from '../../renderer/src/lib/job-line.js';

const job = (over: Partial<Parameters<typeof jobLine>[0]>) => ({ status: 'running' as const, progress: 0, stage: '', etaSeconds: null, startedAt: 0, finishedAt: null, ...over });

describe('jobLine', () => {
  it('a running job whose engine said "Done" reads "Saving the results…" at 100 %, with its bar at 1', () => {
    expect(jobLine(job({ progress: 1, stage: 'Done' }))).toEqual({ fraction: 1, stage: 'Saving the results…', numbers: '100%' });
    // Engines' throttled reports can lag the stage: the words never say Done while the bar says 20 %.
    expect(jobLine(job({ progress: 0.2, stage: 'Done' }))).toEqual({ fraction: 0.2, stage: 'Saving the results…', numbers: '20%' });
  });

  it('while training: the stage, the percentage the bar shows, and the time left', () => {
    expect(jobLine(job({ progress: 0.2, stage: 'Epoch 12/60', etaSeconds: 90 }))).toEqual({ fraction: 0.2, stage: 'Epoch 12/60', numbers: '20% · about 1 min 30 s left' });
    expect(jobLine(job({ progress: 1.4, stage: 'Saving the model' })).fraction).toBe(1);
    expect(jobLine(job({ status: 'queued' }))).toEqual({ fraction: null, stage: 'Waiting for a free slot…', numbers: '' });
  });

  it('after the end: Done only when it succeeded; a failure says where it stopped', () => {
    expect(jobLine(job({ status: 'succeeded', progress: 1, stage: 'Done', finishedAt: 65_000 }))).toEqual({ fraction: 1, stage: 'Done', numbers: '1 min 5 s' });
    expect(jobLine(job({ status: 'failed', progress: 0.4, stage: 'Epoch 3/20', finishedAt: 2000 })).stage).toBe('Stopped while: epoch 3/20');
    expect(jobLine(job({ status: 'cancelled', progress: 0.4, finishedAt: 2000 })).stage).toBe('Cancelled');
  });

  it('the time left is one phrase, the same on the card and on the live epoch line (timeLeft)', () => {
    const running = job({ progress: 0.4, stage: 'Epoch 3/20', etaSeconds: 65 });
    expect(timeLeft(running)).toBe('about 1 min 5 s left');
    expect(jobLine(running).numbers).toBe(`40% · ${timeLeft(running)}`);
    // Nothing to say while it saves its results, before an estimate, or once it ended.
    expect(timeLeft(job({ progress: 1, stage: 'Saving the model', etaSeconds: 3 }))).toBe('');
    expect(timeLeft(job({ progress: 0.95, stage: 'Done', etaSeconds: 3 }))).toBe('');
    expect(timeLeft(job({ progress: 0.4, etaSeconds: null }))).toBe('');
    expect(timeLeft(job({ status: 'succeeded', progress: 1, etaSeconds: 0 }))).toBe('');
    expect(jobLine(job({ progress: 0.4, etaSeconds: null })).numbers).toBe('40%');
  });
});
