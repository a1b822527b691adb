/**
 * Commands the workbench suggests, written so they run when pasted into a POSIX shell (bash, zsh,
 * sh): an argument with anything but letters, digits and `@%+=:,./-_` is wrapped in single quotes,
 * and a single quote inside becomes `'\''`. "pilot predict Diabetes screening@1" would otherwise
 * split the project name in two.
 */

const SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;

/** One argument, quoted only when the shell would otherwise split or expand it. */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A whole command line from its arguments (`['pilot', 'predict', 'Diabetes screening@1']`). */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
