/**
 * Two engines that exercise the job machinery itself: `test.sleep` works in steps and honours
 * cancel; `test.crash` writes to stderr and dies. The supervisor's tests and `pilot jobs selftest`
 * use them to prove that progress, cancel and crash handling work on this machine.
 */
import { z } from 'zod';
import { type Engine, throwIfCancelled } from './protocol.js';

export const sleepInputSchema = z.object({
  steps: z.number().int().min(1).max(10_000).default(10),
  stepMs: z.number().int().min(0).max(60_000).default(100),
  /** Ignore cancel messages (to test the supervisor's kill after the grace period). */
  ignoreCancel: z.boolean().default(false),
  /** Run as a GPU job: it takes the machine-wide GPU lock (to check the lock; it computes nothing on a GPU). */
  gpu: z.boolean().default(false),
});

/**
 * The self-test's answer: the steps run, the library path the worker started with (where GPU
 * libraries are looked for) and its CUDA JIT cache settings (main/jobs/worker-env.ts).
 */
export interface SleepResult {
  steps: number;
  libraryPath: string | null;
  cudaCache: { path: string | null; maxSize: string | null };
}

export const sleepEngine: Engine<z.infer<typeof sleepInputSchema>, SleepResult> = async (input, ctx) => {
  for (let step = 1; step <= input.steps; step++) {
    await new Promise((done) => setTimeout(done, input.stepMs));
    if (!input.ignoreCancel) throwIfCancelled(ctx.signal);
    ctx.progress({ fraction: step / input.steps, stage: `Step ${step}/${input.steps}` });
  }
  return {
    steps: input.steps,
    libraryPath: (process.platform === 'win32' ? process.env['PATH'] : process.env['LD_LIBRARY_PATH']) ?? null,
    cudaCache: { path: process.env['CUDA_CACHE_PATH'] ?? null, maxSize: process.env['CUDA_CACHE_MAXSIZE'] ?? null },
  };
};

export const crashInputSchema = z.object({
  /** 'exit': exit with code 3; 'throw': an uncaught exception; 'kill': SIGKILL itself. */
  how: z.enum(['exit', 'throw', 'kill']).default('exit'),
  afterMs: z.number().int().min(0).max(60_000).default(50),
});

export const crashEngine: Engine<z.infer<typeof crashInputSchema>, never> = async (input, ctx) => {
  ctx.progress({ fraction: 0.5, stage: 'About to crash' });
  await new Promise((done) => setTimeout(done, input.afterMs));
  process.stderr.write('diagnostics: simulated failure: out of memory in kernel (test)\n');
  if (input.how === 'kill') process.kill(process.pid, 'SIGKILL');
  if (input.how === 'throw') setImmediate(() => { throw new Error('simulated uncaught exception'); });
  else process.exit(3);
  return new Promise<never>(() => {});
};
