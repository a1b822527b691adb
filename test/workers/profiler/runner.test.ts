import { describe, expect, it } from 'vitest';
import { describeFailure, runCommand } from '../../../workers/profiler/runner.js';

describe('runCommand', () => {
  it('returns the output of a program that exits 0', async () => {
    const result = await runCommand(process.execPath, ['-e', 'process.stdout.write("hello")']);
    expect(result).toEqual({ status: 'ok', stdout: 'hello', stderr: '', code: 0 });
  });

  it('says not-found for a program that does not exist', async () => {
    const result = await runCommand('nvidia-smi-that-does-not-exist', []);
    expect(result.status).toBe('not-found');
    expect(describeFailure('nvidia-smi', result)).toBe('nvidia-smi not found');
  });

  it('kills a hanging program at the time limit', async () => {
    const started = Date.now();
    const result = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 300 });
    expect(result.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(describeFailure('nvidia-smi', result, 300)).toBe('nvidia-smi did not answer within 300 ms (a hung driver?)');
  });

  it('reports a non-zero exit with its code and first line', async () => {
    const result = await runCommand(process.execPath, ['-e', 'console.error("boom\\nmore"); process.exit(3)']);
    expect(result.status).toBe('failed');
    expect(result.code).toBe(3);
    expect(describeFailure('tool', result)).toBe('tool failed (exit 3): boom');
  });
});
