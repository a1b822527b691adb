/**
 * The `pilot` command. Exit codes: 0 success, 1 failure (one line on stderr; the stack with
 * --debug), 2 wrong usage. Results go to stdout (JSON with --json), progress to stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StoreError } from '../../db/store.js';
import { type App, createApp } from '../app.js';
import { workerPath } from '../locate.js';
import { resolveDataDir } from '../paths.js';
import { CliError, type CliContext, type Command, UsageError } from './command.js';
import { datasetCommands } from './datasets.js';
import { dbCommands } from './db.js';
import { jobCommands } from './jobs.js';
import { serveCommands } from './serve.js';
import { qualityCommands } from './quality.js';
import { hardwareCommands } from './hardware.js';
import { modelCommands } from './models.js';
import { encryptionCommands } from './encryption.js';
import { pilotsCommands } from './pilots.js';
import { resumeCommands } from './resume.js';
import { roiCommands } from './roi.js';
import { driftCommands } from './drift.js';
import { gpuCommands } from './gpu.js';
import { imageCommands } from './images.js';
import { exportCommands } from './export.js';
import { servingCommands } from './serving.js';

const commands: Command[] = [
  ...datasetCommands,
  ...qualityCommands,
  ...hardwareCommands,
  ...modelCommands,
  ...encryptionCommands,
  ...pilotsCommands,
  ...resumeCommands,
  ...roiCommands,
  ...driftCommands,
  ...gpuCommands,
  ...imageCommands,
  ...exportCommands,
  ...servingCommands,
  ...jobCommands,
  ...serveCommands,
  ...dbCommands,
];

const globalOptions = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

function help(): string {
  // Usage on one line, what it does indented below: long usages (train) stay readable in 80 columns.
  const groups = new Map<string, Command[]>();
  for (const command of commands) {
    const group = command.name.split(' ')[0]!;
    groups.set(group, [...(groups.get(group) ?? []), command]);
  }
  return [
    'Pilot Workbench — hardware readiness, data quality, guided pilots, model lifecycle and ROI, offline.',
    '',
    'Usage: pilot COMMAND [ARGS] [--data-dir DIR] [--json] [--debug]',
    '',
    'Commands:',
    ...[...groups.values()].flatMap((group) => [...group.flatMap((command) => [`  pilot ${command.name} ${command.usage}`.trimEnd(), `      ${command.summary}`]), '']),
    'Global options:',
    '  --data-dir DIR  where the database and artifacts live (default: PILOT_HOME, else the app-data folder)',
    '  --json          machine-readable output on stdout (shapes in README.md)',
    '  --debug         show stack traces and worker output on errors',
    '  --help, -h      this help, or a command\'s with pilot COMMAND --help; --version, -v  the version',
  ].join('\n');
}

function findCommand(words: string[]): { command: Command; rest: string[] } | null {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(' ');
    const command = commands.find((candidate) => candidate.name === name);
    if (command) return { command, rest: words.slice(length) };
  }
  return null;
}

/** The words of argv, skipping options and the values of options that take one (`--data-dir DIR`). */
function positionals(argv: string[]): string[] {
  const valued = new Set(
    [globalOptions, ...commands.map((command) => command.options ?? {})].flatMap((options) =>
      Object.entries(options).filter(([, option]) => option.type === 'string').map(([name]) => `--${name}`),
    ),
  );
  const words: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (valued.has(arg)) index++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return words;
}

export async function main(argv: string[]): Promise<number> {
  const words = positionals(argv);
  if (argv.includes('--version') || argv.includes('-v')) {
    console.log(__PILOT_VERSION__);
    return 0;
  }
  const found = findCommand(words);
  if (!found) {
    if (words.length === 0) {
      console.log(help());
      return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
    }
    // A group's name alone (`pilot jobs --help`, `pilot models`) lists the group's commands.
    const group = commands.filter((command) => command.name.split(' ')[0] === words[0]);
    if (group.length > 0 && words.length === 1) {
      const asked = argv.includes('--help') || argv.includes('-h');
      (asked ? console.log : console.error)(
        [`pilot ${words[0]} — commands:`, ...group.flatMap((command) => [`  pilot ${command.name} ${command.usage}`.trimEnd(), `      ${command.summary}`])].join('\n'),
      );
      return asked ? 0 : 2;
    }
    console.error(`pilot: unknown command "${words.slice(0, 2).join(' ')}". Run pilot --help for the list.`);
    return 2;
  }
  const { command } = found;
  const usage = `Usage: pilot ${command.name} ${command.usage}`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`pilot ${command.name}: ${(error as Error).message.split('\n')[0]}\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`${usage}\n\n${command.summary}`);
    return 0;
  }
  const args = parsed.positionals.slice(command.name.split(' ').length);
  if (command.args && (args.length < command.args.min || args.length > command.args.max)) {
    console.error(`pilot ${command.name}: expected ${command.args.min === command.args.max ? command.args.min : `${command.args.min} to ${command.args.max}`} argument(s), got ${args.length}.\n${usage}`);
    return 2;
  }

  const debug = parsed.values.debug === true;
  const dataDir = resolveDataDir(parsed.values['data-dir'] as string | undefined);
  let app: App | null = null;
  const ctx: CliContext = {
    args,
    flags: parsed.values as CliContext['flags'],
    json: parsed.values.json === true,
    debug,
    dataDir,
    app() {
      app ??= createApp({ dataDir, workerPath: workerPath(), mode: command.longRunning ? 'serve' : 'cli', version: __PILOT_VERSION__, ...(debug ? { log: (line: string) => console.error(line) } : {}) });
      return app;
    },
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  };
  try {
    await command.run(ctx);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`pilot ${command.name}: ${error.message}\n${usage}`);
      return 2;
    }
    const known = error instanceof CliError || error instanceof StoreError;
    console.error(`pilot ${command.name}: ${known ? error.message : `unexpected error: ${(error as Error).message}`}`);
    if (debug || !known) console.error((error as Error).stack);
    return 1;
  } finally {
    await (app as App | null)?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
