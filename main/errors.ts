/**
 * Errors that cross the renderer↔main boundary as data. Handlers answer
 * `{ ok: true, value } | { ok: false, error }`; the message names the operation and the next step.
 */

export type ErrorCode = 'invalid-input' | 'not-found' | 'unknown-channel' | 'conflict' | 'unavailable' | 'failed';

export interface ApiError {
  code: ErrorCode;
  /** One line a person can act on. */
  message: string;
  /** For `invalid-input`: which fields were wrong. */
  issues?: { path: string; message: string }[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Thrown by handlers for outcomes the user can fix; becomes `{ ok: false, error }`. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, hint: string) => new AppError('not-found', `${what} does not exist. ${hint}`);
