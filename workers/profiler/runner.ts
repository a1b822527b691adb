/**
 * Running external tools (nvidia-smi, rocm-smi, ldconfig) with a time limit. Injectable, so tests
 * feed recorded outputs, a hanging command and garbage without the tools being installed.
 */
import { execFile } from 'node:child_process';

/** What running a command gave. Never thrown: a missing or hanging tool is data, not an error. */
export interface CommandResult {
  /** `ok`: exit 0; `not-found`: no such program; `timeout`: killed after the limit; `failed`: non-zero exit or spawn error. */
  status: 'ok' | 'not-found' | 'timeout' | 'failed';
  stdout: string;
  stderr: string;
  /** Exit code when the program exited, else null. */
  code: number | null;
}

export type CommandRunner = (command: string, args: string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;

/** nvidia-smi answers in well under a second; a hung driver makes it wait forever, hence the limit. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** Runs a program directly (no shell), with a time limit and a 4 MB output cap. */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve) => {
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    execFile(
      command,
      args,
      { timeout, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ status: 'ok', stdout, stderr, code: 0 });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
        if (failure.code === 'ENOENT') return resolve({ status: 'not-found', stdout: '', stderr: '', code: null });
        if (failure.killed || failure.signal === 'SIGKILL') return resolve({ status: 'timeout', stdout, stderr, code: null });
        const code = typeof failure.code === 'number' ? failure.code : null;
        resolve({ status: 'failed', stdout, stderr: stderr || failure.message, code });
      },
    );
  });

/** One line saying why a command gave nothing usable, for the report's notes. */
export function describeFailure(command: string, result: CommandResult, timeoutMs = DEFAULT_TIMEOUT_MS): string {
  switch (result.status) {
    case 'not-found':
      return `${command} not found`;
    case 'timeout':
      return `${command} did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`} (a hung driver?)`;
    case 'failed': {
      const first = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
      return `${command} failed${result.code === null ? '' : ` (exit ${result.code})`}${first ? `: ${first}` : ''}`;
    }
    default:
      return `${command} printed nothing usable`;
  }
}
