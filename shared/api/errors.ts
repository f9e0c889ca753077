/**
 * Failures a person can act on. Anything else is a bug and crosses the wire as INTERNAL_ERROR.
 *
 * Each code has a sentence and a "what to do next" in `renderer/lib/error-messages.ts`.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNKNOWN_OPERATION',
  'NOT_AUTHENTICATED',
  'SESSION_LOCKED',
  'PERMISSION_DENIED',
  'INVALID_CREDENTIALS',
  'LOGIN_THROTTLED',
  'OPERATOR_DISABLED',
  'SETUP_REQUIRED',
  'SETUP_ALREADY_DONE',
  'PASSWORD_TOO_WEAK',
  'USERNAME_TAKEN',
  'OPERATOR_NOT_FOUND',
  'LAST_ADMINISTRATOR',
  'AUDIT_RECORD_NOT_FOUND',
  'DB_NEWER_THAN_APP',
  'MIGRATION_CHECKSUM_MISMATCH',
  'WORKSPACE_CORRUPT',
  'WORKSPACE_IN_USE',
  'STORAGE_WRITE_FAILED',
  'TRANSPORT_FAILED',
  'INTERNAL_ERROR',
] as const;

/** A failure the user can act on, or INTERNAL_ERROR for a bug. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it travels over any transport: plain data, no stack. */
export type WireError = { code: ErrorCode; message: string; details?: Record<string, unknown> };

/** Every call answers with one of these, never with a thrown exception. */
export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** An expected, user-actionable failure. Throw this from services; never for bugs. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** The generic message for a bug; the details stay in the core's log. */
export const INTERNAL_ERROR_MESSAGE =
  'Something went wrong inside PatchDeck. The details are in the log; please report them.';

/** Turns any thrown value into a wire error; bugs lose their stack here on purpose. */
export function toWireError(error: unknown): WireError {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

/** True when the value is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
