/** The CLI's way to call a channel: its value, or `{ ok: false }` as a one-line CLI error. */
import { CliError } from './command.js';

/** Calls a channel and turns `{ ok: false }` into a one-line CLI error. */
export async function call<T>(promise: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> {
  const result = await promise;
  if (!result.ok) throw new CliError(result.error.message);
  return result.value;
}
