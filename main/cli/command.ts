/** The shape of a CLI command and the context it runs in. Each capability adds its commands in its own file. */
import type { ParseArgsConfig } from 'node:util';
import type { App } from '../app-types.js';

export interface CliContext {
  /** Positional arguments after the command words. */
  args: string[];
  /** Parsed options (command options and global ones). */
  flags: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
  debug: boolean;
  dataDir: string;
  /** The backend, opened on first use (so `--help` never touches the database). */
  app(): App;
  /** Result output (stdout). */
  out(text: string): void;
  /** Progress and diagnostics (stderr). */
  err(text: string): void;
}

export interface Command {
  /** The command words, e.g. `datasets import`. */
  name: string;
  /** Arguments and options, e.g. `FILE [--json]`. */
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  args?: { min: number; max: number };
  /** A command that runs until stopped (serve) keeps the app open; others close it on return. */
  longRunning?: boolean;
  run(ctx: CliContext): Promise<void>;
}

/** Wrong usage: exit code 2 with the command's usage line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure to report in one line: exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}
